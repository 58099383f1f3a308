package dev.flow.mithril.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** This library's version, from a Maven-filtered resource, for the {@code User-Agent}. */
final class ClientVersion {

    static final String VERSION = load();

    private ClientVersion() {
    }

    private static String load() {
        try (InputStream in = ClientVersion.class.getResourceAsStream("mithril-client.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version", "dev");
            return v.startsWith("${") ? "dev" : v;
        } catch (IOException e) {
            return "dev";
        }
    }
}

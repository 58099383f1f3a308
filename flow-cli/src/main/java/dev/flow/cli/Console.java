package dev.flow.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The person's terminal, for questions ({@code cancel}'s confirmation) and for redrawing in place ({@code ls
 * --watch}). {@link #NONE} when {@code flow} runs in a pipe, a script or CI: nothing is asked, lines are printed.
 */
public interface Console {

    /** Not a terminal. */
    Console NONE = new Console() {
        @Override
        public boolean isTerminal() {
            return false;
        }

        @Override
        public String readLine() {
            return null;
        }
    };

    boolean isTerminal();

    /** A line typed by the person, or null at end of input. */
    String readLine();

    /** A terminal reader of stdin. */
    static Console reading(BufferedReader in) {
        return new Console() {
            @Override
            public boolean isTerminal() {
                return true;
            }

            @Override
            public String readLine() {
                try {
                    return in.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /** stdin and stdout both on a terminal: the process's own console, else {@link #NONE}. */
    static Console system() {
        java.io.Console console = System.console();
        return console != null && interactive(console)
                ? reading(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) : NONE;
    }

    private static boolean interactive(java.io.Console console) {
        // since Java 22 System.console() exists even when redirected; Console.isTerminal() (22+) tells. The build
        // targets 21, where a console exists only on a terminal, so the method is looked up when present.
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }
}

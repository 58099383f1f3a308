package dev.flow.mithril.client;

/**
 * A create whose outcome could not be established: the POST failed in a way that may still have created the
 * resource, and the look-up by name failed too. Retrying the POST then could create a duplicate, so the client
 * stops and reports this instead; the caller may look up by name later.
 */
public final class OutcomeUnknownException extends RuntimeException {

    public OutcomeUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}

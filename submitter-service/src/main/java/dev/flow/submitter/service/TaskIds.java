package dev.flow.submitter.service;

import java.security.SecureRandom;

/** Task ids: {@code task-} + 16 random characters of {@code [0-9a-z]} (≈ 82 bits); the bid name is {@code flow-<id>}. */
public final class TaskIds {

    public static final String PREFIX = "task-";
    public static final String BID_PREFIX = "flow-";
    private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private TaskIds() {
    }

    public static String next() {
        char[] out = new char[16];
        for (int i = 0; i < out.length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return PREFIX + new String(out);
    }

    public static String bidName(String taskId) {
        return BID_PREFIX + taskId;
    }

    /**
     * The bid of the task's {@code restart}-th resubmission after a preemption: {@code flow-<task id>-r<k>} (k = 1,
     * 2, ...). The status-poller recognises both forms as the task's (contract of issue 6).
     */
    public static String bidName(String taskId, int restart) {
        return restart == 0 ? bidName(taskId) : BID_PREFIX + taskId + "-r" + restart;
    }

    /** Whether {@code bidName} is one of the task's bids: {@code flow-<id>} or {@code flow-<id>-r<k>}. */
    public static boolean isBidOf(String taskId, String bidName) {
        String first = bidName(taskId);
        return bidName != null && (bidName.equals(first)
                || bidName.startsWith(first + "-r") && bidName.substring(first.length() + 2).matches("[1-9][0-9]*"));
    }

    public static boolean isValid(String id) {
        return id != null && id.matches("^task-[0-9a-z]{16}$");
    }
}

package dev.flow.model.task;

/**
 * The size bounds of a {@link TaskConfig}: part of the contract, so the submitter, the CLI and the docs use the same
 * numbers. String caps count characters (a character is at most 3 UTF-8 bytes, 4 for a surrogate pair); the command,
 * which becomes the startup script, is capped in UTF-8 bytes.
 */
public final class TaskLimits {

    /** UTF-8 bytes of the command: a script, or an argv's words together. */
    public static final int MAX_COMMAND_BYTES = 64 * 1024;
    /** Words of an argv command. */
    public static final int MAX_COMMAND_ARGS = 1024;
    /** Environment variables. */
    public static final int MAX_ENV_ENTRIES = 256;
    /** Characters of an environment variable's name. */
    public static final int MAX_ENV_KEY_LENGTH = 128;
    /** Characters of an environment variable's value. */
    public static final int MAX_ENV_VALUE_LENGTH = 64 * 1024;
    /** Volumes of one task. */
    public static final int MAX_VOLUMES = 16;
    /** SSH keys of one task. */
    public static final int MAX_SSH_KEYS = 32;
    /** Characters of one SSH key reference (a name or an sshkey_ id). */
    public static final int MAX_SSH_KEY_LENGTH = 256;
    /** Exposed ports of one task. */
    public static final int MAX_PORTS = 64;
    /** Characters of the image reference. */
    public static final int MAX_IMAGE_LENGTH = 512;
    /** Characters of a path (working_dir, a volume's mount_path). */
    public static final int MAX_PATH_LENGTH = 4096;
    /** Characters of instance_type. */
    public static final int MAX_INSTANCE_TYPE_LENGTH = 64;
    /** Smallest max_run_time_hours: 0.01 hours (36 seconds). Shorter limits end a task before its node can boot. */
    public static final String MIN_RUN_TIME_HOURS = "0.01";
    /** Largest max_run_time_hours: 168 hours (7 days). */
    public static final String MAX_RUN_TIME_HOURS = "168";
    /** Largest max_price_per_hour in dollars per instance-hour. */
    public static final String MAX_PRICE_PER_HOUR = "100000";

    private TaskLimits() {
    }
}

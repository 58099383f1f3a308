package dev.flow.model.instance;

import java.util.Locale;

/** The GPU models Mithril sells, with the memory per GPU. */
public enum GpuType {
    A100(80),
    H100(80),
    H200(141),
    B200(192);

    private final int memoryGb;

    GpuType(int memoryGb) {
        this.memoryGb = memoryGb;
    }

    public int memoryGb() {
        return memoryGb;
    }

    /** Lowercase token as used in instance-type names ({@code "a100"}). */
    public String token() {
        return name().toLowerCase(Locale.ROOT);
    }
}

package dev.flow.model.instance;

import java.util.Objects;
import java.util.regex.Pattern;

/** A parsed instance type: either a known GPU configuration ({@link Named}) or a Mithril FID passed through ({@link Fid}). */
public sealed interface InstanceTypeSpec {

    /** The canonical text of this type: the short name ({@code "4xa100"}) or the FID. */
    String canonical();

    /**
     * A known GPU configuration.
     *
     * @param gpuType      GPU model
     * @param gpuCount     GPUs per instance
     * @param interconnect SXM or PCIe
     */
    record Named(GpuType gpuType, int gpuCount, Interconnect interconnect) implements InstanceTypeSpec {

        public Named {
            Objects.requireNonNull(gpuType, "gpuType");
            Objects.requireNonNull(interconnect, "interconnect");
            if (gpuCount < 1) {
                throw new IllegalArgumentException("gpuCount must be positive");
            }
        }

        public int gpuMemoryGb() {
            return gpuType.memoryGb();
        }

        public int totalGpuMemoryGb() {
            return gpuType.memoryGb() * gpuCount;
        }

        /**
         * Mithril's catalog name: {@code a100-80gb.sxm.4x}, {@code h100-80gb.pcie.1x}, {@code ccs-h200.sxm.8x},
         * {@code b200-192gb.8x} (B200 names carry no interconnect in Mithril's catalog).
         */
        public String mithrilName() {
            return switch (gpuType) {
                case H200 -> "ccs-h200." + interconnect.token() + "." + gpuCount + "x";
                case B200 -> "b200-192gb." + gpuCount + "x";
                default -> gpuType.token() + "-" + gpuType.memoryGb() + "gb." + interconnect.token() + "." + gpuCount + "x";
            };
        }

        /** The preferred short name ({@code "a100"}, {@code "4xa100"}, {@code "8xh100"}); the Mithril name when there is none. */
        public String shortName() {
            return InstanceType.shortNameOf(this);
        }

        @Override
        public String canonical() {
            return shortName();
        }
    }

    /** A Mithril instance-type FID ({@code it_} + 16 base62 characters), kept verbatim (FIDs are case-sensitive). */
    record Fid(String fid) implements InstanceTypeSpec {

        static final Pattern FORMAT = Pattern.compile("^it_[A-Za-z0-9]{16}$");

        public Fid {
            if (fid == null || !FORMAT.matcher(fid).matches()) {
                throw new IllegalArgumentException("not an instance-type FID: " + fid);
            }
        }

        @Override
        public String canonical() {
            return fid;
        }
    }
}

package dev.flow.model.instance;

import dev.flow.model.error.ValidationError;
import dev.flow.model.instance.InstanceTypeSpec.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class InstanceTypeTest {

    /** Every example of the seed's "Supported Formats" and "Notes", plus NOTES §6.4 forms. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // seed: simple names
            "a100              | A100 | 1 | SXM  | 80  | a100-80gb.sxm.1x  | a100",
            "2xa100            | A100 | 2 | SXM  | 80  | a100-80gb.sxm.2x  | 2xa100",
            "4xa100            | A100 | 4 | SXM  | 80  | a100-80gb.sxm.4x  | 4xa100",
            "8xa100            | A100 | 8 | SXM  | 80  | a100-80gb.sxm.8x  | 8xa100",
            "h100              | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
            "8xh100            | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
            // seed: full Mithril format
            "a100-80gb.sxm.1x  | A100 | 1 | SXM  | 80  | a100-80gb.sxm.1x  | a100",
            "h100-80gb.pcie.1x | H100 | 1 | PCIE | 80  | h100-80gb.pcie.1x | h100-80gb.pcie.1x",
            // seed notes: synonym and case
            "a100x8            | A100 | 8 | SXM  | 80  | a100-80gb.sxm.8x  | 8xa100",
            "A100              | A100 | 1 | SXM  | 80  | a100-80gb.sxm.1x  | a100",
            "' 4XA100 '        | A100 | 4 | SXM  | 80  | a100-80gb.sxm.4x  | 4xa100",
            // NOTES 6.4: static map, H100 only sold as 8x
            "1xa100            | A100 | 1 | SXM  | 80  | a100-80gb.sxm.1x  | a100",
            "1xh100            | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
            "2xh100            | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
            "4xh100            | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
            "h100x8            | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
            "h100-80gb.sxm.8x  | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
            "h100-80gb.sxm.1x  | H100 | 1 | SXM  | 80  | h100-80gb.sxm.1x  | h100-80gb.sxm.1x",
            "a100-80gb.sxm.2x  | A100 | 2 | SXM  | 80  | a100-80gb.sxm.2x  | 2xa100",
            "a100-80gb.sxm.4x  | A100 | 4 | SXM  | 80  | a100-80gb.sxm.4x  | 4xa100",
            "a100-80gb.sxm.8x  | A100 | 8 | SXM  | 80  | a100-80gb.sxm.8x  | 8xa100",
            "b200              | B200 | 8 | SXM  | 192 | b200-192gb.8x     | 8xb200",
            "1xb200            | B200 | 1 | SXM  | 192 | b200-192gb.1x     | 1xb200",
            "2xb200            | B200 | 2 | SXM  | 192 | b200-192gb.2x     | 2xb200",
            "4xb200            | B200 | 4 | SXM  | 192 | b200-192gb.4x     | 4xb200",
            "8xb200            | B200 | 8 | SXM  | 192 | b200-192gb.8x     | 8xb200",
            "b200-192gb.8x     | B200 | 8 | SXM  | 192 | b200-192gb.8x     | 8xb200",
            "b200-192gb.sxm.8x | B200 | 8 | SXM  | 192 | b200-192gb.8x     | 8xb200",
            "ccs-h200.sxm.8x   | H200 | 8 | SXM  | 141 | ccs-h200.sxm.8x   | 8xh200",
            "ccs-h200.sxm.1x   | H200 | 1 | SXM  | 141 | ccs-h200.sxm.1x   | h200",
            "h200-141gb.sxm.8x | H200 | 8 | SXM  | 141 | ccs-h200.sxm.8x   | 8xh200",
            "h200              | H200 | 1 | SXM  | 141 | ccs-h200.sxm.1x   | h200",
            // NOTES 6.4: gpu-<mem>gb and gpu.<mem>gb.<sxm|pcie>
            "a100-80gb         | A100 | 1 | SXM  | 80  | a100-80gb.sxm.1x  | a100",
            "a100.80gb.sxm     | A100 | 1 | SXM  | 80  | a100-80gb.sxm.1x  | a100",
            "h100.80gb.pcie    | H100 | 1 | PCIE | 80  | h100-80gb.pcie.1x | h100-80gb.pcie.1x",
            "H100-80GB.SXM.8X  | H100 | 8 | SXM  | 80  | h100-80gb.sxm.8x  | 8xh100",
    })
    void parsesEveryDocumentedForm(String input, GpuType gpu, int count, Interconnect ic, int memory,
                                   String mithrilName, String shortName) {
        InstanceTypeSpec spec = InstanceType.parse(input);

        assertThat(spec).isInstanceOfSatisfying(Named.class, n -> {
            assertThat(n.gpuType()).isEqualTo(gpu);
            assertThat(n.gpuCount()).isEqualTo(count);
            assertThat(n.interconnect()).isEqualTo(ic);
            assertThat(n.gpuMemoryGb()).isEqualTo(memory);
            assertThat(n.totalGpuMemoryGb()).isEqualTo(memory * count);
            assertThat(n.mithrilName()).isEqualTo(mithrilName);
            assertThat(n.shortName()).isEqualTo(shortName);
            assertThat(n.canonical()).isEqualTo(shortName);
        });
    }

    @Test
    void synonymsAreEqual() {
        assertThat(InstanceType.parse("a100x8")).isEqualTo(InstanceType.parse("8xa100"));
        assertThat(InstanceType.parse("A100")).isEqualTo(InstanceType.parse("a100"));
        assertThat(InstanceType.parse("h100")).isEqualTo(InstanceType.parse("8xh100"));
    }

    @Test
    void canonicalNamesParseBackToThemselves() {
        for (Named n : InstanceType.offerings()) {
            assertThat(InstanceType.parse(n.shortName())).isEqualTo(n);
            assertThat(InstanceType.parse(n.mithrilName())).isEqualTo(n);
        }
        assertThat(InstanceType.offerings()).hasSize(13);
    }

    @Test
    void fidPassesThroughVerbatim() {
        assertThat(InstanceType.parse("it_MsIRhxj3ccyVWGfP"))
                .isEqualTo(new InstanceTypeSpec.Fid("it_MsIRhxj3ccyVWGfP"))
                .extracting(InstanceTypeSpec::canonical).isEqualTo("it_MsIRhxj3ccyVWGfP");
        assertThat(InstanceType.parse(" it_5ECSoHQjLBzrp5YM ").canonical()).isEqualTo("it_5ECSoHQjLBzrp5YM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"it_short", "it_MsIRhxj3ccyVWGfP1", "it_MsIRhxj3ccy-WGfP"})
    void malformedFidIsRejected(String input) {
        ValidationError e = catchThrowableOfType(ValidationError.class, () -> InstanceType.parse(input));

        assertThat(e.errors()).singleElement().satisfies(f -> {
            assertThat(f.field()).isEqualTo("instance_type");
            assertThat(f.reason()).contains("16 letters or digits");
        });
    }

    /** The seed's "Not supported" examples and other unknowns: rejected with the closest valid names. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "gpu.nvidia.a100 | a100",
            "nvidia-a100     | a100",
            "invalid         | ",
            "a10             | a100",
            "3xa100          | 2xa100",
            "a100-40gb.sxm.1x | a100-80gb.sxm.1x",
            "a100-80gb.pcie.1x | a100-80gb.sxm.1x",
            "8xv100          | 8xa100",
            "16xh100         | 8xh100",
            "8x a100         | 8xa100",
    })
    void unsupportedFormsAreRejectedWithSuggestions(String input, String expectedFirst) {
        ValidationError e = catchThrowableOfType(ValidationError.class, () -> InstanceType.parse(input));

        assertThat(e).as(input).isNotNull();
        assertThat(e.httpStatus()).isEqualTo(422);
        assertThat(e.suggestions()).isNotEmpty().hasSizeLessThanOrEqualTo(3)
                .allSatisfy(s -> assertThat(InstanceType.isValid(s)).as(s).isTrue());
        assertThat(e.errors()).singleElement().satisfies(f -> {
            assertThat(f.field()).isEqualTo("instance_type");
            assertThat(f.reason()).contains(input.strip());
            assertThat(f.suggestion()).isEqualTo(e.suggestions().getFirst());
        });
        if (expectedFirst != null) {
            assertThat(e.suggestions().getFirst()).isEqualTo(expectedFirst);
        }
        assertThat(e.getMessage()).contains("did you mean");
    }

    @Test
    void missingInstanceTypeIsRejected() {
        assertThat(InstanceType.isValid(null)).isFalse();
        assertThat(InstanceType.isValid("  ")).isFalse();
        assertThat(catchThrowableOfType(ValidationError.class, () -> InstanceType.parse(""))
                .errors().getFirst().reason()).isEqualTo("is required");
    }

    @Test
    void suggestionsPreferTheNamedGpu() {
        assertThat(InstanceType.suggest("nvidia-h100")).startsWith("8xh100");
        assertThat(InstanceType.suggest("gpu.nvidia.a100")).containsExactly("a100", "2xa100", "4xa100");
    }
}

package dev.flow.model.error;

import dev.flow.model.json.FlowJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemTest {

    static Stream<FlowError> errors() {
        return Stream.of(
                new ValidationError("bad config",
                        List.of(new FieldError("instance_type", "unknown instance type `x`", "a100"),
                                FieldError.of("volumes[0].name", "is required")),
                        List.of("a100", "8xh100")),
                new AuthenticationError("missing bearer token"),
                new ResourceNotFoundError("task bid_123 not found", List.of("list your tasks with GET /v1/tasks")),
                new InsufficientQuotaError("project budget exhausted"),
                new TaskExecutionError("task is already completed"),
                new FlowTimeoutError("task did not finish in 300 s"),
                new FlowServiceError("Mithril unavailable", 503, List.of(), null));
    }

    @ParameterizedTest
    @CsvSource({
            "ValidationError, 422", "AuthenticationError, 401", "ResourceNotFoundError, 404",
            "InsufficientQuotaError, 409", "TaskExecutionError, 409", "TimeoutError, 504", "FlowError, 503"})
    void statusAndTypePerError(String name, int status) {
        FlowError error = errors().filter(e -> e.errorName().equals(name)).findFirst().orElseThrow();
        Problem p = Problem.from(error, "/v1/tasks/bid_123");

        assertThat(error.httpStatus()).isEqualTo(status);
        assertThat(p.status()).isEqualTo(status);
        assertThat(p.type()).isEqualTo("https://flow.dev/errors/" + name);
        assertThat(p.title()).isEqualTo(name);
        assertThat(p.detail()).isEqualTo(error.getMessage());
        assertThat(p.instance()).isEqualTo("/v1/tasks/bid_123");
    }

    @ParameterizedTest
    @MethodSource("errors")
    void roundTripsThroughJsonToTheSameTypedError(FlowError error) throws Exception {
        String json = FlowJson.mapper().writeValueAsString(Problem.from(error));
        FlowError back = FlowJson.mapper().readValue(json, Problem.class).toException();

        assertThat(back).isExactlyInstanceOf(error.getClass());
        assertThat(back.getMessage()).isEqualTo(error.getMessage());
        assertThat(back.httpStatus()).isEqualTo(error.httpStatus());
        assertThat(back.suggestions()).isEqualTo(error.suggestions());
        if (error instanceof ValidationError v) {
            assertThat(((ValidationError) back).errors()).isEqualTo(v.errors());
        }
    }

    @Test
    void validationProblemJsonShape() throws Exception {
        ValidationError error = (ValidationError) errors().findFirst().orElseThrow();
        String json = FlowJson.mapper().writeValueAsString(Problem.from(error));

        assertThat(json).contains("\"type\":\"https://flow.dev/errors/ValidationError\"", "\"status\":422",
                "{\"field\":\"instance_type\",\"reason\":\"unknown instance type `x`\",\"suggestion\":\"a100\"}",
                "{\"field\":\"volumes[0].name\",\"reason\":\"is required\"}",
                "\"suggestions\":[\"a100\",\"8xh100\"]");
        assertThat(json).doesNotContain("\"instance\"");
        assertThat(Problem.MEDIA_TYPE).isEqualTo("application/problem+json");
    }

    @Test
    void validationSuggestionsIncludeFieldSuggestionsOnce() {
        ValidationError e = ValidationError.of(List.of(new FieldError("a", "bad", "x"), new FieldError("b", "bad", "x"),
                FieldError.of("c", "bad")));

        assertThat(e.suggestions()).containsExactly("x");
        assertThat(e.getMessage()).isEqualTo("invalid configuration: a: bad (x); b: bad (x); c: bad");
    }

    @ParameterizedTest
    @CsvSource({
            "401, AuthenticationError", "404, ResourceNotFoundError", "422, ValidationError", "400, ValidationError",
            "504, TimeoutError", "500, FlowError", "502, FlowError", "200, FlowError"})
    void foreignProblemsMapByStatus(int status, String expected) throws Exception {
        Problem foreign = FlowJson.mapper().readValue(
                "{\"type\":\"about:blank\",\"title\":\"Oops\",\"status\":" + status + ",\"extra\":1}", Problem.class);

        FlowError e = foreign.toException();
        assertThat(e.errorName()).isEqualTo(expected);
        assertThat(e.getMessage()).isEqualTo("Oops");
        if (e instanceof FlowServiceError) {
            assertThat(e.httpStatus()).isEqualTo(status >= 400 ? status : 500);
        }
    }
}

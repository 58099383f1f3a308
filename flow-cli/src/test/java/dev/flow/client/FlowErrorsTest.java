package dev.flow.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;

import dev.flow.model.error.FlowError;
import dev.flow.model.error.FlowServiceError;
import dev.flow.model.error.InsufficientQuotaError;
import dev.flow.model.error.ResourceNotFoundError;
import dev.flow.model.error.ValidationError;
import org.junit.jupiter.api.Test;

/** Error answers → the seed's exceptions, for the cases the local stack cannot produce (the emulator has no quotas). */
class FlowErrorsTest {

    private static final URI URI_ = URI.create("http://127.0.0.1:8081/v1/tasks");

    @Test
    void aQuotaProblemBecomesInsufficientQuotaErrorWithItsSuggestions() {
        FlowError error = FlowHttp.errorOf(403, """
                {"type":"https://flow.dev/errors/InsufficientQuotaError","title":"InsufficientQuotaError","status":403,
                 "detail":"quota of 8 a100 instances reached","suggestions":["cancel a task"]}""", URI_);
        assertThat(error).isInstanceOf(InsufficientQuotaError.class).hasMessage("quota of 8 a100 instances reached");
        assertThat(error.suggestions()).containsExactly("cancel a task");
    }

    @Test
    void aProblemWithoutSuggestionsGetsTheClassesUsualRemedies() {
        FlowError error = FlowHttp.errorOf(403, """
                {"type":"https://flow.dev/errors/InsufficientQuotaError","title":"InsufficientQuotaError","status":403,
                 "detail":"quota reached"}""", URI_);
        assertThat(error).isInstanceOf(InsufficientQuotaError.class);
        assertThat(error.suggestions()).singleElement().asString().contains("larger quota");
    }

    @Test
    void fieldErrorsAndTheirSuggestionsAreKept() {
        FlowError error = FlowHttp.errorOf(422, """
                {"type":"https://flow.dev/errors/ValidationError","title":"ValidationError","status":422,
                 "detail":"invalid","errors":[{"field":"instance_type","reason":"unknown","suggestion":"a100"}]}""", URI_);
        assertThat(error).isInstanceOf(ValidationError.class);
        assertThat(((ValidationError) error).errors()).singleElement().satisfies(e -> assertThat(e.field()).isEqualTo("instance_type"));
        assertThat(error.suggestions()).contains("a100");
    }

    @Test
    void aNonProblemAnswerIsMappedByItsStatus() {
        assertThat(FlowHttp.errorOf(404, "<html>not found</html>", URI_)).isInstanceOf(ResourceNotFoundError.class)
                .satisfies(e -> assertThat(e.suggestions()).isNotEmpty());
        assertThat(FlowHttp.errorOf(502, "", URI_)).isInstanceOf(FlowServiceError.class)
                .satisfies(e -> assertThat(e.httpStatus()).isEqualTo(502));
    }
}

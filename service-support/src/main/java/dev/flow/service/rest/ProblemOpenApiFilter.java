package dev.flow.service.rest;

import java.util.Map;

import dev.flow.model.error.Problem;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

/**
 * Every Flow service answers every error with the same {@code application/problem+json} body ({@link Problem},
 * written by {@link ProblemResponses}); this filter says so once in each service's OpenAPI document instead of on
 * every annotation: it adds the shared {@code Problem} schema, gives each 4xx/5xx response that names no body that
 * schema, and adds the 404 that every path with an id can answer (unknown, or another project's).
 * Registered for every service by {@code mp.openapi.filter} in service-support's microprofile-config.properties.
 */
public class ProblemOpenApiFilter implements OASFilter {

    public static final String PROBLEM = "Problem";
    static final String FIELD_ERROR = "FieldError";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getComponents() == null) {
            openAPI.setComponents(OASFactory.createComponents());
        }
        openAPI.getComponents().addSchema(FIELD_ERROR, fieldError()).addSchema(PROBLEM, problem());
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : openAPI.getPaths().getPathItems().entrySet()) {
            boolean hasId = path.getKey().contains("{");
            for (Operation operation : path.getValue().getOperations().values()) {
                if (operation.getResponses() == null) {
                    continue;
                }
                if (hasId && !operation.getResponses().hasAPIResponse("404")) {
                    operation.getResponses().addAPIResponse("404", OASFactory.createAPIResponse()
                            .description("ResourceNotFoundError: no such resource in the caller's projects"));
                }
                operation.getResponses().getAPIResponses().forEach((code, response) -> {
                    if (isError(code) && noBody(response)) {
                        response.setContent(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                                OASFactory.createMediaType().schema(ref(PROBLEM))));
                    }
                });
            }
        }
    }

    private static boolean isError(String code) {
        return code.startsWith("4") || code.startsWith("5");
    }

    private static boolean noBody(APIResponse response) {
        return response.getRef() == null
                && (response.getContent() == null || response.getContent().getMediaTypes() == null
                || response.getContent().getMediaTypes().isEmpty());
    }

    /** RFC 9457 problem details with the Flow extensions, as {@link Problem} serialises. */
    private static Schema problem() {
        return object("RFC 9457 problem details; title is the Flow error class (ValidationError, "
                + "ResourceNotFoundError, AuthenticationError, InsufficientQuotaError, TimeoutError, FlowError...)")
                .addRequired("type").addRequired("title").addRequired("status")
                .addProperty("type", string("https://flow.dev/errors/<ErrorName>").format("uri"))
                .addProperty("title", string("the error class name"))
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)
                        .format("int32").description("the HTTP status"))
                .addProperty("detail", string("what went wrong, for a human"))
                .addProperty("instance", string("the request path"))
                .addProperty("errors", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                        .description("one entry per bad input field (validation errors)").items(ref(FIELD_ERROR)))
                .addProperty("suggestions", OASFactory.createSchema().addType(Schema.SchemaType.ARRAY)
                        .description("what the caller could do instead").items(string(null)));
    }

    private static Schema fieldError() {
        return object("one problem with one input field").addRequired("field").addRequired("reason")
                .addProperty("field", string("snake_case JSON path of the field (instance_type, volumes[0].name); "
                        + "empty for the document as a whole"))
                .addProperty("reason", string("what is wrong"))
                .addProperty("suggestion", string("what would be accepted instead"));
    }

    private static Schema object(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT).description(description);
    }

    private static Schema string(String description) {
        return OASFactory.createSchema().addType(Schema.SchemaType.STRING).description(description);
    }

    private static Schema ref(String name) {
        return OASFactory.createSchema().ref(name);
    }
}

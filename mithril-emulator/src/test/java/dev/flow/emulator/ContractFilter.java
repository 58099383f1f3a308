package dev.flow.emulator;

import io.restassured.filter.Filter;
import io.restassured.filter.FilterContext;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;

import java.net.URI;
import java.util.List;

/**
 * A REST Assured filter installed for every test: each /v2 response is checked against the OpenAPI document and any
 * violation fails the test that made the request. Admin endpoints (/_emulator) are outside the spec.
 */
public final class ContractFilter implements Filter {

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
                           FilterContext ctx) {
        Response response = ctx.next(request, responseSpec);
        String path = URI.create(request.getURI()).getPath();
        if (path.startsWith("/v2/") || path.equals("/v2")) {
            List<String> violations = OpenApiContract.get().violations(request.getMethod(), path,
                    response.getStatusCode(), response.getContentType(), response.asString());
            if (!violations.isEmpty()) {
                throw new AssertionError("response violates the Mithril OpenAPI spec:\n  "
                        + String.join("\n  ", violations) + "\nbody: " + response.asString());
            }
        }
        return response;
    }
}

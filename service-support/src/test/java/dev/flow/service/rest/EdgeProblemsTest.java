package dev.flow.service.rest;

import dev.flow.devstack.DevJwt;
import dev.flow.devstack.quarkus.JwtTestResource;
import dev.flow.devstack.quarkus.KafkaTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.HttpClientConfig;
import io.restassured.config.RestAssuredConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** The edge's own answers (404, 405, 413, 414, 415) and the JSON bounds are problem+json in every service. */
@QuarkusTest
@WithTestResource(JwtTestResource.class)
@WithTestResource(KafkaTestResource.class)
class EdgeProblemsTest {

    private static final String PROBLEM = "application/problem+json";

    private static String token() {
        return DevJwt.shared().token("alice", List.of("proj_a"));
    }

    @Test
    void anUnknownPathIsA404Problem() {
        given().auth().oauth2(token()).get("/no/such/endpoint").then().statusCode(404).contentType(PROBLEM)
                .body("title", equalTo("ResourceNotFoundError"));
    }

    @Test
    void aWrongMethodIsA405Problem() {
        given().auth().oauth2(token()).delete("/probe/whoami").then().statusCode(405).contentType(PROBLEM);
    }

    @Test
    void aWrongContentTypeIsA415Problem() {
        given().auth().oauth2(token()).contentType("text/plain").body("{\"size_gb\": 1}").post("/probe/sized")
                .then().statusCode(415).contentType(PROBLEM).body("suggestions[0]", containsString("application/json"));
    }

    @Test
    void aLongUriIsA414Problem() {
        given().auth().oauth2(token()).queryParam("q", "x".repeat(9000)).get("/probe/whoami")
                .then().statusCode(414).contentType(PROBLEM).body("detail", containsString("8192"));
    }

    @Test
    void aLargeBodyIsA413Problem() {
        given().auth().oauth2(token()).contentType("application/json")
                .body("{\"price\": \"" + "x".repeat(1024 * 1024 + 10) + "\"}").post("/probe/priced")
                .then().statusCode(413).contentType(PROBLEM).body("detail", containsString("1048576"));
    }

    @Test
    void aHugeExponentInABodyIsA422NamingTheField() {
        RestAssuredConfig timeout = RestAssuredConfig.config().httpClient(HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 5000));
        given().config(timeout).auth().oauth2(token()).contentType("application/json")
                .body("{\"price\": 1e500000000}").post("/probe/priced")
                .then().statusCode(422).contentType(PROBLEM).body("errors[0].field", equalTo("price"))
                .body("errors[0].reason", containsString("significant digits"));
        given().config(timeout).auth().oauth2(token()).contentType("application/json")
                .body("{\"price\": 2.5}").post("/probe/priced").then().statusCode(200).body("price", equalTo(3.5f));
        given().config(timeout).auth().oauth2(token()).contentType("application/json")
                .body("{\"price\": " + "[".repeat(100) + "]".repeat(100) + "}").post("/probe/priced")
                .then().statusCode(422).contentType(PROBLEM);
    }
}

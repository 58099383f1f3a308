package dev.flow.logs;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A Server-Sent Events viewer for tests: the JDK's HTTP client reading the body line by line, parsed as the
 * {@code text/event-stream} format ({@code id:}/{@code data:} fields, an empty line dispatches the event).
 */
final class LogEventStreamClient implements AutoCloseable {

    record Event(String id, JsonObject data) {
    }

    final List<Event> events = new CopyOnWriteArrayList<>();
    /** The server ended the stream. */
    final AtomicBoolean ended = new AtomicBoolean();
    final HttpResponse<Stream<String>> response;
    private final HttpClient client;

    private LogEventStreamClient(HttpClient client, HttpResponse<Stream<String>> response) {
        this.client = client;
        this.response = response;
        Thread.ofVirtual().start(this::read);
    }

    /** Returns once the response headers arrived; events are then read in the background. */
    static LogEventStreamClient open(URI base, String pathAndQuery, String bearer, String lastEventId) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(pathAndQuery))
                .header("Accept", "text/event-stream");
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return new LogEventStreamClient(client, client.send(request.build(), HttpResponse.BodyHandlers.ofLines()));
    }

    List<String> texts() {
        return events.stream().map(e -> e.data().getString("text")).toList();
    }

    private void read() {
        String id = null;
        StringBuilder data = null;
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isEmpty()) {
                    if (data != null) {
                        events.add(new Event(id, new JsonObject(data.toString())));
                    }
                    id = null;
                    data = null;
                } else if (line.startsWith("id:")) {
                    id = line.substring(3).strip();
                } else if (line.startsWith("data:")) {
                    data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).strip());
                }
            }
            ended.set(true);
        } catch (RuntimeException e) {
            // closed by the test
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}

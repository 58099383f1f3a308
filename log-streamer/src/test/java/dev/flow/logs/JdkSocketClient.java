package dev.flow.logs;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A WebSocket viewer on the JDK's client, whose reads follow its demand: created {@code reading=false}, it reads
 * nothing from the socket until {@link #startReading()}, so the server's writes back up through TCP — a really slow
 * viewer, not a simulated one.
 */
final class JdkSocketClient implements AutoCloseable {

    final List<JsonObject> messages = new CopyOnWriteArrayList<>();
    /** Text frames received (with batch=true one frame carries several messages). */
    final java.util.concurrent.atomic.AtomicInteger frames = new java.util.concurrent.atomic.AtomicInteger();
    final AtomicBoolean closed = new AtomicBoolean();
    /** The close code the server sent, -1 until it closed. */
    final java.util.concurrent.atomic.AtomicInteger closeCode = new java.util.concurrent.atomic.AtomicInteger(-1);
    private final HttpClient client = HttpClient.newHttpClient();
    private final WebSocket socket;

    private JdkSocketClient(URI uri, String bearer, boolean reading) throws Exception {
        StringBuilder partial = new StringBuilder();
        socket = client.newWebSocketBuilder().header("Authorization", "Bearer " + bearer)
                .buildAsync(uri, new WebSocket.Listener() {
                    @Override
                    public void onOpen(WebSocket webSocket) {
                        if (reading) {
                            webSocket.request(Long.MAX_VALUE);
                        }
                    }

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        partial.append(data);
                        if (last) {
                            // the JDK client's threads carry the system class loader; Vert.x's JSON needs Quarkus's
                            Thread.currentThread().setContextClassLoader(JdkSocketClient.class.getClassLoader());
                            String text = partial.toString();
                            if (text.startsWith("[")) { // batch=true: a frame is an array of messages
                                new io.vertx.core.json.JsonArray(text).forEach(m -> messages.add((JsonObject) m));
                            } else {
                                messages.add(new JsonObject(text));
                            }
                            partial.setLength(0);
                            frames.incrementAndGet();
                        }
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closeCode.set(statusCode);
                        closed.set(true);
                        return CompletableFuture.completedFuture(null);
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.set(true);
                    }
                }).get(20, TimeUnit.SECONDS);
    }

    static JdkSocketClient connect(URI base, String pathAndQuery, String bearer, boolean reading) throws Exception {
        URI ws = URI.create("ws://" + base.getHost() + ":" + base.getPort() + pathAndQuery);
        return new JdkSocketClient(ws, bearer, reading);
    }

    void startReading() {
        socket.request(Long.MAX_VALUE);
    }

    /** The log lines received (messages of type {@code line}). */
    List<JsonObject> lines() {
        return messages.stream().filter(m -> "line".equals(m.getString("type"))).toList();
    }

    @Override
    public void close() {
        socket.abort();
        client.shutdownNow();
    }
}

package dev.flow.logs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An event-stream reader on a plain socket, for tests that need the exact bytes on the wire and a reader that can
 * stop reading: it sends the HTTP/1.1 request itself, parses the head, and de-chunks the body only once told to
 * {@link #startReading()} (until then the server's writes pile up in the TCP buffers, which {@code receiveBuffer}
 * keeps small). {@link #body()} is the de-chunked body so far, {@link #frames()} its complete SSE frames.
 */
final class RawEventStream implements AutoCloseable {

    final int status;
    final Map<String, String> headers;
    final AtomicBoolean ended = new AtomicBoolean();
    private final Socket socket;
    private final InputStream in;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    private RawEventStream(Socket socket, InputStream in, int status, Map<String, String> headers) {
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.headers = headers;
    }

    /** Sends the request and reads the response head; the body is read after {@link #startReading()}. */
    static RawEventStream open(URI base, String pathAndQuery, String bearer, String lastEventId, int receiveBuffer)
            throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBuffer); // before connecting: it sets the TCP window offered
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
        socket.setSoTimeout(60_000);
        StringBuilder request = new StringBuilder("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n")
                .append("Accept: text/event-stream\r\n");
        if (bearer != null) {
            request.append("Authorization: Bearer ").append(bearer).append("\r\n");
        }
        if (lastEventId != null) {
            request.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
        }
        OutputStream out = socket.getOutputStream();
        out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String statusLine = line(in);
        Map<String, String> headers = new HashMap<>();
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        return new RawEventStream(socket, in, Integer.parseInt(statusLine.split(" ")[1]), headers);
    }

    /** Reads (and de-chunks) the body on a virtual thread until the server ends it or the socket closes. */
    void startReading() {
        Thread.ofVirtual().start(() -> {
            try {
                if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    long length = Long.parseLong(headers.getOrDefault("content-length", "0"));
                    append(in.readNBytes((int) length));
                } else {
                    for (int size = chunkSize(); size > 0; size = chunkSize()) {
                        append(in.readNBytes(size));
                        line(in); // the CRLF after the chunk
                    }
                }
                ended.set(true);
            } catch (IOException e) {
                // closed by the test
            }
        });
    }

    synchronized String body() {
        return body.toString(StandardCharsets.UTF_8);
    }

    /** The complete frames received so far, each with its final empty line ({@code ...\n\n}). */
    List<String> frames() {
        String text = body();
        List<String> frames = new ArrayList<>();
        int from = 0;
        for (int end = text.indexOf("\n\n"); end >= 0; end = text.indexOf("\n\n", from)) {
            frames.add(text.substring(from, end + 2));
            from = end + 2;
        }
        return frames;
    }

    private synchronized void append(byte[] bytes) {
        body.writeBytes(bytes);
    }

    private int chunkSize() throws IOException {
        String size = line(in);
        int extension = size.indexOf(';');
        return Integer.parseInt(extension >= 0 ? size.substring(0, extension) : size.trim(), 16);
    }

    /** One CRLF-terminated line of the HTTP framing (ASCII). */
    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

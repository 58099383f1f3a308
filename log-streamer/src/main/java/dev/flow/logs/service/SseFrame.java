package dev.flow.logs.service;

import java.nio.charset.StandardCharsets;

/**
 * The Server-Sent Events frame of a {@link ViewMessage}, byte for byte what RESTEasy Reactive's SSE writer produced
 * for it before the stream wrote its own frames (so {@code EventSource} clients and {@code Last-Event-ID} resume see
 * no change): a {@code content-type} field, the {@code id} (a line's token, a gap's resume token), the {@code event}
 * name (none for a line; {@code gap}, {@code status}, {@code end}), the JSON as {@code data}, and an empty line.
 * <pre>
 * content-type:application/json
 * id:42
 * data:{"type":"line",...}
 *
 * </pre>
 */
public final class SseFrame {

    private static final String CONTENT_TYPE = "content-type:application/json\n";

    private SseFrame() {
    }

    public static byte[] encode(ViewMessage message) {
        String json = message.json();
        StringBuilder frame = new StringBuilder(json.length() + 64).append(CONTENT_TYPE);
        switch (message) {
            case ViewMessage.Line line -> frame.append("id:").append(line.offset()).append('\n');
            // the gap's token is where the stream goes on: an EventSource reconnecting resumes there
            case ViewMessage.Gap gap -> frame.append("id:").append(gap.token()).append("\nevent:gap\n");
            case ViewMessage.Status status -> frame.append("event:status\n");
            case ViewMessage.End end -> frame.append("event:end\n");
        }
        // JSON from Jackson has no raw line break; were there one, each line would become its own data field (as
        // the format defines), so a frame can never end early
        frame.append("data:");
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < json.length() && json.charAt(i + 1) == '\n') {
                    i++;
                }
                frame.append("\ndata:");
            } else {
                frame.append(c);
            }
        }
        return frame.append("\n\n").toString().getBytes(StandardCharsets.UTF_8);
    }
}

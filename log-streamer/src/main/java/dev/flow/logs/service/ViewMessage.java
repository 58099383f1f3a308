package dev.flow.logs.service;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.flow.logs.kafka.LogEntry;
import dev.flow.model.json.FlowJson;
import dev.flow.model.status.TaskStatus;

/**
 * What a view sends: a log line, a gap marker (the viewer fell too far behind), a status note (the task is still
 * pending) or, last, the end of a followed task. Each knows its JSON, computed once: the live hub shares one {@link Line} among all viewers of a task,
 * and with it the line's Server-Sent Events frame ({@link SseFrame}), encoded once too.
 */
public sealed interface ViewMessage {

    /** The WebSocket text frame / SSE data. */
    String json();

    /** The whole Server-Sent Events frame of this message, UTF-8 ({@link SseFrame#encode}). */
    default byte[] sseFrame() {
        return SseFrame.encode(this);
    }

    /**
     * A log line; {@code json} is {@link LogMessage}'s. A class, not a record, only to cache its SSE frame: the hub
     * hands one {@code Line} to every viewer of the task, so the frame's bytes are built by the first SSE viewer
     * that writes it and shared by all the others (a WebSocket-only line never pays for them).
     */
    final class Line implements ViewMessage {
        private final LogEntry entry;
        private final String json;
        /** Built at most a few times (a benign race: every build gives the same bytes), then shared. */
        private volatile byte[] sseFrame;

        private Line(LogEntry entry, String json) {
            this.entry = entry;
            this.json = json;
        }

        public static Line of(LogEntry entry) {
            return new Line(entry, LogMessage.json(entry));
        }

        public LogEntry entry() {
            return entry;
        }

        @Override
        public String json() {
            return json;
        }

        public long offset() {
            return entry.offset();
        }

        @Override
        public byte[] sseFrame() {
            byte[] frame = sseFrame;
            if (frame == null) {
                frame = SseFrame.encode(this);
                sseFrame = frame;
            }
            return frame;
        }
    }

    /**
     * The viewer could not keep up: {@code dropped} live lines buffered for it were discarded. The view goes on with
     * the lines right after {@code token}, read from Kafka at the viewer's pace; a viewer that reconnects instead
     * resumes with {@code after=<token>}.
     */
    record Gap(String taskId, long token, int dropped) implements ViewMessage {
        @Override
        public String json() {
            return encode(new GapJson("gap", taskId, Long.toString(token), dropped,
                    "viewer too slow: " + dropped + " buffered lines dropped; continuing from Kafka after token "
                            + token));
        }
    }

    /** A note about the task itself, sent before any line: e.g. it is still pending, so there are no lines yet. */
    record Status(String taskId, TaskStatus status, String message) implements ViewMessage {
        @Override
        public String json() {
            return encode(new StatusJson("status", taskId, status, message));
        }
    }

    /**
     * The last message of a following view: the task has ended and all its lines were sent; the socket then closes
     * normally (1000), an SSE stream ends. {@code reason} is the task's last transition reason, e.g.
     * {@code WORKLOAD_EXIT(0)} or {@code USER_CANCEL}.
     */
    record End(String taskId, TaskStatus status, String reason) implements ViewMessage {
        @Override
        public String json() {
            return encode(new EndJson("end", taskId, status, reason));
        }
    }

    record EndJson(String type, @JsonProperty("task_id") String taskId, TaskStatus status, String reason) {
    }

    record GapJson(String type, @JsonProperty("task_id") String taskId, String token, int dropped, String message) {
    }

    record StatusJson(String type, @JsonProperty("task_id") String taskId, TaskStatus status, String message) {
    }

    static String encode(Object message) {
        try {
            return FlowJson.mapper().writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode a log view message", e);
        }
    }
}

package dev.flow.logs.service;

import dev.flow.model.event.LogStream;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * What has been published for one node of a task: the next {@code seq}, and per stream the timestamp of the last line
 * and how many lines carried exactly that timestamp. A new session replays the container log from its start
 * ({@code --tail all}); this is how it recognises the lines already published. Streams are tracked apart because each
 * stream is ordered by time on its own, while stdout and stderr reach us through two independent SSH streams.
 * Guarded by its own monitor.
 */
final class NodeLogState {

    record Mark(Instant lastTs, int countAtLastTs) {
    }

    private long nextSeq;
    private final Map<LogStream, Mark> marks = new EnumMap<>(LogStream.class);

    synchronized long nextSeq() {
        return nextSeq;
    }

    synchronized Mark mark(LogStream stream) {
        return marks.get(stream);
    }

    /** Takes the next seq for a line about to be published and moves the stream's mark past it. */
    synchronized long claim(LogStream stream, Instant ts) {
        Mark mark = marks.get(stream);
        if (mark != null && mark.lastTs().equals(ts)) {
            marks.put(stream, new Mark(ts, mark.countAtLastTs() + 1));
        } else {
            marks.put(stream, new Mark(ts, 1));
        }
        return nextSeq++;
    }

    /** Seeds the state from lines found in Kafka (after a restart of this service), unless lines were seen since. */
    synchronized void recover(long seqAfterLast, Map<LogStream, Mark> recovered) {
        if (seqAfterLast > nextSeq) {
            nextSeq = seqAfterLast;
            marks.putAll(recovered);
        }
    }

    /**
     * Decides, for one session, which replayed lines were published already. Lines of a stream arrive in time order,
     * so once one line is new, every later one is too.
     */
    final class Replay {
        private final Map<LogStream, Mark> resumeAt = new EnumMap<>(LogStream.class);
        private final Map<LogStream, Integer> skippedAtTs = new EnumMap<>(LogStream.class);
        private final Map<LogStream, Boolean> caughtUp = new EnumMap<>(LogStream.class);

        Replay() {
            synchronized (NodeLogState.this) {
                resumeAt.putAll(marks);
            }
        }

        /** True when the line was published by an earlier session. */
        boolean seen(LogStream stream, Instant ts) {
            Mark mark = resumeAt.get(stream);
            if (mark == null || caughtUp.getOrDefault(stream, false)) {
                return false;
            }
            if (ts.isBefore(mark.lastTs())) {
                return true;
            }
            if (ts.equals(mark.lastTs())) {
                int skipped = skippedAtTs.getOrDefault(stream, 0);
                if (skipped < mark.countAtLastTs()) {
                    skippedAtTs.put(stream, skipped + 1);
                    return true;
                }
            }
            caughtUp.put(stream, true);
            return false;
        }
    }
}

package dev.flow.logs.service;

import dev.flow.model.event.LogStream;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How a new session recognises the replayed lines already published, and how lines are parsed. */
class NodeLogStateTest {

    private static final Instant T1 = Instant.parse("2026-01-01T00:00:01.000000001Z");
    private static final Instant T2 = Instant.parse("2026-01-01T00:00:02Z");
    private static final Instant T3 = Instant.parse("2026-01-01T00:00:03Z");

    @Test
    void aFirstSessionPublishesEverythingEvenLinesSharingATimestamp() {
        NodeLogState state = new NodeLogState();
        NodeLogState.Replay replay = state.new Replay();
        assertThat(replay.seen(LogStream.STDOUT, T1)).isFalse();
        assertThat(state.claim(LogStream.STDOUT, T1)).isZero();
        assertThat(replay.seen(LogStream.STDOUT, T1)).isFalse();
        assertThat(state.claim(LogStream.STDOUT, T1)).isEqualTo(1);
    }

    @Test
    void aReplaySkipsWhatWasPublishedPerStreamAndResumesAtTheFirstNewLine() {
        NodeLogState state = new NodeLogState();
        state.claim(LogStream.STDOUT, T1);
        state.claim(LogStream.STDOUT, T2);
        state.claim(LogStream.STDOUT, T2);
        state.claim(LogStream.STDERR, T1);

        NodeLogState.Replay replay = state.new Replay();
        assertThat(replay.seen(LogStream.STDOUT, T1)).isTrue();
        assertThat(replay.seen(LogStream.STDOUT, T2)).isTrue();
        assertThat(replay.seen(LogStream.STDOUT, T2)).isTrue();
        assertThat(replay.seen(LogStream.STDOUT, T2)).as("a third line at T2 is new").isFalse();
        assertThat(replay.seen(LogStream.STDOUT, T3)).isFalse();
        assertThat(replay.seen(LogStream.STDERR, T1)).isTrue();
        assertThat(replay.seen(LogStream.STDERR, T2)).isFalse();
        assertThat(state.claim(LogStream.STDOUT, T2)).isEqualTo(4);
    }

    @Test
    void recoveryFromKafkaOnlyMovesForward() {
        NodeLogState state = new NodeLogState();
        state.recover(7, Map.of(LogStream.STDOUT, new NodeLogState.Mark(T2, 1)));
        assertThat(state.nextSeq()).isEqualTo(7);
        assertThat(state.new Replay().seen(LogStream.STDOUT, T2)).isTrue();
        state.recover(3, Map.of(LogStream.STDOUT, new NodeLogState.Mark(T1, 1)));
        assertThat(state.nextSeq()).isEqualTo(7);
        assertThat(state.mark(LogStream.STDOUT).lastTs()).isEqualTo(T2);
    }

    @Test
    void dockerTimestampsAreParsedAndUnstampedLinesKept() {
        NodeTail.Stamped stamped = NodeTail.Stamped.parse("2026-01-01T00:00:01.000000001Z hello world");
        assertThat(stamped.ts()).isEqualTo(T1);
        assertThat(stamped.text()).isEqualTo("hello world");
        assertThat(NodeTail.Stamped.parse("2026-01-01T00:00:02Z").text()).isEmpty();
        assertThat(NodeTail.Stamped.parse("no stamp here").text()).isEqualTo("no stamp here");
    }
}

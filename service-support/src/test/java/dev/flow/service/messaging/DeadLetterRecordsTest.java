package dev.flow.service.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class DeadLetterRecordsTest {

    private static final Instant AT = Instant.parse("2026-12-04T08:00:00Z");

    @Test
    void keepsTheRecordAndSaysWhereItCameFromAndWhy() {
        byte[] value = "{\"task_id\": 42".getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<String, byte[]> record = record(value, new RecordHeader("ce_id", bytes("evt-1")),
                new RecordHeader("ce_type", bytes("dev.flow.task.status.changed.v1")));

        ProducerRecord<String, byte[]> letter = DeadLetterRecords.of("flow.dead-letters", record, "undecodable",
                new IllegalArgumentException("invalid dev.flow.task.status.changed.v1 event data: Unexpected end"),
                "log-streamer", AT);

        assertThat(letter.topic()).isEqualTo("flow.dead-letters");
        assertThat(letter.key()).isEqualTo("task-1");
        assertThat(letter.value()).isEqualTo(value);
        assertThat(headers(letter)).containsEntry("ce_id", "evt-1")
                .containsEntry("ce_type", "dev.flow.task.status.changed.v1")
                .containsEntry(DeadLetterRecords.REASON, "undecodable")
                .containsEntry(DeadLetterRecords.TOPIC, "flow.task.status")
                .containsEntry(DeadLetterRecords.PARTITION, "2")
                .containsEntry(DeadLetterRecords.OFFSET, "17")
                .containsEntry(DeadLetterRecords.SERVICE, "log-streamer")
                .containsEntry(DeadLetterRecords.AT, "2026-12-04T08:00:00Z")
                .containsEntry(DeadLetterRecords.ERROR,
                        "java.lang.IllegalArgumentException: invalid dev.flow.task.status.changed.v1 event data");
    }

    @Test
    void theDescriptionIsBoundedAndQuotesNoInput() {
        // Jackson quotes the offending token after a colon: it may be payload, a secret among it
        Throwable parse = new IllegalArgumentException("invalid x event data: Unrecognized token 's3cr3t'",
                new IllegalStateException("Unrecognized token 's3cr3t': was expecting JSON"));
        assertThat(DeadLetterRecords.describe(parse)).doesNotContain("s3cr3t")
                .isEqualTo("java.lang.IllegalArgumentException <- java.lang.IllegalStateException: invalid x event data");

        String description = DeadLetterRecords.describe(new RuntimeException("x".repeat(5_000) + "\nsecond line"));
        assertThat(description).hasSizeLessThanOrEqualTo(DeadLetterRecords.MAX_ERROR).doesNotContain("second line");

        Throwable deep = new RuntimeException(new RuntimeException(new RuntimeException(new RuntimeException())));
        assertThat(DeadLetterRecords.describe(deep).split(" <- ")).hasSize(3);
        assertThat(DeadLetterRecords.describe(null)).isEmpty();
    }

    @Test
    void aReplayedRecordThatFailsAgainCarriesOnlyThisFailure() {
        ConsumerRecord<String, byte[]> replayed = record(bytes("{}"), new RecordHeader("ce_id", bytes("evt-2")),
                new RecordHeader(DeadLetterRecords.REASON, bytes("unprocessable")),
                new RecordHeader(DeadLetterRecords.OFFSET, bytes("3")));

        ProducerRecord<String, byte[]> letter = DeadLetterRecords.of("dlq", replayed, "undecodable",
                new IllegalArgumentException("bad"), "submitter-service", AT);

        List<String> reasons = new java.util.ArrayList<>();
        letter.headers().headers(DeadLetterRecords.REASON).forEach(h -> reasons.add(new String(h.value(),
                StandardCharsets.UTF_8)));
        assertThat(reasons).containsExactly("undecodable");
        assertThat(headers(letter)).containsEntry(DeadLetterRecords.OFFSET, "17").containsEntry("ce_id", "evt-2");
    }

    private static ConsumerRecord<String, byte[]> record(byte[] value, Header... headers) {
        return new ConsumerRecord<>("flow.task.status", 2, 17L, 0L, TimestampType.CREATE_TIME, 5, value.length,
                "task-1", value, new RecordHeaders(headers), Optional.empty());
    }

    private static Map<String, String> headers(ProducerRecord<String, byte[]> record) {
        Map<String, String> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

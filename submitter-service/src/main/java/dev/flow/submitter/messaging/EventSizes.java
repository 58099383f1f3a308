package dev.flow.submitter.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;
import dev.flow.model.event.FlowEvent;
import dev.flow.model.json.FlowJson;
import dev.flow.service.messaging.CloudEventRecords;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * The size of an event as a Kafka record, checked where a client's input decides it (a task's command, env keys,
 * …): a record larger than the producer's {@code max.request.size} or the topic's {@code max.message.bytes} can never
 * be published, so such input is refused at the API (422) before anything is placed at Mithril. Kafka checks the
 * uncompressed size, so a command that compresses well is no exception.
 */
public final class EventSizes {

    /**
     * Room for what is not known yet when a submission is checked (region, price, instance type fid) and for Kafka's
     * own framing (record batch header, varints): generous, so a checked event always fits.
     */
    static final int SLACK_BYTES = 1024;

    private EventSizes() {
    }

    /** Key, value and headers of the event as the relay publishes it, plus the slack. */
    public static int recordBytes(FlowEvent event, String source) {
        ProducerRecord<String, byte[]> record = CloudEventRecords.toProducerRecord("t", event, source,
                "0000000000000000000");
        int size = record.value().length + SLACK_BYTES;
        if (record.key() != null) {
            size += record.key().getBytes(StandardCharsets.UTF_8).length;
        }
        for (Header header : record.headers()) {
            size += header.key().getBytes(StandardCharsets.UTF_8).length + header.value().length;
        }
        return size;
    }

    /**
     * Refuses input whose event would exceed {@code maxBytes}, naming the largest field of {@code input} (its JSON
     * as the client sent it, snake_case) as the one to shorten.
     */
    public static void requireFits(FlowEvent event, String source, int maxBytes, Object input) {
        int size = recordBytes(event, source);
        if (size <= maxBytes) {
            return;
        }
        String field = largestField(input);
        throw ValidationError.of(new FieldError(field, "makes the task's event " + size + " bytes, over the "
                + maxBytes + "-byte limit of an event on Kafka",
                "shorten `" + field + "`: ship large scripts or data in a volume or an image and run them from "
                        + "there"));
    }

    static String largestField(Object input) {
        JsonNode tree = FlowJson.mapper().valueToTree(input);
        String largest = "body";
        int largestSize = -1;
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            int size = field.getValue().toString().getBytes(StandardCharsets.UTF_8).length;
            if (size > largestSize) {
                largest = field.getKey();
                largestSize = size;
            }
        }
        return largest;
    }
}

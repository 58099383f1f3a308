package dev.flow.devstack.quarkus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What every service's tests check of its Kafka producers: service-support's shared defaults reach each of them
 * (acknowledged by all in-sync replicas, idempotent), whatever a channel adds. The SmallRye connector's own default
 * would be acks=1 without idempotence: a broker's loss could lose an acknowledged stop.
 */
public final class ProducerDurability {

    private static final Map<String, String> REQUIRED = Map.of("acks", "all", "enable.idempotence", "true");

    private ProducerDurability() {
    }

    /**
     * What is wrong with the service's producers; empty when nothing is.
     *
     * @param channels      the service's producer channels ({@code KafkaClientService.getProducerChannels()})
     * @param configuration a channel's producer configuration ({@code getProducer(channel).configuration()})
     */
    public static List<String> problems(Set<String> channels, Function<String, Map<String, ?>> configuration) {
        List<String> problems = new ArrayList<>();
        if (channels.isEmpty()) {
            problems.add("no producer channels");
        }
        for (String channel : channels) {
            Map<String, ?> settings = configuration.apply(channel);
            REQUIRED.forEach((key, value) -> {
                Object actual = settings.get(key);
                if (actual == null || !value.equals(actual.toString())) {
                    problems.add(channel + ": " + key + "=" + actual + ", not " + value);
                }
            });
        }
        return problems;
    }
}

package dev.flow.service.config;

import dev.flow.model.event.Topics;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Where every service parks the messages it can never process ({@code dev.flow.service.messaging.DeadLetterQueue}). */
@ConfigMapping(prefix = "flow.dead-letters")
public interface DeadLetterSettings {

    /**
     * The one dead-letter topic of the platform ({@code FLOW_DEAD_LETTERS_TOPIC}); the source topic is a header of
     * each record. Tests set their own so that they stay independent.
     */
    @WithDefault(Topics.DEAD_LETTERS)
    String topic();
}

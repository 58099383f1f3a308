package dev.flow.logs.service;

import dev.flow.model.error.FieldError;
import dev.flow.model.error.ValidationError;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * What a viewer asks for: the last {@code tail} lines, or everything after offset {@code after}; then, with
 * {@code follow}, new lines as they are published; only node {@code node}'s lines when given. With {@code batch}, a
 * WebSocket frame carries a JSON array of messages (all that were ready) instead of one message.
 */
public record ViewRequest(String taskId, int tail, boolean follow, OptionalLong after, OptionalInt node,
                          boolean batch) {

    /**
     * From query parameters ({@code tail}, {@code follow}, {@code after}, {@code node}, {@code batch}).
     *
     * @throws ValidationError naming every bad parameter
     */
    public static ViewRequest parse(String taskId, Map<String, List<String>> query, int defaultTail, int maxTail) {
        List<FieldError> errors = new ArrayList<>();
        int tail = defaultTail;
        String tailText = first(query, "tail");
        if (tailText != null) {
            try {
                tail = Integer.parseInt(tailText);
                if (tail < 0 || tail > maxTail) {
                    errors.add(new FieldError("tail", "must be between 0 and " + maxTail, null));
                }
            } catch (NumberFormatException e) {
                errors.add(new FieldError("tail", "must be a number", null));
            }
        }
        boolean follow = true;
        String followText = first(query, "follow");
        if (followText != null) {
            if (followText.equalsIgnoreCase("true") || followText.equalsIgnoreCase("false")) {
                follow = Boolean.parseBoolean(followText);
            } else {
                errors.add(new FieldError("follow", "must be true or false", null));
            }
        }
        OptionalLong after = OptionalLong.empty();
        String afterText = first(query, "after");
        if (afterText != null) {
            try {
                long offset = Long.parseLong(afterText);
                if (offset < 0) {
                    errors.add(new FieldError("after", "must be a token received before", null));
                } else {
                    after = OptionalLong.of(offset);
                }
            } catch (NumberFormatException e) {
                errors.add(new FieldError("after", "must be a token received before", null));
            }
        }
        boolean batch = false;
        String batchText = first(query, "batch");
        if (batchText != null) {
            if (batchText.equalsIgnoreCase("true") || batchText.equalsIgnoreCase("false")) {
                batch = Boolean.parseBoolean(batchText);
            } else {
                errors.add(new FieldError("batch", "must be true or false", null));
            }
        }
        OptionalInt node = OptionalInt.empty();
        String nodeText = first(query, "node");
        if (nodeText != null && !nodeText.isBlank() && !nodeText.equalsIgnoreCase("all")) {
            try {
                int rank = Integer.parseInt(nodeText);
                if (rank < 0) {
                    errors.add(new FieldError("node", "must be a node rank (0, 1, ...) or all", null));
                } else {
                    node = OptionalInt.of(rank);
                }
            } catch (NumberFormatException e) {
                errors.add(new FieldError("node", "must be a node rank (0, 1, ...) or all", null));
            }
        }
        if (!errors.isEmpty()) {
            throw new ValidationError("invalid log view parameters", errors);
        }
        return new ViewRequest(taskId, tail, follow, after, node, batch);
    }

    /**
     * Refuses a node rank the task does not have ({@code node=99} of a 2-node task), once its size is known; an
     * unknown task is answered 404 elsewhere.
     *
     * @throws ValidationError naming {@code node}
     */
    public ViewRequest requireNodeBelow(int numInstances) {
        if (node.isPresent() && numInstances > 0 && node.getAsInt() >= numInstances) {
            throw new ValidationError("invalid log view parameters", List.of(new FieldError("node",
                    "the task has " + numInstances + (numInstances == 1 ? " node" : " nodes") + ": node must be "
                            + (numInstances == 1 ? "0" : "0 to " + (numInstances - 1)) + " or all", "all")));
        }
        return this;
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}

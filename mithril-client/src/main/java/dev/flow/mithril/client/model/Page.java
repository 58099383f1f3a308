package dev.flow.mithril.client.model;

import java.util.List;

/**
 * One page of a cursor-paged list. Mithril wraps bids and instances in {@code {data, next_cursor}} and history in
 * {@code {instances, next_cursor}}; both become this. {@code nextCursor} is null on the last page.
 */
public record Page<T>(List<T> data, String nextCursor) {

    public Page {
        data = data == null ? List.of() : List.copyOf(data);
    }

    public boolean hasNext() {
        return nextCursor != null && !nextCursor.isEmpty();
    }
}

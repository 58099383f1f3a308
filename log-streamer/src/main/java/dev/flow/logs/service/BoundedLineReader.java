package dev.flow.logs.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines of UTF-8 text from a stream while holding at most {@code maxLineBytes} of one line in memory
 * ({@link java.io.BufferedReader#readLine()} buffers a whole line, so a node printing one endless line could exhaust
 * the heap). A line ends at {@code \n}; one {@code \r} before it is dropped (CRLF), a lone {@code \r} is kept.
 * A longer line is truncated: its first bytes are kept up to a UTF-8 character boundary, the rest is read and
 * discarded, and the line ends with {@link #TRUNCATED_MARKER} naming how many bytes were dropped, so the returned text,
 * marker included, is never longer than {@code maxLineBytes} bytes of UTF-8.
 */
final class BoundedLineReader {

    /** Appended to a truncated line; {@code %d} is the number of bytes dropped. */
    static final String TRUNCATED_MARKER = " [flow: line truncated, %d bytes dropped]";
    /** Room kept for the marker (its longest form, with a 19-digit count). */
    private static final int MARKER_ROOM = String.format(TRUNCATED_MARKER, Long.MAX_VALUE)
            .getBytes(StandardCharsets.UTF_8).length;

    /** One line read; {@code droppedBytes} is 0 unless the line was truncated. */
    record Line(String text, boolean truncated, long droppedBytes) {
    }

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] line;
    private final byte[] buffer = new byte[8192];
    private int bufferPos;
    private int bufferEnd;

    BoundedLineReader(InputStream in, int maxLineBytes) {
        if (maxLineBytes < MARKER_ROOM + 16) {
            throw new IllegalArgumentException("maxLineBytes must be at least " + (MARKER_ROOM + 16));
        }
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.line = new byte[maxLineBytes + 1]; // + 1: a CR that may precede the LF
    }

    /** The next line, or null at the end of the stream (a last line without {@code \n} is still returned). */
    Line readLine() throws IOException {
        int length = 0;
        long dropped = 0;
        boolean any = false;
        byte last = 0;
        while (true) {
            if (bufferPos == bufferEnd) {
                bufferEnd = in.read(buffer);
                bufferPos = 0;
                if (bufferEnd <= 0) {
                    bufferEnd = 0;
                    return any ? finish(length, dropped, false) : null;
                }
            }
            any = true;
            byte b = buffer[bufferPos++];
            if (b == '\n') {
                return finish(length, dropped, last == '\r');
            }
            last = b;
            if (length < line.length) {
                line[length++] = b;
            } else {
                dropped++;
            }
        }
    }

    /** {@code crlf}: the line ended with CR LF, so its last byte (kept or dropped) is the CR, not text. */
    private Line finish(int length, long dropped, boolean crlf) {
        if (crlf && dropped > 0) {
            dropped--;
        } else if (crlf) {
            length--;
        }
        if (dropped == 0 && length <= maxLineBytes) {
            return new Line(new String(line, 0, length, StandardCharsets.UTF_8), false, 0);
        }
        // truncated: keep what fits beside the marker, cut back to the start of a UTF-8 character
        int keep = Math.min(length, maxLineBytes - MARKER_ROOM);
        while (keep > 0 && (line[keep] & 0xC0) == 0x80) {
            keep--;
        }
        long totalDropped = dropped + (length - keep);
        String text = new String(line, 0, keep, StandardCharsets.UTF_8) + String.format(TRUNCATED_MARKER, totalDropped);
        return new Line(text, true, totalDropped);
    }
}

package dev.flow.logs.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BoundedLineReaderTest {

    private static final int CAP = 128;

    private static List<BoundedLineReader.Line> read(byte[] bytes, int cap) throws IOException {
        BoundedLineReader reader = new BoundedLineReader(new ByteArrayInputStream(bytes), cap);
        List<BoundedLineReader.Line> lines = new ArrayList<>();
        BoundedLineReader.Line line;
        while ((line = reader.readLine()) != null) {
            lines.add(line);
        }
        return lines;
    }

    private static List<BoundedLineReader.Line> read(String text) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8), CAP);
    }

    @Test
    void splitsOnLfAndDropsTheCrOfCrlf() throws IOException {
        assertThat(read("one\ntwo\r\nthree\r\n\nlast")).extracting(BoundedLineReader.Line::text)
                .containsExactly("one", "two", "three", "", "last");
    }

    @Test
    void keepsALoneCr() throws IOException {
        assertThat(read("progress 1\rprogress 2\n")).extracting(BoundedLineReader.Line::text)
                .containsExactly("progress 1\rprogress 2");
    }

    @Test
    void aLineAtTheCapIsKeptWhole() throws IOException {
        String exact = "x".repeat(CAP);
        List<BoundedLineReader.Line> lines = read(exact + "\r\n" + exact + "\n");
        assertThat(lines).extracting(BoundedLineReader.Line::text).containsExactly(exact, exact);
        assertThat(lines).noneMatch(BoundedLineReader.Line::truncated);
    }

    @Test
    void aLongerLineIsTruncatedWithAMarkerAndTheNextLineIsIntact() throws IOException {
        String longLine = "y".repeat(10_000);
        List<BoundedLineReader.Line> lines = read(longLine + "\r\nnext\n");
        assertThat(lines).hasSize(2);
        BoundedLineReader.Line first = lines.get(0);
        assertThat(first.truncated()).isTrue();
        assertThat(first.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(CAP);
        assertThat(first.text()).startsWith("yyyy").endsWith(
                String.format(BoundedLineReader.TRUNCATED_MARKER, first.droppedBytes()));
        int kept = first.text().indexOf(" [flow:");
        assertThat(kept + first.droppedBytes()).isEqualTo(10_000);
        assertThat(lines.get(1).text()).isEqualTo("next");
        assertThat(lines.get(1).truncated()).isFalse();
    }

    @Test
    void multiByteCharactersAreCutAtACharacterBoundary() throws IOException {
        // 2-, 3- and 4-byte characters, so every possible cut position meets a continuation byte at some offset
        for (String unit : List.of("é", "€", "😀")) {
            for (int prefix = 0; prefix < 4; prefix++) {
                String line = "a".repeat(prefix) + unit.repeat(200);
                BoundedLineReader.Line read = read(line + "\n").get(0);
                assertThat(read.truncated()).isTrue();
                byte[] bytes = read.text().getBytes(StandardCharsets.UTF_8);
                assertThat(bytes.length).isLessThanOrEqualTo(CAP);
                String kept = read.text().substring(0, read.text().indexOf(" [flow:"));
                assertThat(kept).doesNotContain("\uFFFD");
                assertThat(line).startsWith(kept);
                assertThat(kept.getBytes(StandardCharsets.UTF_8).length + read.droppedBytes())
                        .isEqualTo(line.getBytes(StandardCharsets.UTF_8).length);
            }
        }
    }

    @Test
    void anEndlessLineIsReadWithoutHoldingIt() throws IOException {
        long total = 64L * 1024 * 1024; // 64 MiB of one line, generated: never in memory at once
        InputStream endless = new InputStream() {
            private long left = total;

            @Override
            public int read() {
                return left-- > 0 ? 'z' : (left == -1 ? '\n' : -1);
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left < 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                if (n == 0) {
                    b[off] = '\n';
                    left = -1;
                    return 1;
                }
                java.util.Arrays.fill(b, off, off + n, (byte) 'z');
                left -= n;
                return n;
            }
        };
        BoundedLineReader reader = new BoundedLineReader(endless, 16 * 1024);
        BoundedLineReader.Line line = reader.readLine();
        assertThat(line.truncated()).isTrue();
        assertThat(line.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(16 * 1024);
        assertThat(line.text().indexOf(" [flow:") + line.droppedBytes()).isEqualTo(total);
        assertThat(reader.readLine()).isNull();
    }
}

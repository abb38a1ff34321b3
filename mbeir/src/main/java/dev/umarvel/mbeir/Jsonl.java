package dev.umarvel.mbeir;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Streaming JSON-lines IO: pools have millions of lines, so nothing is read whole. */
public final class Jsonl {

    private Jsonl() {}

    /** Reads M-BEIR query lines lazily; close the stream when done. */
    public static Stream<MbeirQuery> queries(Path file) throws IOException {
        return read(file, MbeirQuery::fromJson);
    }

    /** Reads M-BEIR candidate lines lazily; close the stream when done. */
    public static Stream<MbeirCandidate> candidates(Path file) throws IOException {
        return read(file, MbeirCandidate::fromJson);
    }

    /**
     * Parses every non-blank line with {@code parser}. A line that is not JSON, or that the parser
     * refuses, fails the stream with a {@link MbeirFormatException} naming file and line.
     */
    public static <T> Stream<T> read(Path file, Function<JsonNode, T> parser) throws IOException {
        BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        String name = file.toString();
        Iterator<T> it = new Iterator<>() {
            long lineNo;
            T next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    String line;
                    try {
                        line = in.readLine();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    if (line == null) {
                        return false;
                    }
                    lineNo++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode node;
                    try {
                        node = Json.MAPPER.readTree(line);
                    } catch (JsonProcessingException e) {
                        throw new MbeirFormatException(name, lineNo, "not JSON: " + e.getOriginalMessage());
                    }
                    try {
                        next = parser.apply(node);
                    } catch (IllegalArgumentException e) {
                        throw new MbeirFormatException(name, lineNo, e.getMessage());
                    }
                }
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T out = next;
                next = null;
                return out;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    try {
                        in.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /** Writes objects as JSON lines, atomically. */
    public static <T> void write(Path file, Iterable<T> items, Function<T, ObjectNode> toJson) throws IOException {
        try (AtomicWriter w = new AtomicWriter(file)) {
            for (T item : items) {
                w.line(Json.MAPPER.writeValueAsString(toJson.apply(item)));
            }
            w.commit();
        }
    }
}

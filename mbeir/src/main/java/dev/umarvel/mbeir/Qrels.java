package dev.umarvel.mbeir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** qrels files: whitespace-separated {@code qid 0 did relevance task_id}, one line per positive. */
public final class Qrels {

    private Qrels() {}

    /** The relevant dids of each qid (rows with relevance > 0). */
    public static Map<String, Set<String>> read(Path file) throws IOException {
        Map<String, Set<String>> out = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.strip().split("\\s+");
                if (parts.length < 4) {
                    throw new MbeirFormatException(file.toString(), lineNo, "expected 'qid 0 did relevance [task_id]'");
                }
                int relevance;
                try {
                    relevance = Integer.parseInt(parts[3]);
                } catch (NumberFormatException e) {
                    throw new MbeirFormatException(file.toString(), lineNo, "relevance '" + parts[3] + "' is not an integer");
                }
                if (relevance > 0) {
                    out.computeIfAbsent(parts[0], k -> new LinkedHashSet<>()).add(parts[2]);
                }
            }
        }
        return out;
    }

    /** Writes the qrels of queries: one line per positive, relevance 1. */
    public static void write(Path file, Iterable<MbeirQuery> queries) throws IOException {
        try (AtomicWriter w = new AtomicWriter(file)) {
            for (MbeirQuery q : queries) {
                for (String did : q.posCandList()) {
                    w.line(q.qid() + " 0 " + did + " 1 " + (q.taskId() == null ? "" : q.taskId()));
                }
            }
            w.commit();
        }
    }
}

package dev.umarvel.mbeir;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code instructions/query_instructions.tsv}: a header line, then
 * {@code query_modality, cand_modality, dataset_name, dataset_id, prompt_1..prompt_4}. A query's
 * prompts are found by (dataset id, query modality, modality of its first positive).
 */
public final class Instructions {

    /** The lookup key of a prompt list. */
    public record Key(int datasetId, Modality query, Modality candidate) {}

    /** One row of the file. */
    public record Row(Modality query, Modality candidate, String datasetName, int datasetId, List<String> prompts) {}

    private final Map<Key, Row> rows;

    public Instructions(List<Row> rows) {
        this.rows = new LinkedHashMap<>();
        for (Row r : rows) {
            if (r.prompts().isEmpty()) {
                throw new IllegalArgumentException("no prompts for " + r.datasetName() + " " + r.query().wire() + " -> "
                        + r.candidate().wire());
            }
            this.rows.put(new Key(r.datasetId(), r.query(), r.candidate()), r);
        }
    }

    public static Instructions read(Path file) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line = in.readLine(); // header
            long lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.split("\t", -1);
                if (parts.length < 5) {
                    throw new MbeirFormatException(file.toString(), lineNo, "expected at least 5 tab-separated columns, got "
                            + parts.length);
                }
                try {
                    List<String> prompts = new ArrayList<>();
                    for (int i = 4; i < parts.length; i++) {
                        if (!parts[i].isBlank()) {
                            prompts.add(parts[i].strip());
                        }
                    }
                    rows.add(new Row(Modality.parse(parts[0]), Modality.parse(parts[1]), parts[2].strip(),
                            Integer.parseInt(parts[3].strip()), prompts));
                } catch (IllegalArgumentException e) {
                    throw new MbeirFormatException(file.toString(), lineNo, e.getMessage());
                }
            }
        }
        return new Instructions(rows);
    }

    public void write(Path file) throws IOException {
        try (AtomicWriter w = new AtomicWriter(file)) {
            w.line("query_modality\tcand_modality\tdataset_name\tdataset_id\tprompt_1\tprompt_2\tprompt_3\tprompt_4");
            for (Row r : rows.values()) {
                w.line(r.query().wire() + "\t" + r.candidate().wire() + "\t" + r.datasetName() + "\t" + r.datasetId() + "\t"
                        + String.join("\t", r.prompts()));
            }
            w.commit();
        }
    }

    /** The prompts of a key, or an empty list. */
    public List<String> prompts(Key key) {
        Row r = rows.get(key);
        return r == null ? List.of() : r.prompts();
    }

    /**
     * One prompt chosen at random (as UniIR does for training and evaluation), normalised.
     *
     * @throws IllegalArgumentException when the file has no prompts for the key
     */
    public String choose(Key key, Random random) {
        List<String> prompts = prompts(key);
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("no instruction for dataset " + key.datasetId() + ", "
                    + key.query().wire() + " -> " + key.candidate().wire());
        }
        return TextNormalizer.format(prompts.get(random.nextInt(prompts.size())));
    }

    public List<Row> rows() {
        return List.copyOf(rows.values());
    }
}

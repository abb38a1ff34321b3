package dev.umarvel.mbeir.importer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Instructions;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * WordNet 3.0's glosses (Debian's {@code wordnet-base}: 117,659 synsets of nouns, verbs, adjectives and adverbs, each a
 * set of words and a definition) as two text -> text retrieval tasks in the M-BEIR layout, under datasets of their own:
 * <ul>
 *   <li>{@code wordnet_gloss_task1} (dataset {@value #GLOSS_ID}): a word -> the definitions of its senses;</li>
 *   <li>{@code wordnet_lemma_task1} (dataset {@value #LEMMA_ID}): a definition -> the words of its synset.</li>
 * </ul>
 * The split is fixed once for everyone, by synset ({@link HashSplit} of "wordnet-3.0 &lt;pos&gt; &lt;offset&gt;": 10 % test,
 * 5 % val, the rest training); no seed moves it. A split's
 * pool holds its synsets only (val and test share their tasks' local pools, as M-BEIR's do); a word's query in a split
 * has the senses of that split as positives. Evaluation queries are the first {@value #TEST_QUERIES} (test) and
 * {@value #VAL_QUERIES} (val) of each task in hash order, every one of the split's synsets stays in its pool.
 */
public final class WordNetImporter implements DatasetImporter {

    public static final Path DEBIAN_DIR = Path.of("/usr/share/wordnet");
    public static final int GLOSS_ID = 10;
    public static final int LEMMA_ID = 11;
    static final int TEST_QUERIES = 1000;
    static final int VAL_QUERIES = 500;
    private static final List<String> FILES = List.of("data.noun", "data.verb", "data.adj", "data.adv");

    /** One synset: its part of speech and offset (its identity), words, definition, and split. */
    record Synset(String pos, String offset, List<String> words, String definition, String split, String hash) {}

    @Override
    public String name() {
        return "wordnet";
    }

    @Override
    public Path defaultSource() {
        return DEBIAN_DIR;
    }

    @Override
    public void importTo(Path source, Path out, int trainLimit, long seed, Consumer<String> progress) throws IOException {
        progress.accept("reading " + source);
        List<Synset> synsets = new ArrayList<>();
        for (String file : FILES) {
            Path f = source.resolve(file);
            if (!Files.exists(f)) {
                throw new IOException(f + " not found; on Debian, apt-get install wordnet-base");
            }
            synsets.addAll(read(f));
        }
        synsets.sort(Comparator.comparing(Synset::hash));
        new Writer(new MbeirLayout(out), trainLimit, progress).write(synsets);
    }

    /** The synsets of one data file: "offset lex_filenum ss_type w_cnt word lex_id ... p_cnt pointers ... | gloss". */
    static List<Synset> read(Path file) throws IOException {
        List<Synset> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("  ") || line.isBlank()) {
                    continue; // the licence at the top of every file
                }
                int bar = line.indexOf(" | ");
                String[] f = line.substring(0, bar < 0 ? line.length() : bar).split(" ");
                String pos = f[2].equals("s") ? "a" : f[2]; // satellite adjectives are adjectives
                int count = Integer.parseInt(f[3], 16);
                List<String> words = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    // "bank", "Ansel_Adams", "beautiful(a)": underscores are spaces, a syntactic marker is no part of the word
                    words.add(f[4 + 2 * i].replaceFirst("\\([a-z]+\\)$", "").replace('_', ' '));
                }
                String definition = definition(bar < 0 ? "" : line.substring(bar + 3));
                if (!definition.isEmpty()) {
                    String hash = HashSplit.sha256("wordnet-3.0 " + pos + " " + f[0]);
                    out.add(new Synset(pos, f[0], List.copyOf(words), definition, HashSplit.split(hash), hash));
                }
            }
        }
        return out;
    }

    /** The gloss without its quoted examples: "a slope ... ; \"they pulled the canoe up on the bank\"" -> "a slope ...". */
    static String definition(String gloss) {
        int example = gloss.indexOf("; \"");
        String d = (example < 0 ? gloss : gloss.substring(0, example)).strip();
        return d.startsWith("\"") ? "" : d;
    }

    /** One import run. */
    private static final class Writer {
        private final MbeirLayout layout;
        private final int trainLimit;
        private final Consumer<String> progress;
        private final EvalTask gloss = new EvalTask("wordnet_gloss", GLOSS_ID, 1, EvalTask.DEFAULT_K);
        private final EvalTask lemma = new EvalTask("wordnet_lemma", LEMMA_ID, 1, EvalTask.DEFAULT_K);
        private int nextQid = 1_000_000; // queries and candidates count apart: "10:0" is a candidate, "10:1000000" a query

        Writer(MbeirLayout layout, int trainLimit, Consumer<String> progress) {
            this.layout = layout;
            this.trainLimit = trainLimit;
            this.progress = progress;
        }

        void write(List<Synset> synsets) throws IOException {
            progress.accept("writing " + synsets.size() + " synsets");
            // candidates: a definition (gloss task) and a word list (lemma task) per synset, ids in hash order
            Map<Synset, MbeirCandidate> definitions = new LinkedHashMap<>();
            Map<Synset, MbeirCandidate> wordLists = new LinkedHashMap<>();
            for (int i = 0; i < synsets.size(); i++) {
                Synset s = synsets.get(i);
                definitions.put(s, new MbeirCandidate(GLOSS_ID + ":" + i, s.definition(), null, Modality.TEXT, null, null));
                wordLists.put(s, new MbeirCandidate(LEMMA_ID + ":" + i, String.join(", ", s.words()), null, Modality.TEXT, null, null));
            }
            Map<String, List<MbeirQuery>> queries = new LinkedHashMap<>();
            for (String split : LayoutFiles.SPLITS) {
                List<Synset> in = synsets.stream().filter(s -> s.split().equals(split)).toList();
                queries.put(split + "/" + lemma.name(), limit(split, in.stream().map(s -> query(LEMMA_ID, s.definition(),
                        List.of(wordLists.get(s).did()))).toList()));
                // a word's senses in this split ("bank" and "Bank" are one word, written as first met), in the order of the first
                Map<String, String> written = new LinkedHashMap<>();
                Map<String, List<String>> senses = new LinkedHashMap<>();
                for (Synset s : in) {
                    for (String w : s.words()) {
                        String key = w.toLowerCase(Locale.ROOT);
                        written.putIfAbsent(key, w);
                        List<String> dids = senses.computeIfAbsent(key, k -> new ArrayList<>());
                        if (!dids.contains(definitions.get(s).did())) {
                            dids.add(definitions.get(s).did());
                        }
                    }
                }
                queries.put(split + "/" + gloss.name(), limit(split, senses.entrySet().stream()
                        .map(e -> query(GLOSS_ID, written.get(e.getKey()), e.getValue())).toList()));
            }

            progress.accept("writing files");
            List<MbeirCandidate> trainPool = new ArrayList<>();
            List<MbeirCandidate> union = new ArrayList<>();
            for (EvalTask task : List.of(gloss, lemma)) {
                Map<Synset, MbeirCandidate> candidates = task.equals(gloss) ? definitions : wordLists;
                List<MbeirCandidate> evaluation = candidates.entrySet().stream().filter(e -> !e.getKey().split().equals(MbeirLayout.TRAIN))
                        .map(Map.Entry::getValue).toList();
                candidates.entrySet().stream().filter(e -> e.getKey().split().equals(MbeirLayout.TRAIN)).forEach(e -> trainPool.add(e.getValue()));
                LayoutFiles.task(layout, task, evaluation, queries);
                union.addAll(evaluation);
            }
            List<MbeirQuery> train = new ArrayList<>(LayoutFiles.of(queries, MbeirLayout.TRAIN, List.of(gloss, lemma)));
            train.sort(Comparator.comparing(q -> HashSplit.sha256(q.qid()))); // the two tasks interleaved, the same way on every machine
            LayoutFiles.unions(layout, trainPool, union, train, LayoutFiles.of(queries, MbeirLayout.VAL, List.of(gloss, lemma)));
            new Instructions(List.of(
                    new Instructions.Row(Modality.TEXT, Modality.TEXT, "WordNet glosses", GLOSS_ID, List.of(
                            "Retrieve the dictionary definition of this word.", "Find what this word means.",
                            "Give a definition of the word.", "Find the gloss of this term.")),
                    new Instructions.Row(Modality.TEXT, Modality.TEXT, "WordNet lemmas", LEMMA_ID, List.of(
                            "Find the word this definition describes.", "Retrieve the words that mean this.",
                            "Which word has this definition?", "Name the term defined here."))))
                    .write(layout.instructions());
            ObjectNode manifest = Json.MAPPER.createObjectNode();
            manifest.put("source", "wordnet-3.0 (Debian wordnet-base)");
            manifest.put("synsets", synsets.size());
            manifest.put("split", "SHA-256(\"wordnet-3.0 <pos> <offset>\") first byte: 0-25 test, 26-38 val, 39-255 train");
            for (Map.Entry<String, List<MbeirQuery>> e : queries.entrySet()) {
                manifest.put(e.getKey().replace('/', '_') + "_queries", e.getValue().size());
            }
            try (AtomicWriter w = new AtomicWriter(layout.root().resolve("import_manifest.json"))) {
                w.line(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(manifest));
                w.commit();
            }
        }

        private MbeirQuery query(int dataset, String text, List<String> positives) {
            return new MbeirQuery(dataset + ":" + nextQid++, text, null, Modality.TEXT, null, positives, List.of(), 1, null);
        }

        /** The split's queries: the first TEST_QUERIES or VAL_QUERIES for evaluation, at most trainLimit (0: all) for training. */
        private List<MbeirQuery> limit(String split, List<MbeirQuery> qs) {
            int n = switch (split) {
                case MbeirLayout.TEST -> TEST_QUERIES;
                case MbeirLayout.VAL -> VAL_QUERIES;
                default -> trainLimit > 0 ? trainLimit : Integer.MAX_VALUE;
            };
            return qs.subList(0, Math.min(n, qs.size()));
        }
    }
}

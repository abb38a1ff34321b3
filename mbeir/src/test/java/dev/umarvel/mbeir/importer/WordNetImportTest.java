package dev.umarvel.mbeir.importer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.umarvel.mbeir.DatasetValidator;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WordNet's glosses as two text -> text tasks of their own datasets, with a split fixed once by hash. */
class WordNetImportTest {

    @TempDir
    Path dir;

    static Map<String, MbeirCandidate> pool(Path file) throws Exception {
        try (Stream<MbeirCandidate> cs = Jsonl.candidates(file)) {
            return cs.collect(Collectors.toMap(MbeirCandidate::did, c -> c));
        }
    }

    @Test
    void aDataLineBecomesASynsetWithoutItsExamplesOrMarkers() throws Exception {
        Path file = dir.resolve("data.adj");
        Files.writeString(file, "  1 This software and database is being provided to you, the LICENSEE, by\n"
                + "00021110 00 s 02 complaisant 0 obliging(a) 0 003 & 00020787 a 0000 + 04641153 n 0204 + 04641153 n 0101 | showing a "
                + "cheerful willingness to do favors for others; \"to close one's eyes like a complaisant husband\"  \n"
                + "00002137 03 n 02 abstraction 0 abstract_entity 0 010 @ 00001740 n 0000 | a general concept formed by extracting "
                + "common features from specific examples  \n");
        var synsets = WordNetImporter.read(file);
        assertEquals(2, synsets.size());
        assertEquals(List.of("complaisant", "obliging"), synsets.get(0).words());
        assertEquals("showing a cheerful willingness to do favors for others", synsets.get(0).definition());
        assertEquals(List.of("abstraction", "abstract entity"), synsets.get(1).words());
        assertEquals("a general concept formed by extracting common features from specific examples", synsets.get(1).definition());
        // the split is the hash's, the same on every machine: SHA-256("wordnet-3.0 n 00002137") starts 0d (test),
        // "wordnet-3.0 a 00021110" 56 (train; a satellite adjective counts as an adjective)
        assertEquals(MbeirLayout.TEST, synsets.get(1).split());
        assertEquals(MbeirLayout.TRAIN, synsets.get(0).split());
    }

    @Test
    void debiansWordNetBecomesAValidDatasetWithAFixedSplit() throws Exception {
        assumeTrue(Files.exists(WordNetImporter.DEBIAN_DIR.resolve("data.noun")), "needs Debian's wordnet-base (.ci/run installs it)");
        Path out = dir.resolve("wordnet");
        DatasetImporter.byName("wordnet").importTo(WordNetImporter.DEBIAN_DIR, out, 500, 1, s -> {});
        MbeirLayout layout = new MbeirLayout(out);
        assertEquals(List.of("wordnet_gloss_task1", "wordnet_lemma_task1"), layout.tasks(MbeirLayout.TEST).stream().map(EvalTask::name).toList());
        assertEquals(List.of(WordNetImporter.GLOSS_ID, WordNetImporter.LEMMA_ID),
                layout.tasks(MbeirLayout.TEST).stream().map(EvalTask::datasetId).toList());
        DatasetValidator.Result r = DatasetValidator.validate(out);
        assertEquals(List.of(), r.problems());
        assertEquals(2000L, r.counts().get("test_queries"));
        assertEquals(1000L, r.counts().get("val_queries"));
        assertEquals(1000L, r.counts().get("train_queries"));
        assertEquals(117659, Json.MAPPER.readTree(out.resolve("import_manifest.json").toFile()).get("synsets").asInt());

        // "abstraction" (n 00002137) is a test synset: its words are a candidate of the evaluation pool, not of training
        Map<String, MbeirCandidate> lemmas = pool(layout.localPool(layout.task(MbeirLayout.TEST, "wordnet_lemma_task1"), MbeirLayout.TEST));
        Map<String, MbeirCandidate> train = pool(layout.unionPool(MbeirLayout.TRAIN));
        assertEquals(17546, lemmas.size(), "the val and test synsets");
        assertTrue(lemmas.values().stream().anyMatch(c -> c.txt().equals("abstraction, abstract entity")));
        assertFalse(train.values().stream().anyMatch(c -> c.txt().equals("abstraction, abstract entity")));
        Set<String> shared = new HashSet<>(lemmas.keySet());
        shared.retainAll(train.keySet());
        assertEquals(Set.of(), shared, "no candidate is in training and evaluation both");
        // a definition query's positive is its own synset's word list
        try (Stream<MbeirQuery> qs = Jsonl.queries(layout.queries(MbeirLayout.TEST, layout.task(MbeirLayout.TEST, "wordnet_lemma_task1")))) {
            MbeirQuery first = qs.findFirst().orElseThrow();
            assertEquals("an officer in the armed forces", first.queryTxt());
            assertEquals("army officer", lemmas.get(first.posCandList().get(0)).txt());
        }
    }
}

package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.TextNormalizer;
import dev.umarvel.mbeir.eval.EmbeddingRetriever;
import dev.umarvel.mbeir.eval.Encoder;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.importer.DatasetImporter;
import dev.umarvel.mbeir.importer.WordNetImporter;
import dev.umarvel.model.Inference;
import dev.umarvel.recipe.ModelEncoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Zero-shot on real text: all-MiniLM-L6-v2 imported into our checkpoint format retrieves WordNet's definitions and words
 * as the encoder's own packaged pipeline does (langchain4j: its tokeniser, the ONNX graph on onnxruntime, mean pooling),
 * on the same queries and pools, when both read the same text; and what our instruction layout does to it is measured
 * beside them. 200 test queries a task, each task's pool cut to its queries' positives and 1,000 others.
 */
class WordNetZeroShotTest {

    static final int QUERIES = 200;
    static final int POOL = 1000;

    @TempDir
    Path dir;

    /** The packaged pipeline as an encoder of the same formatted texts our model reads; no instruction (it has none). */
    record Packaged(EmbeddingModel model) implements Encoder {
        @Override
        public float[][] queries(List<QueryInput> batch) {
            return embed(batch.stream().map(q -> TextNormalizer.format(q.query().queryTxt())).toList());
        }

        @Override
        public float[][] candidates(List<MbeirCandidate> batch) {
            return embed(batch.stream().map(c -> TextNormalizer.format(c.txt())).toList());
        }

        private float[][] embed(List<String> texts) {
            return model.embedAll(texts.stream().map(TextSegment::from).toList()).content().stream().map(e -> e.vector()).toArray(float[][]::new);
        }
    }

    /** Our model with the instruction left out of the query, as the packaged pipeline reads it. */
    record NoInstruction(Encoder ours) implements Encoder {
        @Override
        public float[][] queries(List<QueryInput> batch) throws Exception {
            return ours.queries(batch.stream().map(q -> new QueryInput(q.query(), "")).toList());
        }

        @Override
        public float[][] candidates(List<MbeirCandidate> batch) throws Exception {
            return ours.candidates(batch);
        }
    }

    /** The WordNet import cut to QUERIES test queries a task and pools of their positives and POOL others. */
    static MbeirLayout cut(MbeirLayout full, Path to) throws Exception {
        MbeirLayout out = new MbeirLayout(to);
        List<MbeirCandidate> union = new ArrayList<>();
        for (EvalTask task : full.tasks(MbeirLayout.TEST)) {
            List<MbeirQuery> queries;
            try (Stream<MbeirQuery> qs = Jsonl.queries(full.queries(MbeirLayout.TEST, task))) {
                queries = qs.limit(QUERIES).toList();
            }
            Set<String> keep = new LinkedHashSet<>();
            queries.forEach(q -> keep.addAll(q.posCandList()));
            List<MbeirCandidate> pool;
            try (Stream<MbeirCandidate> cs = Jsonl.candidates(full.localPool(task, MbeirLayout.TEST))) {
                int[] others = {0};
                pool = cs.filter(c -> keep.contains(c.did()) || others[0]++ < POOL).toList();
            }
            Jsonl.write(out.queries(MbeirLayout.TEST, task), queries, MbeirQuery::toJson);
            Jsonl.write(out.localPool(task, MbeirLayout.TEST), pool, MbeirCandidate::toJson);
            union.addAll(pool);
        }
        Jsonl.write(out.unionPool(MbeirLayout.TEST), union, MbeirCandidate::toJson);
        Files.createDirectories(out.instructions().getParent());
        Files.copy(full.instructions(), out.instructions());
        return out;
    }


    @Test
    void theImportedEncoderRetrievesAsItsPackagedPipeline() throws Exception {
        assumeTrue(Files.exists(WordNetImporter.DEBIAN_DIR.resolve("data.noun")), "needs Debian's wordnet-base (.ci/run installs it)");
        DatasetImporter.byName("wordnet").importTo(WordNetImporter.DEBIAN_DIR, dir.resolve("wordnet"), 1, 1, s -> {});
        MbeirLayout layout = cut(new MbeirLayout(dir.resolve("wordnet")), dir.resolve("cut"));
        Path checkpoint = dir.resolve("minilm");
        org.junit.jupiter.api.Assertions.assertEquals(0, Umarvel.run("model", "import", "all-minilm-l6-v2", "--out", checkpoint.toString()));
        Evaluator.Options options = Evaluator.Options.all(layout, MbeirLayout.TEST, true);
        List<EvaluationResult> results = new ArrayList<>();
        EmbeddingRetriever packagedRetriever = new EmbeddingRetriever(layout, new Packaged(new AllMiniLmL6V2EmbeddingModel()), MbeirLayout.TEST,
                64, 1, s -> {});
        results.add(Evaluator.evaluate("langchain4j (packaged)", layout, packagedRetriever, options, s -> {}));
        try (Inference model = Inference.load(checkpoint)) {
            Encoder ours = new ModelEncoder(model, layout);
            EmbeddingRetriever oursRetriever = new EmbeddingRetriever(layout, new NoInstruction(ours), MbeirLayout.TEST, 64, 1, s -> {});
            results.add(Evaluator.evaluate("ours, no instruction", layout, oursRetriever, options, s -> {}));
            // the same weights on the same text rank alike query by query, not only on average: the top 5 of nearly every
            // query is the packaged pipeline's (a swap of two near-equal cosines is the only difference allowed)
            for (EvalTask task : layout.tasks(MbeirLayout.TEST)) {
                List<QueryInput> inputs;
                try (Stream<MbeirQuery> qs = Jsonl.queries(layout.queries(MbeirLayout.TEST, task))) {
                    inputs = qs.map(q -> new QueryInput(q, "")).toList();
                }
                List<List<String>> a = packagedRetriever.rank(task, inputs, dev.umarvel.mbeir.eval.Retriever.Scope.LOCAL, 5);
                List<List<String>> b = oursRetriever.rank(task, inputs, dev.umarvel.mbeir.eval.Retriever.Scope.LOCAL, 5);
                long same = java.util.stream.IntStream.range(0, inputs.size())
                        .filter(i -> Set.copyOf(a.get(i).subList(0, 5)).equals(Set.copyOf(b.get(i).subList(0, 5)))).count();
                assertTrue(same >= 0.98 * inputs.size(), task.name() + ": the same top 5 for " + same + " of " + inputs.size() + " queries");
            }
            results.add(Evaluator.evaluate("ours, instruction", layout, new EmbeddingRetriever(layout, ours, MbeirLayout.TEST, 64, 1, s -> {}),
                    options, s -> {}));
        }
        System.out.println(EvaluationReport.markdown(results));
        EvaluationResult packaged = results.get(0);
        EvaluationResult same = results.get(1);
        for (int t = 0; t < packaged.tasks().size(); t++) {
            for (boolean global : List.of(false, true)) {
                double a = global ? packaged.tasks().get(t).reportedGlobal() : packaged.tasks().get(t).reportedLocal();
                double b = global ? same.tasks().get(t).reportedGlobal() : same.tasks().get(t).reportedLocal();
                assertTrue(Math.abs(a - b) <= 2 * dev.umarvel.mbeir.eval.Recall.differenceNoise(a, b, QUERIES), packaged.tasks().get(t).task().name() + (global ? " global " : " local ")
                        + "packaged " + a + " vs ours " + b);
            }
        }
    }
}

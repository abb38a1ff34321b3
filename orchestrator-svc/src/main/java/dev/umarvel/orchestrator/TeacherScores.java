package dev.umarvel.orchestrator;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.DistillRequest;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.EmbedResponse;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.RerankResponse;
import dev.umarvel.index.VectorIndex;
import dev.umarvel.mbeir.AtomicWriter;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleConsumer;

/**
 * The cascade as teacher (u-marvel.md section 8), online: for a stratified sample of the training
 * queries, the live embedder and index recall the top k of the collection's teacher pools (training
 * candidates only: never a test or validation candidate), the live reranker scores them, and each
 * candidate's teacher score is cos + w * P(Yes) ({@link TeacherFile.Scored#fused}). Writes the teacher file, and
 * the candidate pool the DISTILL job resolves its dids with: the dataset's training pool plus every
 * listed candidate of the collection (its text, and its image path relative to the dataset).
 */
final class TeacherScores {

    /** Teacher file, pool file (both store-relative) and how many queries were scored. */
    record Written(String teacherFile, String poolFile, int queries) {}

    /** Queries scored at once: enough to keep the reranker's batches full. */
    private static final int IN_FLIGHT = 4;

    private TeacherScores() {}

    static Written write(DistillRequest r, TrainingSet set, Searcher.Target live, Set<String> teacherPools, ModelClients models,
            Path store, Path runDir, String dataDir, DoubleConsumer progress) throws Exception {
        VectorIndex.Filter filter = new VectorIndex.Filter(null, null, teacherPools);
        double fraction = r.hasSampleFraction() ? r.getSampleFraction() : 0.1;
        long seed = r.hasSampleSeed() ? r.getSampleSeed() : TrainingSet.DEFAULT_SAMPLE_SEED;
        int recallK = r.getRecallK() == 0 ? 50 : r.getRecallK();
        List<MbeirQuery> sampled = TrainingSet.sample(set.queries(), fraction, seed);
        Map<String, String> contents = new TreeMap<>(); // did -> stored candidate of the collection, for the pool file
        List<TeacherFile.Entry> entries = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(IN_FLIGHT);
        try {
            List<Future<TeacherFile.Entry>> scored = new ArrayList<>();
            for (MbeirQuery q : sampled) {
                scored.add(pool.submit(() -> score(r, set, q, live, filter, models, recallK, dataDir, contents)));
            }
            for (int i = 0; i < scored.size(); i++) {
                entries.add(scored.get(i).get());
                progress.accept((i + 1.0) / scored.size());
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        Path teacher = runDir.resolve("teacher_scores.jsonl");
        TeacherFile.write(teacher, entries);
        Path poolFile = runDir.resolve("candidates.jsonl");
        writePool(set, contents, store, store.resolve(dataDir), poolFile);
        return new Written(store.relativize(teacher).toString(), store.relativize(poolFile).toString(), entries.size());
    }

    private static TeacherFile.Entry score(DistillRequest r, TrainingSet set, MbeirQuery q, Searcher.Target live, VectorIndex.Filter filter,
            ModelClients models, int recallK, String dataDir, Map<String, String> contents) throws Exception {
        String instruction = set.instruction(q, r.getSeed());
        Query query = CollectionEvaluation.query(q, instruction, dataDir);
        EmbedResponse e = models.embed(List.of(EmbedItem.newBuilder().setQuery(query).build()), live.record().modelVersion());
        List<VectorIndex.Hit> hits = live.index().search(ModelClients.vector(e, 0), recallK, filter);
        List<Content> candidates = new ArrayList<>(hits.size());
        for (VectorIndex.Hit h : hits) {
            candidates.add(CandidateCodec.decode(h.content()).getContent());
            synchronized (contents) {
                contents.put(h.did(), h.content());
            }
        }
        RerankResponse p = models.rerank(query, candidates, TimeUnit.MINUTES.toNanos(1));
        String task = TrainingSet.taskName(q);
        double w = r.getTaskTeacherWeightsOrDefault(task, r.hasTeacherWeight() ? r.getTeacherWeight() : TeacherFile.DEFAULT_WEIGHT);
        List<TeacherFile.Scored> list = new ArrayList<>(hits.size());
        for (int j = 0; j < hits.size(); j++) {
            float cos = hits.get(j).score();
            float pYes = p.getScores(j).getPYes();
            list.add(TeacherFile.Scored.fused(hits.get(j).did(), cos, pYes, w));
        }
        return new TeacherFile.Entry(q.qid(), task, instruction, q.queryTxt(), q.queryImgPath(), list);
    }

    /** The training pool's lines, then each listed candidate the pool lacks, as an M-BEIR candidate line. */
    private static void writePool(TrainingSet set, Map<String, String> listed, Path store, Path dataset, Path file) throws Exception {
        try (AtomicWriter w = new AtomicWriter(file)) {
            for (var c : set.pool().values()) {
                w.line(Json.MAPPER.writeValueAsString(c.toJson()));
            }
            for (Map.Entry<String, String> e : listed.entrySet()) {
                if (set.pool().containsKey(e.getKey())) {
                    continue;
                }
                Candidate c = CandidateCodec.decode(e.getValue());
                var line = Json.MAPPER.createObjectNode().put("did", e.getKey());
                boolean text = !c.getContent().getText().isEmpty();
                boolean image = c.getContent().hasImage() && !c.getContent().getImage().getStorePath().isEmpty();
                line.put("txt", text ? c.getContent().getText() : null);
                line.put("img_path", image ? dataset.relativize(store.resolve(c.getContent().getImage().getStorePath())).toString() : null);
                line.put("modality", Modality.of(text, image).wire());
                w.line(Json.MAPPER.writeValueAsString(line));
            }
            w.commit();
        }
    }
}

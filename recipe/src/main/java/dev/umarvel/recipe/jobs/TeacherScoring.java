package dev.umarvel.recipe.jobs;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.eval.ExactSearch;
import dev.umarvel.mbeir.eval.Matrix;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.RerankPair;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.recipe.data.Side;
import dev.umarvel.mbeir.TeacherFile;
import dev.umarvel.mbeir.TrainingSet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The trainer's own teacher: for a stratified sample of training queries, the retriever's top L
 * candidates rescored by the reranker and fused as cos + w * P(Yes) ({@link TeacherFile.Scored#fused}).
 * The orchestrator computes the same file online from the live services.
 */
final class TeacherScoring {

    private TeacherScoring() {}

    static Path score(JobContext ctx, JobSpec spec, TrainingSet set) throws Exception {
        JobSpec.Distill d = spec.distill();
        List<MbeirQuery> sampled = TrainingSet.sample(set.queries(), d.sampleFraction(), d.sampleSeed());
        List<MbeirCandidate> pool = new ArrayList<>(set.pool().values());
        pool.sort(Comparator.comparing(MbeirCandidate::did));
        List<TeacherFile.Entry> entries = new ArrayList<>();
        try (Inference retriever = Inference.load(ctx.resolve("init_checkpoint", spec.initCheckpoint()));
                Inference reranker = Inference.load(ctx.resolve("distill.reranker_checkpoint", d.rerankerCheckpoint()))) {
            ImageLoader images = new ImageLoader(Sources.datasetRoot(ctx, spec), retriever.config().imageSize());
            ImageLoader rerankImages = new ImageLoader(Sources.datasetRoot(ctx, spec), reranker.config().imageSize());
            Matrix q = Embedding.queries(ctx, retriever, set, sampled, images, spec.seed());
            Matrix c = Embedding.candidates(ctx, retriever, pool, images);
            ExactSearch.TopK top = ExactSearch.search(q, c, d.listSize(), Runtime.getRuntime().availableProcessors());
            for (int i = 0; i < sampled.size(); i++) {
                ctx.checkCancelled(0);
                MbeirQuery query = sampled.get(i);
                String instruction = Embedding.instruction(set, query, spec.seed());
                Item rq = rerankImages.query(instruction, Side.of(query));
                List<RerankPair> pairs = new ArrayList<>();
                for (int j : top.indices()[i]) {
                    pairs.add(new RerankPair(rq, rerankImages.candidate(Side.of(pool.get(j)))));
                }
                float[] pYes = reranker.score(pairs, true).probabilityYes();
                double w = d.weight(TrainingSet.taskName(query));
                List<TeacherFile.Scored> scored = new ArrayList<>();
                for (int r = 0; r < pairs.size(); r++) {
                    float cos = top.scores()[i][r];
                    scored.add(TeacherFile.Scored.fused(pool.get(top.indices()[i][r]).did(), cos, pYes[r], w));
                }
                entries.add(new TeacherFile.Entry(query.qid(), TrainingSet.taskName(query), instruction, query.queryTxt(), query.queryImgPath(), scored));
                if (i % 200 == 0) {
                    ctx.listener().log("teacher scores " + (i + 1) + "/" + sampled.size());
                }
            }
        }
        Path out = ctx.output().resolve("teacher_scores.jsonl");
        TeacherFile.write(out, entries);
        ctx.listener().log("wrote teacher scores of " + entries.size() + " sampled queries to " + ctx.relative(out));
        return out;
    }
}

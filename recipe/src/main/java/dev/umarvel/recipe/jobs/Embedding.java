package dev.umarvel.recipe.jobs;

import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.eval.Matrix;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.recipe.JobContext;
import dev.umarvel.recipe.data.ImageLoader;
import dev.umarvel.recipe.data.Side;
import dev.umarvel.mbeir.TrainingSet;
import java.util.ArrayList;
import java.util.List;

/** Embeds training queries and pools in batches, reporting progress and honouring cancellation. */
final class Embedding {

    private static final int BATCH = 128;

    private Embedding() {}

    /** The instruction each training query is embedded with: seeded by the job and the qid. */
    static String instruction(TrainingSet set, MbeirQuery q, long seed) {
        return set.instruction(q, seed);
    }

    static Matrix queries(JobContext ctx, Inference model, TrainingSet set, List<MbeirQuery> queries, ImageLoader images, long seed)
            throws Exception {
        List<Item> items = new ArrayList<>(queries.size());
        for (MbeirQuery q : queries) {
            items.add(images.query(instruction(set, q, seed), Side.of(q)));
        }
        return embed(ctx, model, items, "queries");
    }

    static Matrix candidates(JobContext ctx, Inference model, List<MbeirCandidate> pool, ImageLoader images) throws Exception {
        List<Item> items = new ArrayList<>(pool.size());
        for (MbeirCandidate c : pool) {
            items.add(images.candidate(Side.of(c)));
        }
        return embed(ctx, model, items, "candidates");
    }

    private static Matrix embed(JobContext ctx, Inference model, List<Item> items, String what) throws Exception {
        int dim = model.config().width();
        float[] data = new float[items.size() * dim];
        for (int i = 0; i < items.size(); i += BATCH) {
            ctx.checkCancelled(0);
            float[][] vectors = model.embed(items.subList(i, Math.min(items.size(), i + BATCH)), true).vectors();
            for (int r = 0; r < vectors.length; r++) {
                System.arraycopy(vectors[r], 0, data, (i + r) * dim, dim);
            }
            if ((i / BATCH) % 50 == 0) {
                ctx.listener().log("embedded " + Math.min(items.size(), i + BATCH) + "/" + items.size() + " " + what);
            }
        }
        return new Matrix(items.size(), dim, data);
    }
}

package dev.umarvel.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.CheckpointException;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.model.loss.AnswerLoss;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.nn.NoGrad;
import dev.umarvel.model.text.TextTokenizer;
import java.nio.file.Path;
import java.util.List;

/**
 * What the services call: {@link #embed} for queries and candidates, {@link #score} for reranker
 * pairs. Thread-safe (each call works in its own memory scope on a read-only model), batched (one
 * forward pass per call), and with gradient recording off.
 */
public final class Inference implements AutoCloseable {

    /** Embeddings of a batch, in item order. */
    public record Embeddings(float[][] vectors, int[] tokens, boolean[] truncated) {}

    /** Reranker scores of a batch, in pair order. */
    public record Scores(float[] probabilityYes, float[] logitYes, float[] logitNo, boolean[] truncated) {}

    private final Mllm model;
    private final TextTokenizer tokenizer;
    private final SequenceBuilder sequences;
    private final NDManager manager;
    private final Manifest manifest;
    private final boolean ownsResources;

    /** Serves a model that someone else owns (e.g. the trainer evaluating its own weights). */
    public Inference(Mllm model, TextTokenizer tokenizer, NDManager manager) {
        this(model, tokenizer, manager, null, false);
    }

    private Inference(Mllm model, TextTokenizer tokenizer, NDManager manager, Manifest manifest, boolean owns) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.sequences = new SequenceBuilder(tokenizer, model.config());
        this.manager = manager;
        this.manifest = manifest;
        this.ownsResources = owns;
    }

    /** Loads and verifies a checkpoint; the returned object owns it and frees it on close. */
    public static Inference load(Path checkpoint) throws CheckpointException {
        NDManager manager = OfflineEngine.pytorch().newBaseManager();
        try {
            Checkpoint.Loaded loaded = Checkpoint.load(checkpoint, manager);
            loaded.model().freezeParameters(true);
            return new Inference(loaded.model(), loaded.tokenizer(), manager, loaded.manifest(), true);
        } catch (CheckpointException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * L2-normalised embeddings (config's attention and pooling).
     *
     * @param truncate cut over-long text (flagged) instead of refusing the batch
     */
    public Embeddings embed(List<Item> items, boolean truncate) throws TokenLimitException {
        SequenceBatch batch = sequences.embedding(items, truncate);
        try (NDManager scope = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
            NDList inputs = batch.inputs(scope, model.config().attention(), model.config().imageSize());
            NDArray vectors = model.embed(new ParameterStore(scope, false), inputs, batch.readout(scope), false);
            float[] flat = vectors.toFloatArray();
            int d = (int) vectors.getShape().get(1);
            float[][] out = new float[batch.batch()][d];
            for (int i = 0; i < out.length; i++) {
                System.arraycopy(flat, i * d, out[i], 0, d);
            }
            return new Embeddings(out, batch.lengths(), batch.truncated());
        }
    }

    /** Each item's sequence length as {@link #embed} builds it (what a batcher budgets); refuses an over-long one unless truncating. */
    public int[] embeddingLengths(List<Item> items, boolean truncate) throws TokenLimitException {
        return sequences.embedding(items, truncate).lengths();
    }

    /** Each pair's sequence length as {@link #score} builds it; refuses an over-long one unless truncating. */
    public int[] rerankLengths(List<RerankPair> pairs, boolean truncate) throws TokenLimitException {
        return sequences.rerank(pairs, truncate).lengths();
    }

    /**
     * P(Yes) for each (query, candidate) pair, read at the last position with the model's attention. A causal
     * reranker's pairs that share a query (the same {@link Item} object) compute its prefix once and attend to
     * its cached keys and values; the scores equal {@link #scoreFull}'s to float rounding. A bidirectional one
     * (an imported BERT's) reads the query in the light of each candidate, so every pair is computed whole.
     */
    public Scores score(List<RerankPair> pairs, boolean truncate) throws TokenLimitException {
        if (model.config().attention() == ModelConfig.Attention.BIDIRECTIONAL) {
            return scoreFull(pairs, truncate);
        }
        PrefixedBatch prefixed = sequences.rerankPrefixed(pairs, truncate);
        if (prefixed == null) {
            return scoreFull(pairs, truncate);
        }
        try (NDManager scope = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
            int imageSize = model.config().imageSize();
            ParameterStore ps = new ParameterStore(scope, false);
            NDList suffixes = prefixed.suffixes().inputs(scope, ModelConfig.Attention.CAUSAL, imageSize);
            suffixes.set(1, prefixed.suffixBias(scope));
            NDArray hidden = model.hiddenAfterPrefix(ps, prefixed.prefixes().inputs(scope, ModelConfig.Attention.CAUSAL, imageSize),
                    suffixes, prefixed.positions(scope), prefixed.prefixRows(scope));                  // (N, S, D)
            return scores(model.logits(ps, Mllm.readout(hidden, prefixed.suffixes().readout(scope)), false), prefixed.truncated());
        }
    }

    /** P(Yes) with every pair's whole sequence computed (no prefix reuse): the reference {@link #score} must equal. */
    public Scores scoreFull(List<RerankPair> pairs, boolean truncate) throws TokenLimitException {
        SequenceBatch batch = sequences.rerank(pairs, truncate);
        try (NDManager scope = manager.newSubManager(); NoGrad g = NoGrad.scope()) {
            NDList inputs = batch.inputs(scope, model.config().attention(), model.config().imageSize());
            ParameterStore ps = new ParameterStore(scope, false);
            NDArray last = Mllm.readout(model.hidden(ps, inputs, false), batch.readout(scope)); // (B, D)
            return scores(model.logits(ps, last, false), batch.truncated());                      // logits (B, V)
        }
    }

    private Scores scores(NDArray logits, boolean[] truncated) {
        return new Scores(AnswerLoss.probabilityYes(logits, tokenizer.yes, tokenizer.no).toFloatArray(),
                logits.get(":, {}", tokenizer.yes).toFloatArray(), logits.get(":, {}", tokenizer.no).toFloatArray(), truncated);
    }

    public ModelConfig config() {
        return model.config();
    }

    /** The manifest of the loaded checkpoint, or null for a model served from memory. */
    public Manifest manifest() {
        return manifest;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public void close() {
        if (ownsResources) {
            tokenizer.close();
            manager.close();
        }
    }
}

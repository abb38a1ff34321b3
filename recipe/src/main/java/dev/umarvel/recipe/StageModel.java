package dev.umarvel.recipe;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.model.ModelConfig;
import dev.umarvel.model.io.Checkpoint;
import dev.umarvel.model.io.CheckpointException;
import dev.umarvel.model.io.Manifest;
import dev.umarvel.model.nn.Mllm;
import dev.umarvel.model.text.TextTokenizer;
import dev.umarvel.model.text.VocabularyBuilder;
import dev.umarvel.recipe.data.PairFile;
import dev.umarvel.recipe.data.PixelStatistics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The model a stage trains: loaded from the initial checkpoint (or built from a preset with a
 * vocabulary of the dataset's training data for PRETRAIN), set to the stage's attention and pooling, and
 * with the stage's trainable set: every weight (a model learned from scratch), or a fresh LoRA adapter on
 * the language model with the vision tower and projector frozen, as the recipe does on a pretrained model.
 */
public final class StageModel implements AutoCloseable {

    private final Mllm model;
    private final TextTokenizer tokenizer;
    private final Path tokenizerFile;
    private final Manifest.Lora lora;
    private final String parent;

    private StageModel(Mllm model, TextTokenizer tokenizer, Path tokenizerFile, Manifest.Lora lora, String parent) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.tokenizerFile = tokenizerFile;
        this.lora = lora;
        this.parent = parent;
    }

    /**
     * The attention a kind trains with unless the spec overrides it: causal for next-token pre-training; causal for
     * the reranker on our own pre-norm stack (the paper's generative reading, which lets a served reranker compute a
     * query's prefix once), bidirectional on an imported BERT, whose every layer was trained to see both ways (read
     * causally, its loss stayed at 0.903 in the tiny loop and fell more slowly on synth small: docs/pretrained.md);
     * bidirectional for the embedding stages.
     */
    static ModelConfig.Attention attention(JobSpec spec, ModelConfig c) {
        if (spec.model().attention() != null) {
            return spec.model().attention();
        }
        if (spec.kind() == JobKind.RERANKER) {
            return c.layout() == ModelConfig.Layout.BERT ? ModelConfig.Attention.BIDIRECTIONAL : ModelConfig.Attention.CAUSAL;
        }
        return spec.kind() == JobKind.PRETRAIN ? ModelConfig.Attention.CAUSAL : ModelConfig.Attention.BIDIRECTIONAL;
    }

    static ModelConfig adjust(ModelConfig c, JobSpec spec) {
        JobSpec.ModelOptions o = spec.model();
        return c.withAttention(attention(spec, c)).withPooling(o.pooling() != null ? o.pooling() : c.pooling(),
                o.instructionMasking() != null ? o.instructionMasking() : c.instructionMasking(),
                o.compressionPrompt() != null ? o.compressionPrompt() : c.compressionPrompt());
    }

    public static StageModel open(JobContext ctx, JobSpec spec, NDManager manager) throws IOException, CheckpointException {
        Engine.getInstance().setRandomSeed((int) spec.seed());
        Mllm model;
        TextTokenizer tokenizer;
        Path tokenizerFile;
        if (spec.initCheckpoint().isEmpty()) {
            if (spec.kind() != JobKind.PRETRAIN) {
                throw new InvalidSpecException("init_checkpoint: required for " + spec.kind());
            }
            tokenizerFile = ctx.output().resolve("tokenizer.json");
            VocabularyBuilder.write(vocabulary(ctx, spec), tokenizerFile);
            tokenizer = TextTokenizer.load(tokenizerFile);
            model = new Mllm(adjust(ModelConfig.preset(spec.preset()).withVocabSize(tokenizer.vocabSize()), spec));
            model.initialize(manager);
            PixelStatistics pixels = PixelStatistics.measure(ctx.dataset(spec), model.config().imageSize());
            model.setPixelStatistics(pixels.mean(), pixels.std());
        } else {
            Path init = ctx.resolve("init_checkpoint", spec.initCheckpoint());
            Checkpoint.Loaded loaded = Checkpoint.load(init, manager, c -> adjust(c, spec));
            if (loaded.manifest().lora() != null) {
                throw new InvalidSpecException("init_checkpoint: " + spec.initCheckpoint() + " still carries a LoRA adapter; "
                        + "start from a final (merged) checkpoint");
            }
            model = loaded.model();
            tokenizer = loaded.tokenizer();
            tokenizerFile = init.resolve(Checkpoint.TOKENIZER);
        }
        Hyper h = spec.hyper();
        Manifest.Lora lora = null;
        model.freezeParameters(true);
        if (spec.kind() == JobKind.PRETRAIN) {
            model.setTrainable(Mllm.Part.VISION, true);
            model.setTrainable(Mllm.Part.PROJECTOR, true);
            model.setTrainable(Mllm.Part.LANGUAGE, true);
        } else if (spec.kind().trains()) {
            if (h.trainable() == Hyper.Trainable.LORA) {
                int rank = Math.min(h.loraRank(), model.config().width());
                model.attachLora(manager, rank, (float) h.loraAlpha(), (float) h.loraDropout(), spec.seed());
                lora = new Manifest.Lora(rank, (float) h.loraAlpha(), (float) h.loraDropout());
            } else { // a vision tower learned from scratch must keep learning, and with FULL the whole model
                model.setTrainable(Mllm.Part.VISION, true);
                model.setTrainable(Mllm.Part.PROJECTOR, true);
            }
            model.setTrainable(Mllm.Part.LANGUAGE, h.trainable() != Hyper.Trainable.ALIGN); // ALIGN: the imported encoder as it is
            boolean resetsTau = spec.kind() == JobKind.TEXT_ALIGN || spec.kind() == JobKind.CROSS_MODAL
                    || spec.kind() == JobKind.INSTRUCTION;
            if (resetsTau) {
                model.temperature().set((float) h.temperatureInit());
            }
            model.setTrainable(Mllm.Part.TEMPERATURE, h.learnableTemperature() && spec.kind().contrastive()
                    || spec.kind() == JobKind.DISTILL && h.learnableTemperature());
        }
        return new StageModel(model, tokenizer, tokenizerFile, lora, spec.initCheckpoint());
    }

    /**
     * The PRETRAIN vocabulary: the texts of the training data alone (training queries and pool, instructions, pairs, an
     * extra corpus). No validation or test query or candidate: a word seen only there must reach the model as it
     * would in service, unknown.
     */
    static List<String> vocabulary(JobContext ctx, JobSpec spec) throws IOException {
        VocabularyBuilder v = new VocabularyBuilder();
        MbeirLayout layout = ctx.dataset(spec);
        try (Stream<MbeirQuery> qs = Jsonl.queries(layout.unionTrainQueries())) {
            qs.forEach(q -> v.add(q.queryTxt() == null ? "" : q.queryTxt()));
        }
        if (Files.exists(layout.unionPool(MbeirLayout.TRAIN))) {
            try (Stream<MbeirCandidate> cs = Jsonl.candidates(layout.unionPool(MbeirLayout.TRAIN))) {
                cs.forEach(c -> v.add(c.txt() == null ? "" : c.txt()));
            }
        }
        dev.umarvel.mbeir.Instructions.read(layout.instructions()).rows().forEach(r -> r.prompts().forEach(v::add));
        for (Path pairs : List.of(layout.textPairs(), layout.captionImagePairs())) {
            if (Files.exists(pairs)) {
                for (PairFile.Pair p : PairFile.read(pairs)) {
                    v.add(p.query().text() == null ? "" : p.query().text());
                    v.add(p.positive().text() == null ? "" : p.positive().text());
                }
            }
        }
        if (!spec.data().corpus().isEmpty()) {
            Files.readAllLines(ctx.resolve("data.corpus", spec.data().corpus())).forEach(v::add);
        }
        return v.vocabulary(30_000);
    }

    public Mllm model() {
        return model;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public Path tokenizerFile() {
        return tokenizerFile;
    }

    public Manifest.Lora lora() {
        return lora;
    }

    /**
     * Merges the adapter (when the spec says so) and writes {@code <output>/final}.
     *
     * @param kindLabel "generative", "embedder" or "reranker"
     */
    public Path finish(JobContext ctx, JobSpec spec, String kindLabel, long step, Map<String, byte[]> extras) throws IOException {
        Manifest.Lora kept = lora;
        if (spec.hyper().mergeLora() && model.hasLora()) {
            model.mergeLora();
            kept = null;
        }
        Path dir = ctx.output().resolve("final");
        Manifest m = Checkpoint.save(dir, model, tokenizerFile, kindLabel, spec.kind().name(), parent, step, kept,
                Map.of("seed", Long.toString(spec.seed())), extras);
        ctx.listener().checkpoint(new JobListener.CheckpointWritten(ctx.relative(dir), step, m.hash(), spec.kind().name(), parent, true));
        return dir;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

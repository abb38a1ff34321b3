package dev.umarvel.model;

import dev.umarvel.model.text.Prompts;
import dev.umarvel.model.text.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Lays items out as token sequences, the way u-marvel.md describes:
 * {@code <bos> [<instruction_start> instruction <instruction_end>] [<image> x P] text [<eos>] [prompt <emb>]}
 * (the {@code <eos>} in an imported BERT's layout, whose [SEP] it is).
 *
 * <p>Also decides which positions the pool covers (everything but padding, minus the instruction
 * span with its two markers when instruction masking is on; only the last position for last-token
 * pooling), and where text is cut when it does not fit the token limit.
 */
public final class SequenceBuilder {

    private final TextTokenizer tokenizer;
    private final ModelConfig config;
    private final int[] rerankPrompt;
    private final int[] queryMarker;
    private final int[] candidateMarker;

    public SequenceBuilder(TextTokenizer tokenizer, ModelConfig config) {
        this.tokenizer = tokenizer;
        this.config = config;
        this.rerankPrompt = tokenizer.encode(Prompts.RERANK);
        this.queryMarker = tokenizer.encode(Prompts.QUERY);
        this.candidateMarker = tokenizer.encode(Prompts.CANDIDATE);
    }

    /** One sequence under construction: ids with a role per position. */
    private final class Sequence {
        final List<Integer> ids = new ArrayList<>();
        final List<Boolean> instruction = new ArrayList<>();
        final List<Boolean> matched = new ArrayList<>();
        final List<float[]> images = new ArrayList<>();
        boolean truncated;

        void add(int[] tokens, boolean isInstruction) {
            for (int t : tokens) {
                add(t, isInstruction, false);
            }
        }

        void add(int token, boolean isInstruction) {
            add(token, isInstruction, false);
        }

        /** A reranker candidate's text: each token that also occurs in {@code query} is flagged. */
        void addCandidate(int[] tokens, Set<Integer> query) {
            for (int t : tokens) {
                add(t, false, query.contains(t));
            }
        }

        private void add(int token, boolean isInstruction, boolean isMatched) {
            ids.add(token);
            instruction.add(isInstruction);
            matched.add(isMatched);
        }

        void image(float[] pixels) {
            int expected = 3 * config.imageSize() * config.imageSize();
            if (pixels.length != expected) {
                throw new IllegalArgumentException("image has " + pixels.length + " values, expected " + expected);
            }
            images.add(pixels);
            for (int p = 0; p < config.imageTokens(); p++) {
                add(tokenizer.image, false);
            }
        }
    }

    /**
     * Embedding sequences for queries and candidates.
     *
     * @param truncate cut text that does not fit (and flag it); false refuses such items
     */
    public SequenceBatch embedding(List<Item> items, boolean truncate) throws TokenLimitException {
        List<Sequence> sequences = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            int[] instruction = tokenizer.encode(item.instruction());
            int[] text = tokenizer.encode(item.text());
            int[] prompt = config.compressionPrompt() ? tokenizer.encode(compressionPrompt(item)) : new int[0];
            // an imported BERT was trained on [CLS] text [SEP]: its sequences close with <eos> (its [SEP]) before any prompt
            boolean closed = config.layout() == ModelConfig.Layout.BERT;
            int fixed = 1 + (instruction.length > 0 ? 2 : 0) + (item.hasImage() ? config.imageTokens() : 0)
                    + prompt.length + (config.compressionPrompt() ? 1 : 0) + (closed ? 1 : 0);
            int budget = config.maxTokens() - fixed;
            int needed = instruction.length + text.length;
            if (needed > budget && !truncate) {
                throw new TokenLimitException(i, needed + fixed, config.maxTokens());
            }
            int keepText = Math.max(0, Math.min(text.length, budget - Math.min(instruction.length, budget / 2)));
            int keepInstruction = Math.max(0, Math.min(instruction.length, budget - keepText));

            Sequence s = new Sequence();
            s.truncated = keepText < text.length || keepInstruction < instruction.length;
            s.add(tokenizer.bos, false);
            if (instruction.length > 0) {
                s.add(tokenizer.instructionStart, true);
                s.add(Arrays.copyOf(instruction, keepInstruction), true);
                s.add(tokenizer.instructionEnd, true);
            }
            if (item.hasImage()) {
                s.image(item.image());
            }
            s.add(Arrays.copyOf(text, keepText), false);
            if (closed) {
                s.add(tokenizer.eos, false);
            }
            if (config.compressionPrompt()) {
                s.add(prompt, false);
                s.add(tokenizer.emb, false);
            }
            sequences.add(s);
        }
        return pack(sequences, config.pooling() == ModelConfig.Pooling.LAST_TOKEN, config.instructionMasking(), false);
    }

    /**
     * Reranker sequences: {@code <bos> prompt Query: [image] instruction text Candidate: [image] text};
     * the answer is read out at the last position. Query and candidate text share what the limit
     * leaves, each keeping at least half when both are long.
     */
    public SequenceBatch rerank(List<RerankPair> pairs, boolean truncate) throws TokenLimitException {
        java.util.Map<Item, Set<Integer>> words = new java.util.IdentityHashMap<>(); // each distinct query's, once
        List<Sequence> sequences = new ArrayList<>(pairs.size());
        for (int i = 0; i < pairs.size(); i++) {
            Item query = pairs.get(i).query();
            Item candidate = pairs.get(i).candidate();
            RerankText t = rerankText(pairs.get(i), i, truncate);
            int[] q = t.query();
            int[] c = t.candidate();
            int keepQ = t.keepQuery();
            int keepC = t.keepCandidate();

            Sequence s = new Sequence();
            s.truncated = keepQ < q.length || keepC < c.length;
            s.add(tokenizer.bos, false);
            s.add(rerankPrompt, false);
            s.add(queryMarker, false);
            if (query.hasImage()) {
                s.image(query.image());
            }
            s.add(Arrays.copyOf(q, keepQ), false);
            s.add(candidateMarker, false);
            if (candidate.hasImage()) {
                s.image(candidate.image());
            }
            s.addCandidate(Arrays.copyOf(c, keepC), words.computeIfAbsent(query, this::queryWords));
            sequences.add(s);
        }
        return pack(sequences, true, false, false, true);
    }

    /**
     * The query's own text tokens (not its instruction's, which every query of a task shares) that a candidate token is
     * flagged for matching; {@code <unk>} never matches, since two unknown words are not the same word.
     */
    private Set<Integer> queryWords(Item query) {
        Set<Integer> out = new HashSet<>();
        for (int t : tokenizer.encode(query.text())) {
            out.add(t);
        }
        out.remove(tokenizer.unk);
        return out;
    }

    /** A pair's text tokens and how many of each the token limit keeps. */
    private record RerankText(int[] query, int[] candidate, int keepQuery, int keepCandidate) {}

    /** Query and candidate text share what the limit leaves, each keeping at least half when both are long. */
    private RerankText rerankText(RerankPair pair, int index, boolean truncate) throws TokenLimitException {
        Item query = pair.query();
        Item candidate = pair.candidate();
        int[] q = tokenizer.encode((query.instruction() + " " + query.text()).trim());
        int[] c = tokenizer.encode(candidate.text());
        int fixed = 1 + rerankPrompt.length + queryMarker.length + candidateMarker.length
                + (query.hasImage() ? config.imageTokens() : 0) + (candidate.hasImage() ? config.imageTokens() : 0);
        int budget = Math.max(0, config.maxTokens() - fixed);
        if (q.length + c.length > budget && !truncate) {
            throw new TokenLimitException(index, q.length + c.length + fixed, config.maxTokens());
        }
        int keepQ = Math.min(q.length, Math.max(budget / 2, budget - c.length));
        return new RerankText(q, c, keepQ, Math.min(c.length, budget - keepQ));
    }

    /**
     * The reranker's pairs split at the candidate marker: each distinct query's prefix
     * {@code <bos> prompt query-marker [<image>] query} once, and each pair's suffix
     * {@code candidate-marker [<image>] candidate}. Null when a query would lose text to the token
     * limit (its prefix would then differ per candidate): score those the plain way.
     */
    public PrefixedBatch rerankPrefixed(List<RerankPair> pairs, boolean truncate) throws TokenLimitException {
        java.util.Map<Item, Integer> groups = new java.util.IdentityHashMap<>();
        java.util.Map<Item, Set<Integer>> words = new java.util.IdentityHashMap<>(); // each distinct query's, once
        List<Sequence> prefixes = new ArrayList<>();
        List<Sequence> suffixes = new ArrayList<>(pairs.size());
        int[] prefixOf = new int[pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            Item query = pairs.get(i).query();
            Item candidate = pairs.get(i).candidate();
            RerankText t = rerankText(pairs.get(i), i, truncate);
            int[] q = t.query();
            int[] c = t.candidate();
            int keepQ = t.keepQuery();
            if (keepQ < q.length) {
                return null;
            }
            Integer g = groups.get(query);
            if (g == null) {
                g = prefixes.size();
                groups.put(query, g);
                Sequence p = new Sequence();
                p.add(tokenizer.bos, false);
                p.add(rerankPrompt, false);
                p.add(queryMarker, false);
                if (query.hasImage()) {
                    p.image(query.image());
                }
                p.add(q, false);
                prefixes.add(p);
            }
            prefixOf[i] = g;
            int keepC = t.keepCandidate();
            Sequence s = new Sequence();
            s.truncated = keepC < c.length;
            s.add(candidateMarker, false);
            if (candidate.hasImage()) {
                s.image(candidate.image());
            }
            s.addCandidate(Arrays.copyOf(c, keepC), words.computeIfAbsent(query, this::queryWords));
            suffixes.add(s);
        }
        return new PrefixedBatch(pack(prefixes, true, false, false), pack(suffixes, true, false, false, true), prefixOf,
                config.maxTokens());
    }

    /**
     * Generative pre-training sequences: {@code <bos> [<image> x P] text <eos>}, with next-token
     * targets on the text and the final {@code <eos>} (captioning when there is an image, plain
     * language modelling otherwise).
     */
    public SequenceBatch generative(List<Item> items) {
        List<Sequence> sequences = new ArrayList<>(items.size());
        for (Item item : items) {
            int[] text = tokenizer.encode(item.text());
            int fixed = 2 + (item.hasImage() ? config.imageTokens() : 0);
            int keep = Math.min(text.length, config.maxTokens() - fixed);
            Sequence s = new Sequence();
            s.truncated = keep < text.length;
            s.add(tokenizer.bos, false);
            if (item.hasImage()) {
                s.image(item.image());
            }
            s.add(Arrays.copyOf(text, keep), false);
            s.add(tokenizer.eos, false);
            sequences.add(s);
        }
        return pack(sequences, false, false, true);
    }

    private String compressionPrompt(Item item) {
        if (item.hasImage() && !item.text().isEmpty()) {
            return Prompts.SUMMARIZE_IMAGE_TEXT;
        }
        return item.hasImage() ? Prompts.SUMMARIZE_IMAGE : Prompts.SUMMARIZE_TEXT;
    }

    private SequenceBatch pack(List<Sequence> sequences, boolean lastPosition, boolean maskInstruction, boolean withTargets) {
        return pack(sequences, lastPosition, maskInstruction, withTargets, false);
    }

    /** {@code withMatches}: the batch carries each position's exact-match flag (reranker pairs and their suffixes). */
    private SequenceBatch pack(List<Sequence> sequences, boolean lastPosition, boolean maskInstruction, boolean withTargets,
            boolean withMatches) {
        int b = sequences.size();
        int t = sequences.stream().mapToInt(s -> s.ids.size()).max().orElse(1);
        long[] tokens = new long[b * t];
        Arrays.fill(tokens, tokenizer.pad);
        int[] lengths = new int[b];
        float[] readout = new float[b * t];
        long[] imageIndex = new long[b * t];
        long[] targets = withTargets ? new long[b * t] : null;
        if (targets != null) {
            Arrays.fill(targets, -1);
        }
        boolean[] truncated = new boolean[b];
        float[] matched = withMatches ? new float[b * t] : null;
        List<float[]> images = new ArrayList<>();
        int patches = config.imageTokens();

        for (int i = 0; i < b; i++) {
            Sequence s = sequences.get(i);
            int len = s.ids.size();
            lengths[i] = len;
            truncated[i] = s.truncated;
            int row = i * t;
            int imageRun = 0;
            int pooled = 0;
            for (int p = 0; p < len; p++) {
                int id = s.ids.get(p);
                tokens[row + p] = id;
                if (matched != null && s.matched.get(p)) {
                    matched[row + p] = 1;
                }
                if (id == tokenizer.image) {
                    if (imageRun % patches == 0) {
                        images.add(s.images.get(imageRun / patches));
                    }
                    imageIndex[row + p] = 1 + (long) (images.size() - 1) * patches + imageRun % patches;
                    imageRun++;
                }
                if (!lastPosition && !(maskInstruction && s.instruction.get(p))) {
                    readout[row + p] = 1;
                    pooled++;
                }
                if (targets != null && p + 1 < len && s.ids.get(p + 1) != tokenizer.image) {
                    targets[row + p] = s.ids.get(p + 1);
                }
            }
            if (lastPosition) {
                readout[row + len - 1] = 1;
            } else {
                for (int p = 0; p < len; p++) {
                    readout[row + p] /= pooled;
                }
            }
        }
        float[] pixels = new float[images.size() * 3 * config.imageSize() * config.imageSize()];
        for (int n = 0; n < images.size(); n++) {
            System.arraycopy(images.get(n), 0, pixels, n * images.get(n).length, images.get(n).length);
        }
        return new SequenceBatch(b, t, tokens, lengths, readout, imageIndex, pixels, images.size(), targets, truncated, matched);
    }
}

package dev.umarvel.model.text;

import java.util.List;

/** The fixed texts the model is prompted with; their words are always in the vocabulary. */
public final class Prompts {

    private Prompts() {}

    /** The reranker's question (u-marvel.md section 6; the original's "responed" typo fixed). */
    public static final String RERANK = "I will provide you with a query and a candidate. Please evaluate whether the "
            + "candidate meets the requirements of the query. If it does, respond with 'Yes'; if it doesn't, "
            + "respond with 'No'.";

    /** Marks the query part of a reranker prompt. */
    public static final String QUERY = "Query:";

    /** Marks the candidate part of a reranker prompt. */
    public static final String CANDIDATE = "Candidate:";

    /** The positive answer word. */
    public static final String YES = "Yes";

    /** The negative answer word. */
    public static final String NO = "No";

    /** Compression prompt after image and text (followed by {@code <emb>}). */
    public static final String SUMMARIZE_IMAGE_TEXT = "Summarize above image and sentence in one word:";

    /** Compression prompt after text only. */
    public static final String SUMMARIZE_TEXT = "Summarize above sentence in one word:";

    /** Compression prompt after an image only. */
    public static final String SUMMARIZE_IMAGE = "Summarize above image in one word:";

    /** Every prompt text, for the vocabulary. */
    public static List<String> all() {
        return List.of(RERANK, QUERY, CANDIDATE, YES, NO, SUMMARIZE_IMAGE_TEXT, SUMMARIZE_TEXT, SUMMARIZE_IMAGE);
    }
}

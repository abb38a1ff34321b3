package dev.umarvel.recipe;

/** Every job the trainer runs: the stages of the recipe and the tools around them (see trainer.proto). */
public enum JobKind {
    PRETRAIN, TEXT_ALIGN, CROSS_MODAL, INSTRUCTION, MINE_HARD_NEGATIVES, HARD_NEGATIVE, RERANKER, DISTILL, CONTINUE_HARD, EVALUATE;

    /** Kinds that train weights (the others only read a checkpoint). */
    public boolean trains() {
        return this != MINE_HARD_NEGATIVES && this != EVALUATE;
    }

    /** Kinds that train the embedder with a contrastive loss. */
    public boolean contrastive() {
        return this == TEXT_ALIGN || this == CROSS_MODAL || this == INSTRUCTION || this == HARD_NEGATIVE || this == CONTINUE_HARD;
    }
}

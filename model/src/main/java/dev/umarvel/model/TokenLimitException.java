package dev.umarvel.model;

/** An item whose text does not fit the token limit while truncation was refused. */
public final class TokenLimitException extends Exception {

    private final int index;

    public TokenLimitException(int index, int tokens, int limit) {
        super("item " + index + " needs " + tokens + " tokens, over the limit of " + limit);
        this.index = index;
    }

    /** Position of the item in its batch. */
    public int index() {
        return index;
    }
}

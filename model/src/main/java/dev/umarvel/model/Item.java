package dev.umarvel.model;

/**
 * One thing the model reads: an optional instruction (queries only), optional text and an optional
 * image already decoded to (3, S, S) floats by {@link dev.umarvel.model.image.ImageDecoder}.
 */
public record Item(String instruction, String text, float[] image) {

    public Item {
        instruction = instruction == null ? "" : instruction;
        text = text == null ? "" : text;
        if (text.isEmpty() && image == null) {
            throw new IllegalArgumentException("an item needs text or an image");
        }
    }

    /** A query: instruction plus content. */
    public static Item query(String instruction, String text, float[] image) {
        return new Item(instruction, text, image);
    }

    /** A candidate: content without instruction. */
    public static Item candidate(String text, float[] image) {
        return new Item("", text, image);
    }

    public boolean hasImage() {
        return image != null;
    }
}

package dev.umarvel.mbeir;

/** The three modalities of M-BEIR, with their exact strings in the files. */
public enum Modality {
    TEXT("text"),
    IMAGE("image"),
    IMAGE_TEXT("image,text");

    private final String wire;

    Modality(String wire) {
        this.wire = wire;
    }

    /** The string M-BEIR files use: "text", "image" or "image,text". */
    public String wire() {
        return wire;
    }

    /** Parses a file's modality string; "text,image" (the dataset card's loose spelling) is accepted too. */
    public static Modality parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("modality is missing");
        }
        return switch (s.trim()) {
            case "text" -> TEXT;
            case "image" -> IMAGE;
            case "image,text", "text,image" -> IMAGE_TEXT;
            default -> throw new IllegalArgumentException("unknown modality '" + s + "': expected text, image or image,text");
        };
    }

    /** The modality of content with or without text and image. */
    public static Modality of(boolean hasText, boolean hasImage) {
        if (hasText && hasImage) {
            return IMAGE_TEXT;
        }
        if (hasImage) {
            return IMAGE;
        }
        if (hasText) {
            return TEXT;
        }
        throw new IllegalArgumentException("content has neither text nor image");
    }

    public boolean hasText() {
        return this != IMAGE;
    }

    public boolean hasImage() {
        return this != TEXT;
    }
}

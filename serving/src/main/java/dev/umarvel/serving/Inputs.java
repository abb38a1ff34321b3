package dev.umarvel.serving;

import dev.umarvel.api.StorePath;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.Truncation;
import dev.umarvel.model.Item;
import dev.umarvel.model.image.ImageDecoder;
import dev.umarvel.model.image.ImageRejectedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Request items, from protobuf to model inputs, checked on the way: every refusal names the field at
 * fault the way the request spells it ({@code items[3].query.content.image.data}), so a client with
 * a thousand items knows which one to fix.
 */
public final class Inputs {

    /** Per-call bounds; images are also bounded by the decoder's byte and pixel limits. */
    public record Limits(int maxItems, long maxImageBytes, long maxImagePixels) {}

    /** A field the service will not take: INVALID_ARGUMENT. */
    public static final class InvalidInputException extends Exception {
        public InvalidInputException(String field, String problem) {
            super(field + ": " + problem);
        }
    }

    /** A store path that names no file: NOT_FOUND. */
    public static final class MissingFileException extends Exception {
        MissingFileException(String field, String path) {
            super(field + ": no file at store path '" + path + "'");
        }
    }

    private final Path store;
    private final Limits limits;
    private final ImageDecoder decoder;

    public Inputs(Path store, Limits limits, int imageSize) {
        this.store = store.toAbsolutePath().normalize();
        this.limits = limits;
        this.decoder = new ImageDecoder(imageSize, limits.maxImageBytes(), limits.maxImagePixels());
    }

    /** The image side of this service's model. */
    public int imageSize() {
        return decoder.size();
    }

    /** Refuses an empty list or one over the per-call limit. */
    public void checkCount(int count, String field) throws InvalidInputException {
        if (count == 0) {
            throw new InvalidInputException(field, "no items");
        }
        if (count > limits.maxItems()) {
            throw new InvalidInputException(field, count + " items, over the limit of " + limits.maxItems() + " per call");
        }
    }

    /** TRUNCATE (or unset, with the service default) cuts text to fit; REJECT refuses it. */
    public static boolean truncates(Truncation truncation, int rawValue, boolean serviceDefault) throws InvalidInputException {
        return switch (truncation) {
            case TRUNCATION_UNSPECIFIED -> serviceDefault;
            case TRUNCATION_TRUNCATE -> true;
            case TRUNCATION_REJECT -> false;
            case UNRECOGNIZED -> throw new InvalidInputException("truncation", "unknown value " + rawValue);
        };
    }

    /** An embedder item: a query or a candidate. */
    public Item item(EmbedItem item, String field) throws InvalidInputException, MissingFileException {
        return switch (item.getItemCase()) {
            case QUERY -> query(item.getQuery(), field + ".query");
            case CANDIDATE -> candidate(item.getCandidate(), field + ".candidate");
            case ITEM_NOT_SET -> throw new InvalidInputException(field, "empty item: set query or candidate");
        };
    }

    public Item query(Query query, String field) throws InvalidInputException, MissingFileException {
        Content c = query.getContent();
        return Item.query(query.getInstruction(), text(c), image(c, field + ".content"));
    }

    public Item candidate(Content content, String field) throws InvalidInputException, MissingFileException {
        return Item.candidate(text(content), image(content, field));
    }

    private static String text(Content c) {
        return c.getText().isBlank() ? null : c.getText();
    }

    /** The decoded image of a content, or null; refuses content with neither text nor image. */
    private float[] image(Content c, String field) throws InvalidInputException, MissingFileException {
        if (!c.hasImage()) {
            if (c.getText().isBlank()) {
                throw new InvalidInputException(field, "empty content: set text or image");
            }
            return null;
        }
        Image image = c.getImage();
        String at = field + ".image";
        byte[] bytes = switch (image.getSourceCase()) {
            case DATA -> image.getData().toByteArray();
            case STORE_PATH -> read(image.getStorePath(), at + ".store_path");
            case SOURCE_NOT_SET -> throw new InvalidInputException(at, "set data or store_path");
        };
        if (bytes.length == 0) {
            throw new InvalidInputException(at + ".data", "empty image");
        }
        try {
            return decoder.decode(bytes, image.getMimeType());
        } catch (ImageRejectedException e) {
            String sub = e.reason() == ImageRejectedException.Reason.UNSUPPORTED_TYPE && !image.getMimeType().isBlank()
                    ? ".mime_type" : ".data";
            throw new InvalidInputException(at + sub, e.getMessage());
        }
    }

    /** Reads a file under the store; paths that leave it are refused before touching the disk. */
    private byte[] read(String relative, String field) throws InvalidInputException, MissingFileException {
        if (relative.isBlank()) {
            throw new InvalidInputException(field, "empty path");
        }
        Path path;
        try {
            path = StorePath.confine(store, relative);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field, e.getMessage());
        }
        try {
            long size = Files.size(path);
            if (size > limits.maxImageBytes()) {
                throw new InvalidInputException(field, size + " bytes exceed the limit of " + limits.maxImageBytes());
            }
            return Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new MissingFileException(field, relative);
        } catch (IOException e) {
            throw new InvalidInputException(field, "unreadable: " + e.getMessage());
        }
    }
}

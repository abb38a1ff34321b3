package dev.umarvel.recipe.data;

import dev.umarvel.model.Item;
import dev.umarvel.model.image.ImageDecoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Turns stored sides into model items, decoding images from the dataset root. */
public final class ImageLoader {

    private final Path root;
    private final ImageDecoder decoder;

    public ImageLoader(Path root, int imageSize) {
        this.root = root;
        this.decoder = new ImageDecoder(imageSize);
    }

    public float[] image(String relative) {
        if (relative == null) {
            return null;
        }
        try {
            return decoder.decode(Files.readAllBytes(root.resolve(relative)), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (dev.umarvel.model.image.ImageRejectedException e) {
            throw new IllegalStateException(root.resolve(relative) + ": " + e.getMessage(), e);
        }
    }

    public Item query(String instruction, Side side) {
        return Item.query(instruction, side.formattedText(), image(side.imagePath()));
    }

    public Item candidate(Side side) {
        return Item.candidate(side.formattedText(), image(side.imagePath()));
    }
}

package dev.umarvel.orchestrator;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.Modality;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A candidate as the index stores it: its protobuf, base64 (exact, and opaque to both backends).
 * Inline images are written once into the store, content-addressed, and replaced by their store
 * path: the index stays small and the reranker, which shares the store, reads them from there.
 */
final class CandidateCodec {

    private CandidateCodec() {}

    /** The modality the content has: text, image, or both. */
    static Modality modalityOf(Content c) {
        boolean text = !c.getText().isEmpty();
        boolean image = c.hasImage();
        return text && image ? Modality.MODALITY_IMAGE_TEXT : image ? Modality.MODALITY_IMAGE : text ? Modality.MODALITY_TEXT
                : Modality.MODALITY_UNSPECIFIED;
    }

    /** The stored form; inline image bytes go to {@code imagesDir} ({@code storeRoot}-relative paths in the result). */
    static String encode(Candidate c, Path storeRoot, Path imagesDir) throws IOException {
        Candidate stored = c;
        if (c.getContent().hasImage() && c.getContent().getImage().hasData()) {
            byte[] bytes = c.getContent().getImage().getData().toByteArray();
            Path file = imagesDir.resolve(sha256(bytes) + (isPng(bytes) ? ".png" : ".jpg"));
            if (!Files.exists(file)) {
                Files.createDirectories(imagesDir);
                Path tmp = Files.createTempFile(imagesDir, "img", ".part");
                Files.write(tmp, bytes);
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            Image byPath = Image.newBuilder().setStorePath(storeRoot.relativize(file).toString()).build();
            stored = c.toBuilder().setContent(c.getContent().toBuilder().setImage(byPath)).build();
        }
        if (stored.getModality() == Modality.MODALITY_UNSPECIFIED) {
            stored = stored.toBuilder().setModality(modalityOf(stored.getContent())).build();
        }
        return Base64.getEncoder().encodeToString(stored.toByteArray());
    }

    static Candidate decode(String stored) {
        try {
            return Candidate.parseFrom(Base64.getDecoder().decode(stored));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored candidate does not decode: " + e.getMessage(), e);
        }
    }

    private static boolean isPng(byte[] b) {
        return b.length > 4 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G';
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

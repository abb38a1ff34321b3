package dev.umarvel.mbeir.importer;

import dev.umarvel.mbeir.MbeirLayout;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A split fixed once for everyone: the first byte of an item's SHA-256 puts 10 % of the items in test (bytes 0-25),
 * 5 % in val (26-38) and the rest in training. No seed moves it, and an item added later leaves the others where they
 * were.
 */
final class HashSplit {

    private HashSplit() {
    }

    static String of(String key) {
        return split(sha256(key));
    }

    /** The split of a hash (hex) by its first byte. */
    static String split(String hash) {
        int b = Integer.parseInt(hash.substring(0, 2), 16);
        return b < 26 ? MbeirLayout.TEST : b < 39 ? MbeirLayout.VAL : MbeirLayout.TRAIN;
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.umarvel.onnximport;

import java.util.ArrayList;
import java.util.List;

/** A hundred varied sentences: one token, none, ~220 tokens (within every encoder's window), cased, accented, numeric, punctuated, other scripts, unknown symbols. */
final class Sentences {

    private Sentences() {}

    private static final String[] SUBJECTS = {"A red circle", "The small dog", "Two children", "An old fisherman", "Our Zürich café",
        "The CEO of ACME Corp.", "A naïve résumé", "Seven blue triangles", "The 1969 Moon landing", "北京的天气"};
    private static final String[] PREDICATES = {"sits on the left of the picture", "was photographed at dawn near the harbour",
        "costs $1,299.99 (tax included)!", "is shown beside a yellow square?", "appeared in C++ & Java tutorials in 2024",
        "— reportedly — won the Nobel Prize", "looks 🙂 happy", "runs faster than anyone in the U.S.A.",
        "is described as \"unbelievable\" by critics", "has e-mail: someone@example.com"};

    static List<String> hundred() {
        List<String> out = new ArrayList<>();
        for (String s : SUBJECTS) {
            for (String p : PREDICATES) {
                out.add(s + " " + p);
            }
        }
        out.set(0, "a");                                              // one token
        out.set(1, "");                                               // nothing but [CLS] [SEP]
        out.set(2, String.join(" ", java.util.Collections.nCopies(20, "The quick brown fox jumps over the lazy dog.")));
        out.set(3, "UPPERCASE SHOUTING ABOUT ANTIDISESTABLISHMENTARIANISM");
        return out;
    }

    /** Cosine of two vectors, in double precision. */
    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}

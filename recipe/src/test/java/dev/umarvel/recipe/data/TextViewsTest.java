package dev.umarvel.recipe.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TextViewsTest {

    private static final String TEXT = "w0 w1 w2 w3 w4 w5 w6";

    @Test
    void aViewIsAContiguousSpanOfAtLeastHalfTheWordsAndEverySuchSpanOccurs() {
        Random random = new Random(11);
        Set<String> seen = new HashSet<>();
        for (int trial = 0; trial < 2000; trial++) {
            String view = TextViews.crop(TEXT, random);
            String[] words = view.split(" ");
            assertTrue(words.length >= 4 && words.length <= 7, view);
            int first = Integer.parseInt(words[0].substring(1));
            for (int i = 0; i < words.length; i++) {
                assertEquals("w" + (first + i), words[i], "contiguous: " + view);
            }
            seen.add(view);
        }
        // lengths 4..7 of 7 words: 4 + 3 + 2 + 1 spans
        assertEquals(10, seen.size(), seen.toString());
    }

    @Test
    void shortTextsGiveNoViews() {
        assertFalse(TextViews.croppable("a red circle on the"));
        assertFalse(TextViews.croppable(null));
        assertTrue(TextViews.croppable("  a red circle on the left "));
        assertEquals("one", TextViews.crop(" one ", new Random(1)));
        for (String view : List.of(TextViews.crop("a b", new Random(2)), TextViews.crop("a b", new Random(3)))) {
            assertTrue(view.equals("a b") || view.equals("a") || view.equals("b"), view);
        }
    }
}

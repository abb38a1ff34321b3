package dev.umarvel.recipe.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImageViewsTest {

    private static final int SIDE = 32;

    /** One bright pixel at (x, y) in every channel of a black image. */
    private static float[] dot(int x, int y) {
        float[] p = new float[3 * SIDE * SIDE];
        java.util.Arrays.fill(p, -1f);
        for (int c = 0; c < 3; c++) {
            p[(c * SIDE + y) * SIDE + x] = 0.5f;
        }
        return p;
    }

    @Test
    void aViewShiftsByAtMostOnePixelAt32AndMovesEachChannelByAtMostTheShade() {
        Set<String> shifts = new HashSet<>();
        Random random = new Random(7);
        for (int trial = 0; trial < 200; trial++) {
            float[] view = ImageViews.view(dot(16, 16), SIDE, random);
            int bx = -1;
            int by = -1;
            for (int c = 0; c < 3; c++) {
                float background = view[(c * SIDE) * SIDE]; // a corner: background, shaded
                assertTrue(Math.abs(background - -1f) <= ImageViews.MAX_SHADE + 1e-6, "shade " + background);
                for (int i = 0; i < SIDE * SIDE; i++) {
                    float v = view[c * SIDE * SIDE + i];
                    if (v > 0) {
                        assertEquals(0.5f, v, ImageViews.MAX_SHADE + 1e-6);
                        if (c == 0) {
                            bx = i % SIDE;
                            by = i / SIDE;
                        }
                    } else {
                        assertEquals(background, v, 1e-6, "one shade per channel");
                    }
                }
            }
            assertTrue(Math.abs(bx - 16) <= 1 && Math.abs(by - 16) <= 1, "moved to " + bx + "," + by);
            shifts.add(bx + "," + by);
        }
        assertEquals(9, shifts.size(), "every shift of -1, 0, 1 in x and y occurs: " + shifts);
    }

    @Test
    void edgesRepeatValuesStayInRangeAndTheSameRandomGivesTheSameView() {
        float[] edge = dot(0, 0);
        for (int trial = 0; trial < 50; trial++) {
            for (float v : ImageViews.view(edge, SIDE, new Random(trial))) {
                assertTrue(v >= -1f && v <= 1f, "value " + v);
            }
        }
        assertArrayEquals(ImageViews.view(edge, SIDE, new Random(3)), ImageViews.view(edge, SIDE, new Random(3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImageViews.view(new float[10], SIDE, new Random()));
        assertEquals("expected 3 x 32 x 32 values, got 10", e.getMessage());
    }
}

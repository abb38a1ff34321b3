package dev.umarvel.mbeir.synth;

import java.awt.Color;
import java.util.List;
import java.util.Random;

/** The vocabulary of the synthetic world: every attribute a thing can have, with its words. */
public final class Attributes {

    private Attributes() {}

    /** Colours, with the RGB they are painted in. */
    public enum Colour {
        RED(220, 40, 40), GREEN(40, 170, 60), BLUE(40, 80, 220), YELLOW(235, 210, 40), PURPLE(140, 60, 180),
        ORANGE(245, 140, 30), PINK(240, 120, 180), BROWN(130, 80, 40), GREY(128, 128, 128), BLACK(25, 25, 25);

        public final Color rgb;

        Colour(int r, int g, int b) {
            this.rgb = new Color(r, g, b);
        }

        public String word() {
            return name().toLowerCase();
        }
    }

    /** Shapes the renderer can draw. */
    public enum Shape {
        CIRCLE, SQUARE, TRIANGLE, DIAMOND, STAR, CROSS, HEXAGON, RING;

        public String word() {
            return name().toLowerCase();
        }
    }

    /** Two sizes, far enough apart to see at 32x32. */
    public enum Size {
        SMALL(7, List.of("small", "little", "tiny")),
        LARGE(12, List.of("large", "big", "huge"));

        public final int radius;
        public final List<String> words;

        Size(int radius, List<String> words) {
            this.radius = radius;
            this.words = words;
        }
    }

    /** Surface patterns. */
    public enum Texture {
        PLAIN(List.of("plain", "solid", "")),
        STRIPED(List.of("striped", "stripy", "banded")),
        DOTTED(List.of("dotted", "spotted", "polka-dot"));

        public final List<String> words;

        Texture(List<String> words) {
            this.words = words;
        }
    }

    /** Cells of a 3x3 grid. */
    public enum Position {
        TOP_LEFT(0, 0, "in the top left corner", "at the upper left"),
        TOP(1, 0, "at the top", "near the top edge"),
        TOP_RIGHT(2, 0, "in the top right corner", "at the upper right"),
        LEFT(0, 1, "on the left", "at the left side"),
        CENTER(1, 1, "in the center", "in the middle"),
        RIGHT(2, 1, "on the right", "at the right side"),
        BOTTOM_LEFT(0, 2, "in the bottom left corner", "at the lower left"),
        BOTTOM(1, 2, "at the bottom", "near the bottom edge"),
        BOTTOM_RIGHT(2, 2, "in the bottom right corner", "at the lower right");

        public final int column;
        public final int row;
        public final List<String> phrases;

        Position(int column, int row, String... phrases) {
            this.column = column;
            this.row = row;
            this.phrases = List.of(phrases);
        }
    }

    /** Pale backgrounds, so every colour stays visible. */
    public static final List<Color> BACKGROUNDS = List.of(new Color(245, 240, 225), new Color(225, 235, 245),
            new Color(235, 235, 235), new Color(240, 225, 240), new Color(225, 245, 230));

    static <T> T pick(List<T> values, Random random) {
        return values.get(random.nextInt(values.size()));
    }

    static <E extends Enum<E>> E pick(Class<E> type, Random random) {
        E[] values = type.getEnumConstants();
        return values[random.nextInt(values.length)];
    }
}

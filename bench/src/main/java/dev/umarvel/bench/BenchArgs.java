package dev.umarvel.bench;

import java.util.Arrays;
import java.util.List;

/**
 * A bench's command line: flags ({@code --quick}) and options with one value ({@code --max 100000}). An option given
 * without its value, or with one that is not a number where a number is read, is refused naming the option.
 */
record BenchArgs(List<String> words) {

    BenchArgs(String[] args) {
        this(List.of(args));
    }

    boolean has(String flag) {
        return words.contains(flag);
    }

    String text(String option, String fallback) {
        int at = words.indexOf(option);
        if (at < 0) {
            return fallback;
        }
        if (at + 1 >= words.size() || words.get(at + 1).startsWith("--")) {
            throw new IllegalArgumentException(option + ": needs a value");
        }
        return words.get(at + 1);
    }

    int integer(String option, int fallback) {
        return has(option) ? number(option, () -> Integer.parseInt(text(option, null))) : fallback;
    }

    double decimal(String option, double fallback) {
        return has(option) ? number(option, () -> Double.parseDouble(text(option, null))) : fallback;
    }

    /** A comma-separated list of integers ({@code --beams 10,20,40}). */
    int[] integers(String option, int... fallback) {
        return has(option) ? number(option, () -> Arrays.stream(text(option, null).split(",")).mapToInt(Integer::parseInt).toArray())
                : fallback;
    }

    private static <T> T number(String option, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": not a number (" + e.getMessage() + ")");
        }
    }
}

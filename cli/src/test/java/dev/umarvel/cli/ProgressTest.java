package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Progress written to a file or a pipe: a line per few percent, whole lines, not a redraw per tick. */
class ProgressTest {

    static List<String> lines(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aLogGetsALineEveryFivePercentAndOneAtTheEnd() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Progress p = new Progress("hard-negatives", 400, false, new PrintStream(out, true, StandardCharsets.UTF_8))) {
            for (int step = 1; step <= 400; step++) {
                p.update(step, 400, String.format("loss %.3f", 2.0 / step));
            }
        }
        List<String> lines = lines(out);
        assertEquals(21, lines.size(), String.join("\n", lines)); // 0 %, 5 %, ..., 100 %
        assertTrue(lines.get(0).matches("hard-negatives   0% 1/400 \\(0:00:\\d\\d\\) loss 2\\.000"), lines.get(0));
        assertTrue(lines.get(1).startsWith("hard-negatives   5% 20/400 "), lines.get(1));
        assertTrue(lines.get(20).startsWith("hard-negatives 100% 400/400 "), lines.get(20));
        assertFalse(out.toString(StandardCharsets.UTF_8).contains("\r"), "no carriage returns in a log");
    }

    @Test
    void aStepFedTaskThatEndsEarlyStillSaysItEnded() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Progress p = new Progress("generate tiny", 65, false, new PrintStream(out, true, StandardCharsets.UTF_8))) {
            Consumer<String> steps = p.steps();
            steps.accept("queries train visualnews_task0");
            steps.accept("queries train mscoco_task0");
        }
        List<String> lines = lines(out);
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("generate tiny   1% 1/65 ") && lines.get(0).endsWith(" queries train visualnews_task0"), lines.get(0));
        assertTrue(lines.get(1).startsWith("generate tiny 100% 65/65 "), lines.get(1));
    }
}

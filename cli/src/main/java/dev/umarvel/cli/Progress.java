package dev.umarvel.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar fed by the step messages of a long task. On a terminal it redraws in place; when the output is a file
 * or a pipe (CI logs, {@code > log}) it prints one line each time the task passes another {@link #LINE_EVERY_PERCENT}
 * percent, and one when it ends, instead of a redraw per tick that a file keeps as one endless line.
 */
final class Progress implements AutoCloseable {

    /** How far a task moves between two lines of a log: 20 lines for a whole task at most. */
    static final int LINE_EVERY_PERCENT = 5;

    private final String task;
    private final ProgressBar bar; // null when the output is not a terminal
    private final PrintStream out;
    private final long started = System.nanoTime();
    private long step;
    private long max;
    private String message = "";
    private int printedBucket = -1; // percent / LINE_EVERY_PERCENT of the last line printed
    private boolean closed;

    Progress(String task, long steps) {
        this(task, steps, System.console() != null, System.out);
    }

    Progress(String task, long steps, boolean terminal, PrintStream out) {
        this.task = task;
        this.max = Math.max(1, steps);
        this.out = out;
        this.bar = terminal ? new ProgressBarBuilder().setTaskName(task).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200).continuousUpdate().build() : null;
    }

    /** A consumer that advances the bar by one step per message and shows the message. */
    Consumer<String> steps() {
        return m -> {
            if (bar != null) {
                bar.setExtraMessage(m);
                bar.step();
            } else {
                moveTo(step + 1, max, m);
            }
        };
    }

    /** Moves the bar to {@code step} of {@code total} with a message. */
    void update(long step, long total, String message) {
        if (bar != null) {
            bar.maxHint(total);
            bar.stepTo(step);
            bar.setExtraMessage(message);
        } else {
            moveTo(step, total, message);
        }
    }

    /** A line above the bar. */
    void println(String line) {
        if (bar != null) {
            System.out.println();
        }
        out.println(line);
    }

    private void moveTo(long step, long total, String message) {
        this.step = step;
        this.max = Math.max(1, total);
        this.message = message == null ? "" : message;
        int percent = (int) Math.min(100, 100 * step / max);
        if (percent / LINE_EVERY_PERCENT > printedBucket) {
            printLine(percent);
        }
    }

    private void printLine(int percent) {
        printedBucket = percent / LINE_EVERY_PERCENT;
        Duration d = Duration.ofNanos(System.nanoTime() - started);
        out.printf("%s %3d%% %d/%d (%d:%02d:%02d)%s%n", task, percent, step, max, d.toHours(), d.toMinutesPart(), d.toSecondsPart(),
                message.isEmpty() ? "" : " " + message);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (bar != null) {
                bar.stepTo(bar.getMax());
                bar.close();
            } else if (printedBucket < 100 / LINE_EVERY_PERCENT) {
                step = max;
                printLine(100);
            }
        }
    }
}

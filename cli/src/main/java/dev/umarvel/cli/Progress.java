package dev.umarvel.cli;

import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar fed by the step messages of a long task. */
final class Progress implements AutoCloseable {

    private final ProgressBar bar;

    Progress(String task, long steps) {
        this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(200).continuousUpdate().build();
    }

    /** A consumer that advances the bar by one step per message and shows the message. */
    Consumer<String> steps() {
        return message -> {
            bar.setExtraMessage(message);
            bar.step();
        };
    }

    /** Moves the bar to {@code step} of {@code total} with a message. */
    void update(long step, long total, String message) {
        bar.maxHint(total);
        bar.stepTo(step);
        bar.setExtraMessage(message);
    }

    /** A line above the bar. */
    void println(String line) {
        System.out.println();
        System.out.println(line);
    }

    private boolean closed;

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            bar.stepTo(bar.getMax());
            bar.close();
        }
    }
}

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

    @Override
    public void close() {
        bar.stepTo(bar.getMax());
        bar.close();
    }
}

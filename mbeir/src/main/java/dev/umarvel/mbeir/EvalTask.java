package dev.umarvel.mbeir;

import java.util.List;

/**
 * One of the 16 M-BEIR evaluation tasks: a dataset, a task id, and the k of its reported Recall@k
 * (10 for Fashion200K both ways and FashionIQ, 5 otherwise).
 */
public record EvalTask(MbeirDataset dataset, int taskId, int k) {

    /** The 16 tasks in the standard UniIR order; the headline is the plain mean over them. */
    public static final List<EvalTask> ALL = List.of(
            new EvalTask(MbeirDataset.VISUALNEWS, 0, 5),
            new EvalTask(MbeirDataset.MSCOCO, 0, 5),
            new EvalTask(MbeirDataset.FASHION200K, 0, 10),
            new EvalTask(MbeirDataset.WEBQA, 1, 5),
            new EvalTask(MbeirDataset.EDIS, 2, 5),
            new EvalTask(MbeirDataset.WEBQA, 2, 5),
            new EvalTask(MbeirDataset.VISUALNEWS, 3, 5),
            new EvalTask(MbeirDataset.MSCOCO, 3, 5),
            new EvalTask(MbeirDataset.FASHION200K, 3, 10),
            new EvalTask(MbeirDataset.NIGHTS, 4, 5),
            new EvalTask(MbeirDataset.OVEN, 6, 5),
            new EvalTask(MbeirDataset.INFOSEEK, 6, 5),
            new EvalTask(MbeirDataset.FASHIONIQ, 7, 10),
            new EvalTask(MbeirDataset.CIRR, 7, 5),
            new EvalTask(MbeirDataset.OVEN, 8, 5),
            new EvalTask(MbeirDataset.INFOSEEK, 8, 5));

    /** File-name stem, e.g. "mscoco_task0". */
    public String name() {
        return dataset.stem() + "_task" + taskId;
    }

    /** The reported metric, "R@5" or "R@10". */
    public String metric() {
        return "R@" + k;
    }

    public Modality queryModality() {
        return TaskId.queryModality(taskId);
    }

    public Modality candidateModality() {
        return TaskId.candidateModality(taskId);
    }

    /** The task named "dataset_taskN". */
    public static EvalTask byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown task '" + name + "'"));
    }
}

package dev.umarvel.mbeir;

import java.util.List;

/**
 * An evaluation task: a dataset (its file-name stem and the id its qids and dids carry), an M-BEIR task id (which
 * says the query and candidate modalities), and the k of its reported Recall@k. M-BEIR's 16 tasks are {@link #ALL};
 * a directory may hold others (a dataset of the user's own, in the same layout), found by {@link MbeirLayout#tasks}.
 *
 * @param dataset the lower-case stem of its files, e.g. "mscoco" in mbeir_mscoco_task0_test.jsonl
 * @param datasetId the id before the colon of its qids and dids
 */
public record EvalTask(String dataset, int datasetId, int taskId, int k) {

    /** The k a task that is not M-BEIR's reports (M-BEIR's own: 5, or 10 for the fashion tasks). */
    public static final int DEFAULT_K = 5;

    public EvalTask {
        if (!dataset.matches("[a-z0-9][a-z0-9_-]*")) {
            throw new IllegalArgumentException("dataset name '" + dataset + "': lower-case letters, digits, '_' and '-' only");
        }
        TaskId.queryModality(taskId); // refuses an id outside 0..8
    }

    /** One of M-BEIR's tasks. */
    static EvalTask mbeir(MbeirDataset dataset, int taskId, int k) {
        return new EvalTask(dataset.stem(), dataset.id(), taskId, k);
    }

    /** The 16 tasks in the standard UniIR order; the headline is the plain mean over them. */
    public static final List<EvalTask> ALL = List.of(
            mbeir(MbeirDataset.VISUALNEWS, 0, 5),
            mbeir(MbeirDataset.MSCOCO, 0, 5),
            mbeir(MbeirDataset.FASHION200K, 0, 10),
            mbeir(MbeirDataset.WEBQA, 1, 5),
            mbeir(MbeirDataset.EDIS, 2, 5),
            mbeir(MbeirDataset.WEBQA, 2, 5),
            mbeir(MbeirDataset.VISUALNEWS, 3, 5),
            mbeir(MbeirDataset.MSCOCO, 3, 5),
            mbeir(MbeirDataset.FASHION200K, 3, 10),
            mbeir(MbeirDataset.NIGHTS, 4, 5),
            mbeir(MbeirDataset.OVEN, 6, 5),
            mbeir(MbeirDataset.INFOSEEK, 6, 5),
            mbeir(MbeirDataset.FASHIONIQ, 7, 10),
            mbeir(MbeirDataset.CIRR, 7, 5),
            mbeir(MbeirDataset.OVEN, 8, 5),
            mbeir(MbeirDataset.INFOSEEK, 8, 5));

    /** File-name stem, e.g. "mscoco_task0". */
    public String name() {
        return dataset + "_task" + taskId;
    }

    /** The reported metric, "R@5" or "R@10". */
    public String metric() {
        return "R@" + k;
    }

    /** The M-BEIR dataset of one of M-BEIR's tasks (the synthetic generator's and importers' view). */
    public MbeirDataset mbeirDataset() {
        if (!isMbeir()) {
            throw new IllegalStateException(name() + " is not one of M-BEIR's tasks");
        }
        return MbeirDataset.byId(datasetId);
    }

    /** Whether this is one of M-BEIR's 16 (its name, metric and place in the paper's order). */
    public boolean isMbeir() {
        return ALL.contains(this);
    }

    public Modality queryModality() {
        return TaskId.queryModality(taskId);
    }

    public Modality candidateModality() {
        return TaskId.candidateModality(taskId);
    }

    /** The M-BEIR task named "dataset_taskN"; a directory's own tasks are found by {@link MbeirLayout#task}. */
    public static EvalTask byName(String name) {
        return ALL.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown task '" + name + "'"));
    }
}

package dev.umarvel.mbeir;

/** The ten M-BEIR datasets with their ids (UniIR's DATASET_IDS) and file-name stems. */
public enum MbeirDataset {
    VISUALNEWS(0, "visualnews", "VisualNews"),
    FASHION200K(1, "fashion200k", "Fashion200K"),
    WEBQA(2, "webqa", "WebQA"),
    EDIS(3, "edis", "EDIS"),
    NIGHTS(4, "nights", "NIGHTS"),
    OVEN(5, "oven", "OVEN"),
    INFOSEEK(6, "infoseek", "INFOSEEK"),
    FASHIONIQ(7, "fashioniq", "FashionIQ"),
    CIRR(8, "cirr", "CIRR"),
    MSCOCO(9, "mscoco", "MSCOCO");

    private final int id;
    private final String stem;
    private final String displayName;

    MbeirDataset(int id, String stem, String displayName) {
        this.id = id;
        this.stem = stem;
        this.displayName = displayName;
    }

    public int id() {
        return id;
    }

    /** Lower-case name used in file names, e.g. "mscoco". */
    public String stem() {
        return stem;
    }

    /** Name used in the instructions file, e.g. "MSCOCO". */
    public String displayName() {
        return displayName;
    }

    public static MbeirDataset byId(int id) {
        for (MbeirDataset d : values()) {
            if (d.id == id) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown M-BEIR dataset id " + id);
    }

    /** The dataset id of a qid or did "dataset_id:n". */
    public static int idOf(String qidOrDid) {
        int colon = qidOrDid.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + qidOrDid + "' is not of the form dataset_id:n");
        }
        return Integer.parseInt(qidOrDid.substring(0, colon));
    }
}

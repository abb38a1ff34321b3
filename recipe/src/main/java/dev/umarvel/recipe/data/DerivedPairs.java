package dev.umarvel.recipe.data;

import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import dev.umarvel.mbeir.TrainingSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Stage-1 and stage-2 pairs taken from a dataset's training queries, for a dataset that ships no pair files (only the
 * synthetic generator and the Fashion-MNIST importer write them; M-BEIR itself and a user's own data have none): the
 * text-align stage learns from each text -> text query and its positive's text; the cross-modal stage from each
 * text -> image query (the caption and its positive's image) and each image -> text one turned round (the positive's
 * text as the caption of the query's image). Every positive of a query gives a pair. Training queries and the training
 * pool only, so nothing of validation or test reaches these stages.
 */
public final class DerivedPairs {

    private DerivedPairs() {
    }

    public static List<PairFile.Pair> textPairs(TrainingSet set) {
        List<PairFile.Pair> out = new ArrayList<>();
        for (MbeirQuery q : set.queries()) {
            if (q.queryModality() == Modality.TEXT) {
                for (MbeirCandidate c : positives(set, q)) {
                    if (c.modality() == Modality.TEXT) {
                        out.add(new PairFile.Pair(new Side(q.queryTxt(), null), new Side(c.txt(), null)));
                    }
                }
            }
        }
        return out;
    }

    public static List<PairFile.Pair> captionImagePairs(TrainingSet set) {
        List<PairFile.Pair> out = new ArrayList<>();
        for (MbeirQuery q : set.queries()) {
            for (MbeirCandidate c : positives(set, q)) {
                if (q.queryModality() == Modality.TEXT && c.modality() == Modality.IMAGE) {
                    out.add(new PairFile.Pair(new Side(q.queryTxt(), null), new Side(null, c.imgPath())));
                } else if (q.queryModality() == Modality.IMAGE && c.modality() == Modality.TEXT) {
                    out.add(new PairFile.Pair(new Side(c.txt(), null), new Side(null, q.queryImgPath())));
                }
            }
        }
        return out;
    }

    private static List<MbeirCandidate> positives(TrainingSet set, MbeirQuery q) {
        return q.posCandList().stream().map(set.pool()::get).toList();
    }
}

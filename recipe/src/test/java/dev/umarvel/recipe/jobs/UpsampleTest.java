package dev.umarvel.recipe.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import dev.umarvel.recipe.JobSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code data.upsample}: how often each training query appears in an epoch of the instruction and hard-negative stages. */
class UpsampleTest {

    private static MbeirQuery query(String qid) {
        return new MbeirQuery(qid, "text of " + qid, null, Modality.TEXT, null, List.of(qid), List.of(), 1, null);
    }

    private static JobSpec.Data upsample(Map<String, Integer> times) {
        JobSpec.Data d = JobSpec.Data.of("data");
        return new JobSpec.Data(d.datasetDir(), "", "", "", "", "", "", false, "", times);
    }

    @Test
    void aNamedDatasetsQueriesAppearThatManyTimesAndTheOthersOnce() {
        // 2 is WebQA, 9 MSCOCO, 42 a dataset id no M-BEIR dataset has (an import of one's own)
        List<MbeirQuery> queries = List.of(query("2:1"), query("9:1"), query("2:2"), query("42:1"));
        List<String> out = ContrastiveJob.upsampled(queries, upsample(Map.of("webqa", 3, "nights", 5))).stream().map(MbeirQuery::qid).toList();
        assertEquals(List.of("2:1", "2:1", "2:1", "9:1", "2:2", "2:2", "2:2", "42:1"), out);
    }

    @Test
    void noUpsamplingIsTheSameList() {
        List<MbeirQuery> queries = List.of(query("2:1"), query("9:1"));
        assertSame(queries, ContrastiveJob.upsampled(queries, JobSpec.Data.of("data")));
        assertEquals(1, JobSpec.Data.of("data").upsample("webqa"));
    }
}

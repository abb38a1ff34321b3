package dev.umarvel.recipe.jobs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskLabelsTest {

    private static MbeirQuery query(String qid, int task) {
        return new MbeirQuery(qid, "q", null, Modality.TEXT, null, List.of("x:1"), List.of(), task, null);
    }

    @Test
    void aTaskIsADatasetAndATaskIdTogether() {
        // WebQA (2) has tasks 1 and 2; MSCOCO (9) has task 0: three labels, in order of first appearance
        List<MbeirQuery> queries = List.of(query("2:1", 1), query("9:1", 0), query("2:2", 2), query("2:3", 1), query("9:2", 0));
        assertArrayEquals(new int[] {0, 1, 2, 0, 1}, ContrastiveJob.taskLabels(queries));
    }
}

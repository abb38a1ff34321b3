package dev.umarvel.recipe.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.mbeir.Modality;
import dev.umarvel.mbeir.TrainingSet;
import dev.umarvel.recipe.JobSpec;
import dev.umarvel.recipe.data.HardNegativeFile;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What may be drawn as a negative: never a positive, never what mining judged a likely false negative. */
class NegativesTest {

    static final MbeirQuery QUERY = new MbeirQuery("0:1", "a red star", null, Modality.TEXT, null, List.of("0:1"), List.of(), 0, null);

    static TrainingSet pool(int size) {
        Map<String, MbeirCandidate> pool = new LinkedHashMap<>();
        for (int i = 1; i <= size; i++) {
            pool.put("0:" + i, new MbeirCandidate("0:" + i, "text " + i, null, Modality.TEXT, null, null));
        }
        return new TrainingSet(List.of(QUERY), pool, null);
    }

    @Test
    void aCopyOfAPositiveThatScoresLowIsStillCaughtByThePositiveAwareRule() {
        JobSpec.Mining paper = new JobSpec.Mining(100, 5, 0.95, false, 0, 0);
        JobSpec.Mining aware = JobSpec.Mining.defaults();
        // an early model: the positive scores 0.40, its planted copy the same; the paper's absolute 0.95 keeps the copy
        assertFalse(MiningJob.likelyFalseNegative(0.40f, 0.40f, paper));
        assertTrue(MiningJob.likelyFalseNegative(0.40f, 0.40f, aware));
        assertTrue(MiningJob.likelyFalseNegative(0.39f, 0.40f, aware), "within 5 % of the positive");
        assertFalse(MiningJob.likelyFalseNegative(0.37f, 0.40f, aware), "a real hard negative, 7.5 % below");
        // a positive below zero: only what beats the positive itself
        assertTrue(MiningJob.likelyFalseNegative(-0.1f, -0.2f, aware));
        assertFalse(MiningJob.likelyFalseNegative(-0.25f, -0.2f, aware));
        // off, as the released code
        assertFalse(MiningJob.likelyFalseNegative(0.99f, 0.40f, new JobSpec.Mining(100, 5, null, false, 0, 0)));
    }

    @Test
    void theCopyRuleDropsACopyOfThePositiveAndKeepsTheMistakesRankedAboveIt() {
        // pool rows: 0 the positive, 1 its planted copy (a rounding away), 2 and 3 other candidates, 2 close to the positive
        double s = Math.sqrt(0.5);
        dev.umarvel.mbeir.eval.Matrix pool = dev.umarvel.mbeir.eval.Matrix.of(new float[][] {
                {1, 0, 0}, {0.99999f, 0.0045f, 0}, {(float) s, (float) s, 0}, {0, 0, 1}});
        MiningJob.Copies copies = new MiningJob.Copies(pool, new int[][] {{0}, {}}, 0.99);
        assertTrue(copies.of(0).test(1), "the copy of query 0's positive");
        assertFalse(copies.of(0).test(2), "a candidate at cosine 0.71 of the positive is a negative, however a query ranks it");
        assertFalse(copies.of(0).test(3));
        assertFalse(copies.of(1).test(1), "a query without a positive in the pool has no copies");
        assertFalse(new MiningJob.Copies(pool, new int[][] {{0}}, 0).of(0).test(1), "0 turns the rule off");
    }

    @Test
    void theRerankersNoIsNeverAPositiveNorAFilteredCandidate() {
        TrainingSet set = pool(6);
        // the top list: the positive, its planted copy (filtered by mining), then real negatives
        HardNegativeFile.Entry entry = new HardNegativeFile.Entry("0:1", List.of("0:1"), List.of("0:1", "0:2", "0:3", "0:4"),
                List.of(0.9f, 0.9f, 0.5f, 0.4f), List.of("0:3", "0:4"), List.of("0:2"));
        Set<String> drawn = new HashSet<>();
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            drawn.add(RerankerJob.negatives(QUERY, entry, List.copyOf(set.pool().keySet()), set, r, 1).get(0).did());
        }
        assertEquals(Set.of("0:3", "0:4"), drawn);
    }

    @Test
    void aListwiseGroupTakesDistinctListedNegativesFirstThenPoolCandidatesOutsideThePositivesAndTheFiltered() {
        TrainingSet set = pool(6);
        HardNegativeFile.Entry entry = new HardNegativeFile.Entry("0:1", List.of("0:1"), List.of("0:1", "0:2", "0:3", "0:4"),
                List.of(0.9f, 0.9f, 0.5f, 0.4f), List.of("0:3", "0:4"), List.of("0:2"));
        Random r = new Random(1);
        for (int i = 0; i < 200; i++) {
            List<String> group = RerankerJob.negatives(QUERY, entry, List.copyOf(set.pool().keySet()), set, r, 4).stream()
                    .map(c -> c.did()).toList();
            assertEquals(Set.of("0:3", "0:4"), Set.copyOf(group.subList(0, 2)), "the listed negatives first");
            assertEquals(4, Set.copyOf(group).size(), "distinct: " + group);
            assertTrue(Set.of("0:5", "0:6").containsAll(group.subList(2, 4)), "then the pool, never 0:1 nor its copy 0:2: " + group);
        }
    }

    @Test
    void aRandomNegativeIsNeverThePositive() {
        List<String> dids = List.of("0:1", "0:2");
        Random r = new Random(3);
        for (int i = 0; i < 200; i++) {
            assertEquals("0:2", ContrastiveJob.randomNegative(ContrastiveJob.notNegatives(QUERY, null), dids, r));
        }
    }

    /** A query whose whole mined list was filtered: the hard-negative stage's random stand-in is never the filtered copy. */
    @Test
    void theHardNegativeStagesRandomStandInIsNeverAFilteredCandidate() {
        HardNegativeFile.Entry allFiltered = new HardNegativeFile.Entry("0:1", List.of("0:1"), List.of("0:1", "0:2"), List.of(0.9f, 0.9f),
                List.of(), List.of("0:2"));
        assertEquals(Set.of("0:1", "0:2"), ContrastiveJob.notNegatives(QUERY, allFiltered));
        List<String> dids = List.of("0:1", "0:2", "0:3");
        Random r = new Random(5);
        for (int i = 0; i < 200; i++) {
            assertEquals("0:3", ContrastiveJob.randomNegative(ContrastiveJob.notNegatives(QUERY, allFiltered), dids, r));
        }
    }
}

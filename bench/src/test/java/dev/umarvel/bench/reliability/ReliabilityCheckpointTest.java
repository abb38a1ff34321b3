package dev.umarvel.bench.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.umarvel.api.v1.Job;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which of a tiny quickstart's jobs the reliability deployment serves. */
class ReliabilityCheckpointTest {

    private static Job job(String id, String output) {
        return Job.newBuilder().setJobId(id).setOutput(output).build();
    }

    /** The reranker's own lists come from a job named after it ("mine-reranker"): its output is a list file, not a model. */
    @Test
    void theRerankerIsTheRerankerStageNotTheMiningPassNamedAfterIt() {
        List<Job> jobs = List.of(job("qs-tiny-s400-hard-negatives", "jobs/hn/final"), job("qs-tiny-s400-reranker", "jobs/rr/final"),
                job("qs-tiny-s400-mine-reranker", "jobs/mine/hard_negatives.jsonl"), job("distill-1a2b", "distill/1a2b/final"));
        assertEquals("jobs/rr/final", Reliability.checkpoint(jobs, "-reranker"));
        assertEquals("jobs/hn/final", Reliability.checkpoint(jobs, "-hard-negatives"));
        assertEquals("distill/1a2b/final", Reliability.checkpoint(jobs, "distill-"));
        List<Job> retried = List.of(job("qs-tiny-s400-reranker", "jobs/rr/final"), job("qs-tiny-s400-reranker-2", "jobs/rr2/final"),
                job("qs-small-s1200-reranker", "jobs/small/final"));
        assertEquals("jobs/rr2/final", Reliability.checkpoint(retried, "-reranker"), "the last retry of the tiny run's stage");
    }
}

package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.umarvel.cli.AutoMargin.Query;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AUTO's margin: the most positives found on validation queries, reranking at most the share allowed. */
class AutoMarginTest {

    /** A query of task "t". */
    private static Query q(double margin, boolean singleHit, boolean cascadeHit) {
        return new Query("t", margin, singleHit, cascadeHit);
    }

    @Test
    void aRerankerThatFindsNothingMoreIsNeverCalled() {
        List<Query> queries = List.of(q(0.01, true, true), q(0.02, false, false), q(0.30, true, true),
                q(0.40, false, false));
        AutoMargin.Choice c = AutoMargin.choose(queries, 0.5);
        assertEquals(0.0, c.margin("t"));
        assertEquals(0.0, c.reranked());
        assertEquals(50.0, c.auto());
        assertEquals(50.0, c.single());
        assertEquals(50.0, c.cascade());
    }

    @Test
    void closeCallsTheRerankerGetsRightAreReranked() {
        List<Query> queries = List.of(q(0.40, true, true), q(0.01, false, true), q(0.03, false, true),
                q(0.20, true, false), q(0.30, true, true), q(0.50, true, true));
        AutoMargin.Choice c = AutoMargin.choose(queries, 0.5);
        assertEquals(Math.nextUp(0.03), c.margin("t"), "just above the second-closest call: both close calls, not the one it gets wrong");
        assertEquals(2.0 / 6, c.reranked(), 1e-12);
        assertEquals(100.0, c.auto());
        assertEquals(4 * 100.0 / 6, c.single(), 1e-9);
        assertEquals(5 * 100.0 / 6, c.cascade(), 1e-9);
    }

    @Test
    void noMoreThanTheAllowedShareIsReranked() {
        List<Query> queries = List.of(q(0.01, false, true), q(0.02, false, true), q(0.03, false, true),
                q(0.04, false, true));
        AutoMargin.Choice c = AutoMargin.choose(queries, 0.5);
        assertEquals(Math.nextUp(0.02), c.margin("t"));
        assertEquals(0.5, c.reranked());
        assertEquals(50.0, c.auto());
    }

    @Test
    void queriesOfEqualMarginAreRerankedTogetherOrNotAtAll() {
        List<Query> queries = List.of(q(0.01, false, true), q(0.01, true, false), q(0.2, true, true),
                q(0.3, true, true));
        AutoMargin.Choice c = AutoMargin.choose(queries, 0.5);
        assertEquals(0.0, c.margin("t"), "one gained, one lost: no better than never reranking");
        assertEquals(75.0, c.auto());
    }

    /**
     * Where the reranker wins questions the retriever answers with a clear but wrong first hit, a global margin finds
     * nothing (those queries have the largest gaps); per task, the whole task is reranked, within the budget.
     */
    @Test
    void aTaskTheRerankerWinsIsRerankedWholeWhateverItsGaps() {
        List<Query> queries = List.of(
                new Query("names", 0.30, false, true), new Query("names", 0.40, false, true), new Query("names", 0.50, false, true),
                new Query("colours", 0.01, true, true), new Query("colours", 0.02, true, false), new Query("colours", 0.03, true, true),
                new Query("shapes", 0.01, false, false), new Query("shapes", 0.05, true, true));
        AutoMargin.Choice c = AutoMargin.choose(queries, 0.5);
        assertEquals(Double.POSITIVE_INFINITY, c.margin("names"), "every query of the task, the widest gap included");
        assertEquals(0.0, c.margin("colours"), "the reranker loses one there");
        assertEquals(0.0, c.margin("shapes"), "nothing to gain");
        assertEquals(3.0 / 8, c.reranked(), 1e-12);
        assertEquals(100.0 * 7 / 8, c.auto(), 1e-9, "above CASCADE: the colours query it loses is not reranked");
        assertEquals(100.0 * 4 / 8, c.single(), 1e-9);
        assertEquals("AUTO margins from 8 validation queries (names all): 38% reranked, recall AUTO 87.50, SINGLE 50.00, CASCADE 75.00",
                c.describe());

        AutoMargin.Choice tight = AutoMargin.choose(queries, 0.25);
        assertEquals(Math.nextUp(0.40), tight.margin("names"), "two of eight allowed: the task's two closest calls");
        assertEquals(2.0 / 8, tight.reranked(), 1e-12);
    }
}

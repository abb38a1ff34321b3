package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.umarvel.cli.AutoMargin.Query;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AUTO's margin: the most positives found on validation queries, reranking at most the share allowed. */
class AutoMarginTest {

    @Test
    void aRerankerThatFindsNothingMoreIsNeverCalled() {
        List<Query> q = List.of(new Query(0.01, true, true), new Query(0.02, false, false), new Query(0.30, true, true),
                new Query(0.40, false, false));
        AutoMargin.Choice c = AutoMargin.choose(q, 0.5);
        assertEquals(0.0, c.margin());
        assertEquals(0.0, c.reranked());
        assertEquals(50.0, c.auto());
        assertEquals(50.0, c.single());
        assertEquals(50.0, c.cascade());
    }

    @Test
    void closeCallsTheRerankerGetsRightAreReranked() {
        List<Query> q = List.of(new Query(0.40, true, true), new Query(0.01, false, true), new Query(0.03, false, true),
                new Query(0.20, true, false), new Query(0.30, true, true), new Query(0.50, true, true));
        AutoMargin.Choice c = AutoMargin.choose(q, 0.5);
        assertEquals(Math.nextUp(0.03), c.margin(), "just above the second-closest call: both close calls, not the one it gets wrong");
        assertEquals(2.0 / 6, c.reranked(), 1e-12);
        assertEquals(100.0, c.auto());
        assertEquals(4 * 100.0 / 6, c.single(), 1e-9);
        assertEquals(5 * 100.0 / 6, c.cascade(), 1e-9);
    }

    @Test
    void noMoreThanTheAllowedShareIsReranked() {
        List<Query> q = List.of(new Query(0.01, false, true), new Query(0.02, false, true), new Query(0.03, false, true),
                new Query(0.04, false, true));
        AutoMargin.Choice c = AutoMargin.choose(q, 0.5);
        assertEquals(Math.nextUp(0.02), c.margin());
        assertEquals(0.5, c.reranked());
        assertEquals(50.0, c.auto());
    }

    @Test
    void queriesOfEqualMarginAreRerankedTogetherOrNotAtAll() {
        List<Query> q = List.of(new Query(0.01, false, true), new Query(0.01, true, false), new Query(0.2, true, true),
                new Query(0.3, true, true));
        AutoMargin.Choice c = AutoMargin.choose(q, 0.5);
        assertEquals(0.0, c.margin(), "one gained, one lost: no better than never reranking");
        assertEquals(75.0, c.auto());
    }
}

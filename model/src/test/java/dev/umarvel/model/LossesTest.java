package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.umarvel.model.loss.AnswerLoss;
import dev.umarvel.model.loss.ContrastiveLoss;
import dev.umarvel.model.loss.DistillationLoss;
import dev.umarvel.model.loss.LanguageModelLoss;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Each loss against the same quantity computed by hand in plain Java. */
class LossesTest {

    private static final float[][] Q = {{1, 0}, {0, 1}, {0.6f, 0.8f}};
    private static final float[][] C = {{0.8f, 0.6f}, {0, 1}, {-1, 0}};
    private static final float TAU = 0.5f;

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = OfflineEngine.pytorch().newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private NDArray array(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return manager.create(flat, new Shape(rows.length, rows[0].length));
    }

    /** (B, L, 2) lists as one row-major array. */
    private static float[] flat(float[][][] lists) {
        float[] out = new float[lists.length * lists[0].length * 2];
        int k = 0;
        for (float[][] list : lists) {
            for (float[] v : list) {
                out[k++] = v[0];
                out[k++] = v[1];
            }
        }
        return out;
    }

    private NDArray tau(float value) {
        return manager.create(new float[] {value});
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** -log softmax(logits)[target] */
    private static double nll(double[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (double l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        return -(logits[target] - max - Math.log(sum));
    }

    private static double handQueryToCandidate(float[][] q, float[][] c, double tau) {
        double loss = 0;
        for (int i = 0; i < q.length; i++) {
            double[] logits = new double[c.length];
            for (int j = 0; j < c.length; j++) {
                logits[j] = dot(q[i], c[j]) / tau;
            }
            loss += nll(logits, i);
        }
        return loss / q.length;
    }

    @Test
    void queryToCandidateInfoNce() {
        float loss = ContrastiveLoss.queryToCandidate(array(Q), array(C), tau(TAU)).getFloat();
        assertEquals(handQueryToCandidate(Q, C, TAU), loss, 1e-5);
    }

    @Test
    void bidirectionalInfoNceAddsTheTransposedDirection() {
        float loss = ContrastiveLoss.bidirectional(array(Q), array(C), tau(TAU)).getFloat();
        assertEquals(handQueryToCandidate(Q, C, TAU) + handQueryToCandidate(C, Q, TAU), loss, 1e-5);
    }

    @Test
    void hardNegativesJoinTheInBatchCandidates() {
        float[][][] h = {{{0, 1}, {1, 0}}, {{-1, 0}, {0.6f, 0.8f}}, {{0, -1}, {0.8f, 0.6f}}}; // (B=3, K=2, D=2)
        float[] flat = new float[12];
        int k = 0;
        for (float[][] perQuery : h) {
            for (float[] v : perQuery) {
                flat[k++] = v[0];
                flat[k++] = v[1];
            }
        }
        NDArray hard = manager.create(flat, new Shape(3, 2, 2));
        double expected = 0;
        double expectedOnly = 0;
        for (int i = 0; i < 3; i++) {
            double[] logits = new double[3 + 6];
            for (int j = 0; j < 3; j++) {
                logits[j] = dot(Q[i], C[j]) / TAU;
            }
            for (int b = 0; b < 3; b++) {
                for (int n = 0; n < 2; n++) {
                    logits[3 + b * 2 + n] = dot(Q[i], h[b][n]) / TAU;
                }
            }
            expected += nll(logits, i);
            double[] own = {dot(Q[i], C[i]) / TAU, dot(Q[i], h[i][0]) / TAU, dot(Q[i], h[i][1]) / TAU};
            expectedOnly += nll(own, 0);
        }
        assertEquals(expected / 3, ContrastiveLoss.withHardNegatives(array(Q), array(C), hard, tau(TAU)).getFloat(), 1e-5);
        assertEquals(expectedOnly / 3, ContrastiveLoss.hardNegativesOnly(array(Q), array(C), hard, tau(TAU)).getFloat(), 1e-5);
    }

    @Test
    void answerCrossEntropyAndProbabilityOfYes() {
        float[][] logits = {{2, 0.5f, -1, 0}, {0, 1, 3, -2}};
        int yes = 2;
        int no = 1;
        long[] answers = {yes, no};
        double expected = (nll(toDouble(logits[0]), yes) + nll(toDouble(logits[1]), no)) / 2;
        assertEquals(expected, AnswerLoss.crossEntropy(array(logits), manager.create(answers)).getFloat(), 1e-5);
        double overAnswers = (-Math.log(Math.exp(-1) / (Math.exp(-1) + Math.exp(0.5))) - Math.log(Math.exp(1) / (Math.exp(3) + Math.exp(1)))) / 2;
        assertEquals(overAnswers, AnswerLoss.crossEntropyOverAnswers(array(logits), manager.create(answers), yes, no).getFloat(), 1e-5);
        float[] p = AnswerLoss.probabilityYes(array(logits), yes, no).toFloatArray();
        assertEquals(Math.exp(-1) / (Math.exp(-1) + Math.exp(0.5)), p[0], 1e-6);
        assertEquals(Math.exp(3) / (Math.exp(3) + Math.exp(1)), p[1], 1e-6);
    }

    /** Two queries of three pairs each, positive first: the positive's cross-entropy among its group's Yes - No log-odds. */
    @Test
    void listwiseAnswerLossRanksEachPositiveAmongItsGroup() {
        int yes = 2;
        int no = 1;
        float[][] logits = {{0, 1, 3, 0}, {0, 2, 1, 0}, {0, 0, 0, 0}, {0, 1, 1, 0}, {0, 0, 2, 0}, {0, 3, 0, 0}};
        double[] odds = {2, -1, 0, 0, 2, -3};
        double expected = (nll(new double[] {odds[0], odds[1], odds[2]}, 0) + nll(new double[] {odds[3], odds[4], odds[5]}, 0)) / 2;
        assertEquals(expected, AnswerLoss.listwise(array(logits), yes, no, 3).getFloat(), 1e-5);
    }

    @Test
    void klFromTeacherToStudent() {
        float[][] q = {{1, 0}, {0.6f, 0.8f}};
        float[][][] c = {{{1, 0}, {0, 1}, {0.8f, 0.6f}}, {{0, 1}, {-1, 0}, {0.6f, 0.8f}}}; // (B=2, L=3, D=2)
        float[][] teacher = {{0.9f, 0.1f, 0.5f}, {0.2f, 0.3f, 0.95f}};
        double expected = 0;
        for (int b = 0; b < 2; b++) {
            double[] s = new double[3];
            double[] t = new double[3];
            for (int j = 0; j < 3; j++) {
                s[j] = dot(q[b], c[b][j]) / TAU;
                t[j] = teacher[b][j] / TAU;
            }
            for (int j = 0; j < 3; j++) {
                double logPt = -nll(t, j);
                double logPs = -nll(s, j);
                expected += Math.exp(logPt) * (logPt - logPs);
            }
        }
        float[] flat = flat(c);
        float loss = DistillationLoss.kl(array(q), manager.create(flat, new Shape(2, 3, 2)), array(teacher), tau(TAU)).getFloat();
        assertEquals(expected / 2, loss, 1e-5);
    }

    @Test
    void aTeacherThatAddsNothingLeavesTheStudentWhereItIs() {
        // teacher = the student's own cosines (a reranker weight of 0): nothing to learn. The paper's halved teacher,
        // (cos + 0 * P(Yes)) / 2, ranks alike but is twice as flat, so it still pulls the student: that is why
        // TeacherFile.Scored.fused does not halve
        float[][] q = {{1, 0}, {0.6f, 0.8f}};
        float[][][] c = {{{1, 0}, {0, 1}, {0.8f, 0.6f}}, {{0, 1}, {-1, 0}, {0.6f, 0.8f}}};
        float[][] own = new float[2][3];
        float[][] halved = new float[2][3];
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < 3; j++) {
                own[b][j] = (float) dot(q[b], c[b][j]);
                halved[b][j] = own[b][j] / 2;
            }
        }
        NDArray candidates = manager.create(flat(c), new Shape(2, 3, 2));
        assertEquals(0, DistillationLoss.kl(array(q), candidates, array(own), tau(TAU)).getFloat(), 1e-6);
        // KL(softmax(cos / 2tau) || softmax(cos / tau)) of the two lists, averaged: 0.0632 (worked out in double precision)
        assertEquals(0.06316, DistillationLoss.kl(array(q), candidates, array(halved), tau(TAU)).getFloat(), 1e-4);
    }

    @Test
    void aPaddedListSlotCountsForNothing() {
        // list 0 has 3 candidates; list 1 has 2 and is padded with a copy of its last: the masked loss must equal
        // the mean of the two lists' own KL, each over its real candidates only
        float[][] q = {{1, 0}, {0.6f, 0.8f}};
        float[][][] c = {{{1, 0}, {0, 1}, {0.8f, 0.6f}}, {{0, 1}, {-1, 0}, {-1, 0}}};
        float[][] teacher = {{0.9f, 0.1f, 0.5f}, {0.2f, 0.3f, 0.3f}};
        int[] lengths = {3, 2};
        double expected = 0;
        for (int b = 0; b < 2; b++) {
            double[] s = new double[lengths[b]];
            double[] t = new double[lengths[b]];
            for (int j = 0; j < lengths[b]; j++) {
                s[j] = dot(q[b], c[b][j]) / TAU;
                t[j] = teacher[b][j] / TAU;
            }
            for (int j = 0; j < lengths[b]; j++) {
                double logPt = -nll(t, j);
                expected += Math.exp(logPt) * (logPt + nll(s, j));
            }
        }
        float[] flat = flat(c);
        NDArray padding = array(new float[][] {{0, 0, 0}, {0, 0, DistillationLoss.PADDED}});
        float loss = DistillationLoss.kl(array(q), manager.create(flat, new Shape(2, 3, 2)), array(teacher), tau(TAU), tau(TAU), padding)
                .getFloat();
        assertEquals(expected / 2, loss, 1e-5);
    }

    @Test
    void languageModelLossSkipsPositionsWithoutTarget() {
        float[] logits = {1, 2, 0, /* */ 0, 0, 3, /* */ 5, 5, 5, /* */ 1, -1, 0}; // (B=2, T=2, V=3)
        long[] targets = {1, -1, 2, 0};
        double expected = (nll(new double[] {1, 2, 0}, 1) + nll(new double[] {5, 5, 5}, 2) + nll(new double[] {1, -1, 0}, 0)) / 3;
        float loss = LanguageModelLoss.crossEntropy(manager.create(logits, new Shape(2, 2, 3)),
                manager.create(targets, new Shape(2, 2))).getFloat();
        assertEquals(expected, loss, 1e-5);
    }

    @Test
    void temperatureGradientMatchesFiniteDifferences() {
        checkTauGradient(t -> ContrastiveLoss.queryToCandidate(array(Q), array(C), t));
        checkTauGradient(t -> ContrastiveLoss.bidirectional(array(Q), array(C), t));
        checkTauGradient(t -> DistillationLoss.kl(array(new float[][] {{1, 0}}),
                manager.create(new float[] {1, 0, 0, 1, 0.6f, 0.8f}, new Shape(1, 3, 2)),
                array(new float[][] {{0.2f, 0.9f, 0.4f}}), t, tau(TAU))); // the teacher side is detached
    }

    private void checkTauGradient(Function<NDArray, NDArray> loss) {
        NDArray tau = tau(TAU);
        tau.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(loss.apply(tau));
        }
        float analytic = tau.getGradient().getFloat();
        double h = 1e-3;
        double numeric = (loss.apply(tau((float) (TAU + h))).getFloat() - loss.apply(tau((float) (TAU - h))).getFloat()) / (2 * h);
        assertEquals(numeric, analytic, 1e-3 * Math.max(1, Math.abs(numeric)));
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}

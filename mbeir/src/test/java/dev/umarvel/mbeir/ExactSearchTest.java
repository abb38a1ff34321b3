package dev.umarvel.mbeir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.umarvel.mbeir.eval.ExactSearch;
import dev.umarvel.mbeir.eval.Matrix;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ExactSearchTest {

    private static Matrix random(int rows, int dim, long seed) {
        Random r = new Random(seed);
        float[] data = new float[rows * dim];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        return new Matrix(rows, dim, data);
    }

    @Test
    void matchesASortedBruteForceBitForBit() {
        Matrix q = random(203, 37, 1);   // not multiples of the blocks or of the 4-query kernel
        Matrix c = random(1301, 37, 2);
        ExactSearch.TopK top = ExactSearch.search(q, c, 50, 3);
        for (int i = 0; i < q.rows(); i++) {
            float[] s = new float[c.rows()];
            for (int j = 0; j < c.rows(); j++) {
                float dot = 0;
                for (int d = 0; d < q.dim(); d++) {
                    dot += q.data()[i * q.dim() + d] * c.data()[j * c.dim() + d];
                }
                s[j] = dot;
            }
            int[] expected = IntStream.range(0, c.rows()).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(j -> -s[j]).thenComparing(j -> j)).limit(50)
                    .mapToInt(Integer::intValue).toArray();
            assertArrayEquals(expected, top.indices()[i], "query " + i);
            for (int r = 0; r < 50; r++) {
                assertEquals(s[expected[r]], top.scores()[i][r], 0f);
            }
        }
    }

    @Test
    void tiesRankTheLowerIndexFirstAndKIsCappedByThePool() {
        Matrix q = new Matrix(1, 2, new float[] {1, 0});
        Matrix c = new Matrix(4, 2, new float[] {0.5f, 0, 1, 0, 0.5f, 0, 1, 0});
        ExactSearch.TopK top = ExactSearch.search(q, c, 10, 1);
        assertArrayEquals(new int[] {1, 3, 0, 2}, top.indices()[0]);
        assertEquals(4, top.scores()[0].length);
        assertEquals(0, ExactSearch.search(new Matrix(0, 2, new float[0]), c, 5, 2).indices().length);
        assertEquals("[]", Arrays.toString(ExactSearch.search(q, c, 0, 1).indices()[0]));
    }
}

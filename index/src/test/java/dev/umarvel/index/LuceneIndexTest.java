package dev.umarvel.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LuceneIndexTest extends VectorIndexContract {

    @Override
    VectorIndex open(Path dir, int dimension) throws Exception {
        return new LuceneIndex(dir.resolve("lucene"), dimension, LuceneIndex.Settings.DEFAULT);
    }

    /** Batch {@code b} of the crash test: ten new dids. */
    static List<VectorIndex.Entry> batch(int b) {
        Random r = new Random(b);
        List<VectorIndex.Entry> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            out.add(new VectorIndex.Entry("b" + b + "-" + i, random(r, 16), 0, "text", List.of("all")));
        }
        return out;
    }

    /** Child JVM: upserts batches forever, printing "ACK b" once batch b is acknowledged. */
    public static void main(String[] args) throws Exception {
        try (VectorIndex index = new LuceneIndex(Path.of(args[0]), 16, LuceneIndex.Settings.DEFAULT)) {
            for (int b = 0; ; b++) {
                index.upsert(batch(b));
                System.out.println("ACK " + b);
                System.out.flush();
            }
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesAKillMinus9() throws Exception {
        Path where = dir.resolve("crash");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LuceneIndexTest.class.getName(), where.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int acknowledged = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = out.readLine()) != null && acknowledged < 25) {
                acknowledged = Integer.parseInt(line.substring(4));
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, possibly in the middle of the next commit
        }
        child.waitFor();
        assertEquals(25, acknowledged);
        try (VectorIndex index = new LuceneIndex(where, 16, LuceneIndex.Settings.DEFAULT)) {
            long size = index.size();
            assertTrue(size >= 260 && size % 10 == 0, size + " candidates: an acknowledged batch is missing or a batch is partial");
            for (int b = 0; b <= acknowledged; b++) {
                for (VectorIndex.Entry e : batch(b)) {
                    VectorIndex.Hit top = index.search(e.vector(), 1, VectorIndex.Filter.NONE).get(0);
                    assertEquals(e.did(), top.did(), "acknowledged write of " + e.did() + " lost");
                }
            }
        }
    }
}

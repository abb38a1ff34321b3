package dev.umarvel.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** Inputs and assertions the serving tests share (this module's and the services'). */
public final class ServingFixtures {

    private ServingFixtures() {}

    public static final String INSTRUCTION = "find the matching image for this caption";

    /** Short texts over {@link TinyCheckpoints#CORPUS}. */
    public static final List<String> TEXTS = List.of("a red circle on the left", "a big blue star", "green square on the right of picture",
            "a small striped star", "dotted red square", "blue circle", "a red star on the right", "big green circle");

    /** A PNG of random pixels: they do not compress, so it is about 3 x side x side bytes. */
    public static byte[] noise(int side, long seed) throws Exception {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(seed);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        return encode(image);
    }

    /** A black PNG: a few hundred bytes whatever its size. */
    public static byte[] blank(int width, int height) throws Exception {
        return encode(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB));
    }

    private static byte[] encode(BufferedImage image) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    /** One client's work in a concurrency test. */
    @FunctionalInterface
    public interface Client {
        void run(int client) throws Exception;
    }

    /**
     * Clients running on their own threads, let go together once every one of them is ready (so the first
     * does not finish before the last has started); {@link #await} rethrows the first failure.
     */
    public static final class Clients {
        private final java.util.concurrent.ExecutorService pool;
        private final List<java.util.concurrent.Future<?>> running = new java.util.ArrayList<>();

        private Clients(int count, Client body) throws InterruptedException {
            pool = java.util.concurrent.Executors.newFixedThreadPool(count);
            java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(count);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            for (int c = 0; c < count; c++) {
                int client = c;
                running.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    body.run(client);
                    return null;
                }));
            }
            ready.await();
            go.countDown();
        }

        public void await() throws Exception {
            try {
                for (java.util.concurrent.Future<?> f : running) {
                    f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** Starts {@code count} clients running {@code body}. */
    public static Clients start(int count, Client body) throws InterruptedException {
        return new Clients(count, body);
    }

    /** The status a call fails with. */
    public static StatusRuntimeException failure(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run);
    }

    /** The description of the INVALID_ARGUMENT a call fails with. */
    public static String refusal(Runnable call) {
        StatusRuntimeException e = failure(call);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getStatus().toString());
        return e.getStatus().getDescription();
    }
}

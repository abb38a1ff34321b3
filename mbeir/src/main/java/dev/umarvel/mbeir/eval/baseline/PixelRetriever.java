package dev.umarvel.mbeir.eval.baseline;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.eval.QueryInput;
import dev.umarvel.mbeir.eval.Retriever;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Cosine of raw pixels (each image scaled to 16 x 16 RGB, bilinear), nothing trained: the baseline an
 * image encoder must beat. Texts are ignored; a query or candidate without an image scores 0, and equal
 * scores are ordered at random (seeded per query).
 */
public final class PixelRetriever implements Retriever {

    static final int SIDE = 16;

    /** One pool: dids and unit pixel vectors (null where a candidate has no image). */
    private record Index(List<String> dids, float[][] vectors) {}

    private final Pools pools;
    private final Map<String, float[]> pixels = new HashMap<>();
    private final Map<List<MbeirCandidate>, Index> indexes = new java.util.IdentityHashMap<>();

    public PixelRetriever(Pools pools) {
        this.pools = pools;
    }

    @Override
    public List<List<String>> rank(EvalTask task, List<QueryInput> queries, Scope scope, int k) {
        Index index = indexes.computeIfAbsent(pools.of(task, scope), this::build);
        List<List<String>> out = new ArrayList<>(queries.size());
        for (QueryInput q : queries) {
            float[] v = q.query().queryImgPath() == null ? null : pixels(q.query().queryImgPath());
            double[] scores = new double[index.dids().size()];
            for (int d = 0; v != null && d < scores.length; d++) {
                float[] c = index.vectors()[d];
                if (c != null) {
                    double dot = 0;
                    for (int i = 0; i < v.length; i++) {
                        dot += v[i] * c[i];
                    }
                    scores[d] = dot;
                }
            }
            out.add(Ranking.top(scores, index.dids(), k, new Random(q.query().qid().hashCode())));
        }
        return out;
    }

    private Index build(List<MbeirCandidate> pool) {
        float[][] vectors = new float[pool.size()][];
        for (int d = 0; d < vectors.length; d++) {
            vectors[d] = pool.get(d).imgPath() == null ? null : pixels(pool.get(d).imgPath());
        }
        return new Index(pool.stream().map(MbeirCandidate::did).toList(), vectors);
    }

    /** The image's 16 x 16 RGB values as a unit vector. */
    private float[] pixels(String relative) {
        return pixels.computeIfAbsent(relative, r -> {
            try {
                BufferedImage src = ImageIO.read(pools.layout().image(r).toFile());
                if (src == null) {
                    throw new IOException("not an image: " + pools.layout().image(r));
                }
                BufferedImage small = new BufferedImage(SIDE, SIDE, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = small.createGraphics();
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.drawImage(src, 0, 0, SIDE, SIDE, null);
                g.dispose();
                float[] v = new float[SIDE * SIDE * 3];
                double norm = 0;
                for (int y = 0; y < SIDE; y++) {
                    for (int x = 0; x < SIDE; x++) {
                        int rgb = small.getRGB(x, y);
                        int at = (y * SIDE + x) * 3;
                        v[at] = (rgb >> 16) & 0xff;
                        v[at + 1] = (rgb >> 8) & 0xff;
                        v[at + 2] = rgb & 0xff;
                        norm += v[at] * v[at] + v[at + 1] * v[at + 1] + v[at + 2] * v[at + 2];
                    }
                }
                float inv = norm == 0 ? 0 : (float) (1 / Math.sqrt(norm));
                for (int i = 0; i < v.length; i++) {
                    v[i] *= inv;
                }
                return v;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

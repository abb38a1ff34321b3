package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.synth.Attributes.Texture;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Draws scenes as 64x64 RGB pictures. Variant 0 is the canonical rendering; other variants
 * re-render the same scene with small shifts and shade changes (NIGHTS-like pairs, OVEN-like
 * second views). Antialiasing is off, so the same scene gives the same bytes everywhere.
 */
public final class Renderer {

    public static final int SIZE = 64;
    private static final double CELL = SIZE / 3.0;

    private Renderer() {}

    public static BufferedImage render(Scene scene, int variant) {
        BufferedImage image = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        Random jitter = new Random(31L * scene.key().hashCode() + variant);
        Color background = Attributes.BACKGROUNDS.get(scene.background());
        g.setColor(variant == 0 ? background : shade(background, jitter, 0.04));
        g.fillRect(0, 0, SIZE, SIZE);
        for (Thing t : scene.things()) {
            double cx = (t.position().column + 0.5) * CELL + (variant == 0 ? 0 : jitter.nextInt(5) - 2);
            double cy = (t.position().row + 0.5) * CELL + (variant == 0 ? 0 : jitter.nextInt(5) - 2);
            Color colour = variant == 0 ? t.colour().rgb : shade(t.colour().rgb, jitter, 0.08);
            draw(g, t, cx, cy, colour);
        }
        g.dispose();
        return image;
    }

    /** PNG bytes of a rendering. */
    public static byte[] png(Scene scene, int variant) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        // through memory: ImageIO.write to an OutputStream spools the image through a temporary file, as reading did (ImageDecoder)
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            ImageIO.write(render(scene, variant), "png", stream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void draw(Graphics2D g, Thing t, double cx, double cy, Color colour) {
        double r = t.size().radius;
        Area shape = new Area(outline(t, cx, cy, r));
        g.setColor(colour);
        g.fill(shape);
        if (t.texture() == Texture.PLAIN) {
            return;
        }
        Color mark = contrast(colour);
        g.setColor(mark);
        java.awt.Shape clip = g.getClip();
        g.clip(shape);
        if (t.texture() == Texture.STRIPED) {
            for (double y = cy - r; y <= cy + r; y += 4) {
                g.fill(new Rectangle2D.Double(cx - r, y, 2 * r, 2));
            }
        } else {
            for (double y = cy - r + 1; y <= cy + r; y += 4) {
                for (double x = cx - r + 1; x <= cx + r; x += 4) {
                    g.fill(new Rectangle2D.Double(x, y, 2, 2));
                }
            }
        }
        g.setClip(clip);
    }

    private static java.awt.Shape outline(Thing t, double cx, double cy, double r) {
        return switch (t.shape()) {
            case CIRCLE -> new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
            case SQUARE -> new Rectangle2D.Double(cx - r * 0.85, cy - r * 0.85, 1.7 * r, 1.7 * r);
            case TRIANGLE -> polygon(cx, cy, r, 3, 0, -Math.PI / 2);
            case DIAMOND -> polygon(cx, cy, r, 4, 0, -Math.PI / 2);
            case HEXAGON -> polygon(cx, cy, r, 6, 0, 0);
            case STAR -> polygon(cx, cy, r, 5, 0.45, -Math.PI / 2);
            case CROSS -> {
                Area cross = new Area(new Rectangle2D.Double(cx - r, cy - r * 0.35, 2 * r, 0.7 * r));
                cross.add(new Area(new Rectangle2D.Double(cx - r * 0.35, cy - r, 0.7 * r, 2 * r)));
                yield cross;
            }
            case RING -> {
                Area ring = new Area(new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r));
                ring.subtract(new Area(new Ellipse2D.Double(cx - r * 0.5, cy - r * 0.5, r, r)));
                yield ring;
            }
        };
    }

    /** A regular polygon, or a star when {@code inner} > 0 (inner radius as a fraction of r). */
    private static Path2D polygon(double cx, double cy, double r, int points, double inner, double start) {
        Path2D path = new Path2D.Double();
        int corners = inner > 0 ? points * 2 : points;
        for (int i = 0; i < corners; i++) {
            double radius = inner > 0 && i % 2 == 1 ? r * inner : r;
            double angle = start + 2 * Math.PI * i / corners;
            double x = cx + radius * Math.cos(angle);
            double y = cy + radius * Math.sin(angle);
            if (i == 0) {
                path.moveTo(x, y);
            } else {
                path.lineTo(x, y);
            }
        }
        path.closePath();
        return path;
    }

    private static Color shade(Color c, Random random, double amount) {
        double f = 1 + (random.nextDouble() * 2 - 1) * amount;
        return new Color(clamp(c.getRed() * f), clamp(c.getGreen() * f), clamp(c.getBlue() * f));
    }

    private static Color contrast(Color c) {
        int luminance = (c.getRed() * 299 + c.getGreen() * 587 + c.getBlue() * 114) / 1000;
        return luminance > 128 ? c.darker().darker() : new Color(clamp(c.getRed() + 110), clamp(c.getGreen() + 110),
                clamp(c.getBlue() + 110));
    }

    private static int clamp(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }
}

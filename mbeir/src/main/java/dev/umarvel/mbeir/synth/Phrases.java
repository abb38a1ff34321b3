package dev.umarvel.mbeir.synth;

import static dev.umarvel.mbeir.synth.Attributes.pick;

import dev.umarvel.mbeir.synth.Attributes.Texture;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** The grammar: several wordings for the same content, so the model must learn meaning, not strings. */
final class Phrases {

    private Phrases() {}

    /** "a large striped red circle on the left", "a big red circle with stripes at the left side", ... */
    static String thing(Thing t, Random r, boolean withPosition) {
        String size = pick(t.size().words, r);
        String colour = t.colour().word();
        String shape = t.shape().word();
        String texture = pick(t.texture().words, r);
        String core;
        if (t.texture() != Texture.PLAIN && r.nextBoolean()) {
            core = size + " " + colour + " " + shape + " with " + (t.texture() == Texture.STRIPED ? "stripes" : "dots");
        } else {
            core = r.nextBoolean() ? join(size, texture, colour, shape) : join(texture, size, colour, shape);
        }
        String phrase = article(core) + " " + core;
        return withPosition ? phrase + " " + pick(t.position().phrases, r) : phrase;
    }

    /** A whole scene: its things joined, with a varied opening. */
    static String scene(Scene s, Random r) {
        List<String> parts = new ArrayList<>();
        for (Thing t : s.things()) {
            parts.add(thing(t, r, true));
        }
        String body = parts.size() == 1 ? parts.get(0)
                : String.join(", ", parts.subList(0, parts.size() - 1)) + pick(List.of(" and ", " as well as ", " next to "), r)
                        + parts.get(parts.size() - 1);
        return pick(List.of("", "a picture of ", "there is ", "this image shows ", "a scene with "), r) + body;
    }

    /** A catalogue description of one item, attributes in varied order. */
    static String item(Thing t, Random r) {
        String texture = t.texture() == Texture.PLAIN ? pick(List.of("plain", "solid"), r) : pick(t.texture().words, r);
        String size = pick(t.size().words, r);
        return switch (r.nextInt(3)) {
            case 0 -> join(size, texture, t.colour().word(), t.shape().word());
            case 1 -> t.colour().word() + " " + t.shape().word() + ", " + texture + ", " + size + " size";
            default -> join(texture, t.colour().word(), t.shape().word()) + " in " + size;
        };
    }

    /** The wording of a change from one item to another (FashionIQ-like). */
    static String itemChange(Thing from, Thing to, Random r) {
        List<String> changes = new ArrayList<>();
        if (from.colour() != to.colour()) {
            changes.add(pick(List.of("make it " + to.colour().word(), "is " + to.colour().word(),
                    "change the colour to " + to.colour().word()), r));
        }
        if (from.size() != to.size()) {
            boolean larger = to.size().radius > from.size().radius;
            changes.add(pick(larger ? List.of("larger", "make it bigger") : List.of("smaller", "make it smaller"), r));
        }
        if (from.texture() != to.texture()) {
            changes.add(to.texture() == Texture.PLAIN ? "without pattern" : "with " + (to.texture() == Texture.STRIPED ? "stripes" : "dots"));
        }
        if (from.shape() != to.shape()) {
            changes.add("shaped like " + article(to.shape().word()) + " " + to.shape().word());
        }
        return String.join(" and ", changes);
    }

    static String article(String phraseStart) {
        String first = phraseStart.strip();
        return !first.isEmpty() && "aeiou".indexOf(Character.toLowerCase(first.charAt(0))) >= 0 ? "an" : "a";
    }

    static String join(String... words) {
        StringBuilder out = new StringBuilder();
        for (String w : words) {
            if (!w.isEmpty()) {
                if (out.length() > 0) {
                    out.append(' ');
                }
                out.append(w);
            }
        }
        return out.toString();
    }
}

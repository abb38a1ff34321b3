package dev.umarvel.mbeir.synth;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A named entity of the synthetic world with facts and an emblem picture: the knowledge that
 * WebQA-, EDIS-, OVEN- and InfoSeek-like tasks ask about.
 */
record Entity(String name, String category, String region, int founded, Scene emblem) {

    private static final List<String> SYLLABLES = List.of("ka", "lo", "ven", "tar", "mi", "ru", "zel", "dor", "fi",
            "ne", "sha", "quo", "bri", "tho", "ga", "pel", "mar", "sol", "vi", "den", "ora", "kus", "lin", "bo");
    static final List<String> CATEGORIES = List.of("city", "festival", "river", "guild", "mountain", "museum");
    static final List<String> REGIONS = List.of("northern", "southern", "eastern", "western", "coastal", "highland");

    /** {@code n} entities with distinct names and distinct emblems. */
    static List<Entity> catalogue(int n, Random random) {
        List<Entity> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> emblems = new HashSet<>();
        while (out.size() < n) {
            StringBuilder name = new StringBuilder();
            int syllables = 2 + random.nextInt(2);
            for (int i = 0; i < syllables; i++) {
                name.append(Attributes.pick(SYLLABLES, random));
            }
            String capitalised = Character.toUpperCase(name.charAt(0)) + name.substring(1);
            // an emblem is two things side by side, so thousands of entities still look distinct
            Scene emblem = new Scene(random.nextInt(Attributes.BACKGROUNDS.size()), List.of(
                    Thing.random(random, Attributes.Position.LEFT), Thing.random(random, Attributes.Position.RIGHT)));
            if (names.add(capitalised) && emblems.add(emblem.key())) {
                out.add(new Entity(capitalised, Attributes.pick(CATEGORIES, random), Attributes.pick(REGIONS, random),
                        1200 + random.nextInt(800), emblem));
            } else {
                names.remove(capitalised);
            }
        }
        return out;
    }

    /** An encyclopedia-style passage. */
    String passage() {
        Thing a = emblem.things().get(0);
        return name + " is a " + category + " in the " + region + " region. It was founded in " + founded
                + " and its emblem shows a " + a.colour().word() + " " + a.shape().word() + ".";
    }

    /** A one-line summary (OVEN-like entity text). */
    String summary() {
        return name + ", a " + category + " in the " + region + " region";
    }
}

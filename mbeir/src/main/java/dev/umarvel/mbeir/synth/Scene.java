package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.synth.Attributes.Position;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

/** A picture: a background and one to three things in distinct cells of a 3x3 grid. */
public record Scene(int background, List<Thing> things) {

    public Scene {
        things = things.stream().sorted(Comparator.comparing(Thing::position)).toList();
    }

    static Scene random(Random random, int minThings, int maxThings) {
        int n = minThings + random.nextInt(maxThings - minThings + 1);
        List<Position> cells = new ArrayList<>(List.of(Position.values()));
        List<Thing> things = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            things.add(Thing.random(random, cells.remove(random.nextInt(cells.size()))));
        }
        return new Scene(random.nextInt(Attributes.BACKGROUNDS.size()), things);
    }

    /** One thing, centred: a catalogue item (the fashion-like datasets). */
    static Scene item(Thing thing) {
        return new Scene(2, List.of(thing.at(Position.CENTER)));
    }

    /** The same scene with one attribute of one thing changed. */
    Scene mutate(Random random) {
        List<Thing> copy = new ArrayList<>(things);
        int i = random.nextInt(copy.size());
        copy.set(i, copy.get(i).mutate(random));
        return new Scene(background, copy);
    }

    Scene with(int index, Thing thing) {
        List<Thing> copy = new ArrayList<>(things);
        copy.set(index, thing);
        return new Scene(background, copy);
    }

    Scene add(Thing thing) {
        List<Thing> copy = new ArrayList<>(things);
        copy.add(thing);
        return new Scene(background, copy);
    }

    Scene remove(int index) {
        List<Thing> copy = new ArrayList<>(things);
        copy.remove(index);
        return new Scene(background, copy);
    }

    /** Cells no thing occupies. */
    List<Position> freeCells() {
        List<Position> free = new ArrayList<>(List.of(Position.values()));
        things.forEach(t -> free.remove(t.position()));
        return free;
    }

    String key() {
        return background + ":" + things.stream().map(Thing::key).collect(Collectors.joining(","));
    }
}

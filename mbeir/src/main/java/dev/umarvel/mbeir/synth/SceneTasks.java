package dev.umarvel.mbeir.synth;

import static dev.umarvel.mbeir.synth.Attributes.pick;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirDataset;
import dev.umarvel.mbeir.synth.Attributes.Colour;
import dev.umarvel.mbeir.synth.Attributes.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tasks about multi-object scenes: MSCOCO-, VisualNews-, NIGHTS- and CIRR-like. */
final class SceneTasks {

    private SceneTasks() {}

    static EvalTask evalTask(MbeirDataset d, int id) {
        return EvalTask.ALL.stream().filter(t -> t.dataset().equals(d.stem()) && t.taskId() == id).findFirst().orElseThrow();
    }

    /** Caption -> scene (task 0) or scene -> captions (task 3); VisualNews captions carry news framing. */
    static TaskSource captions(MbeirDataset dataset, int taskId, List<Entity> names) {
        boolean news = dataset == MbeirDataset.VISUALNEWS;
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return evalTask(dataset, taskId);
            }

            private String caption(Scene s, Random r) {
                if (!news) {
                    return Phrases.scene(s, r);
                }
                Entity e = pick(names, r);
                return pick(List.of(e.name() + " officials unveil ", "residents of " + e.name() + " display ",
                        "at the " + e.name() + " fair, ", "visitors in " + e.name() + " photograph "), r) + Phrases.scene(s, r);
            }

            @Override
            public Example example(Random r, String split) {
                Scene scene = Scene.random(r, 1, 3);
                List<Content> negatives = List.of(scene.mutate(r), scene.mutate(r)).stream()
                        .map(m -> taskId == 0 ? Content.image(m, 0) : Content.text(caption(m, r))).toList();
                if (taskId == 0) {
                    return new Example(Content.text(caption(scene, r)), List.of(Content.image(scene, 0)), negatives);
                }
                List<Content> captions = new ArrayList<>();
                for (int i = 0; i < (news ? 1 : 3); i++) {
                    captions.add(Content.text(caption(scene, r)));
                }
                return new Example(Content.image(scene, 0), captions, negatives);
            }

            @Override
            public Content distractor(Random r) {
                Scene s = Scene.random(r, 1, 3);
                return taskId == 0 ? Content.image(s, 0) : Content.text(caption(s, r));
            }
        };
    }

    /** NIGHTS-like: a rendering -> another rendering of the same scene. */
    static TaskSource rerendered() {
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return evalTask(MbeirDataset.NIGHTS, 4);
            }

            @Override
            public Example example(Random r, String split) {
                Scene scene = Scene.random(r, 1, 3);
                return new Example(Content.image(scene, 1), List.of(Content.image(scene, 2)),
                        List.of(Content.image(scene.mutate(r), 2), Content.image(scene.mutate(r), 2)));
            }

            @Override
            public Content distractor(Random r) {
                return Content.image(Scene.random(r, 1, 3), 2);
            }
        };
    }

    /** CIRR-like: a scene plus a change ("add a green triangle on the left") -> the changed scene. */
    static TaskSource composed() {
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return evalTask(MbeirDataset.CIRR, 7);
            }

            @Override
            public Example example(Random r, String split) {
                Scene reference = Scene.random(r, 2, 3);
                Change first = change(reference, r);
                Change other = change(reference, r);
                List<Content> negatives = new ArrayList<>();
                negatives.add(Content.image(reference, 0));
                if (!other.target.key().equals(first.target.key())) {
                    negatives.add(Content.image(other.target, 0));
                }
                return new Example(Content.both(first.text, reference, 0), List.of(Content.image(first.target, 0)), negatives);
            }

            @Override
            public Content distractor(Random r) {
                return Content.image(Scene.random(r, 1, 3), 0);
            }
        };
    }

    private record Change(String text, Scene target) {}

    private static Change change(Scene s, Random r) {
        int i = r.nextInt(s.things().size());
        Thing t = s.things().get(i);
        String name = t.colour().word() + " " + t.shape().word();
        return switch (r.nextInt(4)) {
            case 0 -> {
                if (s.freeCells().isEmpty()) {
                    yield recolour(s, i, t, name, r);
                }
                Thing added = Thing.random(r, pick(s.freeCells(), r));
                yield new Change(pick(List.of("add ", "also show ", "put "), r) + Phrases.thing(added, r, true), s.add(added));
            }
            case 1 -> new Change(pick(List.of("remove the ", "take away the ", "without the "), r) + name, s.remove(i));
            case 2 -> recolour(s, i, t, name, r);
            default -> {
                Shape shape = Thing.other(Shape.class, t.shape(), r);
                yield new Change("turn the " + name + " into " + Phrases.article(shape.word()) + " " + shape.word(),
                        s.with(i, t.withShape(shape)));
            }
        };
    }

    private static Change recolour(Scene s, int i, Thing t, String name, Random r) {
        Colour colour = Thing.other(Colour.class, t.colour(), r);
        return new Change(pick(List.of("make the ", "paint the ", "colour the "), r) + name + " " + colour.word(),
                s.with(i, t.withColour(colour)));
    }
}

package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirDataset;
import dev.umarvel.mbeir.synth.Attributes.Colour;
import dev.umarvel.mbeir.synth.Attributes.Position;
import dev.umarvel.mbeir.synth.Attributes.Size;
import dev.umarvel.mbeir.synth.Attributes.Texture;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tasks about single catalogue items: Fashion200K- and FashionIQ-like. */
final class ItemTasks {

    private ItemTasks() {}

    private static Thing item(Random r) {
        return Thing.random(r, Position.CENTER);
    }

    /** Description -> item picture (task 0) or picture -> description (task 3). */
    static TaskSource descriptions(int taskId) {
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return SceneTasks.evalTask(MbeirDataset.FASHION200K, taskId);
            }

            private Content candidate(Thing t, Random r) {
                return taskId == 0 ? Content.image(Scene.item(t), 0) : Content.text(Phrases.item(t, r));
            }

            @Override
            public Example example(Random r, String split) {
                Thing t = item(r);
                Content query = taskId == 0 ? Content.text(Phrases.item(t, r)) : Content.image(Scene.item(t), 0);
                return new Example(query, List.of(candidate(t, r)), List.of(candidate(t.mutate(r), r), candidate(t.mutate(r), r)));
            }

            @Override
            public Content distractor(Random r) {
                return candidate(item(r), r);
            }
        };
    }

    /** Reference item + requested change -> the changed item (task 7, FashionIQ-like). */
    static TaskSource changes() {
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return SceneTasks.evalTask(MbeirDataset.FASHIONIQ, 7);
            }

            @Override
            public Example example(Random r, String split) {
                Thing reference = item(r);
                Thing recoloured = reference.withColour(Thing.other(Colour.class, reference.colour(), r));
                Thing target = switch (r.nextInt(3)) {
                    case 0 -> recoloured;
                    case 1 -> recoloured.withSize(reference.size() == Size.SMALL ? Size.LARGE : Size.SMALL);
                    default -> recoloured.withTexture(Thing.other(Texture.class, reference.texture(), r));
                };
                List<Content> negatives = new ArrayList<>();
                negatives.add(Content.image(Scene.item(reference), 0));
                negatives.add(Content.image(Scene.item(target.withShape(Thing.other(Attributes.Shape.class, target.shape(), r))), 0));
                if (!target.equals(recoloured)) {
                    negatives.add(Content.image(Scene.item(recoloured), 0)); // only part of the change
                }
                return new Example(Content.both(Phrases.itemChange(reference, target, r), Scene.item(reference), 0),
                        List.of(Content.image(Scene.item(target), 0)), negatives);
            }

            @Override
            public Content distractor(Random r) {
                return Content.image(Scene.item(item(r)), 0);
            }
        };
    }
}

package dev.umarvel.mbeir.synth;

import static dev.umarvel.mbeir.synth.Attributes.pick;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.MbeirDataset;
import dev.umarvel.mbeir.MbeirLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Tasks about named entities and their facts: WebQA-, EDIS-, OVEN- and InfoSeek-like. */
final class KnowledgeTasks {

    private KnowledgeTasks() {}

    /**
     * The entities a split may ask about: WebQA and EDIS ask about entities never seen in
     * training (disjoint lists); OVEN and InfoSeek recognise known entities from a new view.
     */
    record Entities(List<Entity> train, List<Entity> eval, List<Entity> all) {
        List<Entity> forSplit(String split) {
            return split.equals(MbeirLayout.TRAIN) ? train : eval;
        }
    }

    private static Entity other(List<Entity> from, Entity not, Random r) {
        Entity e;
        do {
            e = pick(from, r);
        } while (e == not && from.size() > 1);
        return e;
    }

    /** Question -> passage (task 1) or question -> emblem picture with caption (task 2). */
    static TaskSource questions(int taskId, Entities entities) {
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return SceneTasks.evalTask(MbeirDataset.WEBQA, taskId);
            }

            @Override
            public Example example(Random r, String split) {
                List<Entity> pool = entities.forSplit(split);
                Entity e = pick(pool, r);
                if (taskId == 1) {
                    String question = switch (r.nextInt(3)) {
                        case 0 -> pick(List.of("When was " + e.name() + " founded?", "In which year was the " + e.category()
                                + " " + e.name() + " founded?"), r);
                        case 1 -> pick(List.of("Where is " + e.name() + "?", "In which region is " + e.name() + " located?"), r);
                        default -> pick(List.of("What kind of place is " + e.name() + "?", "Is " + e.name() + " a city or a "
                                + e.category() + "?"), r);
                    };
                    return new Example(Content.text(question), List.of(Content.text(e.passage())),
                            List.of(Content.text(other(pool, e, r).passage()), Content.text(other(pool, e, r).passage())));
                }
                String caption = "The emblem of " + e.name();
                return new Example(Content.text(pick(List.of("What does the emblem of " + e.name() + " look like?",
                                "Show me the emblem of the " + e.category() + " " + e.name() + ".", "Emblem of " + e.name()), r)),
                        List.of(Content.both(caption, e.emblem(), 0)),
                        List.of(Content.both(caption, e.emblem().mutate(r), 0),
                                Content.both("The emblem of " + other(pool, e, r).name(), e.emblem(), 0)));
            }

            @Override
            public Content distractor(Random r) {
                Entity e = pick(entities.all(), r);
                return taskId == 1 ? Content.text(e.passage()) : Content.both("The emblem of " + e.name(), e.emblem(), 0);
            }
        };
    }

    /** EDIS-like: a headline -> the news picture with its own headline. */
    static TaskSource headlines(Entities entities) {
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return SceneTasks.evalTask(MbeirDataset.EDIS, 2);
            }

            private String headline(Entity e, Scene s, Random r) {
                return pick(List.of(e.name() + " celebrates with ", "Crowds in " + e.name() + " cheer ",
                        e.name() + " festival shows "), r) + Phrases.scene(s, r);
            }

            @Override
            public Example example(Random r, String split) {
                List<Entity> pool = entities.forSplit(split);
                Entity e = pick(pool, r);
                Scene s = Scene.random(r, 1, 2);
                Scene changed = s.mutate(r);
                return new Example(Content.text(headline(e, s, r)), List.of(Content.both(headline(e, s, r), s, 0)),
                        List.of(Content.both(headline(e, changed, r), changed, 0),
                                Content.both(headline(other(pool, e, r), s, r), s, 0)));
            }

            @Override
            public Content distractor(Random r) {
                Scene s = Scene.random(r, 1, 2);
                return Content.both(headline(pick(entities.all(), r), s, r), s, 0);
            }
        };
    }

    /** OVEN-like (dataset 5) and InfoSeek-like (dataset 6): emblem + question -> entity text (6) or picture + text (8). */
    static TaskSource recognition(MbeirDataset dataset, int taskId, Entities entities) {
        boolean facts = dataset == MbeirDataset.INFOSEEK;
        return new TaskSource() {
            @Override
            public EvalTask task() {
                return SceneTasks.evalTask(dataset, taskId);
            }

            private Content answer(Entity e, int fact) {
                String text = !facts ? e.summary()
                        : fact == 0 ? e.name() + " was founded in " + e.founded() + "."
                        : e.name() + " lies in the " + e.region() + " region.";
                return taskId == 6 ? Content.text(text) : Content.both(text, e.emblem(), 0);
            }

            @Override
            public Example example(Random r, String split) {
                Entity e = pick(entities.all(), r);
                int fact = r.nextInt(2);
                String question = !facts
                        ? pick(List.of("What is this emblem of?", "Which " + e.category() + " does this emblem belong to?",
                                "Name the entity shown."), r)
                        : fact == 0 ? pick(List.of("When was this " + e.category() + " founded?", "In which year was this founded?"), r)
                        : pick(List.of("In which region is this " + e.category() + "?", "Where is this located?"), r);
                // training sees views 1-2 of each emblem, evaluation view 3: recognition from a new rendering
                int view = split.equals(MbeirLayout.TRAIN) ? 1 + r.nextInt(2) : 3;
                List<Content> negatives = new ArrayList<>();
                negatives.add(answer(other(entities.all(), e, r), fact));
                negatives.add(answer(other(entities.all(), e, r), fact));
                return new Example(Content.both(question, e.emblem(), view), List.of(answer(e, fact)), negatives);
            }

            @Override
            public Content distractor(Random r) {
                return answer(pick(entities.all(), r), r.nextInt(2));
            }
        };
    }
}

package dev.umarvel.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.umarvel.model.nn.NoGrad;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Per parameter group (vision tower, each vision and language layer, projector, embeddings, LoRA A and B, tau):
 * the gradient norm, the weight norm and the size of one optimiser update relative to the weights. Zeros say a
 * part gets no gradient; an update/weight ratio far below ~1e-3 says a part barely moves, far above says it is
 * thrown around. Taken around one step ({@link #before}, then {@link #after} the update).
 */
final class GradientReport {

    /** Sums of squares per group. */
    private static final class Group {
        double grad;
        double weight;
        double update;
        int tensors;
    }

    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final List<NDArray> copies = new ArrayList<>();
    private final List<Pair<String, Parameter>> parameters;

    private GradientReport(List<Pair<String, Parameter>> parameters) {
        this.parameters = parameters;
    }

    /** The group of a parameter named like "03language_02layer1_01attention_..._weight": "language.layer1", "+ .lora_a" for adapters. */
    static String group(String name) {
        String[] parts = name.split("_(?=\\d\\d)");
        String g = parts[0].replaceFirst("^\\d\\d", "");
        if (parts.length > 2) {
            g += "." + parts[1].replaceFirst("^\\d\\d", "");
        }
        if (g.startsWith("language_")) { // token_embedding, position_embedding
            g = "language." + g.substring("language_".length());
        }
        if (name.endsWith("lora_a") || name.endsWith("lora_b")) {
            g += "." + name.substring(name.length() - 6);
        }
        return g;
    }

    /** Reads gradients and weights before the optimiser's step, and keeps a copy of the weights. */
    static GradientReport before(List<Pair<String, Parameter>> parameters) {
        GradientReport r = new GradientReport(parameters);
        try (NoGrad g = NoGrad.scope()) {
            for (Pair<String, Parameter> p : parameters) {
                NDArray w = p.getValue().getArray();
                Group group = r.groups.computeIfAbsent(group(p.getKey()), k -> new Group());
                group.grad += squares(w.getGradient());
                group.weight += squares(w);
                group.tensors++;
                r.copies.add(w.duplicate());
            }
        }
        return r;
    }

    /** Measures the update the step made and returns one line per group. */
    List<String> after() {
        try (NoGrad g = NoGrad.scope()) {
            for (int i = 0; i < parameters.size(); i++) {
                try (NDArray copy = copies.get(i); NDArray diff = parameters.get(i).getValue().getArray().sub(copy)) {
                    groups.get(group(parameters.get(i).getKey())).update += squares(diff);
                }
            }
        }
        List<String> out = new ArrayList<>();
        groups.forEach((name, g) -> out.add(String.format(Locale.ROOT, "  %-28s %3d tensors  |grad| %.3e  |w| %.3e  |update|/|w| %.2e", name,
                g.tensors, Math.sqrt(g.grad), Math.sqrt(g.weight), g.weight > 0 ? Math.sqrt(g.update / g.weight) : Double.NaN)));
        return out;
    }

    private static double squares(NDArray a) {
        try (NDArray sq = a.square(); NDArray sum = sq.sum()) {
            return sum.getFloat();
        }
    }
}

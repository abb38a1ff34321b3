package dev.umarvel.mbeir.eval.baseline;

import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.Retriever;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A split's candidate pools, each read once: a task's local pool, and the global pool as the evaluator
 * defines it (the union of the split's local pools, each did once, in task order).
 */
public final class Pools {

    private final MbeirLayout layout;
    private final String split;
    private final Map<Path, List<MbeirCandidate>> local = new HashMap<>();
    private List<MbeirCandidate> global;

    public Pools(MbeirLayout layout, String split) {
        this.layout = layout;
        this.split = split;
    }

    public MbeirLayout layout() {
        return layout;
    }

    /** The pool a query of {@code task} searches in {@code scope}; also the key a retriever caches its index under. */
    public synchronized List<MbeirCandidate> of(EvalTask task, Retriever.Scope scope) {
        if (scope == Retriever.Scope.LOCAL) {
            return local.computeIfAbsent(layout.localPool(task, split), Pools::read);
        }
        if (global == null) {
            Set<String> seen = new HashSet<>();
            List<MbeirCandidate> union = new ArrayList<>();
            for (EvalTask t : layout.tasks(split)) {
                for (MbeirCandidate c : of(t, Retriever.Scope.LOCAL)) {
                    if (seen.add(c.did())) {
                        union.add(c);
                    }
                }
            }
            global = union;
        }
        return global;
    }

    private static List<MbeirCandidate> read(Path file) {
        try (Stream<MbeirCandidate> lines = Jsonl.candidates(file)) {
            return lines.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

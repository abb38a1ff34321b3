package dev.umarvel.bench;

import java.util.Arrays;

/** Entry point: {@code ./mvnw -q -pl bench exec:java -Dexec.args="model [--quick]"}. */
public final class Bench {

    private Bench() {}

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "help" : args[0];
        String[] rest = Arrays.copyOfRange(args, Math.min(1, args.length), args.length);
        switch (which) {
            case "model" -> ModelBench.run(rest);
            case "eval" -> EvalBench.run(rest);
            case "recipe" -> RecipeBench.run(rest);
            case "serving" -> ServingBench.run(rest);
            case "index" -> IndexBench.run(rest);
            case "search" -> SearchBench.run(rest);
            case "search-latency" -> SearchLatencyBench.run(rest);
            case "loop" -> LoopBench.run(rest);
            case "reliability" -> dev.umarvel.bench.reliability.Reliability.main(rest);
            default -> {
                System.out.println("usage: Bench model [--quick] | eval [--quick] [--full] | recipe [--small] | serving [--quick] [--pinned] [--max-delay 5ms] [--only embedder|reranker] [--warm-up S] [--service-threads N]"
                        + " | index [--quick] [--max N] | search [--queries-per-task N] [--embedder CKPT] [--reranker CKPT] | search-latency [--candidates N] | loop [--tiny] [--store DIR]");
                System.exit(which.equals("help") ? 0 : 2);
            }
        }
    }
}

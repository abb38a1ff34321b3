package dev.umarvel.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.eval.EvaluationReport;
import dev.umarvel.mbeir.eval.EvaluationResult;
import dev.umarvel.mbeir.eval.Evaluator;
import dev.umarvel.mbeir.eval.baseline.Baselines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The untrained baselines as rows of the findings' tables: the same test queries, pools and metric as every variant. */
final class FindingBaselines {

    private FindingBaselines() {}

    /** Chance, BM25, raw pixels and the best of them per task, each with its mean's binomial noise. */
    static List<Findings.Row> evaluate(Path dataset) throws Exception {
        MbeirLayout layout = new MbeirLayout(dataset);
        List<Findings.Row> rows = new ArrayList<>();
        for (EvaluationResult r : Baselines.evaluate(layout, Evaluator.Options.all(layout, MbeirLayout.TEST, true), m -> {})) {
            JsonNode e = EvaluationReport.json(List.of(r)).get("evaluations").get(0);
            rows.add(new Findings.Row("baselines", r.label(), 0, r.meanLocal(), r.meanGlobal() == null ? Double.NaN : r.meanGlobal(),
                    Findings.standardError(e, "local"), Findings.standardError(e, "global")));
        }
        return rows;
    }
}

package dev.umarvel.orchestrator;

import static dev.umarvel.orchestrator.ConsoleApi.refuse;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.util.JsonFormat;
import dev.umarvel.api.StorePath;
import dev.umarvel.mbeir.EvalTask;
import dev.umarvel.mbeir.Instructions;
import dev.umarvel.mbeir.Json;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.MbeirQuery;
import dev.umarvel.security.AuthInterceptor;
import dev.umarvel.security.Principal;
import dev.umarvel.security.Scope;
import io.grpc.Status;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;

/**
 * What the console reads that no RPC answers: a stored image (a card's thumbnail), a dataset's test queries with their
 * positives, the Distill runs of the store and a training job's learning curve. Each asks the caller's token for the
 * scope of the RPCs it stands beside (search for the first two, train for the others), as the gRPC API would.
 */
@ApplicationScoped
public class ConsoleReads {

    @Inject
    OrchestratorConfig config;

    @Inject
    AuthInterceptor auth; // the gRPC edge's own token file and lookup

    void routes(Router router) {
        router.route(HttpMethod.GET, "/api/v1/image").blockingHandler(this::image, false);
        router.route(HttpMethod.GET, "/api/v1/dataset/queries").blockingHandler(this::datasetQueries, false);
        router.route(HttpMethod.GET, "/api/v1/distill/runs").blockingHandler(this::distillRuns, false);
        router.route(HttpMethod.GET, "/api/v1/jobs/:id/curve").blockingHandler(this::curve, false);
    }

    private Path store() {
        return config.store().toAbsolutePath().normalize();
    }

    /** Whether the caller's token has {@code scope} (always, without a tokens file); refused with its status when not. */
    private boolean may(RoutingContext rc, Scope scope) {
        if (!auth.enforced()) {
            return true;
        }
        Optional<Principal> who = auth.principal(rc.request().getHeader("authorization"));
        if (who.isEmpty()) {
            refuse(rc, Status.UNAUTHENTICATED.withDescription("missing, unknown or revoked token: send 'authorization: Bearer <token>'"));
            return false;
        }
        if (!who.get().may(scope)) {
            refuse(rc, Status.PERMISSION_DENIED.withDescription("token '" + who.get().name() + "' lacks scope "
                    + scope.name().toLowerCase(Locale.ROOT)));
            return false;
        }
        return true;
    }

    private static void json(RoutingContext rc, Object body) throws IOException {
        rc.response().putHeader("content-type", "application/json").end(Json.MAPPER.writeValueAsString(body));
    }

    /** A stored image: confined to the store, as every store path is. */
    private void image(RoutingContext rc) {
        if (!may(rc, Scope.SEARCH)) {
            return;
        }
        String path = Optional.ofNullable(rc.request().getParam("path")).orElse("");
        Path file;
        try {
            file = StorePath.confine(store(), path);
        } catch (IllegalArgumentException e) {
            refuse(rc, Status.INVALID_ARGUMENT.withDescription("path: " + e.getMessage()));
            return;
        }
        String type = imageType(file);
        if (type == null || !Files.isRegularFile(file)) {
            refuse(rc, Status.NOT_FOUND.withDescription("path: no image " + path + " in the store"));
            return;
        }
        rc.response().putHeader("content-type", type).putHeader("cache-control", "private, max-age=3600").sendFile(file.toString());
    }

    private static String imageType(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") ? "image/png" : n.endsWith(".jpg") || n.endsWith(".jpeg") ? "image/jpeg" : null;
    }

    /**
     * The first {@code per_task} queries of each task of a dataset's split ({@code dataset}: a store-relative M-BEIR
     * directory), as the evaluator searches them: the query, the task's pool label and the positives.
     */
    private void datasetQueries(RoutingContext rc) {
        if (!may(rc, Scope.SEARCH)) {
            return;
        }
        String dir = Optional.ofNullable(rc.request().getParam("dataset")).orElse("");
        String split = Optional.ofNullable(rc.request().getParam("split")).orElse(MbeirLayout.TEST);
        try {
            int perTask = Integer.parseInt(Optional.ofNullable(rc.request().getParam("per_task")).orElse("2"));
            MbeirLayout layout = new MbeirLayout(StorePath.confine(store(), dir));
            Instructions instructions = Instructions.read(layout.instructions());
            Random random = new Random(42);
            List<Map<String, Object>> out = new ArrayList<>();
            for (EvalTask task : layout.tasks(split)) {
                List<MbeirQuery> queries;
                try (Stream<MbeirQuery> lines = Jsonl.queries(layout.queries(split, task))) {
                    queries = lines.limit(perTask).toList();
                }
                Instructions.Key key = new Instructions.Key(task.datasetId(), task.queryModality(), task.candidateModality());
                for (MbeirQuery q : queries) {
                    JsonNode query = Json.MAPPER.readTree(JsonFormat.printer().print(CollectionEvaluation.query(q, instructions.choose(key, random), dir)));
                    out.add(Map.of("task", task.name(), "qid", q.qid(), "pool", CollectionEvaluation.poolLabel(layout, task, split), "query", query,
                            "positives", q.posCandList()));
                }
            }
            json(rc, out);
        } catch (IllegalArgumentException e) {
            refuse(rc, Status.INVALID_ARGUMENT.withDescription("dataset: " + e.getMessage()));
        } catch (IOException | UncheckedIOException e) {
            refuse(rc, Status.NOT_FOUND.withDescription("dataset: no M-BEIR " + split + " split under '" + dir + "' (" + e.getMessage() + ")"));
        }
    }

    /** The store's Distill runs, newest first: how far each got, and its recall before and after. */
    private void distillRuns(RoutingContext rc) {
        if (!may(rc, Scope.TRAIN)) {
            return;
        }
        Path root = store().resolve("distill");
        List<Map<String, Object>> runs = new ArrayList<>();
        try {
            if (Files.isDirectory(root)) {
                List<Path> files;
                try (Stream<Path> dirs = Files.list(root)) {
                    files = dirs.map(d -> d.resolve("run.json")).filter(Files::isRegularFile)
                            .sorted(Comparator.comparing((Path f) -> f.toFile().lastModified()).reversed()).limit(50).toList();
                }
                for (Path f : files) {
                    runs.add(run(Json.MAPPER.readTree(f.toFile()), Files.getLastModifiedTime(f).toMillis()));
                }
            }
            json(rc, runs);
        } catch (IOException e) {
            refuse(rc, Status.UNAVAILABLE.withDescription("storage: " + e.getMessage()));
        }
    }

    /** A run record as the console shows it: its phases done, in order, and the recall figures of its evaluations. */
    private static Map<String, Object> run(JsonNode s, long updatedMillis) throws IOException {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("runId", s.path("runId").asText());
        r.put("collection", s.path("collection").asText());
        r.put("updatedMillis", updatedMillis);
        List<String> done = new ArrayList<>();
        String[][] phases = {{"before", "EVALUATE_BEFORE"}, {"teacherFile", "TEACHER_SCORING"}, {"checkpoint", "TRAINING"},
            {"deployedVersion", "DEPLOY"}, {"after", "EVALUATE_AFTER"}};
        for (String[] p : phases) {
            if (!s.path(p[0]).asText().isEmpty()) {
                done.add(p[1]);
            }
            if (p[1].equals("DEPLOY") && s.path("reindexDone").asBoolean()) {
                done.add("REINDEX");
            }
        }
        if (s.path("swapped").asBoolean()) {
            done.add("ALIAS_SWAP");
        }
        r.put("phasesDone", done);
        r.put("reindexed", s.path("reindexed").asLong());
        r.put("jobId", s.path("jobId").asText());
        r.put("baseVersion", s.path("baseVersion").asText());
        r.put("deployedVersion", s.path("deployedVersion").asText());
        for (String e : List.of("before", "after")) {
            if (!s.path(e).asText().isEmpty()) {
                JsonNode summary = Json.MAPPER.readTree(s.path(e).asText());
                r.put(e, Map.of("meanLocal", summary.path("meanLocal").asDouble(), "meanGlobal", summary.path("meanGlobal").asDouble(),
                        "label", summary.path("label").asText()));
            }
        }
        return r;
    }

    /** A training job's learning curve (jobs/&lt;id&gt;/curve.json): loss, its chance level, validation recall by step. */
    private void curve(RoutingContext rc) {
        if (!may(rc, Scope.TRAIN)) {
            return;
        }
        String id = rc.pathParam("id");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
            refuse(rc, Status.INVALID_ARGUMENT.withDescription("job_id: '" + id + "' is not a job id"));
            return;
        }
        Path file = store().resolve("jobs").resolve(id).resolve("curve.json");
        if (!Files.isRegularFile(file)) {
            refuse(rc, Status.NOT_FOUND.withDescription("job_id: no learning curve for job '" + id + "'"));
            return;
        }
        rc.response().putHeader("content-type", "application/json").sendFile(file.toString());
    }
}

package dev.umarvel.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The invariants of k8s/ that a reviewer would check by hand: every container probed on /q/health,
 * with requests and limits; a PodDisruptionBudget and a Service per Deployment; Prometheus
 * annotations; images pinned by tag; GPUs requested for the model services in the gpu overlay; no
 * Secret with values anywhere. These read the files as written; RenderedOverlaysTest checks what kustomize makes of them.
 */
class K8sManifestsTest {

    static final Path K8S = Path.of("..", "k8s");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static List<JsonNode> documents(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
                    docs.readAll().stream().filter(d -> d != null && !d.isNull()).forEach(out::add);
                }
            }
        }
        return out;
    }

    static List<JsonNode> kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    @Test
    void everyDeploymentIsProbedBoundedGuardedScrapedAndServed() throws Exception {
        List<JsonNode> base = documents(K8S.resolve("base"));
        List<JsonNode> deployments = kind(base, "Deployment");
        assertEquals(Set.of("embedder", "reranker", "trainer", "orchestrator"),
                Set.copyOf(deployments.stream().map(d -> d.at("/metadata/name").asText()).toList()));
        Set<String> pdbs = new HashSet<>(kind(base, "PodDisruptionBudget").stream().map(d -> d.at("/spec/selector/matchLabels")
                .path("app.kubernetes.io/name").asText()).toList());
        Set<String> services = new HashSet<>(kind(base, "Service").stream().map(d -> d.at("/spec/selector")
                .path("app.kubernetes.io/name").asText()).toList());
        for (JsonNode d : deployments) {
            String name = d.at("/metadata/name").asText();
            JsonNode pod = d.at("/spec/template");
            assertEquals("true", pod.at("/metadata/annotations").path("prometheus.io/scrape").asText(), name + ": scraped");
            assertEquals("/q/metrics", pod.at("/metadata/annotations").path("prometheus.io/path").asText(), name);
            assertTrue(pdbs.contains(name), name + ": a PodDisruptionBudget");
            assertTrue(services.contains(name), name + ": a Service");
            for (JsonNode c : pod.at("/spec/containers")) {
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    assertTrue(c.path(probe).at("/httpGet/path").asText().startsWith("/q/health/"), name + ": " + probe);
                }
                for (String bound : List.of("requests", "limits")) {
                    assertFalse(c.at("/resources/" + bound + "/cpu").isMissingNode(), name + ": cpu " + bound);
                    assertFalse(c.at("/resources/" + bound + "/memory").isMissingNode(), name + ": memory " + bound);
                }
                assertFalse(c.path("image").asText().contains(":"), name + ": the tag is set in the kustomization, once");
            }
            assertTrue(pod.at("/spec/volumes").toString().contains("umarvel-store"), name + ": the shared store");
        }
        assertEquals("ReadWriteMany", kind(base, "PersistentVolumeClaim").get(0).at("/spec/accessModes/0").asText());
    }

    @Test
    void theOrchestratorReachesEveryModelReplicaThroughHeadlessServices() throws Exception {
        List<JsonNode> base = documents(K8S.resolve("base"));
        JsonNode orchestrator = kind(base, "Deployment").stream().filter(d -> d.at("/metadata/name").asText().equals("orchestrator")).findFirst()
                .orElseThrow();
        java.util.Map<String, String> env = new java.util.HashMap<>();
        orchestrator.at("/spec/template/spec/containers/0/env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        for (String[] model : new String[][] {{"embedder", "9091"}, {"reranker", "9092"}}) {
            JsonNode service = kind(base, "Service").stream().filter(d -> d.at("/metadata/name").asText().equals(model[0])).findFirst().orElseThrow();
            // a ClusterIP would pin each of the orchestrator's connections, and so every call, to one pod
            assertEquals("None", service.at("/spec/clusterIP").asText(), model[0] + ": headless, its name resolving to every ready pod");
            assertEquals(model[0] + ":" + model[1], env.get("UMARVEL_MODELS_" + model[0].toUpperCase()), model[0] + ": the orchestrator's replicas");
        }
    }

    @Test
    void imagesArePinnedAndNoSecretCarriesValues() throws Exception {
        for (Path k : List.of(K8S.resolve("base/kustomization.yaml"), K8S.resolve("overlays/gpu/kustomization.yaml"))) {
            for (JsonNode image : YAML.readTree(k.toFile()).path("images")) {
                String tag = image.path("newTag").asText();
                assertTrue(tag.matches("\\d+\\.\\d+\\.\\d+"), k + ": " + image.path("name").asText() + " pinned, got '" + tag + "'");
            }
        }
        for (JsonNode d : documents(K8S)) {
            if ("Secret".equals(d.path("kind").asText())) {
                assertTrue(d.path("data").isMissingNode() && d.path("stringData").isMissingNode(), "a Secret with values: " + d);
            }
        }
        try (Stream<Path> files = Files.walk(K8S)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(f).toLowerCase();
                assertFalse(text.matches("(?s).*(password|token)\\s*[:=]\\s*[\"']?[a-z0-9]{8,}.*"), f + " looks like it holds a secret");
            }
        }
    }

    @Test
    void theGpuOverlayPutsTheModelsOnGpuNodesAndScalesTheOrchestrator() throws Exception {
        JsonNode k = YAML.readTree(K8S.resolve("overlays/gpu/kustomization.yaml").toFile());
        JsonNode gpuPatch = null;
        for (JsonNode p : k.path("patches")) {
            if (p.path("path").asText().equals("gpu-node.yaml")) {
                gpuPatch = p;
            }
        }
        assertEquals("embedder|reranker|trainer", gpuPatch.at("/target/name").asText());
        JsonNode ops = YAML.readTree(K8S.resolve("overlays/gpu/gpu-node.yaml").toFile());
        Map<String, String> added = new java.util.HashMap<>();
        ops.forEach(op -> added.put(op.path("path").asText(), op.path("value").toString()));
        assertEquals("\"1\"", added.get("/spec/template/spec/containers/0/resources/limits/nvidia.com~1gpu"));
        assertTrue(added.get("/spec/template/spec/tolerations").contains("nvidia.com/gpu"));
        assertTrue(added.containsKey("/spec/template/spec/nodeSelector"));
        JsonNode hpa = YAML.readTree(K8S.resolve("overlays/gpu/orchestrator-hpa.yaml").toFile());
        assertEquals("orchestrator", hpa.at("/spec/scaleTargetRef/name").asText());
        assertTrue(hpa.at("/spec/minReplicas").asInt() >= 2);
        JsonNode dashboard = new ObjectMapper().readTree(K8S.resolve("dashboards/umarvel.json").toFile());
        assertTrue(dashboard.path("panels").size() >= 10);
    }
}

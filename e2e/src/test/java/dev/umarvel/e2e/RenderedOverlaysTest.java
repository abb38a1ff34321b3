package dev.umarvel.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every overlay rendered by kustomize (set KUSTOMIZE to its binary, or have it on the PATH; .ci/run
 * installs it from the npm registry, so CI always runs this) and checked: each object maps onto the
 * Kubernetes object model with no field it does not know (schema-valid), every container is probed
 * and bounded, images are pinned by tag, GPUs are requested exactly where the overlay says, and no
 * Secret carries values.
 */
class RenderedOverlaysTest {

    static final Path K8S = Path.of("..", "k8s");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    static final Map<String, Class<?>> MODEL = Map.of("Deployment", Deployment.class, "Service", io.fabric8.kubernetes.api.model.Service.class,
            "ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class, "Namespace", io.fabric8.kubernetes.api.model.Namespace.class,
            "PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class,
            "PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class,
            "HorizontalPodAutoscaler", io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler.class,
            "Secret", io.fabric8.kubernetes.api.model.Secret.class);

    static String kustomize() {
        String set = System.getenv("KUSTOMIZE");
        if (set != null && Files.isExecutable(Path.of(set))) {
            return set;
        }
        return Executables.onPath("kustomize").map(Path::toString).orElse(null);
    }

    static List<JsonNode> render(String kustomize, String overlay) throws Exception {
        Process p = new ProcessBuilder(kustomize, "build", K8S.resolve("overlays").resolve(overlay).toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "kustomize build " + overlay + ":\n" + out);
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(out)) {
            it.readAll().stream().filter(d -> d != null && !d.isNull()).forEach(docs::add);
        }
        return docs;
    }

    /** Fields the model did not know, anywhere in the object: fabric8 keeps them in additionalProperties. */
    static void unknownFields(Object o, String path, List<String> out, Map<Object, Boolean> seen) throws Exception {
        if (o == null || seen.put(o, true) != null || o instanceof String || o instanceof Number || o instanceof Boolean
                || o instanceof Quantity || o.getClass().isEnum()) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                unknownFields(e, path + "[" + i++ + "]", out, seen);
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                unknownFields(e.getValue(), path + "." + e.getKey(), out, seen);
            }
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        for (Method g : o.getClass().getMethods()) {
            if (g.getParameterCount() != 0 || !g.getName().startsWith("get") || g.getName().equals("getClass")) {
                continue;
            }
            Object v = g.invoke(o);
            if (g.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    out.add(path + ": unknown " + extra.keySet());
                }
                continue;
            }
            unknownFields(v, path + "." + Character.toLowerCase(g.getName().charAt(3)) + g.getName().substring(4), out, seen);
        }
    }

    @Test
    void everyOverlayRendersToValidObjectsWithTheirInvariants() throws Exception {
        String kustomize = kustomize();
        Assumptions.assumeTrue(kustomize != null, "no kustomize: set KUSTOMIZE or put it on the PATH (.ci/run installs it)");
        for (String overlay : List.of("local", "gpu")) {
            List<JsonNode> docs = render(kustomize, overlay);
            List<String> problems = new ArrayList<>();
            int deployments = 0;
            for (JsonNode d : docs) {
                String kind = d.path("kind").asText();
                Class<?> type = MODEL.get(kind);
                assertTrue(type != null, overlay + ": an object of a kind this check does not know: " + kind);
                Object typed = YAML.treeToValue(d, type);
                unknownFields(typed, overlay + "/" + kind + "/" + d.at("/metadata/name").asText(), problems, new IdentityHashMap<>());
                if (typed instanceof io.fabric8.kubernetes.api.model.Secret s) {
                    assertTrue((s.getData() == null || s.getData().isEmpty()) && (s.getStringData() == null || s.getStringData().isEmpty()),
                            overlay + ": Secret " + s.getMetadata().getName() + " carries values");
                }
                if (typed instanceof Deployment dep) {
                    deployments++;
                    String name = dep.getMetadata().getName();
                    boolean model = Set.of("embedder", "reranker", "trainer").contains(name);
                    for (Container c : dep.getSpec().getTemplate().getSpec().getContainers()) {
                        String where = overlay + "/" + name;
                        assertTrue(c.getStartupProbe() != null && c.getLivenessProbe() != null && c.getReadinessProbe() != null, where + ": probes");
                        assertTrue(c.getResources().getRequests().containsKey("cpu") && c.getResources().getRequests().containsKey("memory")
                                && c.getResources().getLimits().containsKey("cpu") && c.getResources().getLimits().containsKey("memory"),
                                where + ": requests and limits");
                        assertTrue(c.getImage().matches("[a-z0-9./-]+:\\d+\\.\\d+\\.\\d+"), where + ": image pinned by tag, got " + c.getImage());
                        boolean gpu = c.getResources().getLimits().containsKey("nvidia.com/gpu");
                        assertEquals(overlay.equals("gpu") && model, gpu, where + ": GPU requested");
                        // the production overlay is secured: probes speak HTTPS, the TLS and token Secrets are mounted
                        String scheme = overlay.equals("gpu") ? "HTTPS" : null;
                        for (var probe : List.of(c.getStartupProbe(), c.getLivenessProbe(), c.getReadinessProbe())) {
                            assertEquals(scheme, probe.getHttpGet().getScheme(), where + ": probe scheme");
                        }
                        if (overlay.equals("gpu")) {
                            Set<String> secrets = new java.util.HashSet<>();
                            dep.getSpec().getTemplate().getSpec().getVolumes().stream().filter(v -> v.getSecret() != null)
                                    .forEach(v -> secrets.add(v.getSecret().getSecretName()));
                            assertTrue(secrets.containsAll(Set.of("umarvel-tls", "umarvel-auth")), where + ": secrets mounted " + secrets);
                        }
                    }
                }
            }
            assertEquals(List.of(), problems, overlay + ": fields the Kubernetes model does not know");
            if (overlay.equals("gpu")) {
                JsonNode config = docs.stream().filter(d -> d.path("kind").asText().equals("ConfigMap")
                        && d.at("/metadata/name").asText().startsWith("umarvel-config")).findFirst().orElseThrow();
                assertEquals("mutual", config.at("/data/UMARVEL_TLS_MODE").asText(), "gpu: mutual TLS");
                assertEquals("/etc/umarvel/auth/tokens", config.at("/data/UMARVEL_AUTH_TOKENS_FILE").asText(), "gpu: tokens required");
            }
            assertEquals(4, deployments, overlay);
            System.out.println("rendered " + overlay + ": " + docs.size() + " objects, all valid");
        }
    }
}

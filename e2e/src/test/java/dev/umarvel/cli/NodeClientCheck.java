package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.umarvel.api.v1.EmbedderGrpc;
import dev.umarvel.api.v1.RerankerGrpc;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.TrainerGrpc;
import dev.umarvel.bench.reliability.Deployment;
import dev.umarvel.mbeir.Json;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The services driven from a second language: e2e/node-client/client.js (Node's grpc-js over our proto/ files) makes
 * the calls below against a running deployment, the Java client makes the very same calls (each request is one JSON
 * text, read by both), and what each got must agree: every status code, every description byte for byte, and the
 * answers' contents.
 */
final class NodeClientCheck {

    static final Path CLIENT_DIR = Path.of("node-client").toAbsolutePath();

    /** One call as both clients make it: a request in proto3 JSON with the proto's own field names. */
    record Call(String name, String target, ServiceDescriptor service, String method, String request, boolean auth) {}

    /** What one client got. */
    record Answer(int code, String details, JsonNode response) {}

    private NodeClientCheck() {
    }

    /** Where the Node client can run: node on the PATH and its packages installed (.ci/run installs them). */
    static boolean available() {
        return Files.isDirectory(CLIENT_DIR.resolve("node_modules/@grpc/grpc-js")) && Files.isDirectory(CLIENT_DIR.resolve("node_modules/@grpc/proto-loader"))
                && dev.umarvel.e2e.Executables.onPath("node").isPresent();
    }

    static List<Call> calls(Path store, String collection, String imagePath) throws Exception {
        ServiceDescriptor retrieval = RetrievalGrpc.getServiceDescriptor();
        ServiceDescriptor embedder = EmbedderGrpc.getServiceDescriptor();
        ServiceDescriptor reranker = RerankerGrpc.getServiceDescriptor();
        ServiceDescriptor trainer = TrainerGrpc.getServiceDescriptor();
        String text = "{\"instruction\": \"Retrieve an image that matches this caption.\", \"content\": {\"text\": \"a red circle on the left\"}}";
        String png = Base64.getEncoder().encodeToString(Files.readAllBytes(store.resolve(imagePath)));
        String search = "{\"collection\": \"" + collection + "\", \"query\": " + text + ", \"top_k\": 5";
        return List.of(
                new Call("search single", "orchestrator", retrieval, "Search", search + ", \"mode\": \"SEARCH_MODE_SINGLE\"}", true),
                new Call("search cascade", "orchestrator", retrieval, "Search", search + ", \"mode\": \"SEARCH_MODE_CASCADE\", \"recall_k\": 20}", true),
                new Call("search auto", "orchestrator", retrieval, "Search", search + ", \"mode\": \"SEARCH_MODE_AUTO\", \"auto_margin\": 1.0}", true),
                new Call("search by image", "orchestrator", retrieval, "Search", "{\"collection\": \"" + collection + "\", \"top_k\": 5, \"query\": "
                        + "{\"instruction\": \"Find an image like this one.\", \"content\": {\"image\": {\"store_path\": \"" + imagePath + "\"}}}}", true),
                new Call("embed an image", "embedder", embedder, "Embed", "{\"items\": [{\"candidate\": {\"image\": {\"data\": \"" + png + "\"}}}]}", true),
                // five bad requests whose descriptions hold what a URL encoder would escape: ': , / ' < > é %'
                new Call("top_k out of range", "orchestrator", retrieval, "Search", search.replace("\"top_k\": 5", "\"top_k\": -3") + "}", true),
                new Call("no collection", "orchestrator", retrieval, "Search", "{\"query\": " + text + "}", true),
                new Call("unknown collection", "orchestrator", retrieval, "Search", "{\"collection\": \"café 100%\", \"query\": " + text + "}", true),
                new Call("pool outside the store", "orchestrator", retrieval, "ImportPool",
                        "{\"collection\": \"" + collection + "\", \"pool_path\": \"../../../../etc/passwd\"}", true),
                new Call("no token", "orchestrator", retrieval, "Search", search + "}", false),
                new Call("not an image", "embedder", embedder, "Embed", "{\"items\": [{\"candidate\": {\"image\": {\"data\": \"bm90IGEgcG5n\"}}}]}", true),
                // the reranker and the trainer: an answer each, and a refusal each
                new Call("rerank", "reranker", reranker, "Rerank", "{\"query\": " + text + ", \"candidates\": [{\"text\": \"A red circle on the left.\"}, "
                        + "{\"image\": {\"data\": \"" + png + "\"}}, {\"text\": \"A blue square.\", \"image\": {\"store_path\": \"" + imagePath + "\"}}]}", true),
                new Call("rerank outside the store", "reranker", reranker, "Rerank", "{\"query\": " + text
                        + ", \"candidates\": [{\"image\": {\"store_path\": \"../../../etc/shadow\"}}]}", true),
                new Call("list jobs", "trainer", trainer, "ListJobs", "{\"page_size\": 5}", true),
                new Call("unknown job", "trainer", trainer, "GetJob", "{\"job_id\": \"no-such-job\"}", true),
                new Call("job outside the store", "trainer", trainer, "StartJob", "{\"job_id\": \"node-refused\", \"spec\": {\"kind\": "
                        + "\"JOB_KIND_PRETRAIN\", \"preset\": \"tiny\", \"data\": {\"dataset_dir\": \"../../etc\"}}}", true));
    }

    /** Runs the Node client with {@code calls} against {@code d}; its answers by call name, and the services reflection listed. */
    static JsonNode runNode(Deployment d, Path work, List<Call> calls) throws Exception {
        Path protos = protoDirs(work.resolve("protos"));
        ObjectNode config = Json.MAPPER.createObjectNode();
        config.putArray("protoDirs").add(Path.of("../proto/src/main/proto").toAbsolutePath().normalize().toString()).add(protos.toString());
        ObjectNode targets = config.putObject("targets");
        targets.put("orchestrator", "localhost:" + d.port("orchestrator"));
        targets.put("embedder", "localhost:" + d.port("embedder"));
        targets.put("reranker", "localhost:" + d.port("reranker"));
        targets.put("trainer", "localhost:" + d.port("trainer"));
        config.put("ca", d.admin.ca().toString()).put("cert", d.admin.cert().toString()).put("key", d.admin.key().toString())
                .put("token", d.admin.token());
        ArrayNode out = config.putArray("calls");
        for (Call c : calls) {
            out.addObject().put("name", c.name()).put("target", c.target()).put("service", c.service().getName()).put("method", c.method())
                    .put("auth", c.auth()).set("request", Json.MAPPER.readTree(c.request()));
        }
        Path file = work.resolve("node-config.json");
        Files.writeString(file, Json.MAPPER.writeValueAsString(config)); // holds the token: a test's temporary directory only
        Process p = new ProcessBuilder("node", CLIENT_DIR.resolve("client.js").toString(), file.toString())
                .redirectError(work.resolve("node-stderr.txt").toFile()).start();
        String stdout = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the Node client finished");
        assertEquals(0, p.exitValue(), "node client.js failed: " + Files.readString(work.resolve("node-stderr.txt")));
        return Json.MAPPER.readTree(stdout);
    }

    /** The same call made by the Java client. */
    static Answer runJava(Deployment d, Call c) throws Exception {
        ManagedChannel channel = d.channel(c.target(), c.auth() ? d.admin : d.admin.withToken(null));
        MethodDescriptor<Message, Message> method = method(c.service(), c.method());
        Message.Builder request = ((MethodDescriptor.PrototypeMarshaller<Message>) method.getRequestMarshaller()).getMessagePrototype().newBuilderForType();
        JsonFormat.parser().merge(c.request(), request);
        try {
            Message last = null;
            if (method.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                Iterator<Message> it = ClientCalls.blockingServerStreamingCall(channel, method, CallOptions.DEFAULT, request.build());
                while (it.hasNext()) {
                    last = it.next();
                }
            } else {
                last = ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT, request.build());
            }
            String json = last == null ? "null" : JsonFormat.printer().preservingProtoFieldNames().print(last);
            return new Answer(0, "", Json.MAPPER.readTree(json));
        } catch (StatusRuntimeException e) {
            return new Answer(e.getStatus().getCode().value(), e.getStatus().getDescription(), null);
        }
    }

    @SuppressWarnings("unchecked")
    private static MethodDescriptor<Message, Message> method(ServiceDescriptor service, String name) {
        return (MethodDescriptor<Message, Message>) service.getMethods().stream()
                .filter(m -> m.getBareMethodName().equals(name)).findFirst().orElseThrow();
    }

    /** The protos ours import from elsewhere (google/rpc/status.proto) and the reflection proto, from the jars that ship them. */
    private static Path protoDirs(Path dir) throws Exception {
        for (Map.Entry<String, String> e : Map.of("google/rpc/status.proto", "google/rpc/status.proto",
                "reflection/v1/reflection.proto", "grpc/reflection/v1/reflection.proto").entrySet()) {
            try (InputStream in = NodeClientCheck.class.getClassLoader().getResourceAsStream(e.getKey())) {
                assertTrue(in != null, e.getKey() + " on the test class path");
                Path target = dir.resolve(e.getValue());
                Files.createDirectories(target.getParent());
                Files.write(target, in.readAllBytes());
            }
        }
        return dir;
    }

    /** The dids of a Search answer, in rank order. */
    static List<String> dids(JsonNode response) {
        List<String> out = new ArrayList<>();
        response.path("hits").forEach(h -> out.add(h.get("did").asText()));
        return out;
    }
}

package dev.umarvel.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umarvel.mbeir.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven over the DevTools protocol (JSON over a WebSocket, spoken with the JDK's own client): open
 * a page, evaluate script in it and await its promises, put a file in a file input, take a screenshot.
 */
final class Chromium implements AutoCloseable {

    private final Process process;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();

    /** The browser on this machine: $CHROMIUM, or chromium / chromium-browser / google-chrome on the PATH. */
    static Optional<Path> find() {
        String env = System.getenv("CHROMIUM");
        if (env != null && Files.isExecutable(Path.of(env))) {
            return Optional.of(Path.of(env));
        }
        for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
            Optional<Path> p = dev.umarvel.e2e.Executables.onPath(name);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    /** Starts the browser with an empty profile in {@code profile} (TLS errors ignored: the test's CA is its own). */
    static Chromium start(Path browser, Path profile) throws Exception {
        Process p = new ProcessBuilder(browser.toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--ignore-certificate-errors", "--remote-debugging-port=0", "--window-size=1400,1100", "--user-data-dir=" + profile,
                "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        String browserSocket = null;
        while ((line = err.readLine()) != null) {
            if (line.startsWith("DevTools listening on ")) {
                browserSocket = line.substring("DevTools listening on ".length()).trim();
                break;
            }
        }
        if (browserSocket == null) {
            p.destroyForcibly();
            throw new IllegalStateException("chromium exited before its DevTools endpoint was up");
        }
        Thread drain = new Thread(() -> err.lines().forEach(l -> { }), "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        URI ws = URI.create(browserSocket);
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create("http://" + ws.getAuthority() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode t : targets) {
            if (t.path("type").asText().equals("page")) {
                page = t.path("webSocketDebuggerUrl").asText();
            }
        }
        return new Chromium(p, http, URI.create(page));
    }

    private Chromium(Process process, HttpClient http, URI page) {
        this.process = process;
        this.socket = http.newWebSocketBuilder().buildAsync(page, new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    received(text.toString());
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).join();
    }

    private void received(String message) {
        try {
            JsonNode m = Json.MAPPER.readTree(message);
            if (m.has("id")) {
                CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                if (m.has("error")) {
                    f.completeExceptionally(new IllegalStateException(m.get("error").toString()));
                } else {
                    f.complete(m.path("result"));
                }
            } else {
                events.add(m);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One DevTools command and its result. */
    JsonNode send(String method, Map<String, ?> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode m = Json.MAPPER.createObjectNode().put("id", id).put("method", method);
        m.set("params", Json.MAPPER.valueToTree(params));
        socket.sendText(Json.MAPPER.writeValueAsString(m), true).join();
        return f.get(2, TimeUnit.MINUTES);
    }

    /** Opens {@code url} and returns once its load event fired. */
    void open(String url) throws Exception {
        send("Page.enable", Map.of());
        events.clear();
        send("Page.navigate", Map.of("url", url));
        long until = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() < until) {
            JsonNode e = events.poll(1, TimeUnit.SECONDS);
            if (e != null && e.path("method").asText().equals("Page.loadEventFired")) {
                return;
            }
        }
        throw new IllegalStateException("no load event from " + url);
    }

    /** The value of a script expression in the page, a promise awaited; a thrown error fails. */
    JsonNode eval(String expression) throws Exception {
        JsonNode r = send("Runtime.evaluate", Map.of("expression", expression, "awaitPromise", true, "returnByValue", true));
        if (r.has("exceptionDetails")) {
            throw new IllegalStateException("in the page: " + r.get("exceptionDetails").toString());
        }
        return r.path("result").path("value");
    }

    /** Puts {@code file} in the file input {@code selector}. */
    void setFile(String selector, Path file) throws Exception {
        int root = send("DOM.getDocument", Map.of()).path("root").path("nodeId").asInt();
        int node = send("DOM.querySelector", Map.of("nodeId", root, "selector", selector)).path("nodeId").asInt();
        send("DOM.setFileInputFiles", Map.of("nodeId", node, "files", List.of(file.toAbsolutePath().toString())));
    }

    /** A PNG of the window (1400 x 1100) as it is scrolled now. */
    void screenshot(Path png) throws Exception {
        String data = send("Page.captureScreenshot", Map.of("format", "png")).path("data").asText();
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}

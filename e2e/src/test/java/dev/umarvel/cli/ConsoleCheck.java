package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umarvel.bench.reliability.Deployment;
import dev.umarvel.bench.reliability.Reliability;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The web console in a real browser, as a person uses it: the token typed in, the collections listed, one query
 * searched in the three modes side by side, a dataset query with its positives marked, an uploaded image, a refused
 * token shown as refused. Screenshots go to {@code shots}.
 */
final class ConsoleCheck {

    private ConsoleCheck() {
    }

    static void run(Deployment d, Path store, Path browser, Path shots) throws Exception {
        String token = Files.readString(store.resolve("security/admin.token")).strip();
        try (Chromium page = Chromium.start(browser, shots.resolve("profile"))) {
            page.open("https://localhost:" + d.port("orchestrator") + "/console/");
            // before a token: the refusal is shown as such
            page.eval("window.umarvel.ready");
            assertEquals("UNAUTHENTICATED: missing credentials: send metadata 'authorization: Bearer <token>'",
                    page.eval("document.getElementById('status').textContent").asText());

            page.eval(typeToken(token));
            JsonNode rows = page.eval("[...document.querySelectorAll('#collections tbody tr')].map(r => r.cells[0].textContent)");
            assertTrue(rows.toString().contains("\"" + Reliability.COLLECTION + "\""), rows.toString());

            // one typed query, the three modes side by side
            page.eval("document.getElementById('collection').value = " + quote(Reliability.COLLECTION) + "; "
                    + "document.getElementById('text').value = 'a red circle on the left'; "
                    + "document.getElementById('instruction').value = 'Retrieve an image that matches this caption.'; "
                    + "window.umarvel.search().then(o => o.map(x => x.status))");
            for (String mode : new String[] {"SINGLE", "CASCADE", "AUTO"}) {
                assertEquals(10, page.eval("document.querySelectorAll('#mode-" + mode + " .card').length").asInt(), mode);
                assertTrue(page.eval("document.querySelector('#mode-" + mode + " .bars').textContent").asText().contains("total"), mode);
            }
            assertTrue(page.eval("document.querySelector('#mode-CASCADE').textContent").asText().contains("rerank P(Yes)"));
            assertTrue(page.eval("document.querySelector('#mode-AUTO .meta').textContent").asText().contains("margin"));
            System.out.println("console: page work for 3 modes x 10 cards " + page.eval("window.umarvel.pageMillis").asDouble() + " ms; "
                    + "search answers " + page.eval("performance.getEntriesByType('resource').filter(e => e.name.includes('/Search'))"
                            + ".slice(-3).reduce((s, e) => s + e.encodedBodySize, 0)").asLong() + " bytes");
            page.eval("document.getElementById('search-view').scrollIntoView(); 'ok'");
            page.screenshot(shots.resolve("console-modes.png"));

            // a dataset's test query: its positives are marked where a mode found them
            int queries = page.eval("document.getElementById('dataset').value = 'data/synth-tiny'; window.umarvel.loadQueries().then(q => q.length)")
                    .asInt();
            assertTrue(queries >= 16, queries + " dataset queries");
            int marked = 0;
            for (int i = 0; i < queries && marked == 0; i++) {
                marked = page.eval("document.getElementById('dataset-query').value = '" + i + "'; window.umarvel.pick(); "
                        + "document.getElementById('pool').value = ''; window.umarvel.search().then(() => "
                        + "document.querySelectorAll('#mode-SINGLE .card.positive').length)").asInt();
            }
            assertTrue(marked > 0, "no dataset query found a positive in its top 10");
            assertTrue(page.eval("[...document.querySelectorAll('.card.positive')].every(c => "
                    + "window.umarvel.positives().has(c.dataset.did))").asBoolean(), "only positives are marked");
            page.eval("document.getElementById('search-view').scrollIntoView(); 'ok'");
            page.screenshot(shots.resolve("console-positives.png"));

            // an uploaded image as the query
            Path image;
            try (Stream<Path> images = Files.list(store.resolve("data/synth-tiny/mbeir_images/nights_images"))) {
                image = images.sorted().findFirst().orElseThrow();
            }
            page.eval("document.getElementById('dataset-query').value = ''; window.umarvel.pick(); document.getElementById('text').value = ''; 'ok'");
            page.setFile("#image", image);
            page.eval("window.umarvel.upload()");
            page.eval("document.getElementById('instruction').value = 'Find an image that looks like this one.'; window.umarvel.search()");
            assertEquals(10, page.eval("document.querySelectorAll('#mode-SINGLE .card').length").asInt(), "cards for an uploaded image");
            assertTrue(page.eval("[...document.querySelectorAll('#mode-SINGLE .card img')].every(i => i.naturalWidth > 0)").asBoolean(),
                    "every thumbnail loaded");
            page.eval("document.getElementById('search-view').scrollIntoView(); 'ok'");
            page.screenshot(shots.resolve("console-image.png"));

            // the loop: the store's Distill runs, the learning curve of one's training job, the trainer's jobs, a canary search
            JsonNode loop = page.eval("window.umarvel.loadLoop()");
            assertTrue(loop.path("runs").asInt() >= 1 && loop.path("jobs").asInt() >= 1, loop.toString());
            int points = page.eval("document.querySelector('#runs tbody tr[data-job^=\"distill-\"]').click(); window.umarvel.lastCurve").asInt();
            assertTrue(points > 0, "the Distill job's learning curve has points");
            assertTrue(page.eval("document.querySelector('#curve svg path.recall').getAttribute('d')").asText().startsWith("M"));
            int stagePoints = page.eval("document.querySelector('#jobs tbody tr[data-job$=\"-instruction\"]').click(); window.umarvel.lastCurve").asInt();
            assertTrue(stagePoints >= 2, "the instruction stage's curve has " + stagePoints + " points");
            assertTrue(page.eval("window.umarvel.canaryTick()").asText().matches("[0-9a-f]{6} .+"), "the canary names the model that answered");
            page.eval("document.getElementById('loop-view').scrollIntoView(); 'ok'");
            page.screenshot(shots.resolve("console-loop.png"));

            // a revoked token: every mode says so
            page.eval(typeToken("not-a-token"));
            page.eval("window.umarvel.search()");
            assertEquals("UNAUTHENTICATED: unknown or revoked token", page.eval("document.querySelector('#mode-SINGLE .error').textContent").asText());
        }
    }

    /** Types a token in the token field as a person does (a change event); the collections reload with it. */
    private static String typeToken(String token) {
        return "document.getElementById('token').value = " + quote(token) + "; "
                + "document.getElementById('token').dispatchEvent(new Event('change')); window.umarvel.ready";
    }

    private static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}

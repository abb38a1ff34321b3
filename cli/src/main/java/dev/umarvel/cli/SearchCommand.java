package dev.umarvel.cli;

import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Hit;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.SearchFilter;
import dev.umarvel.api.v1.SearchMode;
import dev.umarvel.api.v1.SearchRequest;
import dev.umarvel.api.v1.SearchResponse;
import dev.umarvel.api.v1.StageTiming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code umarvel search}: one search through the orchestrator, printed readably with the stage timings. */
@Command(showDefaultValues = true, name = "search", mixinStandardHelpOptions = true, description = "Search a collection through the orchestrator and print the hits.")
final class SearchCommand extends CollectionCommand.Target implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", description = "Query text.")
    String text;

    @Option(names = "--image", description = "Query image file (PNG or JPEG), sent inline (default: a text-only query).")
    Path image;

    @Option(names = "--instruction", defaultValue = "", description = "Task instruction, e.g. \"Retrieve an image that matches this caption.\"")
    String instruction;

    @Option(names = "--mode", defaultValue = "single", description = "single, cascade or auto.")
    String mode;

    @Option(names = "--collection", defaultValue = "mbeir_eval", description = "The collection to search.")
    String collection;

    @Option(names = "--top-k", defaultValue = "10", description = "Hits to return (1 to 1000).")
    int topK;

    @Option(names = "--pool", description = "Only candidates of this pool (M-BEIR local pool search; default: the whole collection).")
    List<String> pools;

    @Override
    public Integer call() throws Exception {
        Content.Builder content = Content.newBuilder();
        if (text != null) {
            content.setText(text);
        }
        if (image != null) {
            content.setImage(Image.newBuilder().setData(ByteString.copyFrom(Files.readAllBytes(image))));
        }
        SearchRequest.Builder r = SearchRequest.newBuilder().setCollection(collection).setTopK(topK).setIncludeContent(true)
                .setMode(SearchMode.valueOf("SEARCH_MODE_" + mode.toUpperCase()))
                .setQuery(Query.newBuilder().setInstruction(instruction).setContent(content));
        if (pools != null) {
            r.setFilter(SearchFilter.newBuilder().addAllPools(pools));
        }
        SearchResponse answer = call(stub -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).search(r.build()));
        System.out.print(render(answer));
        return 0;
    }

    static String render(SearchResponse a) {
        StringBuilder out = new StringBuilder(String.format("%s%s, model %s, index v%d%n", a.getModeRun().name().replace("SEARCH_MODE_", "")
                .toLowerCase(), a.getDegraded() ? " (degraded: " + a.getDegradedReason() + ")" : "", a.getModelVersion(), a.getIndexVersion()));
        out.append(String.format("%4s  %-14s %8s %8s %8s  %s%n", "rank", "did", "score", "recall", "P(yes)", "content"));
        for (Hit h : a.getHitsList()) {
            Content c = h.getCandidate().getContent();
            String shown = (c.getText().length() > 60 ? c.getText().substring(0, 57) + "..." : c.getText())
                    + (c.hasImage() ? (c.getText().isEmpty() ? "" : " ") + "[" + c.getImage().getStorePath() + "]" : "");
            out.append(String.format("%4d  %-14s %8.4f %8.4f %8s  %s%n", h.getRank(), h.getDid(), h.getScore(), h.getRecallScore(),
                    h.hasRerankScore() ? String.format("%.4f", h.getRerankScore()) : "-", shown));
        }
        out.append("timings:");
        for (StageTiming t : a.getTimingsList()) {
            out.append(String.format(" %s %.1f ms", t.getStage(), t.getMicros() / 1000.0));
        }
        return out.append('\n').toString();
    }
}

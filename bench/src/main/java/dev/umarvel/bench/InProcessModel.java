package dev.umarvel.bench;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.RerankRequest;
import dev.umarvel.cli.LocalService;
import dev.umarvel.model.Inference;
import dev.umarvel.model.Item;
import dev.umarvel.model.RerankPair;
import dev.umarvel.model.image.ImageDecoder;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The in-process side of {@code bench serving}: the model called directly, in a JVM of its own started the way
 * the services are (same java, the services' native environment, the same PyTorch threads, the same core when
 * pinned), on the requests the service is sent, decoded as the service decodes them. Measured in the benchmark's
 * own JVM instead (Maven's, which had also run 32 load clients by then) the reranker's ceiling read anywhere from
 * 4.1 to 16.8 requests/s, and twice below the service it is the ceiling of.
 */
final class InProcessModel {

    private InProcessModel() {}

    /**
     * Runs the model of {@code kind} ("embedder" or "reranker", its checkpoint in the store's folder of that name) on what the
     * services are sent (EmbedItems or RerankRequests) in a new JVM; returns its figures by name.
     */
    static Map<String, Double> measure(String kind, Path store, List<? extends com.google.protobuf.MessageLite> sent, double warmUp,
            double seconds, Map<String, String> threads) throws Exception {
        Path checkpoint = store.resolve(kind);
        Path requests = store.resolve(kind + "-requests.bin");
        write(requests, sent);
        List<String> command = LocalService.java(); // pinned: on the services' core
        threads.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-cp", classPath(), InProcessModel.class.getName(), kind, checkpoint.toString(), requests.toString(),
                String.valueOf(warmUp), String.valueOf(seconds)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        LocalService.nativeEnvironment(builder.environment());
        Process p = builder.start();
        Map<String, Double> figures = new LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("figure ")) {
                    String[] f = line.split(" ");
                    figures.put(f[1], Double.parseDouble(f[2]));
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("the in-process " + kind + " exited with " + p.exitValue());
        }
        return figures;
    }

    /** The benchmark's class path: exec:java loads it in a class loader of its own, not on java.class.path. */
    private static String classPath() {
        if (InProcessModel.class.getClassLoader() instanceof URLClassLoader loader) {
            List<String> entries = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                entries.add(url.getPath());
            }
            return String.join(java.io.File.pathSeparator, entries);
        }
        return System.getProperty("java.class.path");
    }

    /** Writes requests as the child reads them: length-delimited protobuf messages. */
    private static void write(Path file, List<? extends com.google.protobuf.MessageLite> messages) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            for (com.google.protobuf.MessageLite m : messages) {
                m.writeDelimitedTo(out);
            }
        }
    }

    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args[1]);
        double warmUp = Double.parseDouble(args[3]);
        double seconds = Double.parseDouble(args[4]);
        try (InputStream in = Files.newInputStream(Path.of(args[2])); Inference inference = Inference.load(checkpoint)) {
            ImageDecoder decoder = new ImageDecoder(inference.config().imageSize()); // the served checkpoint's, as a service's
            if (args[0].equals("embedder")) {
                List<Item> items = new ArrayList<>();
                for (EmbedItem e = EmbedItem.parseDelimitedFrom(in); e != null; e = EmbedItem.parseDelimitedFrom(in)) {
                    items.add(e.hasQuery() ? Item.query(e.getQuery().getInstruction(), e.getQuery().getContent().getText(),
                            image(decoder, e.getQuery().getContent())) : Item.candidate(e.getCandidate().getText(), image(decoder, e.getCandidate())));
                }
                embedder(inference, items, warmUp, seconds);
                List<byte[]> pngs = DECODED.keySet().stream().map(com.google.protobuf.ByteString::toByteArray).toList();
                // on the model's core, in a JVM warmed by the model's own input preparation
                double[] decode = BenchImages.decodeMicros(decoder, pngs);
                figure("decode-us", decode[0]);
                figure("imageio-decode-us", decode[1]);
            } else {
                List<List<RerankPair>> requests = new ArrayList<>();
                for (RerankRequest r = RerankRequest.parseDelimitedFrom(in); r != null; r = RerankRequest.parseDelimitedFrom(in)) {
                    Item query = Item.query(r.getQuery().getInstruction(), r.getQuery().getContent().getText(), image(decoder, r.getQuery().getContent()));
                    requests.add(r.getCandidatesList().stream().map(c -> new RerankPair(query, Item.candidate(c.getText(), image(decoder, c))))
                            .collect(Collectors.toList()));
                }
                reranker(inference, requests, warmUp, seconds);
            }
        }
    }

    /** Each distinct image decoded once (the load sends 16 images with 40,000 texts): the model does not change them. */
    private static final Map<com.google.protobuf.ByteString, float[]> DECODED = new java.util.HashMap<>();

    private static float[] image(ImageDecoder decoder, Content c) {
        if (!c.hasImage()) {
            return null;
        }
        return DECODED.computeIfAbsent(c.getImage().getData(), bytes -> {
            try {
                return decoder.decode(bytes.toByteArray(), c.getImage().getMimeType());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void figure(String name, double value) {
        System.out.println("figure " + name + " " + value);
    }

    private static void warm(double warmUp, Timing.Work work) throws Exception {
        long start = System.nanoTime();
        while (System.nanoTime() - start < warmUp * 1e9) {
            work.run();
        }
    }

    /** Consecutive windows of a list, from the start again at its end: every call gets texts the tokenizer has not kept. */
    private static final class Windows<T> {
        private final List<T> all;
        private int next;

        Windows(List<T> all) {
            this.all = all;
        }

        List<T> next(int size) {
            if (next + size > all.size()) {
                next = 0;
            }
            next += size;
            return all.subList(next - size, next);
        }
    }

    private static void embedder(Inference inference, List<Item> items, double warmUp, double seconds) throws Exception {
        Windows<Item> windows = new Windows<>(items);
        warm(warmUp, () -> inference.embed(windows.next(64), true));
        long start = System.nanoTime();
        int done = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            done += inference.embed(windows.next(64), true).vectors().length;
        }
        figure("batches-of-64", done / ((System.nanoTime() - start) / 1e9));
        // 32 clients with one item each can never fill more than 32 per batch: the ceiling at that size
        figure("batches-of-32", 32 / Timing.median(2, 7, () -> inference.embed(windows.next(32), true)));
        // each item in a call of its own: what batch-1 could reach with no server around the model
        figure("one-per-call", 64 / Timing.median(1, 5, () -> {
            for (Item item : windows.next(64)) {
                inference.embed(List.of(item), true);
            }
        }));
    }

    private static void reranker(Inference inference, List<List<RerankPair>> requests, double warmUp, double seconds) throws Exception {
        Windows<List<RerankPair>> windows = new Windows<>(requests);
        warm(warmUp, () -> inference.score(windows.next(1).get(0), true));
        long start = System.nanoTime();
        int done = 0;
        while (System.nanoTime() - start < seconds * 1e9) {
            inference.score(windows.next(1).get(0), true);
            done++;
        }
        figure("requests", done / ((System.nanoTime() - start) / 1e9));
        double full = Timing.median(1, 5, () -> inference.scoreFull(windows.next(1).get(0), true));
        double reused = Timing.median(1, 5, () -> inference.score(windows.next(1).get(0), true));
        figure("prefix-speedup", full / reused);
        // the same causal model over the candidates alone: a lower bound on a cached-prefix pass (which also attends
        // to the prefix's keys and values)
        figure("prefix-saving", 1 - Timing.median(1, 5, () -> inference.embed(windows.next(1).get(0).stream().map(RerankPair::candidate)
                .toList(), true)) / full);
    }
}

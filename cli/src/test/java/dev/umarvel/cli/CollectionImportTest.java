package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umarvel collection import} of a file the orchestrator cannot open (it reads only inside its store): the command
 * line reads it and streams the candidates, images inline, labelled and formatted as ImportPool would have stored them.
 */
class CollectionImportTest {

    @TempDir Path elsewhere;

    /** An orchestrator whose store holds no pool file at all: every ImportPool is NOT_FOUND, every Upsert is recorded. */
    static final class EmptyStore extends RetrievalGrpc.RetrievalImplBase {
        final List<ImportPoolRequest> imports = new CopyOnWriteArrayList<>();
        final List<Candidate> upserted = new CopyOnWriteArrayList<>();
        final List<Integer> calls = new CopyOnWriteArrayList<>();

        @Override
        public void importPool(ImportPoolRequest r, StreamObserver<ImportPoolProgress> out) {
            imports.add(r);
            out.onError(Status.NOT_FOUND.withDescription("pool_path: no file " + r.getPoolPath() + " in the store").asRuntimeException());
        }

        @Override
        public StreamObserver<UpsertRequest> upsert(StreamObserver<UpsertResponse> out) {
            return new StreamObserver<>() {
                int n;

                @Override
                public void onNext(UpsertRequest r) {
                    n += r.getCandidatesCount();
                    upserted.addAll(r.getCandidatesList());
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    calls.add(n);
                    out.onNext(UpsertResponse.newBuilder().setUpserted(n).setCreated(n).setCollection(Collection.newBuilder().setName("c")
                            .setCount(upserted.size())).build());
                    out.onCompleted();
                }
            };
        }
    }

    Server server;
    EmptyStore service;
    String via;

    @BeforeEach
    void start() throws Exception {
        service = new EmptyStore();
        server = NettyServerBuilder.forPort(0).addService(service).build().start();
        via = "localhost:" + server.getPort();
    }

    @AfterEach
    void stop() {
        server.shutdownNow();
    }

    /** A dataset in M-BEIR's layout under {@code root}: 300 candidates (text, image, both), images under mbeir_images/. */
    static Path pool(Path root) throws Exception {
        Path images = Files.createDirectories(root.resolve("mbeir_images/own"));
        String lines = IntStream.range(0, 300).mapToObj(i -> {
            String img = "mbeir_images/own/" + i + ".png";
            try {
                Files.write(root.resolve(img), new byte[] {(byte) i, 1, 2});
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return switch (i % 3) {
                case 0 -> "{\"did\":\"77:" + i + "\",\"txt\":\"a thing number " + i + "\",\"img_path\":null,\"modality\":\"text\"}";
                case 1 -> "{\"did\":\"77:" + i + "\",\"txt\":\"ignored\",\"img_path\":\"" + img + "\",\"modality\":\"image\"}";
                default -> "{\"did\":\"77:" + i + "\",\"txt\":\"both " + i + "\",\"img_path\":\"" + img + "\",\"modality\":\"image,text\"}";
            };
        }).collect(Collectors.joining("\n", "", "\n"));
        Path file = root.resolve("cand_pool/local/mbeir_own_task0_cand_pool.jsonl");
        Files.createDirectories(file.getParent());
        Files.writeString(file, lines);
        assertTrue(Files.isDirectory(images));
        return file;
    }

    @Test
    void anAbsolutePathIsReadHereAndStreamedWithItsImagesInline() throws Exception {
        Path file = pool(elsewhere);
        String out = run("collection", "import", file.toString(), "--collection", "c", "--via", via);

        assertEquals(List.of(), service.imports, "the orchestrator is never asked to open a path of this machine");
        assertEquals(List.of(256, 44), service.calls, "one Upsert per 256 candidates");
        assertEquals(300, service.upserted.size());
        Candidate text = service.upserted.get(0);
        assertEquals("77:0", text.getDid());
        assertEquals(77, text.getDatasetId());
        assertEquals(List.of("own_task0"), text.getPoolsList(), "labelled by the file's task, as ImportPool labels");
        assertEquals("A thing number 0.", text.getContent().getText(), "M-BEIR's text format, as ImportPool stores it");
        assertTrue(!text.getContent().hasImage());
        Candidate image = service.upserted.get(1);
        assertEquals("", image.getContent().getText(), "an image candidate's text is not its content");
        assertArrayEquals(Files.readAllBytes(elsewhere.resolve("mbeir_images/own/1.png")), image.getContent().getImage().getData().toByteArray());
        Candidate both = service.upserted.get(299);
        assertEquals("Both 299.", both.getContent().getText());
        assertArrayEquals(new byte[] {(byte) 299, 1, 2}, both.getContent().getImage().getData().toByteArray());
        assertTrue(out.contains("300 lines streamed from here, 300 written: 300 new, 0 replaced"), out);
    }

    @Test
    void aRelativePathTheStoreLacksIsReadHereAfterTheOrchestratorSaysSo() throws Exception {
        Path local = Path.of("target/collection-import-test");
        Path file = pool(local);
        String out = run("collection", "import", file.toString(), "--collection", "c", "--pools", "mine", "--via", via);

        assertEquals(1, service.imports.size(), "the store is asked first: a relative path is the store's by default");
        assertTrue(out.startsWith(file + " is not in the orchestrator's store: reading it here"), out);
        assertEquals(300, service.upserted.size());
        assertEquals(List.of("mine"), service.upserted.get(5).getPoolsList());
    }

    @Test
    void aPathNeitherHereNorInTheStoreKeepsTheOrchestratorsAnswer() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true));
        int code;
        try {
            code = Umarvel.run("collection", "import", "data/none.jsonl", "--collection", "c", "--via", via);
        } finally {
            System.setErr(err);
        }
        assertEquals(1, code);
        assertTrue(captured.toString().contains("NOT_FOUND: pool_path: no file data/none.jsonl in the store"), captured.toString());
        assertEquals(List.of(), service.upserted);
    }

    private static String run(String... args) {
        PrintStream before = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true));
        try {
            assertEquals(0, Umarvel.run(args));
        } finally {
            System.setOut(before);
        }
        return captured.toString();
    }
}

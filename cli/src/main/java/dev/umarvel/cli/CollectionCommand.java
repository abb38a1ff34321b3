package dev.umarvel.cli;

import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Candidate;
import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DeleteRequest;
import dev.umarvel.api.v1.DeleteResponse;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.IndexBackend;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.api.v1.UpsertRequest;
import dev.umarvel.api.v1.UpsertResponse;
import dev.umarvel.mbeir.Jsonl;
import dev.umarvel.mbeir.MbeirCandidate;
import dev.umarvel.mbeir.TextNormalizer;
import io.grpc.ManagedChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code umarvel collection ...}: the orchestrator's collection RPCs from the command line. */
@Command(showDefaultValues = true, name = "collection", mixinStandardHelpOptions = true, description = "Create, list, describe, drop collections; import pools; delete.",
        subcommands = {CollectionCommand.Create.class, CollectionCommand.ListAll.class, CollectionCommand.Describe.class,
                CollectionCommand.Drop.class, CollectionCommand.Import.class, CollectionCommand.Upsert.class,
                CollectionCommand.Delete.class})
final class CollectionCommand {

    /** Where the orchestrator listens and how to reach it securely; every subcommand has them. */
    static class Target {
        @Option(names = "--via", defaultValue = "localhost:9090", description = "The orchestrator (host:port).")
        String via;

        @picocli.CommandLine.Mixin
        SecureOptions secure = new SecureOptions();

        ManagedChannel channel() {
            try {
                return secure.security().channel(via);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        <T> T call(java.util.function.Function<RetrievalGrpc.RetrievalBlockingStub, T> body) {
            ManagedChannel channel = channel();
            try {
                return body.apply(RetrievalGrpc.newBlockingStub(channel));
            } finally {
                channel.shutdownNow();
            }
        }
    }

    static String line(Collection c) {
        return String.format("%-24s %-8s dim %-4d model %-24s v%d  %d candidates%s", c.getName(),
                c.getBackend().name().replace("INDEX_BACKEND_", "").toLowerCase(), c.getDimension(), c.getModelVersion(), c.getIndexVersion(),
                c.getCount(), c.getPoolCountsCount() == 0 ? "" : "  pools " + new java.util.TreeMap<>(c.getPoolCountsMap()));
    }

    @Command(showDefaultValues = true, name = "create", mixinStandardHelpOptions = true, description = "Create a collection bound to the embedder's model.")
    static final class Create extends Target implements Callable<Integer> {
        @Parameters(index = "0")
        String name;

        @Option(names = "--backend", defaultValue = "default", description = "embedded, milvus, or default (the server's).")
        String backend;

        @Option(names = "--description", defaultValue = "", description = "Free text kept with the collection (DescribeCollection shows it).")
        String description;

        @Override
        public Integer call() {
            IndexBackend b = backend.equals("default") ? IndexBackend.INDEX_BACKEND_UNSPECIFIED
                    : IndexBackend.valueOf("INDEX_BACKEND_" + backend.toUpperCase());
            System.out.println(line(call(s -> s.createCollection(CreateCollectionRequest.newBuilder().setName(name).setBackend(b)
                    .setDescription(description).build()))));
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "list", mixinStandardHelpOptions = true, description = "List the collections.")
    static final class ListAll extends Target implements Callable<Integer> {
        @Override
        public Integer call() {
            call(s -> s.listCollections(ListCollectionsRequest.getDefaultInstance())).getCollectionsList()
                    .forEach(c -> System.out.println(line(c)));
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "describe", mixinStandardHelpOptions = true, description = "Describe a collection.")
    static final class Describe extends Target implements Callable<Integer> {
        @Parameters(index = "0")
        String name;

        @Override
        public Integer call() {
            Collection c = call(s -> s.describeCollection(DescribeCollectionRequest.newBuilder().setName(name).build()));
            System.out.print(c.toString());
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "drop", mixinStandardHelpOptions = true, description = "Drop a collection and every version of its index.")
    static final class Drop extends Target implements Callable<Integer> {
        @Parameters(index = "0")
        String name;

        @Option(names = "--if-exists", description = "Succeed when there is no such collection (default: NOT_FOUND).")
        boolean ifExists;

        @Override
        public Integer call() {
            boolean dropped = call(s -> s.dropCollection(DropCollectionRequest.newBuilder().setName(name).setIfExists(ifExists).build()))
                    .getDropped();
            System.out.println(dropped ? "dropped " + name : "no collection " + name);
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "import", mixinStandardHelpOptions = true, description = "Import an M-BEIR pool file from the store (resumable).")
    static final class Import extends Target implements Callable<Integer> {
        @Parameters(index = "0", description = "Store-relative path of the pool JSONL.")
        String pool;

        @Option(names = "--collection", required = true, description = "The collection to write to.")
        String collection;

        @Option(names = "--pools", split = ",", description = "Pool labels (default: from the file name).")
        List<String> pools;

        @Option(names = "--image-root", defaultValue = "", description = "Store-relative M-BEIR root of the file's images.")
        String imageRoot;

        @Option(names = "--restart", description = "Start from the first line.")
        boolean restart;

        @Override
        public Integer call() throws Exception {
            ImportPoolRequest.Builder r = ImportPoolRequest.newBuilder().setCollection(collection).setPoolPath(pool).setImageRoot(imageRoot)
                    .setRestart(restart);
            if (pools != null) {
                r.addAllPools(pools);
            }
            ImportPoolProgress last = call(s -> {
                Iterator<ImportPoolProgress> it = s.importPool(r.build());
                ImportPoolProgress p = null;
                try (Progress bar = new Progress("import", 1)) {
                    while (it.hasNext()) {
                        p = it.next();
                        bar.update(p.getLinesRead(), Math.max(1, p.getTotalLines()), p.getUpserted() + " written");
                    }
                }
                return p;
            });
            System.out.printf("%d lines, %d written, %d already there (%.0f candidates/s)%n%s%n", last.getLinesRead(), last.getUpserted(),
                    last.getSkipped(), last.getCandidatesPerSecond(), line(last.getCollection()));
            return 0;
        }
    }

    @Command(showDefaultValues = true, name = "upsert", mixinStandardHelpOptions = true, description = "Stream candidates from a local M-BEIR JSONL file "
            + "(images sent inline from --image-root): Upsert, in chunks, idempotent by did.")
    static final class Upsert extends Target implements Callable<Integer> {
        @Parameters(index = "0", description = "A local JSONL of M-BEIR candidates (did, txt, img_path, modality).")
        Path file;

        @Option(names = "--collection", required = true, description = "The collection to write to.")
        String collection;

        @Option(names = "--image-root", defaultValue = ".", description = "Local directory the img_path values are relative to.")
        Path imageRoot;

        @Option(names = "--pools", split = ",", description = "Pool labels for every candidate (default: none).")
        List<String> pools;

        @Option(names = "--chunk", defaultValue = "64", description = "Candidates per stream message.")
        int chunk;

        @Override
        public Integer call() throws Exception {
            List<UpsertRequest> chunks = new ArrayList<>();
            List<Candidate> part = new ArrayList<>();
            try (Stream<MbeirCandidate> lines = Jsonl.candidates(file)) {
                for (MbeirCandidate c : (Iterable<MbeirCandidate>) lines::iterator) {
                    Content.Builder content = Content.newBuilder();
                    if (c.txt() != null) {
                        content.setText(TextNormalizer.format(c.txt()));
                    }
                    if (c.imgPath() != null) {
                        content.setImage(Image.newBuilder().setData(ByteString.copyFrom(
                                Files.readAllBytes(imageRoot.resolve(c.imgPath())))));
                    }
                    part.add(Candidate.newBuilder().setDid(c.did()).setContent(content)
                            .addAllPools(pools == null ? List.of() : pools).build());
                    if (part.size() == chunk) {
                        chunks.add(UpsertRequest.newBuilder().setCollection(chunks.isEmpty() ? collection : "")
                                .addAllCandidates(part).build());
                        part.clear();
                    }
                }
            }
            if (!part.isEmpty() || chunks.isEmpty()) {
                chunks.add(UpsertRequest.newBuilder().setCollection(chunks.isEmpty() ? collection : "")
                        .addAllCandidates(part).build());
            }
            UpsertResponse r = upsert(chunks);
            System.out.printf("%d upserted: %d created, %d replaced%n%s%n", r.getUpserted(), r.getCreated(), r.getReplaced(),
                    line(r.getCollection()));
            return 0;
        }

        private UpsertResponse upsert(List<UpsertRequest> chunks) throws Exception {
            ManagedChannel channel = channel();
            try {
                return Upserts.send(RetrievalGrpc.newStub(channel), chunks);
            } finally {
                channel.shutdownNow();
            }
        }
    }

    @Command(showDefaultValues = true, name = "delete", mixinStandardHelpOptions = true, description = "Delete candidates by did.")
    static final class Delete extends Target implements Callable<Integer> {
        @Option(names = "--collection", required = true, description = "The collection to write to.")
        String collection;

        @Parameters(arity = "1..*")
        List<String> dids;

        @Override
        public Integer call() {
            DeleteResponse r = call(s -> s.delete(DeleteRequest.newBuilder().setCollection(collection).addAllDids(dids).build()));
            System.out.printf("deleted %d, not found %d%n", r.getDeleted(), r.getNotFound());
            return 0;
        }
    }
}

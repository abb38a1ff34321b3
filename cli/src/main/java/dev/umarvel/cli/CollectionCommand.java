package dev.umarvel.cli;

import dev.umarvel.api.v1.Collection;
import dev.umarvel.api.v1.CreateCollectionRequest;
import dev.umarvel.api.v1.DeleteRequest;
import dev.umarvel.api.v1.DeleteResponse;
import dev.umarvel.api.v1.DescribeCollectionRequest;
import dev.umarvel.api.v1.DropCollectionRequest;
import dev.umarvel.api.v1.HnswParams;
import dev.umarvel.api.v1.ImportPoolProgress;
import dev.umarvel.api.v1.ImportPoolRequest;
import dev.umarvel.api.v1.IndexBackend;
import dev.umarvel.api.v1.ListCollectionsRequest;
import dev.umarvel.api.v1.RetrievalGrpc;
import dev.umarvel.mbeir.PoolCandidates;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.Visibility;
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

        @Option(names = "--int8", description = "Embedded index: quantise its graph to 7 bits (a quarter of the vector memory a "
                + "search reads; at 1M vectors recall@10 0.918 at 1,118 queries/s where float vectors give 0.993 at 1,516, docs/benchmarks.md).")
        boolean int8;

        @Override
        public Integer call() {
            IndexBackend b = backend.equals("default") ? IndexBackend.INDEX_BACKEND_UNSPECIFIED
                    : IndexBackend.valueOf("INDEX_BACKEND_" + backend.toUpperCase());
            System.out.println(line(call(s -> s.createCollection(CreateCollectionRequest.newBuilder().setName(name).setBackend(b)
                    .setDescription(description).setHnsw(HnswParams.newBuilder().setInt8(int8)).build()))));
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

    @Command(showDefaultValues = true, name = "import", mixinStandardHelpOptions = true, description = "Import an M-BEIR pool file: one in "
            + "the orchestrator's store is read there (resumable); any other readable file is read here and streamed, images inline.")
    static final class Import extends Target implements Callable<Integer> {
        @Parameters(index = "0", description = "The pool JSONL: a path relative to the orchestrator's store, or any path on this machine "
                + "(absolute, leading out of the store, or absent from it).")
        String pool;

        @Option(names = "--collection", required = true, description = "The collection to write to.")
        String collection;

        @Option(names = "--pools", split = ",", description = "Pool labels (default: from the file name).")
        List<String> pools;

        @Option(showDefaultValue = Visibility.NEVER, names = "--image-root", defaultValue = "", description = "The M-BEIR root of the "
                + "file's images (store-relative, or a directory here for a streamed file; default: the root the file lies in).")
        String imageRoot;

        @Option(names = "--restart", description = "Start from the first line (an import in the store resumes where it stopped).")
        boolean restart;

        @Override
        public Integer call() throws Exception {
            Path here = Path.of(pool);
            if (here.isAbsolute() || here.normalize().startsWith("..")) {
                return streamHere(here);
            }
            try {
                return importThere();
            } catch (StatusRuntimeException e) {
                String said = e.getStatus().getDescription();
                if (e.getStatus().getCode() != Status.Code.NOT_FOUND || said == null || !said.startsWith("pool_path:")
                        || !Files.isRegularFile(here)) {
                    throw e;
                }
                System.out.println(pool + " is not in the orchestrator's store: reading it here");
                return streamHere(here);
            }
        }

        private int importThere() {
            ImportPoolRequest.Builder r = ImportPoolRequest.newBuilder().setCollection(collection).setPoolPath(pool).setImageRoot(imageRoot)
                    .setRestart(restart);
            if (pools != null) {
                r.addAllPools(pools);
            }
            ImportPoolProgress last = call(s -> {
                Iterator<ImportPoolProgress> it = s.importPool(r.build());
                ImportPoolProgress p = null;
                Progress bar = null; // drawn from the first answer on: a refused import shows no bar
                try {
                    while (it.hasNext()) {
                        p = it.next();
                        bar = bar != null ? bar : new Progress("import", 1);
                        bar.update(p.getLinesRead(), Math.max(1, p.getTotalLines()), p.getUpserted() + " written"
                                + (p.getCompacting() ? ", building the search graph" : ""));
                    }
                } finally {
                    if (bar != null) {
                        bar.close();
                    }
                }
                return p;
            });
            System.out.printf("%d lines, %d written, %d already there (%.0f candidates/s)%n%s%n", last.getLinesRead(), last.getUpserted(),
                    last.getSkipped(), last.getCandidatesPerSecond(), line(last.getCollection()));
            return 0;
        }

        /** The orchestrator cannot open a file outside its store: the same candidates, streamed from here. */
        private int streamHere(Path file) throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new java.nio.file.NoSuchFileException(file.toString());
            }
            Path root = imageRoot.isEmpty() ? PoolCandidates.root(file) : Path.of(imageRoot);
            List<String> labels = pools != null ? pools : PoolCandidates.labels(file.getFileName().toString());
            long start = System.nanoTime();
            ManagedChannel channel = channel();
            try {
                LocalPool.Written w = LocalPool.stream(RetrievalGrpc.newStub(channel), collection, file, root, labels, 64);
                System.out.printf("%d lines streamed from here, %d written: %d new, %d replaced (%.0f candidates/s)%n%s%n", w.lines(),
                        w.upserted(), w.created(), w.replaced(), w.upserted() / ((System.nanoTime() - start) / 1e9), line(w.collection()));
            } finally {
                channel.shutdownNow();
            }
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
            ManagedChannel channel = channel();
            try {
                LocalPool.Written w = LocalPool.stream(RetrievalGrpc.newStub(channel), collection, file, imageRoot,
                        pools == null ? List.of() : pools, chunk);
                System.out.printf("%d upserted: %d created, %d replaced%n%s%n", w.upserted(), w.created(), w.replaced(), line(w.collection()));
            } finally {
                channel.shutdownNow();
            }
            return 0;
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

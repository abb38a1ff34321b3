package dev.umarvel.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.umarvel.api.StorePath;
import dev.umarvel.mbeir.MbeirLayout;
import dev.umarvel.mbeir.OwnDataset;
import dev.umarvel.mbeir.synth.SynthGenerator;
import dev.umarvel.mbeir.synth.SynthSize;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umarvel quickstart --data}: a user's dataset anywhere on the machine is checked before anything trains, and made
 * readable to the services (which refuse links out of their store) by a mirror of hard links; the pair stages run only
 * where the dataset can feed them.
 */
class QuickstartOwnDataTest {

    @TempDir Path dir;

    @Test
    void aDatasetOutsideTheStoreIsMirroredFileByFileAndTheServicesAcceptTheMirror() throws Exception {
        Path data = OwnDataset.write(dir.resolve("elsewhere/glossary"));
        Path store = Files.createDirectories(dir.resolve("store"));

        DatasetInStore.Brought first = DatasetInStore.bring(store, data);
        assertEquals("data/glossary", first.relative());
        long files;
        try (Stream<Path> all = Files.walk(data)) {
            files = all.filter(Files::isRegularFile).count();
        }
        assertEquals(files, first.linked() + first.copied());
        Path queries = new MbeirLayout(store.resolve("data/glossary")).queries(MbeirLayout.TEST,
                new MbeirLayout(data).tasks(MbeirLayout.TEST).get(0));
        assertTrue(Files.isSameFile(queries, data.resolve(data.relativize(new MbeirLayout(data).queries(MbeirLayout.TEST,
                new MbeirLayout(data).tasks(MbeirLayout.TEST).get(0))))), "a hard link on the same file system: nothing copied");
        assertFalse(Files.isSymbolicLink(queries));
        // what a service checks before it reads: the mirror is inside the store (a symbolic link would be refused)
        assertEquals(queries, StorePath.confine(store, store.relativize(queries).toString()));

        DatasetInStore.Brought again = DatasetInStore.bring(store, data);
        assertEquals(0, again.linked() + again.copied(), "a second run finds every file there");
        Files.writeString(data.resolve("extra.txt"), "added later");
        assertEquals(1, DatasetInStore.bring(store, data).linked(), "a file added to the source is added to the mirror");
    }

    @Test
    void aDatasetInsideTheStoreIsUsedWhereItIs() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Path data = OwnDataset.write(store.resolve("mine/glossary"));
        DatasetInStore.Brought b = DatasetInStore.bring(store, data);
        assertTrue(b.inPlace());
        assertEquals("mine/glossary", b.relative());
        assertFalse(Files.exists(store.resolve("data/glossary")));
    }

    @Test
    void anotherDatasetOfTheSameNameInTheStoreIsNeverOverwritten() throws Exception {
        Path store = Files.createDirectories(dir.resolve("store"));
        Files.createDirectories(store.resolve("data/glossary"));
        Files.writeString(store.resolve("data/glossary/notes.txt"), "mine");
        Path data = OwnDataset.write(dir.resolve("elsewhere/glossary"));
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> DatasetInStore.bring(store, data));
        assertTrue(e.getMessage().contains("not a mirror of " + data.toRealPath()), e.getMessage());
        assertEquals("mine", Files.readString(store.resolve("data/glossary/notes.txt")));
    }

    @Test
    void theQuickstartRefusesADatasetWithoutAValidationSplitBeforeTrainingAnything() {
        Path store = dir.resolve("store");
        Path data = dir.resolve("glossary");
        OwnDatasetCommandsTest.Run r;
        try {
            OwnDataset.write(data);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        r = OwnDatasetCommandsTest.run("quickstart", "--size", "tiny", "--data", data.toString(), "--store", store.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--data: " + data + " has no validation queries (query/val/): the quickstart's distillation and "
                + "AUTO's margin are judged on them"), r.err());
        assertFalse(Files.exists(store.resolve("data/glossary")), "nothing was mirrored");
        assertFalse(Files.exists(store.resolve("jobs")), "nothing was trained");
    }

    @Test
    void thePairStagesRunOnlyWhereTheDatasetHasPairs() throws Exception {
        Path synth = dir.resolve("synth");
        SynthGenerator.generate(synth, SynthSize.TINY, 1, m -> {});
        assertEquals(new TrainerChain.PairStages(true, true), TrainerChain.PairStages.of(new MbeirLayout(synth)));
        Files.delete(new MbeirLayout(synth).textPairs());
        Files.delete(new MbeirLayout(synth).captionImagePairs());
        // M-BEIR-synth's training queries include text -> text and text -> image ones: both stages derive their pairs
        assertEquals(new TrainerChain.PairStages(true, true), TrainerChain.PairStages.of(new MbeirLayout(synth)));
        // the glossary has only text -> text queries: no caption-image pair to derive
        Path glossary = OwnDataset.write(dir.resolve("glossary"));
        assertEquals(new TrainerChain.PairStages(true, false), TrainerChain.PairStages.of(new MbeirLayout(glossary)));
    }
}

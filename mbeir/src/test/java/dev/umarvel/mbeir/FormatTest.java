package dev.umarvel.mbeir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatTest {

    @TempDir Path dir;

    @Test
    void textIsNormalisedAsUniIrDoes() {
        assertEquals("Find an image.", TextNormalizer.format("  find an image \r"));
        assertEquals("Is it red?", TextNormalizer.format("\"is it red?\""));
        assertEquals("Say \"hi\" now!", TextNormalizer.format("say \"hi\" now!"), "inner quotes stay");
        assertEquals("", TextNormalizer.format(null));
        assertEquals("", TextNormalizer.format("  \"\" "));
    }

    @Test
    void modalitiesAndTaskIds() {
        assertEquals(Modality.IMAGE_TEXT, Modality.parse("image,text"));
        assertEquals(Modality.IMAGE_TEXT, Modality.parse("text,image"));
        assertThrows(IllegalArgumentException.class, () -> Modality.parse("audio"));
        assertEquals(7, TaskId.of(Modality.IMAGE_TEXT, Modality.IMAGE));
        for (EvalTask t : EvalTask.ALL) {
            assertEquals(t.taskId(), TaskId.of(t.queryModality(), t.candidateModality()), t.name());
        }
        assertEquals(16, EvalTask.ALL.size());
        assertEquals(3, EvalTask.ALL.stream().filter(t -> t.k() == 10).count());
    }

    @Test
    void unknownFieldsSurviveARewrite() throws Exception {
        Path src = Path.of("src/test/resources/mini-mbeir/query/test/mbeir_mscoco_task0_test.jsonl");
        List<MbeirQuery> queries;
        try (Stream<MbeirQuery> s = Jsonl.queries(src)) {
            queries = s.toList();
        }
        assertEquals("kept verbatim", queries.get(1).extras().get("source_note").asText());
        Path copy = dir.resolve("copy.jsonl");
        Jsonl.write(copy, queries, MbeirQuery::toJson);
        try (Stream<MbeirQuery> s = Jsonl.queries(copy)) {
            assertEquals(queries, s.toList());
        }
        assertTrue(Files.readString(copy).contains("\"source_note\":\"kept verbatim\""));
    }

    @Test
    void aMalformedLineIsReportedWithFileAndLine() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        Files.writeString(bad, """
                {"did": "9:1", "txt": "a", "img_path": null, "modality": "text", "src_content": null}

                {"did": "9:2", "txt": null, "img_path": null, "modality": "image", "src_content": null}
                """);
        MbeirFormatException e = assertThrows(MbeirFormatException.class, () -> {
            try (Stream<MbeirCandidate> s = Jsonl.candidates(bad)) {
                s.forEach(c -> {});
            }
        });
        assertEquals(3, e.line());
        assertTrue(e.getMessage().startsWith(bad + ":3: modality is 'image' but img_path is empty"), e.getMessage());

        Files.writeString(bad, "{\"qid\": \"x\"");
        assertTrue(assertThrows(MbeirFormatException.class, () -> {
            try (Stream<MbeirQuery> s = Jsonl.queries(bad)) {
                s.forEach(q -> {});
            }
        }).getMessage().contains(":1: not JSON"));
    }

    @Test
    void instructionsAreFoundByKeyAndChosenWithASeed() throws Exception {
        Instructions in = Instructions.read(Path.of("src/test/resources/mini-mbeir/instructions/query_instructions.tsv"));
        Instructions.Key coco = new Instructions.Key(9, Modality.TEXT, Modality.IMAGE);
        assertEquals(4, in.prompts(coco).size());
        assertEquals(1, in.prompts(new Instructions.Key(2, Modality.TEXT, Modality.TEXT)).size(), "empty columns are skipped");
        String a = in.choose(coco, new Random(3));
        assertEquals(a, in.choose(coco, new Random(3)));
        assertTrue(List.of("Find an image that matches the given caption.", "Identify the image showcasing the described everyday scene.",
                "Match the caption with an image.", "Retrieve a picture for this caption!").contains(a), a);
        assertThrows(IllegalArgumentException.class, () -> in.choose(new Instructions.Key(4, Modality.IMAGE, Modality.IMAGE), new Random()));
        Path copy = dir.resolve("i.tsv");
        in.write(copy);
        assertEquals(in.rows(), Instructions.read(copy).rows());
    }

    @Test
    void qrelsKeepOnlyRelevantRows() throws Exception {
        Path q = dir.resolve("q.txt");
        Files.writeString(q, "9:1 0 9:11 1 0\n9:1 0 9:12 0 0\n9:2 0 9:13 1 0\n");
        var qrels = Qrels.read(q);
        assertEquals(java.util.Set.of("9:11"), qrels.get("9:1"));
        assertEquals(2, qrels.size());
    }
}

package dev.umarvel.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.EmbedItem;
import dev.umarvel.api.v1.Image;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.Truncation;
import dev.umarvel.model.Item;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputsTest {

    @TempDir Path store;

    private Inputs inputs() {
        return new Inputs(store, new Inputs.Limits(4, 2000, 100 * 100), 16);
    }

    private static EmbedItem candidateImage(Image image) {
        return EmbedItem.newBuilder().setCandidate(Content.newBuilder().setImage(image)).build();
    }

    private String refusal(EmbedItem item) {
        return assertThrows(Inputs.InvalidInputException.class, () -> inputs().item(item, "items[3]")).getMessage();
    }

    @Test
    void goodItemsBecomeModelInputs() throws Exception {
        Files.write(store.resolve("a.png"), ServingFixtures.blank(20, 20));
        Item q = inputs().item(EmbedItem.newBuilder().setQuery(Query.newBuilder().setInstruction("find it")
                .setContent(Content.newBuilder().setText("a red circle"))).build(), "items[0]");
        assertEquals("find it", q.instruction());
        assertNull(q.image());
        Item c = inputs().item(candidateImage(Image.newBuilder().setStorePath("a.png").build()), "items[1]");
        assertEquals(3 * 16 * 16, c.image().length);
    }

    @Test
    void everyBadItemIsNamedWithItsField() throws Exception {
        assertEquals("items[3]: empty item: set query or candidate", refusal(EmbedItem.getDefaultInstance()));
        assertEquals("items[3].query.content: empty content: set text or image",
                refusal(EmbedItem.newBuilder().setQuery(Query.newBuilder().setInstruction("only an instruction")).build()));
        assertEquals("items[3].candidate.image: set data or store_path", refusal(candidateImage(Image.getDefaultInstance())));
        assertEquals("items[3].candidate.image.data: not a PNG or JPEG image",
                refusal(candidateImage(Image.newBuilder().setData(ByteString.copyFromUtf8("hello")).build())));
        assertEquals("items[3].candidate.image.mime_type: unsupported MIME type 'image/gif': expected image/png or image/jpeg",
                refusal(candidateImage(Image.newBuilder().setData(ByteString.copyFrom(ServingFixtures.blank(4, 4))).setMimeType("image/gif").build())));
        byte[] big = ServingFixtures.noise(40, 1);
        assertEquals("items[3].candidate.image.data: " + big.length + " bytes exceed the limit of 2000",
                refusal(candidateImage(Image.newBuilder().setData(ByteString.copyFrom(big)).build())));
        assertEquals("items[3].candidate.image.data: 101x100 pixels exceed the limit of 10000",
                refusal(candidateImage(Image.newBuilder().setData(ByteString.copyFrom(ServingFixtures.blank(101, 100))).build())));
        assertEquals("items[3].candidate.image.store_path: '../secret.png' escapes the store",
                refusal(candidateImage(Image.newBuilder().setStorePath("../secret.png").build())));
        assertEquals("items[3].candidate.image.store_path: '/etc/passwd' escapes the store",
                refusal(candidateImage(Image.newBuilder().setStorePath("/etc/passwd").build())));
        Path outside = Files.createTempFile("outside-the-store", ".png");
        Files.write(outside, ServingFixtures.blank(4, 4)); // a readable image: only the link check stands between it and the model
        Files.createSymbolicLink(store.resolve("linked.png"), outside);
        assertEquals("items[3].candidate.image.store_path: 'linked.png' leads out of the store through a link",
                refusal(candidateImage(Image.newBuilder().setStorePath("linked.png").build())));
        Files.delete(outside);
        Inputs.MissingFileException missing = assertThrows(Inputs.MissingFileException.class,
                () -> inputs().item(candidateImage(Image.newBuilder().setStorePath("nope.png").build()), "items[0]"));
        assertEquals("items[0].candidate.image.store_path: no file at store path 'nope.png'", missing.getMessage());
    }

    @Test
    void countsAndTruncationAreChecked() throws Exception {
        assertEquals("items: no items", assertThrows(Inputs.InvalidInputException.class, () -> inputs().checkCount(0, "items"))
                .getMessage());
        assertEquals("items: 5 items, over the limit of 4 per call",
                assertThrows(Inputs.InvalidInputException.class, () -> inputs().checkCount(5, "items")).getMessage());
        assertEquals(true, Inputs.truncates(Truncation.TRUNCATION_UNSPECIFIED, 0, true));
        assertEquals(false, Inputs.truncates(Truncation.TRUNCATION_REJECT, 2, true));
        assertEquals("truncation: unknown value 9",
                assertThrows(Inputs.InvalidInputException.class, () -> Inputs.truncates(Truncation.UNRECOGNIZED, 9, true)).getMessage());
    }
}

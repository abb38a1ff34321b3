package dev.umarvel.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import dev.umarvel.api.ApiReference.Element;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract is documented element by element, and docs/api/umarvel-v1.md is what the protos say. */
class ApiReferenceTest {

    private static ApiReference reference;

    @BeforeAll
    static void readDescriptor() throws IOException {
        Path descriptor = Path.of(System.getProperty("umarvel.descriptor"));
        reference = new ApiReference(FileDescriptorSet.parseFrom(Files.readAllBytes(descriptor)), "umarvel.v1");
    }

    @Test
    void everyServiceRpcMessageFieldAndEnumValueHasAComment() {
        List<String> undocumented = reference.elements().stream().filter(e -> e.comment().isBlank())
                .map(e -> e.kind() + " " + e.name()).toList();
        assertTrue(undocumented.isEmpty(), "undocumented: " + undocumented);
    }

    @Test
    void everyRpcListsItsErrors() {
        List<String> silent = reference.elements().stream()
                .filter(e -> e.kind().equals("rpc") && !e.comment().contains("Errors"))
                .map(Element::name).toList();
        assertTrue(silent.isEmpty(), "RPCs without an Errors section: " + silent);
    }

    @Test
    void enumZeroValuesAreUnspecified() {
        List<Element> elements = reference.elements();
        for (int i = 0; i < elements.size(); i++) {
            if (elements.get(i).kind().equals("enum")) {
                Element zero = elements.get(i + 1);
                assertTrue(zero.name().endsWith("_UNSPECIFIED"), "first value of " + elements.get(i).name()
                        + " is " + zero.name());
            }
        }
    }

    @Test
    void theCommittedReferenceMatchesTheProtos() throws IOException {
        Path committed = Path.of(System.getProperty("umarvel.apiReference"));
        String rendered = reference.render();
        assertFalse(rendered.isBlank());
        if (Boolean.getBoolean("umarvel.api.write")) {
            Files.createDirectories(committed.getParent());
            Path tmp = committed.resolveSibling(committed.getFileName() + ".tmp");
            Files.writeString(tmp, rendered, StandardCharsets.UTF_8);
            Files.move(tmp, committed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        assertTrue(Files.exists(committed), committed + " is missing; run ./mvnw -pl proto test -Dumarvel.api.write=true");
        assertEquals(rendered, Files.readString(committed, StandardCharsets.UTF_8),
                "docs/api/umarvel-v1.md is stale; run ./mvnw -pl proto test -Dumarvel.api.write=true");
    }
}

package dev.umarvel.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BenchArgsTest {

    @Test
    void readsFlagsOptionsAndListsWithTheirFallbacks() {
        BenchArgs a = new BenchArgs(new String[] {"--quick", "--max", "100000", "--beams", "10,20,40", "--warm-up", "1.5"});
        assertTrue(a.has("--quick"));
        assertEquals(100_000, a.integer("--max", 7));
        assertEquals(7, a.integer("--only", 7));
        assertArrayEquals(new int[] {10, 20, 40}, a.integers("--beams", 1));
        assertArrayEquals(new int[] {1, 10}, a.integers("--ks", 1, 10));
        assertEquals(1.5, a.decimal("--warm-up", 90), 0);
        assertEquals("both", a.text("--only", "both"));
    }

    @Test
    void anOptionWithoutItsValueIsRefusedByName() {
        // "--max --quick" once read "--quick" as the number and failed with Java's NumberFormatException
        BenchArgs a = new BenchArgs(new String[] {"--max", "--quick"});
        assertEquals("--max: needs a value", assertThrows(IllegalArgumentException.class, () -> a.integer("--max", 0)).getMessage());
        BenchArgs last = new BenchArgs(new String[] {"--store"});
        assertEquals("--store: needs a value", assertThrows(IllegalArgumentException.class, () -> last.text("--store", ".")).getMessage());
    }

    @Test
    void aValueThatIsNotANumberIsRefusedByName() {
        BenchArgs a = new BenchArgs(new String[] {"--beams", "10,x"});
        assertEquals("--beams: not a number (For input string: \"x\")",
                assertThrows(IllegalArgumentException.class, () -> a.integers("--beams", 1)).getMessage());
    }
}

package dev.umarvel.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    @Test
    void presetsAreValidAndGrow() {
        ModelConfig tiny = ModelConfig.preset("tiny");
        ModelConfig small = ModelConfig.preset("SMALL");
        ModelConfig base = ModelConfig.preset("base");
        assertTrue(tiny.width() < small.width() && small.width() < base.width());
        assertEquals(4, tiny.imageTokens());
        assertEquals(16, small.imageTokens());
        assertEquals(64, base.imageTokens());
        assertEquals(ModelConfig.Attention.BIDIRECTIONAL, small.attention());
        assertEquals(ModelConfig.Pooling.MEAN, small.pooling());
        assertTrue(small.instructionMasking() && !small.compressionPrompt());
    }

    @Test
    void invalidSettingsAreRefusedWithEveryReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelConfig("custom", 10,
                30, 2, 4, 64, 96, 20, 8, 32, 1, 2, 2, 1.5f, ModelConfig.Attention.CAUSAL, ModelConfig.Pooling.MEAN, true, false,
                ModelConfig.Layout.PRE_NORM));
        assertTrue(e.getMessage().contains("width 30 is not divisible by heads 4"), e.getMessage());
        assertTrue(e.getMessage().contains("imageSize 20 must be a positive multiple of patchSize 8"), e.getMessage());
        assertTrue(e.getMessage().contains("dropout must be in [0, 1)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelConfig.preset("huge"));
    }

    @Test
    void shapeMismatchesIgnoreStageSettings() {
        ModelConfig a = ModelConfig.tiny().withVocabSize(100);
        ModelConfig b = a.withAttention(ModelConfig.Attention.CAUSAL).withPooling(ModelConfig.Pooling.LAST_TOKEN, false, true);
        assertEquals(List.of(), a.shapeMismatches(b));
        assertEquals(List.of("vocabSize 101 != 100"), a.shapeMismatches(a.withVocabSize(101)));
    }

    @Test
    void anImportedLayoutDoesNotTakeOurWeightsNorOursIts() {
        ModelConfig ours = ModelConfig.tiny().withVocabSize(100);
        assertEquals(List.of("layout BERT != PRE_NORM"), ours.shapeMismatches(ours.withLayout(ModelConfig.Layout.BERT)));
    }

    @Test
    void aConfigWrittenBeforeLayoutsExistedIsOurPreNormLayout() {
        String json = new com.google.gson.Gson().toJson(ModelConfig.tiny()).replaceAll(",\\s*\"layout\":\\s*\"PRE_NORM\"", "");
        assertTrue(!json.contains("layout"), json);
        assertEquals(ModelConfig.Layout.PRE_NORM, new com.google.gson.Gson().fromJson(json, ModelConfig.class).layout());
    }
}

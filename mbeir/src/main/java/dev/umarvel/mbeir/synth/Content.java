package dev.umarvel.mbeir.synth;

import dev.umarvel.mbeir.Modality;

/**
 * What a query or candidate holds before it gets an id: text, a rendered scene, or both.
 *
 * @param text the text, or null
 * @param scene the picture, or null
 * @param variant which rendering of the scene (0 canonical; others shifted and re-shaded)
 */
record Content(String text, Scene scene, int variant) {

    static Content text(String text) {
        return new Content(text, null, 0);
    }

    static Content image(Scene scene, int variant) {
        return new Content(null, scene, variant);
    }

    static Content both(String text, Scene scene, int variant) {
        return new Content(text, scene, variant);
    }

    Modality modality() {
        return Modality.of(text != null, scene != null);
    }

    /** Equal keys mean equal content: the writer gives such candidates one did. */
    String key() {
        return (text == null ? "" : text) + "|" + (scene == null ? "" : scene.key() + "#" + variant);
    }
}

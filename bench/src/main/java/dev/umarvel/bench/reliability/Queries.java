package dev.umarvel.bench.reliability;

import dev.umarvel.api.v1.Content;
import dev.umarvel.api.v1.Query;
import dev.umarvel.api.v1.SearchRequest;

/** Varied valid text searches (the n-th of an endless sequence), so that no cache answers them. */
final class Queries {

    private static final String[] COLOURS = {"red", "green", "blue", "yellow", "purple", "orange", "black", "white"};
    private static final String[] SHAPES = {"circle", "square", "triangle", "star", "cross", "ring"};
    private static final String[] PLACES = {"on the left", "on the right", "at the top", "at the bottom", "in the middle"};

    private Queries() {
    }

    static SearchRequest.Builder search(String collection, int n) {
        String text = "a " + COLOURS[n % COLOURS.length] + " " + SHAPES[(n / 8) % SHAPES.length] + " " + PLACES[(n / 48) % PLACES.length];
        return SearchRequest.newBuilder().setCollection(collection).setTopK(10)
                .setQuery(Query.newBuilder().setInstruction("Retrieve an image that matches this caption.").setContent(Content.newBuilder().setText(text)));
    }
}

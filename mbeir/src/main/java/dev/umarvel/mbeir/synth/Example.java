package dev.umarvel.mbeir.synth;

import java.util.List;

/** A query with its positive candidates and its natural hard negatives (one attribute or fact differs). */
record Example(Content query, List<Content> positives, List<Content> negatives) {}

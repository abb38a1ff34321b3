package dev.umarvel.mbeir.eval;

import dev.umarvel.mbeir.MbeirQuery;

/** A query as the model sees it: the M-BEIR line plus the instruction chosen for it. */
public record QueryInput(MbeirQuery query, String instruction) {}

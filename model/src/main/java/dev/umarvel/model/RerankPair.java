package dev.umarvel.model;

/** A query and one candidate, as the YES/NO reranker reads them. */
public record RerankPair(Item query, Item candidate) {}

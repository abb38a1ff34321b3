package dev.umarvel.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** What a bearer token may do; every RPC needs exactly one (see {@link RpcScopes}). */
public enum Scope {
    /** Read: search, describe and list collections, embed, rerank, model info. */
    SEARCH,
    /** Change what is served: collections, candidates, imports, distillation, model loads. */
    ADMIN,
    /** The trainer's jobs and checkpoints. */
    TRAIN;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** "search,admin" to its scopes; an unknown name is refused with the names that exist. */
    public static Set<Scope> parseList(String list) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String s : list.split(",")) {
            String name = s.trim();
            if (name.isEmpty()) {
                continue;
            }
            try {
                scopes.add(valueOf(name.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown scope '" + name + "' (search, admin, train)");
            }
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("no scope given (search, admin, train)");
        }
        return scopes;
    }
}

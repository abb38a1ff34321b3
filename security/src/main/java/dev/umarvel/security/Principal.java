package dev.umarvel.security;

import java.util.Set;

/** Who a token belongs to: its name (what logs show, never the token) and its scopes. */
public record Principal(String name, Set<Scope> scopes) {

    public boolean may(Scope scope) {
        return scopes.contains(scope);
    }
}

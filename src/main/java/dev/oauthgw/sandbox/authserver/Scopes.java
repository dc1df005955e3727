package dev.oauthgw.sandbox.authserver;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;

/** Scope strings taken apart and put back together (RFC 6749 §3.3: space-separated, order kept, no repeats). */
final class Scopes {

    static final String OFFLINE_ACCESS = "offline_access";

    private Scopes() {
    }

    static String normalize(String scope) {
        return scope == null ? "" : String.join(" ", set(scope));
    }

    static Set<String> set(String scope) {
        if (scope == null || scope.isBlank()) {
            return Set.of();
        }
        return new LinkedHashSet<>(Arrays.asList(scope.trim().split("\\s+")));
    }
}

package dev.oauthgw.ops.signin;

import java.security.Principal;
import java.util.Optional;

/**
 * An operator signed in with a built-in account, and when. {@link #getName()} is what Quarkus's form
 * authentication writes into the encrypted session cookie (and writes again each time it renews the cookie),
 * so the instant of the sign-in travels with the session and cannot be changed without the session key; the
 * dashboard shows {@link #account()} ({@link OpsOperator#display}).
 */
public record OpsPrincipal(String account, long signedInAtMillis) implements Principal {

    private static final char SEPARATOR = '|';

    @Override
    public String getName() {
        return account + SEPARATOR + signedInAtMillis;
    }

    /** The principal named by a session cookie; empty for a cookie written before sign-in times were recorded. */
    static Optional<OpsPrincipal> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        int i = name.lastIndexOf(SEPARATOR);
        if (i <= 0 || i == name.length() - 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(new OpsPrincipal(name.substring(0, i), Long.parseLong(name.substring(i + 1))));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}

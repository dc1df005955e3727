package dev.oauthgw.tokens;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Which partners' tokens a caller may read: the {@code partners} claim of its JWT, a list of partner ids
 * (a JSON array, or one string of ids separated by commas or spaces), with {@value #ALL} for every partner.
 * <p>
 * Where the claim is required (prod, {@code gateway.tokens.require-partners-claim=true}), a JWT without it
 * reads no partner's tokens: a caller must name its partners, or say {@value #ALL} explicitly. Where it is not
 * required (dev and tests), a JWT without the claim reads every partner's tokens, as before.
 */
public final class PartnersClaim {

    public static final String NAME = "partners";
    public static final String ALL = "*";

    /** The answer for one partner. */
    public enum Verdict {
        ALLOWED,
        /** the claim is there and does not name the partner */
        NOT_LISTED,
        /** the claim is required and the JWT has none */
        MISSING
    }

    private PartnersClaim() {
    }

    /** May a caller whose JWT carries {@code claim} (null: no such claim) read {@code partnerId}'s tokens? */
    public static Verdict check(Object claim, String partnerId, boolean required) {
        Optional<List<String>> partners = parse(claim);
        if (partners.isEmpty()) {
            return required ? Verdict.MISSING : Verdict.ALLOWED;
        }
        List<String> ids = partners.get();
        return ids.contains(ALL) || ids.contains(partnerId) ? Verdict.ALLOWED : Verdict.NOT_LISTED;
    }

    /**
     * Throws the answer {@code /tokens} gives (403 {@code partners-claim-missing} or 403 forbidden) unless the caller
     * may use {@code partnerId}; for the other endpoints that act for a partner (the proxy).
     */
    public static void require(Object claim, String partnerId, boolean required) {
        switch (check(claim, partnerId, required)) {
            case ALLOWED -> {
            }
            case MISSING -> throw new dev.oauthgw.common.GatewayException(403, "partners-claim-missing", "Forbidden",
                    "This caller's JWT has no 'partners' claim. The issuer must name the partners the caller may act "
                            + "for (a list of partner ids), or '*' for all partners.");
            case NOT_LISTED -> throw dev.oauthgw.common.GatewayException.forbidden(
                    "This caller may not act for partner '" + partnerId + "' (not in its 'partners' claim).");
        }
    }

    /** The partner ids in the claim; empty when there is no claim (an empty list is a claim that names nobody). */
    static Optional<List<String>> parse(Object claim) {
        if (claim == null || claim == JsonValue.NULL) {
            return Optional.empty();
        }
        List<String> ids = new ArrayList<>();
        if (claim instanceof JsonArray array) {
            array.stream().filter(v -> v.getValueType() == JsonValue.ValueType.STRING)
                    .forEach(v -> ids.add(((JsonString) v).getString()));
        } else if (claim instanceof Collection<?> c) {
            c.forEach(v -> ids.add(v instanceof JsonString js ? js.getString() : String.valueOf(v).replace("\"", "")));
        } else {
            String s = claim instanceof JsonString js ? js.getString() : String.valueOf(claim);
            for (String p : s.split("[\\s,]+")) {
                if (!p.isEmpty()) {
                    ids.add(p);
                }
            }
        }
        return Optional.of(List.copyOf(ids));
    }
}

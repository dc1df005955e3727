package dev.oauthgw.provider;

import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.http.BoundedHttpClient;
import dev.oauthgw.http.OutboundFailure;
import dev.oauthgw.http.OutboundRequest;
import dev.oauthgw.provider.ProviderException.Kind;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Finds out which provider account a freshly obtained token belongs to, as the registration says: a
 * claim of the access token (read without signature check: the token came straight from the token
 * endpoint over TLS), or a cheap authenticated probe that must answer 2xx (it names no account).
 */
@ApplicationScoped
public class IdentityResolver {

    /**
     * @param accountId the provider account (Pax8 partner id) when known; subject the consenting user when known;
     *        accountName the account's display name when the token names it
     */
    public record Identity(Optional<String> accountId, Optional<String> subject, Optional<String> accountName) {
        public Identity(Optional<String> accountId, Optional<String> subject) {
            this(accountId, subject, Optional.empty());
        }
    }

    private final ObjectMapper json;
    private final BoundedHttpClient http;

    public IdentityResolver(ObjectMapper json, BoundedHttpClient http) {
        this.json = json;
        this.http = http;
    }

    public Identity identify(RegisteredProvider provider, TokenResponse tokens) {
        ProviderConfig.Identity cfg = provider.registration().identity();
        Optional<JsonNode> claims = claims(tokens.accessToken());
        Optional<String> subject = claims.map(c -> c.path("sub")).filter(JsonNode::isTextual).map(JsonNode::asText);
        switch (cfg.method()) {
            case CLAIM -> {
                String account = claims.map(c -> c.path(cfg.claim())).filter(JsonNode::isTextual)
                        .map(JsonNode::asText).filter(s -> !s.isBlank())
                        .orElseThrow(() -> new ProviderException(Kind.MALFORMED_RESPONSE, 200, null,
                                "The access token of '" + provider.name() + "' carries no '" + cfg.claim()
                                        + "' claim naming the partner account",
                                null, null));
                Optional<String> name = claims.map(c -> c.path(cfg.nameClaim())).filter(JsonNode::isTextual)
                        .map(JsonNode::asText).map(String::strip).filter(n -> !n.isEmpty())
                        .map(n -> n.length() > 255 ? n.substring(0, 255) : n);
                return new Identity(Optional.of(account), subject, name);
            }
            case PROBE -> {
                probe(provider, cfg, tokens.accessToken());
                return new Identity(Optional.empty(), subject);
            }
            default -> {
                return new Identity(Optional.empty(), subject);
            }
        }
    }

    /**
     * The probe, within its bounds ({@code identity.probe-timeout} and {@code identity.probe-max-answer-size}, the
     * registration's connect, headers and idle deadlines): no whole answer in time is transient.
     */
    private void probe(RegisteredProvider provider, ProviderConfig.Identity cfg, String accessToken) {
        int status;
        try {
            status = http.call(OutboundRequest.of("GET", cfg.probeUrl().orElseThrow(), Map.of(
                    "Authorization", "Bearer " + accessToken, "Accept", "application/json"), null),
                    ProviderConfig.probeBoundsOf(provider.registration())).status();
        } catch (OutboundFailure e) {
            if (e.reason() == OutboundFailure.Reason.INTERRUPTED) {
                throw new ProviderException(Kind.TRANSIENT, 0, null, "Interrupted during the identity probe", null, e);
            }
            throw new ProviderException(Kind.TRANSIENT, 0, null,
                    "The identity probe of '" + provider.name() + "' " + e.getMessage(), null, e);
        }
        if (status / 100 != 2) {
            throw new ProviderException(status >= 500 ? Kind.TRANSIENT : Kind.REQUEST_REJECTED, status, null,
                    "The identity probe of '" + provider.name() + "' answered " + status + " to the new token", null,
                    null);
        }
    }

    private Optional<JsonNode> claims(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readTree(Base64.getUrlDecoder().decode(parts[1])));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}

package dev.oauthgw.provider;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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
    private final HttpClient http = HttpClient.newBuilder()
            .connectTimeout(java.time.Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

    public IdentityResolver(ObjectMapper json) {
        this.json = json;
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

    private void probe(RegisteredProvider provider, ProviderConfig.Identity cfg, String accessToken) {
        HttpRequest req = HttpRequest.newBuilder(cfg.probeUrl().orElseThrow())
                .timeout(provider.registration().requestTimeout())
                .header("Authorization", "Bearer " + accessToken)
                .header("Accept", "application/json")
                .GET().build();
        int status;
        try {
            status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new ProviderException(Kind.TRANSIENT, 0, null,
                    "The identity probe of '" + provider.name() + "' could not be reached", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(Kind.TRANSIENT, 0, null, "Interrupted during the identity probe", null, e);
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

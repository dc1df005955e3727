package dev.oauthgw.sandbox.authserver;

import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.oauthgw.sandbox.BasicCredentials;
import dev.oauthgw.sandbox.OAuthError;
import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The token and revocation endpoints' logic: faults, dialect, client authentication, grant dispatch.
 * Answers {@link IssuedTokens} or throws {@link OAuthError}.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxTokenService {

    static final String AUTHORIZATION_CODE = "authorization_code";
    static final String REFRESH_TOKEN = "refresh_token";
    static final String CLIENT_CREDENTIALS = "client_credentials";

    @Inject
    SandboxClients clients;

    @Inject
    SandboxGrants grants;

    @Inject
    SandboxFaults faults;

    @Inject
    SandboxCounters counters;

    IssuedTokens token(String contentType, String authorization, byte[] body, String issuer) {
        counters.call(SandboxCounters.Endpoint.TOKEN);
        applyFaults();
        OAuthRequest request = OAuthRequest.parse(contentType, body);
        String grantType = request.get("grant_type");
        if (grantType == null) {
            throw OAuthError.invalidRequest("Missing required parameter: grant_type");
        }
        boolean known = grantType.equals(AUTHORIZATION_CODE) || grantType.equals(REFRESH_TOKEN)
                || grantType.equals(CLIENT_CREDENTIALS);
        counters.tokenRequest(known ? grantType : "unsupported");
        SandboxClient client = authenticate(request, authorization);
        if (!known) {
            throw OAuthError.unsupportedGrantType("Unsupported grant type: " + OAuthRequest.safeName(grantType));
        }
        if (!client.allowsGrantType(grantType)) {
            throw OAuthError.unauthorizedClient("Grant type '" + grantType + "' not allowed for the client.");
        }
        String audience = request.get("audience");
        // the Pax8 dialect: audience is mandatory for every grant type
        if (request.format() == OAuthRequest.Format.JSON && audience == null) {
            throw OAuthError.invalidRequest("Missing required parameter: audience");
        }
        return switch (grantType) {
            case AUTHORIZATION_CODE -> grants.exchangeCode(client, request.get("code"), request.get("redirect_uri"),
                    request.get("code_verifier"), audience, issuer);
            case REFRESH_TOKEN -> grants.refresh(client, request.get("refresh_token"), audience, request.get("scope"),
                    issuer);
            default -> grants.clientCredentials(client, audience, request.get("scope"), issuer);
        };
    }

    /** RFC 7009: revokes the token if it is this client's; unknown tokens are fine. */
    void revoke(String contentType, String authorization, byte[] body) {
        counters.call(SandboxCounters.Endpoint.REVOKE);
        OAuthRequest request = OAuthRequest.parse(contentType, body);
        SandboxClient client = authenticate(request, authorization);
        String token = request.get("token");
        if (token == null) {
            throw OAuthError.invalidRequest("Missing required parameter: token");
        }
        // token_type_hint is only a hint (RFC 7009 §2.1): both kinds are looked up anyway
        grants.revokeToken(client, token);
    }

    /** Injected delay first (outside any lock, so one slow answer does not hold up the others), then failures. */
    private void applyFaults() {
        Duration delay = faults.delay();
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw OAuthError.serverError(503, "Interrupted");
            }
        }
        Optional<Integer> status = faults.takeServerError();
        if (status.isPresent()) {
            throw OAuthError.serverError(status.get(), "The sandbox was told to fail (simulated outage)");
        }
        Optional<Integer> retryAfter = faults.takeRateLimit();
        if (retryAfter.isPresent()) {
            throw OAuthError.tooManyRequests(retryAfter.get());
        }
    }

    /**
     * Client authentication (RFC 6749 §2.3.1): HTTP Basic ({@code client_secret_basic}) or body parameters
     * ({@code client_secret_post}, which the Pax8 JSON dialect uses), never both, as the client's configured
     * method allows.
     */
    SandboxClient authenticate(OAuthRequest request, String authorization) {
        BasicCredentials basic = BasicCredentials.parse(authorization);
        String bodyId = request.get("client_id");
        String bodySecret = request.get("client_secret");
        String clientId;
        String secret;
        SandboxClient.AuthMethod used;
        if (basic != null) {
            if (bodySecret != null) {
                throw OAuthError.invalidRequest("Use one client authentication method: HTTP Basic or body parameters, not both");
            }
            if (bodyId != null && !bodyId.equals(basic.clientId())) {
                throw OAuthError.invalidRequest("client_id does not match the HTTP Basic credentials");
            }
            clientId = basic.clientId();
            secret = basic.clientSecret();
            used = SandboxClient.AuthMethod.CLIENT_SECRET_BASIC;
        } else if (bodyId != null) {
            clientId = bodyId;
            secret = bodySecret;
            used = SandboxClient.AuthMethod.CLIENT_SECRET_POST;
        } else {
            throw OAuthError.invalidClient("Client authentication is required", false);
        }
        boolean challenge = basic != null;
        SandboxClient client = clients.find(clientId).orElse(null);
        if (client == null || secret == null || !client.secretMatches(secret)) {
            throw OAuthError.invalidClient("Client authentication failed", challenge);
        }
        if (!client.authMethod().allows(used)) {
            throw OAuthError.invalidClient("Client authentication method " + used.name().toLowerCase(java.util.Locale.ROOT)
                    + " is not allowed for this client", challenge);
        }
        if (faults.isRejectedClient(clientId)) {
            throw OAuthError.invalidClient("Client authentication failed", challenge);
        }
        return client;
    }
}

package dev.oauthgw.provider;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.oauthgw.http.HttpBounds;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Named provider registrations. The default one is Pax8; any standards-compliant OAuth 2.0 server
 * works through a registration with the {@code rfc6749} dialect. Client secrets come from the
 * environment or a secret store ({@code GATEWAY_PROVIDER_REGISTRATIONS_<NAME>_CLIENT_SECRET}).
 */
@ConfigMapping(prefix = "gateway.provider")
public interface ProviderConfig {

    /** The registration that onboarding links use unless told otherwise. */
    @WithDefault("pax8")
    String defaultRegistration();

    /** Refuse to start with a non-https provider or redirect URL (on in prod). */
    @WithDefault("true")
    boolean requireHttps();

    Map<String, Registration> registrations();

    interface Registration {
        URI authorizeUrl();

        URI tokenUrl();

        Optional<URI> revocationUrl();

        /** Required, like the secret, for a registration in use (the default one and those vendor tokens name). */
        Optional<String> clientId();

        /** Never logged, never printed; required for a registration in use (prod fails closed without it). */
        Optional<String> clientSecret();

        /** The gateway's callback as registered at the provider, e.g. https://gw.example.com/onboarding/callback */
        URI redirectUri();

        @WithDefault("Manage:Pax8Data offline_access")
        String scopes();

        /**
         * Sent on the authorization request and, in the pax8 dialect, in every token request;
         * {@code none} for a server that takes no audience. Read it through {@link ProviderConfig#audienceOf}.
         */
        @WithDefault("https://api.pax8.com")
        String audience();

        @WithDefault("pax8")
        Dialect dialect();

        /** rfc6749 dialect only: how the client authenticates at the token endpoint. */
        @WithDefault("client-secret-basic")
        ClientAuth clientAuth();

        /** Connect deadline of a call to the token or revocation endpoint (pooled or new TCP + TLS connection). */
        @WithDefault("PT5S")
        Duration connectTimeout();

        /**
         * TOTAL deadline of one call to the token or revocation endpoint: the whole answer, body included, within
         * this time, else the connection is closed and the call fails TRANSIENT (ADR 0019). With a grace of
         * {@link HttpBounds#AWAIT_GRACE} it is the longest one call holds its thread ({@link RegisteredProvider#callBound()}).
         */
        @WithDefault("PT10S")
        Duration requestTimeout();

        /** Deadline for the answer's status line and headers, counted from the start of the call. */
        @WithDefault("PT10S")
        Duration headersTimeout();

        /** The longest silence between two pieces of the answer's body (a stall mid-answer). */
        @WithDefault("PT5S")
        Duration idleTimeout();

        /** The most bytes of an answer's body that are read (token answers are a few KiB); more fails the call. */
        @WithDefault("65536")
        long maxAnswerSize();

        /**
         * The shortest access-token lifetime an answer may state ({@code expires_in}, or {@code expires_at} from the
         * time the request was sent); shorter (0, negative) is {@code MALFORMED_RESPONSE}: such a token would be
         * refreshed every tick, each time rotating the refresh token.
         */
        @WithDefault("PT60S")
        Duration minTokenLifetime();

        /**
         * The longest access-token lifetime an answer may state; longer (for example {@code expires_in} in
         * milliseconds by mistake) is {@code MALFORMED_RESPONSE}: the next refresh would come after the refresh token
         * lapsed.
         */
        @WithDefault("P7D")
        Duration maxTokenLifetime();

        /** Display name of the vendor's app on the onboarding pages. */
        @WithDefault("our app")
        String appName();

        Identity identity();

        /**
         * How a consent binds the partner to its provider account (ADR 0010): {@code operator-set},
         * {@code confirm-first} (the first consent waits for an operator) or {@code first-consent}.
         */
        @WithDefault("confirm-first")
        BindingPolicy binding();

        /** The provider's API behind the gateway's proxy ({@code /proxy/{partnerId}/...}, package proxy). */
        Api api();
    }

    /**
     * The partner API the proxy forwards to with the partner's token: its base URL (unset: no proxy for this
     * registration), the methods callers may use, and the registration's request budget for the whole cluster.
     */
    interface Api {
        /** e.g. {@code https://api.pax8.com}; https where https is required (prod). */
        Optional<URI> baseUrl();

        /** HTTP methods callers may use through the proxy: GET by default; POST, PUT, PATCH, DELETE opt in. */
        @WithDefault("GET")
        Set<String> methods();

        /** Requests per window for the whole cluster (Pax8 allows about 1,000 a minute: stay below it). */
        @WithDefault("900")
        int budgetPerWindow();
    }

    /** How the partner behind a new token is found. */
    interface Identity {
        @WithDefault("claim")
        IdentityMethod method();

        /** method=claim: the access-token claim that names the partner at the provider. */
        @WithDefault("https://pax8.com/partner_id")
        String claim();

        /** method=claim: the access-token claim with the account's display name, shown to the operator who confirms. */
        @WithDefault("https://pax8.com/partner_name")
        String nameClaim();

        /** method=probe: an authenticated GET that must answer 2xx with the new token. */
        Optional<URI> probeUrl();

        /**
         * method=probe: TOTAL deadline of the probe (the registration's connect, headers and idle deadlines apply
         * within it).
         */
        @WithDefault("PT10S")
        Duration probeTimeout();

        /** method=probe: the most bytes of the probe's answer that are read (the body is not used). */
        @WithDefault("16384")
        long probeMaxAnswerSize();
    }

    /**
     * The token-request dialect. Each constant names the {@link TokenDialect} that builds its requests: a
     * new dialect is one new class and one constant here.
     */
    enum Dialect {
        /** Pax8: JSON body with client credentials and a mandatory audience. */
        PAX8(new Pax8Dialect()),
        /** RFC 6749: form-encoded body, client authentication by HTTP Basic or body parameters. */
        RFC6749(new Rfc6749Dialect());

        private final TokenDialect strategy;

        Dialect(TokenDialect strategy) {
            this.strategy = strategy;
        }

        /** Builds this dialect's token and revocation requests. */
        TokenDialect strategy() {
            return strategy;
        }
    }

    enum ClientAuth {
        CLIENT_SECRET_BASIC,
        CLIENT_SECRET_POST
    }

    enum IdentityMethod {
        /** Read the partner id from a claim of the (JWT) access token. */
        CLAIM,
        /** Call a cheap authenticated endpoint (for example GET /v1/companies?size=1); no partner id. */
        PROBE,
        /** No check beyond the code exchange itself. */
        NONE
    }

    /** The bounds of a call to the registration's token or revocation endpoint. */
    static HttpBounds boundsOf(Registration r) {
        return new HttpBounds(r.connectTimeout(), r.headersTimeout(), r.idleTimeout(), r.requestTimeout(),
                r.maxAnswerSize());
    }

    /** The bounds of the registration's identity probe: its own total and cap, the registration's other deadlines. */
    static HttpBounds probeBoundsOf(Registration r) {
        return new HttpBounds(r.connectTimeout(), r.headersTimeout(), r.idleTimeout(), r.identity().probeTimeout(),
                r.identity().probeMaxAnswerSize());
    }

    /** The registration's audience, empty when it is set to {@code none}. */
    static Optional<String> audienceOf(Registration r) {
        String a = r.audience().strip();
        return a.isEmpty() || "none".equalsIgnoreCase(a) ? Optional.empty() : Optional.of(a);
    }
}

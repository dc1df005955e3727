package dev.oauthgw.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.oauthgw.provider.ProviderConfig.IdentityMethod;
import dev.oauthgw.provider.ProviderConfig.Registration;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The provider registrations, validated once at start-up: a registration without a client secret, or
 * (where https is required, as in prod) with a non-https URL, stops the application from starting.
 */
@Startup
@ApplicationScoped
public class ProviderRegistry {

    private final ProviderConfig config;
    private final Map<String, RegisteredProvider> providers;

    public ProviderRegistry(ProviderConfig config) {
        this.config = config;
        this.providers = validate(config);
    }

    /** Checks every registration; throws with the list of problems (setting names only, never values). */
    static Map<String, RegisteredProvider> validate(ProviderConfig config) {
        List<String> problems = new ArrayList<>();
        Map<String, RegisteredProvider> out = new TreeMap<>();
        if (config.registrations().isEmpty()) {
            problems.add("no provider registration is configured (gateway.provider.registrations.<name>.*)");
        } else if (!config.registrations().containsKey(config.defaultRegistration())) {
            problems.add("gateway.provider.default-registration names '" + config.defaultRegistration()
                    + "', which is not a configured registration");
        }
        config.registrations().forEach((name, r) -> {
            String prefix = "gateway.provider.registrations." + name + ".";
            Optional<String> secret = r.clientSecret().filter(s -> !s.isBlank());
            if (secret.isEmpty()) {
                problems.add(prefix + "client-secret is missing (set " + envName(prefix + "client-secret") + ")");
            }
            if (r.clientId().isBlank()) {
                problems.add(prefix + "client-id is blank");
            }
            checkUrl(problems, config.requireHttps(), prefix + "authorize-url", r.authorizeUrl());
            checkUrl(problems, config.requireHttps(), prefix + "token-url", r.tokenUrl());
            checkUrl(problems, config.requireHttps(), prefix + "redirect-uri", r.redirectUri());
            r.revocationUrl().ifPresent(u -> checkUrl(problems, config.requireHttps(), prefix + "revocation-url", u));
            r.identity().probeUrl().ifPresent(u -> checkUrl(problems, config.requireHttps(),
                    prefix + "identity.probe-url", u));
            if (r.identity().method() == IdentityMethod.PROBE && r.identity().probeUrl().isEmpty()) {
                problems.add(prefix + "identity.probe-url is required with identity.method=probe");
            }
            secret.ifPresent(s -> out.put(name, new RegisteredProvider(name, r, s)));
        });
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Provider configuration is not usable:\n - " + String.join("\n - ", problems));
        }
        return Map.copyOf(out);
    }

    private static void checkUrl(List<String> problems, boolean requireHttps, String setting, URI url) {
        if (!url.isAbsolute() || url.getHost() == null) {
            problems.add(setting + " is not an absolute URL");
        } else if (requireHttps && !"https".equalsIgnoreCase(url.getScheme())) {
            problems.add(setting + " must use https");
        }
    }

    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    public RegisteredProvider get(String name) {
        RegisteredProvider p = providers.get(name);
        if (p == null) {
            throw new IllegalArgumentException("Unknown provider registration: " + name);
        }
        return p;
    }

    public RegisteredProvider defaultProvider() {
        return get(config.defaultRegistration());
    }

    /** The authorization request: response_type=code, state and PKCE S256 always. */
    public URI authorizeUri(RegisteredProvider provider, String state, String codeChallenge) {
        Registration r = provider.registration();
        StringBuilder q = new StringBuilder();
        append(q, "response_type", "code");
        append(q, "client_id", r.clientId());
        append(q, "redirect_uri", r.redirectUri().toString());
        append(q, "scope", r.scopes());
        ProviderConfig.audienceOf(r).ifPresent(a -> append(q, "audience", a));
        append(q, "state", state);
        append(q, "code_challenge", codeChallenge);
        append(q, "code_challenge_method", "S256");
        String base = r.authorizeUrl().toString();
        return URI.create(base + (base.contains("?") ? "&" : "?") + q);
    }

    private static void append(StringBuilder q, String k, String v) {
        if (q.length() > 0) {
            q.append('&');
        }
        q.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20"));
    }
}

package dev.oauthgw.provider;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;


import dev.oauthgw.http.HttpBounds;
import dev.oauthgw.provider.ProviderConfig.IdentityMethod;
import dev.oauthgw.provider.ProviderConfig.Registration;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The provider registrations, validated once at start-up: a registration in use (the default one, those vendor tokens
 * name) without a client id and secret, or (where https is required, as in prod) with a non-https URL, stops the
 * application from starting. A registration nobody uses and without credentials (the built-in pax8 one when the
 * default is another) is left out. The start-up check (dev.oauthgw.startup) reports these problems together with
 * the others; the constructor checks again, for the default registration.
 */
@Startup
@ApplicationScoped
public class ProviderRegistry {

    /** The methods a registration may let callers use through the proxy (api.methods). */
    static final Set<String> PROXY_METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE");

    private final ProviderConfig config;
    private final Map<String, RegisteredProvider> providers;

    public ProviderRegistry(ProviderConfig config) {
        this.config = config;
        this.providers = validate(config);
    }

    /** {@link #validate(ProviderConfig, Set)} with no registration referenced beyond the default one. */
    static Map<String, RegisteredProvider> validate(ProviderConfig config) {
        return validate(config, Set.of());
    }

    /**
     * Checks the registrations; throws with the list of problems (setting names only, never values). The
     * registrations returned are the usable ones: those with a client id and secret.
     *
     * @param referenced registrations the configuration uses besides the default one (e.g. vendor tokens')
     */
    static Map<String, RegisteredProvider> validate(ProviderConfig config, Set<String> referenced) {
        List<String> problems = new ArrayList<>();
        Map<String, RegisteredProvider> out = check(config, referenced, problems);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Provider configuration is not usable:\n - " + String.join("\n - ", problems));
        }
        return out;
    }

    /**
     * The problems of the provider configuration, for the start-up check that reports every problem at once.
     * Credentials are required of the registrations in use only: the default one and {@code referenced}. A
     * registration nobody uses may go without credentials (it is then not usable), but not with half of them.
     */
    public static List<String> problems(ProviderConfig config, Set<String> referenced) {
        List<String> problems = new ArrayList<>();
        check(config, referenced, problems);
        return problems;
    }

    private static Map<String, RegisteredProvider> check(ProviderConfig config, Set<String> referenced,
            List<String> problems) {
        Map<String, RegisteredProvider> out = new TreeMap<>();
        Set<String> used = new TreeSet<>(referenced);
        used.add(config.defaultRegistration());
        if (config.registrations().isEmpty()) {
            problems.add("no provider registration is configured (gateway.provider.registrations.<name>.*)");
        }
        for (String name : used) {
            if (!config.registrations().isEmpty() && !config.registrations().containsKey(name)) {
                problems.add(name.equals(config.defaultRegistration())
                        ? "gateway.provider.default-registration names '" + name + "', which is not a configured registration"
                        : "the configuration uses the provider registration '" + name + "' (gateway.tokens.vendor.<name>"
                                + ".registration), which is not configured");
            }
        }
        config.registrations().forEach((name, r) -> {
            String prefix = "gateway.provider.registrations." + name + ".";
            Optional<String> secret = r.clientSecret().filter(s -> !s.isBlank());
            Optional<String> clientId = r.clientId().filter(s -> !s.isBlank());
            boolean inUse = used.contains(name);
            if (!inUse && secret.isEmpty() && clientId.isEmpty()) {
                return; // configured (e.g. built in) but not used and without credentials: left out
            }
            if (clientId.isEmpty()) {
                problems.add(prefix + "client-id is missing (set " + envName(prefix + "client-id") + ")");
            }
            if (secret.isEmpty()) {
                problems.add(prefix + "client-secret is missing (set " + envName(prefix + "client-secret") + ")");
            }
            checkUrl(problems, config.requireHttps(), prefix + "authorize-url", r.authorizeUrl());
            checkUrl(problems, config.requireHttps(), prefix + "token-url", r.tokenUrl());
            checkUrl(problems, config.requireHttps(), prefix + "redirect-uri", r.redirectUri());
            r.revocationUrl().ifPresent(u -> checkUrl(problems, config.requireHttps(), prefix + "revocation-url", u));
            r.identity().probeUrl().ifPresent(u -> checkUrl(problems, config.requireHttps(),
                    prefix + "identity.probe-url", u));
            r.api().baseUrl().ifPresent(u -> checkUrl(problems, config.requireHttps(), prefix + "api.base-url", u));
            r.api().methods().stream().filter(m -> !PROXY_METHODS.contains(m.toUpperCase(Locale.ROOT))).findFirst()
                    .ifPresent(m -> problems.add(prefix + "api.methods names '" + m + "': only GET, POST, PUT, PATCH "
                            + "and DELETE can be proxied"));
            if (r.identity().method() == IdentityMethod.PROBE && r.identity().probeUrl().isEmpty()) {
                problems.add(prefix + "identity.probe-url is required with identity.method=probe");
            }
            HttpBounds.problem(r.connectTimeout(), r.headersTimeout(), r.idleTimeout(), r.requestTimeout(),
                    r.maxAnswerSize()).ifPresent(p -> problems.add(prefix + "connect-timeout, headers-timeout, "
                            + "idle-timeout, request-timeout, max-answer-size: " + p));
            HttpBounds.problem(r.connectTimeout(), r.headersTimeout(), r.idleTimeout(), r.identity().probeTimeout(),
                    r.identity().probeMaxAnswerSize()).ifPresent(p -> problems.add(prefix
                            + "identity.probe-timeout, identity.probe-max-answer-size: " + p));
            if (r.minTokenLifetime().isNegative() || r.minTokenLifetime().isZero()
                    || r.maxTokenLifetime().compareTo(r.minTokenLifetime()) < 0) {
                problems.add(prefix + "min-token-lifetime must be positive and at most max-token-lifetime");
            }
            if (secret.isPresent() && clientId.isPresent()) {
                out.put(name, new RegisteredProvider(name, r, clientId.get(), secret.get()));
            }
        });
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
            throw new IllegalArgumentException("Unknown provider registration, or one without credentials: " + name);
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
        append(q, "client_id", provider.clientId());
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

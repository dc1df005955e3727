package dev.oauthgw.startup;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.oauthgw.audit.AuditConfig;
import dev.oauthgw.proxy.ProxyConfig;
import dev.oauthgw.common.JwtConfigCheck;
import dev.oauthgw.crypto.CryptoConfig;
import dev.oauthgw.crypto.KeyringLoader;
import dev.oauthgw.events.WebhookConfig;
import dev.oauthgw.events.WebhookEndpoint;
import dev.oauthgw.onboarding.LinkSigner;
import dev.oauthgw.onboarding.OnboardingConfig;
import dev.oauthgw.ops.OpsConfig;
import dev.oauthgw.ops.signin.OpsSecurityCheck;
import dev.oauthgw.ops.signin.OpsSignIn;
import dev.oauthgw.provider.ProviderConfig;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.refresh.RefreshConfig;
import dev.oauthgw.tokens.TokensConfig;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Checks the whole configuration before anything else starts, and fails once with every problem: a platform team
 * that templates the settings learns all the missing or wrong ones from one failed start, not one per attempt. The
 * message names settings and environment variables, never a value. Each part's own rules stay with the part
 * (ProviderRegistry, KeyringLoader, LinkSigner, JwtConfigCheck, OpsSecurityCheck, WebhookEndpoint), which also
 * checks again when its bean is made; this bean only runs them all first ({@code @Startup(1)}: before the other
 * start-up beans, whose priority is the default 2500).
 * <p>
 * Provider credentials are required of the registrations in use only: the default registration and those the
 * vendor tokens name ({@code gateway.tokens.vendor.<name>.registration}).
 */
@Startup(1)
@ApplicationScoped
public class ConfigurationCheck {

    public ConfigurationCheck(ProviderConfig providers, TokensConfig tokens, OnboardingConfig onboarding,
            CryptoConfig crypto, WebhookConfig webhook, OpsConfig ops, OpsSignIn signIn, AuditConfig audit, ProxyConfig proxy,
            RefreshConfig refresh,
            @ConfigProperty(name = "gateway.security.require-jwt-key", defaultValue = "true") boolean requireJwtKey,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> jwtKeyLocation,
            @ConfigProperty(name = "smallrye.jwt.verify.key.location") Optional<String> smallryeJwtKeyLocation,
            @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> jwtKey,
            @ConfigProperty(name = "mp.jwt.verify.issuer") Optional<String> jwtIssuer,
            @ConfigProperty(name = "mp.jwt.verify.audiences") Optional<Set<String>> jwtAudiences,
            @ConfigProperty(name = "quarkus.http.auth.session.encryption-key") Optional<String> sessionKey,
            @ConfigProperty(name = "quarkus.oidc.auth-server-url") Optional<String> oidcIssuer,
            @ConfigProperty(name = "quarkus.oidc.client-id") Optional<String> oidcClientId,
            @ConfigProperty(name = "quarkus.oidc.credentials.secret") Optional<String> oidcClientSecret) {
        List<String> problems = new ArrayList<>();
        if (onboarding.publicUrl().isEmpty()) {
            problems.add("no public URL: set GATEWAY_ONBOARDING_PUBLIC_URL (gateway.onboarding.public-url, https)");
        }
        problems.addAll(ProviderRegistry.problems(providers, referencedRegistrations(tokens)));
        KeyringLoader.problem(crypto, ConfigUtils.isProfileActive("prod")).ifPresent(problems::add);
        LinkSigner.keyProblem(onboarding).ifPresent(problems::add);
        problems.addAll(JwtConfigCheck.problems(requireJwtKey, jwtKeyLocation, smallryeJwtKeyLocation, jwtKey, jwtIssuer));
        problems.addAll(OpsSecurityCheck.problems(ops, signIn, sessionKey, oidcIssuer, oidcClientId, oidcClientSecret,
                jwtIssuer, jwtAudiences));
        problems.addAll(WebhookEndpoint.problems(webhook));
        problems.addAll(AuditConfig.problems(audit));
        problems.addAll(ProxyConfig.problems(proxy));
        problems.addAll(RefreshConfig.problems(refresh, providers));
        problems.addAll(TokensConfig.problems(tokens));
        if (!problems.isEmpty()) {
            throw new IllegalStateException(message(problems));
        }
    }

    /** The registrations the configuration uses besides the default one. */
    static Set<String> referencedRegistrations(TokensConfig tokens) {
        Set<String> names = new TreeSet<>();
        tokens.vendor().values().forEach(v -> names.add(v.registration()));
        return names;
    }

    static String message(List<String> problems) {
        return "The gateway is not configured completely (" + problems.size() + (problems.size() == 1 ? " problem" : " problems")
                + "; settings are named, values never printed):\n - " + String.join("\n - ", problems);
    }
}

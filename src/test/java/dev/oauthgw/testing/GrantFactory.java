package dev.oauthgw.testing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.oauthgw.grant.GrantService;
import dev.oauthgw.partner.PartnerService;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.RegisteredProvider;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.provider.TokenResponse;
import dev.oauthgw.sandbox.authserver.SandboxGrants;
import dev.oauthgw.sandbox.authserver.SandboxPartners;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Makes real grants quickly, without pages: a sandbox partner of its own, a code issued by the sandbox,
 * the code exchanged through the gateway's token client, the grant stored by the gateway's service.
 */
@ApplicationScoped
public class GrantFactory {

    private static final String VERIFIER = "grant-factory-verifier-0123456789-abcdefghijklmnopqrstuvwxyz";

    @Inject
    SandboxGrants sandboxGrants;
    @Inject
    SandboxPartners sandboxPartners;
    @Inject
    PartnerService partners;
    @Inject
    GrantService grants;
    @Inject
    TokenClient tokens;
    @Inject
    ProviderRegistry registry;

    /** A made grant: the gateway's partner id, the sandbox partner key, the grant id. */
    public record Made(String partnerId, String sandboxKey, UUID grantId) {
    }

    public Made create(String prefix) {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String key = prefix + "-" + suffix;
        sandboxPartners.register(key, "Sandbox " + key);
        String partnerId = prefix + "-" + suffix;
        partners.create(partnerId, "Partner " + partnerId, null, "test");
        RegisteredProvider p = registry.defaultProvider();
        String code = sandboxGrants.issueCode(p.clientId(), p.registration().redirectUri().toString(),
                key, p.registration().scopes(), "https://api.pax8.com", challenge());
        TokenResponse t = tokens.exchangeCode(p, code, VERIFIER);
        grants.store(new GrantService.NewGrant(partnerId, p.name(), t, "sandbox|" + key, null), "test");
        UUID id = grants.grantId(partnerId).orElseThrow();
        return new Made(partnerId, key, id);
    }

    public List<Made> create(String prefix, int n) {
        List<Made> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(create(prefix));
        }
        return out;
    }

    private static String challenge() {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(VERIFIER.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

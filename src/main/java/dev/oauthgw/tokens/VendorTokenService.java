package dev.oauthgw.tokens;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.jboss.logging.Logger;

import dev.oauthgw.audit.RequestIds;
import dev.oauthgw.audit.TokenAccessRecorder;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.crypto.AssociatedData;
import dev.oauthgw.crypto.EncryptedColumn;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.provider.ProviderException;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.RegisteredProvider;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.provider.TokenResponse;
import dev.oauthgw.tokens.TokensConfig.VendorAudience;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * The vendor's own client-credentials tokens (Pax8's JSON body with an audience), one per configured
 * name: obtained once, kept encrypted in {@code vendor_token}, served many times, and renewed before
 * they expire (when a third of their lifetime is left, by the scheduled check or inline). Renewals of
 * one name are serialized across replicas by a transaction-level advisory lock.
 */
@ApplicationScoped
public class VendorTokenService {

    private static final Logger LOG = Logger.getLogger(VendorTokenService.class);

    private final TokensConfig config;
    private final ProviderRegistry providers;
    private final TokenClient client;
    private final TokenCipher cipher;
    private final TokenAccessRecorder recorder;
    private final EntityManager em;
    private final Clock clock;

    public VendorTokenService(TokensConfig config, ProviderRegistry providers, TokenClient client, TokenCipher cipher,
            TokenAccessRecorder recorder, EntityManager em, Clock clock) {
        this.config = config;
        this.providers = providers;
        this.client = client;
        this.cipher = cipher;
        this.recorder = recorder;
        this.em = em;
        this.clock = clock;
    }

    public TokenService.Served tokenFor(String name, Duration minValid, String caller) {
        VendorAudience va = config.vendor().get(name);
        if (va == null) {
            throw GatewayException.notFound("No vendor token named '" + name + "' is configured.");
        }
        Current c = QuarkusTransaction.requiringNew().call(() -> current(name));
        if (c == null || Duration.between(clock.instant(), c.expiresAt).compareTo(minValid) < 0) {
            try {
                c = renew(name, va, minValid);
            } catch (ProviderException e) {
                throw GatewayException.unavailable("The provider could not issue the '" + name + "' token ("
                        + e.kind().name().toLowerCase() + ").", e.retryAfter().orElse(config.retryAfter()));
            }
        }
        recorder.record(new TokenAccessRecorder.Access(clock.instant(), caller, null, null, RequestIds.current(),
                c.expiresAt, "vendor:" + name));
        return new TokenService.Served(null, c.token, c.expiresAt, c.scope, null);
    }

    /** Renews every configured token that has less than a third of its lifetime left. */
    @Scheduled(every = "{gateway.tokens.vendor-check-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    void renewDue() {
        for (Map.Entry<String, VendorAudience> e : config.vendor().entrySet()) {
            try {
                renewIfDue(e.getKey());
            } catch (RuntimeException ex) {
                LOG.warnf("Could not renew the vendor token '%s': %s", e.getKey(), ex.getMessage());
            }
        }
    }

    /** @return true when the token was renewed */
    public boolean renewIfDue(String name) {
        VendorAudience va = config.vendor().get(name);
        Current before = QuarkusTransaction.requiringNew().call(() -> current(name));
        if (before != null && !due(before)) {
            return false;
        }
        Current after = renew(name, va, null);
        return before == null || !after.expiresAt.equals(before.expiresAt);
    }

    private boolean due(Current c) {
        Duration lifetime = Duration.between(c.obtainedAt, c.expiresAt);
        return !clock.instant().isBefore(c.expiresAt.minus(lifetime.dividedBy(3)));
    }

    /** Under the name's advisory lock: re-read, and call the provider only if still needed. */
    private Current renew(String name, VendorAudience va, Duration minValid) {
        return QuarkusTransaction.requiringNew().timeout(120).call(() -> {
            em.createNativeQuery("select pg_advisory_xact_lock(hashtext(?1))").setParameter(1, "vendor_token:" + name)
                    .getSingleResult();
            Current c = current(name);
            boolean needed = c == null || (minValid == null ? due(c)
                    : Duration.between(clock.instant(), c.expiresAt).compareTo(minValid) < 0);
            if (!needed) {
                return c;
            }
            RegisteredProvider p = providers.get(va.registration());
            Instant now = clock.instant();
            TokenResponse t = client.clientCredentials(p, va.audience());
            Sealed s = cipher.seal(t.accessToken(), ad(name));
            em.createNativeQuery("insert into vendor_token (name, registration, audience, scope, access_token, "
                    + "access_token_key_id, expires_at, obtained_at, version) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0) "
                    + "on conflict (name) do update set registration = excluded.registration, audience = excluded.audience, "
                    + "scope = excluded.scope, access_token = excluded.access_token, "
                    + "access_token_key_id = excluded.access_token_key_id, expires_at = excluded.expires_at, "
                    + "obtained_at = excluded.obtained_at, version = vendor_token.version + 1")
                    .setParameter(1, name).setParameter(2, p.name()).setParameter(3, va.audience())
                    .setParameter(4, t.scope()).setParameter(5, s.ciphertext()).setParameter(6, s.keyId())
                    .setParameter(7, t.expiresAt()).setParameter(8, now).executeUpdate();
            LOG.infof("Obtained the vendor token '%s' (audience %s), valid until %s", name, va.audience(), t.expiresAt());
            return new Current(t.accessToken(), t.expiresAt(), now, t.scope());
        });
    }

    private record Current(String token, Instant expiresAt, Instant obtainedAt, String scope) {
        @Override
        public String toString() {
            return "Current[expiresAt=" + expiresAt + "]";
        }
    }

    private Current current(String name) {
        VendorToken v = em.find(VendorToken.class, name);
        if (v == null) {
            return null;
        }
        return new Current(cipher.open(new Sealed(v.accessToken, v.accessTokenKeyId), ad(name)), v.expiresAt,
                v.obtainedAt, v.scope);
    }

    static AssociatedData ad(String name) {
        return EncryptedColumn.VENDOR_ACCESS_TOKEN.associatedData(name);
    }
}

package dev.oauthgw.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;

/**
 * Verifies a caller's bearer JWT once and reuses the result for the same token: SmallRye JWT's own verification
 * (signature, issuer, audience, expiry, age) runs on the first sight of a token, and on later requests with exactly the
 * same token string the principal it produced is taken from here. It is the {@link JWTCallerPrincipalFactory} that
 * Quarkus's {@code DefaultJWTParser} uses (a CDI alternative), so every bearer-JWT endpoint, /tokens, /caller and /admin,
 * goes through it.
 * <p>
 * Why it is safe (docs/adr/0018-verified-caller-jwt-cache.md): the key is the SHA-256 of the whole token, so a
 * different token, a changed claim or a changed signature is a different key and is verified in full; only tokens that
 * passed verification are stored; an entry is served only before the token's {@code exp}, before {@code iat} + the
 * maximum token age when one is set, and at most {@link JwtCacheConfig#maxAge()} after it was verified; then the token
 * is verified again. What it gives up: within that maximum age a token keeps passing after its signing key was removed
 * from the JWKS. The cache is bounded ({@link JwtCacheConfig#maxEntries()}); the token itself is never a key or logged.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class VerifiedJwtCache extends JWTCallerPrincipalFactory {

    /** A verified token: its principal, the context it was verified against, and when the reuse ends. */
    private record Verified(JWTCallerPrincipal principal, JWTAuthContextInfo context, Instant until) {
    }

    private final JWTCallerPrincipalFactory verifier;
    private final Clock clock;
    private final Duration maxAge;
    private final Cache<ByteBuffer, Verified> cache;

    @Inject
    public VerifiedJwtCache(JwtCacheConfig config, Clock clock) {
        this(new DefaultJWTCallerPrincipalFactory(), clock, config.maxEntries(), config.maxAge());
    }

    /** For tests: {@code verifier} does the real verification. */
    public VerifiedJwtCache(JWTCallerPrincipalFactory verifier, Clock clock, int maxEntries, Duration maxAge) {
        if (maxEntries < 0 || maxAge.isNegative()) {
            throw new IllegalArgumentException("gateway.security.jwt-cache: max-entries and max-age must not be negative");
        }
        this.verifier = verifier;
        this.clock = clock;
        this.maxAge = maxAge;
        this.cache = maxEntries == 0 || maxAge.isZero() ? null
                : Caffeine.newBuilder().maximumSize(maxEntries).expireAfter(new Expiry<ByteBuffer, Verified>() {
                    // memory only: whether an entry may be served is decided in parse() with the injected clock
                    @Override
                    public long expireAfterCreate(ByteBuffer key, Verified v, long now) {
                        return Math.max(0, Duration.between(clock.instant(), v.until()).toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(ByteBuffer key, Verified v, long now, long current) {
                        return expireAfterCreate(key, v, now);
                    }

                    @Override
                    public long expireAfterRead(ByteBuffer key, Verified v, long now, long current) {
                        return current;
                    }
                }).build();
    }

    @Override
    public JWTCallerPrincipal parse(String token, JWTAuthContextInfo context) throws ParseException {
        if (cache == null) {
            return verifier.parse(token, context);
        }
        ByteBuffer key = ByteBuffer.wrap(sha256(token));
        Instant now = clock.instant();
        Verified hit = cache.getIfPresent(key);
        if (hit != null) {
            if (hit.context() == context && now.isBefore(hit.until())) {
                return hit.principal();
            }
            cache.invalidate(key);
        }
        JWTCallerPrincipal principal = verifier.parse(token, context); // throws when the token does not verify
        Instant until = until(principal, context, now);
        if (now.isBefore(until)) {
            cache.put(key, new Verified(principal, context, until));
        }
        return principal;
    }

    /** The end of reuse: the token's exp, its maximum age (iat + token age), the cache's maximum age, the earliest. */
    private Instant until(JWTCallerPrincipal p, JWTAuthContextInfo context, Instant now) {
        Instant until = now.plus(maxAge);
        long exp = p.getExpirationTime();
        if (exp <= 0) {
            return now; // no exp: not reused (SmallRye refuses such tokens anyway)
        }
        until = min(until, Instant.ofEpochSecond(exp));
        Long age = context.getTokenAge();
        if (age != null && age > 0) {
            long iat = p.getIssuedAtTime();
            until = iat <= 0 ? now : min(until, Instant.ofEpochSecond(iat).plusSeconds(age));
        }
        return until;
    }

    /** How many verified tokens are held now (after pending evictions). */
    public long size() {
        if (cache == null) {
            return 0;
        }
        cache.cleanUp();
        return cache.estimatedSize();
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

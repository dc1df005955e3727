package dev.oauthgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipal;
import io.smallrye.jwt.auth.principal.JWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.jwt.build.Jwt;

/** The verified-JWT cache with SmallRye JWT's real verification behind it (RS256 keys made here). */
class VerifiedJwtCacheTest {

    private static final String ISSUER = "https://issuer.cache.test";
    private static final KeyPair KEYS = keys();
    private static final KeyPair OTHER_KEYS = keys();

    /** SmallRye's verification, counting how often it runs. */
    static final class Counting extends JWTCallerPrincipalFactory {
        final DefaultJWTCallerPrincipalFactory real = new DefaultJWTCallerPrincipalFactory();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public JWTCallerPrincipal parse(String token, JWTAuthContextInfo context) throws ParseException {
            calls.incrementAndGet();
            return real.parse(token, context);
        }
    }

    /** A clock the test moves. */
    static final class MovableClock extends Clock {
        Instant now = Instant.now();

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final Counting verifier = new Counting();
    private final MovableClock clock = new MovableClock();
    private final JWTAuthContextInfo context = context(KEYS);

    @Test
    void a_cached_token_keeps_its_roles_and_claims_and_is_verified_once() throws Exception {
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, clock, 100, Duration.ofMinutes(5));
        String token = token(KEYS, 300, "tokens:read");
        JWTCallerPrincipal first = cache.parse(token, context);
        JWTCallerPrincipal again = cache.parse(token, context);
        assertSame(first, again);
        assertEquals(1, verifier.calls.get());
        assertEquals(Set.of("tokens:read"), again.getGroups());
        assertEquals("svc@vendor.test", again.getName());
        assertEquals("[\"p-1\",\"p-2\"]", String.valueOf((Object) again.getClaim("partners")).replace(" ", ""));
    }

    @Test
    void an_expired_token_is_refused_even_when_it_is_cached() throws Exception {
        // real time must pass exp, because SmallRye checks exp with the system clock: a 2 s token, no clock skew
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, Clock.systemUTC(), 100, Duration.ofMinutes(5));
        long now = Instant.now().getEpochSecond();
        String token = sign(KEYS, Jwt.issuer(ISSUER).audience("gw").upn("svc@vendor.test").groups("tokens:read")
                .issuedAt(now).expiresAt(now + 2));
        cache.parse(token, context);
        assertEquals(1, cache.size());
        Thread.sleep(Duration.ofSeconds(now + 2).toMillis() - System.currentTimeMillis() + 300);
        assertThrows(ParseException.class, () -> cache.parse(token, context));
        assertEquals(2, verifier.calls.get(), "verified again, not served from the cache");
    }

    @Test
    void an_entry_is_never_served_at_or_after_the_tokens_exp() throws Exception {
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, clock, 100, Duration.ofHours(1));
        String token = token(KEYS, 120, "tokens:read");
        cache.parse(token, context);
        clock.now = Instant.ofEpochSecond(cache.parse(token, context).getExpirationTime());
        cache.parse(token, context); // still valid for SmallRye (system time), but the cache must not answer
        assertEquals(2, verifier.calls.get());
    }

    @Test
    void a_verification_is_reused_at_most_the_maximum_age() throws Exception {
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, clock, 100, Duration.ofMinutes(5));
        String token = token(KEYS, 3600, "tokens:read");
        cache.parse(token, context);
        clock.now = clock.now.plus(Duration.ofMinutes(4));
        cache.parse(token, context);
        assertEquals(1, verifier.calls.get());
        clock.now = clock.now.plus(Duration.ofMinutes(1).plusSeconds(1));
        cache.parse(token, context);
        assertEquals(2, verifier.calls.get());
    }

    @Test
    void a_token_with_a_bad_signature_is_never_cached_nor_accepted() throws Exception {
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, clock, 100, Duration.ofMinutes(5));
        String good = token(KEYS, 300, "viewer");
        cache.parse(good, context);
        String[] parts = good.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("\"viewer\"", "\"ops\"");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        String foreign = token(OTHER_KEYS, 300, "ops");
        for (int i = 0; i < 3; i++) {
            assertThrows(ParseException.class, () -> cache.parse(tampered, context));
            assertThrows(ParseException.class, () -> cache.parse(foreign, context));
        }
        assertEquals(1, cache.size(), "only the good token is held");
        assertEquals(7, verifier.calls.get(), "each bad token verified (and refused) every time");
    }

    @Test
    void a_token_verified_against_another_context_is_verified_again() throws Exception {
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, clock, 100, Duration.ofMinutes(5));
        String token = token(KEYS, 300, "tokens:read");
        cache.parse(token, context);
        JWTAuthContextInfo otherKey = context(OTHER_KEYS);
        assertThrows(ParseException.class, () -> cache.parse(token, otherKey));
    }

    @Test
    void the_cache_is_bounded() throws Exception {
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, clock, 5, Duration.ofMinutes(5));
        for (int i = 0; i < 50; i++) {
            cache.parse(sign(KEYS, Jwt.issuer(ISSUER).audience("gw").upn("svc-" + i).groups("tokens:read")
                    .expiresIn(300)), context);
        }
        assertEquals(5, cache.size());
    }

    @Test
    void zero_entries_switches_the_cache_off() throws Exception {
        VerifiedJwtCache cache = new VerifiedJwtCache(verifier, clock, 0, Duration.ofMinutes(5));
        String token = token(KEYS, 300, "tokens:read");
        JWTCallerPrincipal a = cache.parse(token, context);
        JWTCallerPrincipal b = cache.parse(token, context);
        assertNotSame(a, b);
        assertEquals(2, verifier.calls.get());
        assertEquals(0, cache.size());
    }

    private static String token(KeyPair keys, long lifetime, String role) {
        return sign(keys, Jwt.issuer(ISSUER).audience("gw").upn("svc@vendor.test").groups(role)
                .claim("partners", java.util.List.of("p-1", "p-2")).expiresIn(lifetime));
    }

    private static String sign(KeyPair keys, io.smallrye.jwt.build.JwtClaimsBuilder b) {
        return b.jws().sign(keys.getPrivate());
    }

    private static JWTAuthContextInfo context(KeyPair keys) {
        JWTAuthContextInfo c = new JWTAuthContextInfo(keys.getPublic(), ISSUER);
        c.setExpectedAudience(Set.of("gw"));
        c.setClockSkew(0);
        return c;
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

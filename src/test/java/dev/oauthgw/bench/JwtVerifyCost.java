package dev.oauthgw.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import dev.oauthgw.common.VerifiedJwtCache;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipalFactory;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.build.Jwt;

/**
 * CPU time of one caller-JWT check, on this thread's CPU clock (so a busy machine slows it less than wall time):
 * SmallRye JWT's full verification (RS256, 2048-bit key, a prod-like token) against a hit in {@link VerifiedJwtCache}.
 * Not part of the suite; run: {@code ./mvnw -B -o test -Dtest=JwtVerifyCost -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class JwtVerifyCost {

    @Test
    void cost() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair keys = g.generateKeyPair();
        JWTAuthContextInfo context = new JWTAuthContextInfo(keys.getPublic(), "https://issuer.bench.test");
        context.setExpectedAudience(Set.of("pax8-oauth-gateway"));
        context.setTokenAge(86_400L);
        String token = Jwt.issuer("https://issuer.bench.test").audience("pax8-oauth-gateway").upn("bench-caller")
                .subject("bench-caller").groups("tokens:read").claim("partners", List.of("*")).issuedAt(System.currentTimeMillis() / 1000)
                .expiresIn(3600).jws().sign(keys.getPrivate());
        DefaultJWTCallerPrincipalFactory full = new DefaultJWTCallerPrincipalFactory();
        VerifiedJwtCache cache = new VerifiedJwtCache(full, Clock.systemUTC(), 10_000, Duration.ofMinutes(5));
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 3; round++) {
            int n = 20_000;
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                full.parse(token, context);
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                cache.parse(token, context);
            }
            long t2 = cpu.getCurrentThreadCpuTime();
            System.out.printf("round %d: full verification %.1f us CPU per token, cache hit %.2f us CPU%n", round,
                    (t1 - t0) / 1e3 / n, (t2 - t1) / 1e3 / n);
        }
    }
}

package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Checks the dashboard's built-in sign-in (form authentication) against the bcrypt hashes of
 * {@link OpsConfig#users()}.
 * <p>
 * bcrypt is slow on purpose, so it runs on a small pool of its own ({@code gateway.ops.sign-in.password-check-threads}
 * threads, a bounded queue; a full queue refuses at once), never on the worker pool that serves {@code /tokens}:
 * a flood of sign-in attempts cannot starve token requests. Failed attempts are counted per account and per client
 * address ({@link SignInThrottle}); past the limit the password is not checked at all and the browser is sent
 * to the sign-in page with "too many attempts" (answered 429 there).
 */
@ApplicationScoped
public class OpsIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(OpsIdentityProvider.class);
    /** Compared against when the user is unknown, so that unknown and known users take the same time. */
    private static final String DUMMY_HASH = OpsPasswords.hash(java.util.UUID.randomUUID().toString());
    /** Where a throttled or refused-for-load sign-in is sent instead of the usual error page. */
    static final String THROTTLED_PAGE = "/ops/login?throttled=true";

    private final OpsConfig config;
    private final OpsSignIn signIn;
    private final OpsSessions sessions;
    private final SignInThrottle throttle;
    private final ThreadPoolExecutor passwordChecks;
    private final AtomicLong bcryptRuns = new AtomicLong();

    public OpsIdentityProvider(OpsConfig config, OpsSignInConfig limits, OpsSignIn signIn, OpsSessions sessions,
            Clock clock) {
        this.config = config;
        this.signIn = signIn;
        this.sessions = sessions;
        this.throttle = new SignInThrottle(limits.maxFailuresPerAccount(), limits.maxFailuresPerAddress(),
                limits.failureWindow(), limits.maxTrackedAddresses(), Math.max(1, config.users().size()), clock);
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(1, limits.passwordCheckThreads());
        this.passwordChecks = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(Math.max(1, limits.passwordCheckQueue())), r -> {
                    Thread t = new Thread(r, "gw-password-check-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                }, new ThreadPoolExecutor.AbortPolicy());
        this.passwordChecks.allowCoreThreadTimeOut(true);
    }

    /** bcrypt comparisons run so far (tests: a throttled attempt runs none). */
    long bcryptRuns() {
        return bcryptRuns.get();
    }

    @PreDestroy
    void stop() {
        passwordChecks.shutdownNow();
    }

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        if (signIn.oidc()) {
            // operators sign in at the identity provider: the built-in accounts open nothing
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
        String address = rc == null || rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().host();
        String username = request.getUsername();
        Optional<Map.Entry<String, OpsConfig.User>> user = find(username);
        String account = user.map(Map.Entry::getKey).orElse(null);
        Optional<Duration> wait = throttle.blocked(account, address);
        if (wait.isPresent()) {
            LOG.infof("Dashboard sign-in for user '%s' not checked: too many failed attempts (account or address), "
                    + "%d s left", sanitize(username), wait.get().toSeconds());
            return throttled(rc, wait.get());
        }
        char[] password = request.getPassword().getPassword();
        Map<String, Object> mdc = org.jboss.logging.MDC.getMap(); // the request id goes with the check's log lines
        return Uni.createFrom().completionStage(() -> CompletableFuture.supplyAsync(() -> {
            mdc.forEach(org.jboss.logging.MDC::put);
            try {
                return check(user, username, password, account, address);
            } finally {
                mdc.keySet().forEach(org.jboss.logging.MDC::remove);
            }
        }, passwordChecks))
                .onFailure(RejectedExecutionException.class).recoverWithUni(e -> {
                    LOG.warn("Dashboard sign-in refused: the password checks are saturated");
                    return throttled(rc, Duration.ofSeconds(30));
                });
    }

    private Uni<SecurityIdentity> throttled(RoutingContext rc, Duration wait) {
        if (rc != null) {
            // the form mechanism answers a failure with a redirect to the error page: send this one elsewhere
            rc.addHeadersEndHandler(v -> {
                if (rc.response().getStatusCode() / 100 == 3) {
                    rc.response().headers().set("Location", THROTTLED_PAGE);
                    rc.response().headers().set("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
                }
            });
        }
        return Uni.createFrom().failure(new AuthenticationFailedException());
    }

    private SecurityIdentity check(Optional<Map.Entry<String, OpsConfig.User>> user, String username, char[] password,
            String account, String address) {
        String hash = user.map(e -> e.getValue().passwordHash()).orElse(DUMMY_HASH);
        bcryptRuns.incrementAndGet();
        boolean ok = OpsPasswords.matches(hash, password) && user.isPresent();
        if (!ok) {
            throttle.failed(account, address);
            LOG.infof("Dashboard sign-in refused for user '%s'", sanitize(username));
            throw new AuthenticationFailedException();
        }
        throttle.succeeded(account);
        QuarkusSecurityIdentity.Builder b = QuarkusSecurityIdentity.builder()
                .setPrincipal(sessions.signingIn(user.get().getKey()));
        user.get().getValue().roles().forEach(b::addRole);
        return b.build();
    }

    private Optional<Map.Entry<String, OpsConfig.User>> find(String username) {
        if (username == null) {
            return Optional.empty();
        }
        String wanted = username.strip().toLowerCase(Locale.ROOT);
        return config.users().entrySet().stream().filter(e -> e.getKey().toLowerCase(Locale.ROOT).equals(wanted))
                .findFirst();
    }

    private static String sanitize(String s) {
        if (s == null) {
            return "";
        }
        String clean = s.replaceAll("[^\\x20-\\x7E]", "?");
        return clean.length() > 64 ? clean.substring(0, 64) + "..." : clean;
    }
}

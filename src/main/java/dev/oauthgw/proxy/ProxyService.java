package dev.oauthgw.proxy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jboss.logging.Logger;

import dev.oauthgw.audit.RequestIds;
import dev.oauthgw.common.GatewayException;
import dev.oauthgw.grant.GrantLocking;
import dev.oauthgw.http.BoundedHttpClient;
import dev.oauthgw.http.HttpBounds;
import dev.oauthgw.http.OutboundFailure;
import dev.oauthgw.http.OutboundRequest;
import dev.oauthgw.http.OutboundStream;
import dev.oauthgw.provider.ProviderConfig;
import dev.oauthgw.refresh.GrantRefresher;
import dev.oauthgw.tokens.TokenService;
import dev.oauthgw.tokens.TokensConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

/**
 * Forwards a caller's request to the partner's provider API with the partner's access token: the target is built
 * from the registration's base URL ({@link ProxyTarget}), only allowed headers cross ({@link ProxyHeaders}), the
 * cluster's request budget is taken first ({@link ProxyBudget}), a 401 of the provider gets one refresh (the
 * refresher's single flight) and one retry, never more, and a 429 of the provider blocks the registration for every
 * replica. The answer's body is streamed, never held whole, within the proxy's deadlines and size cap
 * ({@link BoundedHttpClient}, ADR 0019). The token never leaves this class but towards the provider.
 */
@ApplicationScoped
public class ProxyService {

    private static final Logger LOG = Logger.getLogger(ProxyService.class);
    /** The most of a 401 answer kept while the gateway refreshes (it is passed back when no retry follows). */
    private static final int MAX_REFUSAL_BODY = 64 * 1024;

    /** A call as the caller made it; the path and query are raw (still percent-encoded). */
    public record Call(String partnerId, String method, String rawPath, String rawQuery,
            Map<String, List<String>> headers, byte[] body, String caller) {
        @Override
        public String toString() {
            return "Call[" + method + " " + partnerId + " " + rawPath + "]";
        }
    }

    private final AgroalDataSource dataSource;
    private final TokenService tokens;
    private final TokensConfig tokensConfig;
    private final GrantRefresher refresher;
    private final ProviderConfig providers;
    private final ProxyBudget budget;
    private final ProxyAccessRecorder audit;
    private final ProxyConfig config;
    private final Event<ProxyCalled> called;
    private final Clock clock;
    private final BoundedHttpClient http;
    private final HttpBounds bounds;

    public ProxyService(AgroalDataSource dataSource, TokenService tokens, TokensConfig tokensConfig,
            GrantRefresher refresher, ProviderConfig providers, ProxyBudget budget, ProxyAccessRecorder audit,
            ProxyConfig config, Event<ProxyCalled> called, Clock clock, BoundedHttpClient http) {
        this.dataSource = dataSource;
        this.tokens = tokens;
        this.tokensConfig = tokensConfig;
        this.refresher = refresher;
        this.providers = providers;
        this.budget = budget;
        this.audit = audit;
        this.config = config;
        this.called = called;
        this.clock = clock;
        this.http = http;
        this.bounds = new HttpBounds(config.connectTimeout(), config.responseTimeout(), config.idleTimeout(),
                config.totalTimeout(), config.maxAnswerSize());
    }

    /** The target alone, checked: for the resource to refuse a bad path before it reads a body. */
    public static void checkTarget(String rawPath, String rawQuery) {
        try {
            ProxyTarget.build(URI.create("https://provider.invalid"), rawPath, rawQuery);
        } catch (ProxyTarget.Refused e) {
            throw refused(e);
        }
    }

    public ProxyAnswer forward(Call call) {
        String registration = "unknown";
        try {
            URI target;
            GrantRef grant = grantOf(call.partnerId()).orElse(null);
            if (grant == null) {
                tokens.tokenFor(call.partnerId(), Optional.empty(), call.caller()); // 404 or 409, as on /tokens
                throw GatewayException.notFound("Partner '" + call.partnerId() + "' has no grant.");
            }
            registration = grant.registration();
            ProviderConfig.Registration r = providers.registrations().get(registration);
            if (r == null || r.api().baseUrl().isEmpty()) {
                throw gateway(new GatewayException(404, "proxy-not-configured", "No API behind the proxy",
                        "The provider registration of partner '" + call.partnerId() + "' has no API base URL "
                                + "(gateway.provider.registrations." + registration + ".api.base-url)."));
            }
            if (r.api().methods().stream().noneMatch(m -> m.equalsIgnoreCase(call.method()))) {
                throw gateway(new GatewayException(405, "method-not-allowed", "Method not allowed",
                        "The proxy does not forward " + call.method() + " for this registration; it allows "
                                + String.join(", ", r.api().methods()) + ".")
                        .with("allowed_methods", List.copyOf(r.api().methods())));
            }
            try {
                target = ProxyTarget.build(r.api().baseUrl().get(), call.rawPath(), call.rawQuery());
            } catch (ProxyTarget.Refused e) {
                throw refused(e);
            }
            String template = ProxyTarget.template(call.rawPath());
            int limit = r.api().budgetPerWindow();
            acquire(registration, limit);
            TokenService.Served served = tokens.forGatewayCall(call.partnerId()); // not a token handed out
            long started = System.nanoTime();
            OutboundStream response = send(call, target, served.accessToken());
            if (response.status() == 401) {
                byte[] refusal = readSome(response.body());
                Optional<String> fresh = refreshAfterRefusal(grant.id(), served.accessToken());
                if (fresh.isPresent()) {
                    // one retry with the new token, never more: a second 401 goes back to the caller as it is
                    started = System.nanoTime();
                    response = send(call, target, fresh.get());
                } else {
                    return answered(call, registration, template, response, new ByteArrayInputStream(refusal), started);
                }
            }
            if (response.status() == 429) {
                Instant until = clock.instant().plus(retryAfter(response));
                budget.block(registration, limit, until);
                LOG.warnf("The provider's API answered 429 for registration %s: no replica calls it before %s",
                        registration, until);
            }
            return answered(call, registration, template, response, response.body(), started);
        } catch (GatewayException e) {
            called.fire(new ProxyCalled(registration, call.method(), e.status(), "gateway", -1));
            throw e.extensions().containsKey("source") ? e : gateway(e);
        }
    }

    private ProxyAnswer answered(Call call, String registration, String template, OutboundStream response,
            InputStream body, long started) {
        long nanos = System.nanoTime() - started;
        Map<String, List<String>> headers = new LinkedHashMap<>();
        response.headers().forEach((name, values) -> {
            if (ProxyHeaders.forwardResponse(name.toLowerCase(java.util.Locale.ROOT))) {
                headers.put(name, values);
            }
        });
        audit.record(call.caller(), call.partnerId(), call.method(), template, response.status(), clock.instant());
        called.fire(new ProxyCalled(registration, call.method(), response.status(), "provider", nanos));
        return new ProxyAnswer(response.status(), headers, body);
    }

    private void acquire(String registration, int limit) {
        Instant deadline = clock.instant().plus(config.budgetWait());
        while (true) {
            ProxyBudget.Decision d = budget.tryAcquire(registration, limit);
            if (d.granted()) {
                return;
            }
            Instant now = clock.instant();
            if (now.plus(d.retryAfter()).isAfter(deadline)) {
                long seconds = Math.max(1, (d.retryAfter().toMillis() + 999) / 1000);
                String why = d.reason() == ProxyBudget.Reason.BLOCKED
                        ? "The provider asked the gateway to slow down (429); no request is forwarded before it allows."
                        : "The cluster's request budget for the provider is spent for this window.";
                throw gateway(GatewayException.retryLater(429, d.reason() == ProxyBudget.Reason.BLOCKED
                        ? "provider-rate-limited" : "proxy-budget-spent", "Too many requests",
                        why + " Retry after " + seconds + " s.", Duration.ofSeconds(seconds)));
            }
            sleep(d.retryAfter().plusMillis(5));
        }
    }

    private Optional<String> refreshAfterRefusal(UUID grantId, String refused) {
        GrantRefresher.Outcome o;
        try {
            o = refresher.refreshRefused(grantId, refused, tokensConfig.lockWait());
        } catch (GrantLocking.Busy e) {
            return Optional.empty();
        }
        String now = o.snapshot() == null ? null : o.snapshot().accessToken();
        return now != null && !now.equals(refused) ? Optional.of(now) : Optional.empty();
    }

    /**
     * Forwards within the proxy's bounds (ADR 0019): the headers within {@code response-timeout}, then the body
     * streams to the caller within {@code idle-timeout} and {@code total-timeout}, at most {@code max-answer-size};
     * past a bound the connection is closed and the caller's answer cut off.
     */
    private OutboundStream send(Call call, URI target, String token) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        call.headers().forEach((name, values) -> {
            if (ProxyHeaders.forwardRequest(name)) {
                headers.put(name, values);
            }
        });
        String requestId = RequestIds.current();
        if (requestId != null) {
            headers.put("X-Request-Id", List.of(requestId));
        }
        headers.put("Authorization", List.of("Bearer " + token));
        try {
            return http.open(new OutboundRequest(call.method(), target, headers, call.body()), bounds);
        } catch (OutboundFailure e) {
            switch (e.reason()) {
                case CONNECT_TIMEOUT, HEADERS_TIMEOUT, TOTAL_TIMEOUT, IDLE_TIMEOUT ->
                    throw gateway(new GatewayException(504, "provider-timeout", "Provider timed out",
                            "The provider did not answer within " + (e.reason() == OutboundFailure.Reason.CONNECT_TIMEOUT
                                    ? config.connectTimeout() : config.responseTimeout()) + "."));
                case TOO_LARGE -> throw gateway(new GatewayException(502, "provider-answer-too-large",
                        "Provider answer too large", "The provider's answer is larger than the proxy forwards ("
                                + config.maxAnswerSize() + " bytes)."));
                default -> {
                    LOG.warnf("Could not reach the provider's API at %s: %s", target.getHost(), e.getMessage());
                    throw gateway(new GatewayException(502, "provider-unreachable", "Provider unreachable",
                            "The gateway could not reach the provider's API."));
                }
            }
        }
    }

    /** The provider's Retry-After (seconds or an HTTP date), within bounds; the default when it sent none. */
    Duration retryAfter(OutboundStream response) {
        Optional<String> v = response.header("Retry-After");
        Duration d = config.defaultRetryAfter();
        if (v.isPresent()) {
            String s = v.get().trim();
            try {
                d = Duration.ofSeconds(Long.parseLong(s));
            } catch (NumberFormatException e) {
                try {
                    d = Duration.between(clock.instant(), ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME));
                } catch (DateTimeParseException e2) {
                    // unusable: the default
                }
            }
        }
        if (d.isNegative() || d.isZero()) {
            d = Duration.ofSeconds(1);
        }
        return d.compareTo(config.maxRetryAfter()) > 0 ? config.maxRetryAfter() : d;
    }

    private record GrantRef(UUID id, String registration) {
    }

    private Optional<GrantRef> grantOf(String partnerId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "select id, registration from partner_grant where partner_id = ?")) {
            ps.setString(1, partnerId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new GrantRef(rs.getObject(1, UUID.class), rs.getString(2)))
                        : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the grant of partner " + partnerId, e);
        }
    }

    private static byte[] readSome(InputStream in) {
        try (in) {
            return in.readNBytes(MAX_REFUSAL_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(503, "interrupted", "Service unavailable", "Interrupted while waiting.");
        }
    }

    static GatewayException refused(ProxyTarget.Refused e) {
        return gateway(new GatewayException(400, "proxy-target-refused", "Bad request", e.getMessage()));
    }

    /** The gateway's answer when the provider's answer broke a bound while it was being forwarded. */
    static GatewayException broken(OutboundFailure e) {
        LOG.warnf("A forwarded answer of the provider's API was cut off: it %s", e.getMessage());
        return switch (e.reason()) {
            case IDLE_TIMEOUT, TOTAL_TIMEOUT -> gateway(new GatewayException(504, "provider-timeout",
                    "Provider timed out", "The provider's answer " + e.getMessage() + "."));
            case TOO_LARGE -> gateway(new GatewayException(502, "provider-answer-too-large", "Provider answer too large",
                    "The provider " + e.getMessage() + "."));
            default -> gateway(new GatewayException(502, "provider-unreachable", "Provider unreachable",
                    "The provider's answer broke off."));
        };
    }

    /** Marks an error as the gateway's answer (the provider was not asked, or did not answer). */
    static GatewayException gateway(GatewayException e) {
        return e.with("source", "gateway");
    }
}

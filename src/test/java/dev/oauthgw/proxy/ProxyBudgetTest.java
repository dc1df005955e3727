package dev.oauthgw.proxy;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.faults.SandboxCounters;
import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.OffsetClock;
import dev.oauthgw.testing.Urls;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;

/**
 * The proxy's cluster budget (two budget instances on one database stand for two replicas), the provider's 429 shared
 * with the other replicas, and a large answer streamed without holding it whole.
 */
@QuarkusTest
class ProxyBudgetTest {

    private static final Logger LOG = Logger.getLogger(ProxyBudgetTest.class);
    private static final Duration WINDOW = Duration.ofMinutes(10);

    @Inject
    GrantFactory grants;
    @Inject
    SandboxCounters counters;
    @Inject
    SandboxFaults faults;
    @Inject
    ProxyBudget budget;
    @Inject
    AgroalDataSource dataSource;
    @Inject
    ProxyConfig config;
    @Inject
    Clock clock;
    @Inject
    dev.oauthgw.testing.Db db;

    private GrantFactory.Made partner;

    @BeforeEach
    void setUp() throws Exception {
        partner = grants.create("pxb");
        clean();
        counters.reset();
    }

    @AfterEach
    void tearDown() throws Exception {
        faults.reset();
        budget.override(null, null, null);
        clean();
    }

    private void clean() throws Exception {
        try (var c = dataSource.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("delete from proxy_rate_window");
        }
        budget.override(null, null, null);
    }

    /**
     * Waits until the current window has at least 30 s left, so that a test runs inside one window. A wait for the wall
     * clock, kept: the application's budget (which the proxied requests use) reads the system clock, so the window's
     * turn cannot be moved; the instant is computed, and the wait happens only in the last 30 s of a 10-minute window.
     */
    private void inOneWindow(ProxyBudget b) throws InterruptedException {
        Duration left = b.untilNextWindow(clock.instant());
        if (left.compareTo(Duration.ofSeconds(30)) < 0) {
            Thread.sleep(left.toMillis() + 200);
        }
    }

    private String url(String path) {
        return "/proxy/" + partner.partnerId() + path;
    }

    @Test
    void two_replicas_under_concurrent_load_never_forward_more_than_the_budget_in_a_window() throws Exception {
        int limit = 25;
        budget.override(WINDOW, 4, limit);
        ProxyBudget other = new ProxyBudget(dataSource, config, clock); // a second replica on the same database
        other.override(WINDOW, 3, limit);
        inOneWindow(budget);
        String jwt = ProxyApiTest.caller();
        AtomicInteger otherGranted = new AtomicInteger();
        AtomicInteger spent429 = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(12);
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                all.add(pool.submit((Callable<Void>) () -> {
                    Response r = given().auth().oauth2(jwt).get(url("/v1/companies?size=1"));
                    if (r.statusCode() == 429) {
                        assertEquals("gateway", r.header(ProxyHeaders.SOURCE));
                        assertTrue(Integer.parseInt(r.header("Retry-After")) >= 1);
                        spent429.incrementAndGet();
                    } else {
                        assertEquals(200, r.statusCode(), r.asString());
                    }
                    return null;
                }));
                all.add(pool.submit((Callable<Void>) () -> {
                    if (other.tryAcquire("pax8", 900).granted()) {
                        otherGranted.incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        long forwarded = counters.calls(SandboxCounters.Endpoint.PARTNER_API);
        LOG.infof("budget %d: this replica forwarded %d (%d refused), the other took %d", limit, forwarded,
                spent429.get(), otherGranted.get());
        assertTrue(forwarded > 0 && otherGranted.get() > 0, "both replicas got a share");
        assertEquals(limit, forwarded + otherGranted.get(), "the whole budget is used, and not one request more");
        assertEquals(40 - forwarded, spent429.get());
        assertTrue(counters.maxPartnerApiCallsInAWindow() <= limit);
        assertEquals(limit, ((Number) db.query("select leased from proxy_rate_window where registration = 'pax8'")
                .get(0).get("leased")).intValue());
    }

    @Test
    void the_budget_leases_slices_not_a_database_write_per_request() throws Exception {
        budget.override(WINDOW, 10, 100);
        inOneWindow(budget);
        for (int i = 0; i < 10; i++) {
            assertTrue(budget.tryAcquire("pax8", 900).granted());
        }
        assertEquals(10, ((Number) db.query("select leased from proxy_rate_window where registration = 'pax8'")
                .get(0).get("leased")).intValue(), "one lease of 10 for 10 requests");
        assertTrue(budget.tryAcquire("pax8", 900).granted());
        assertEquals(20, ((Number) db.query("select leased from proxy_rate_window where registration = 'pax8'")
                .get(0).get("leased")).intValue());
    }

    @Test
    void a_spent_budget_answers_429_with_retry_after_until_the_next_window() throws Exception {
        budget.override(WINDOW, 1, 1);
        inOneWindow(budget);
        String jwt = ProxyApiTest.caller();
        given().auth().oauth2(jwt).get(url("/v1/companies")).then().statusCode(200);
        Response r = given().auth().oauth2(jwt).get(url("/v1/companies"));
        r.then().statusCode(429).header(ProxyHeaders.SOURCE, "gateway").body("source", equalTo("gateway"))
                .body("type", org.hamcrest.Matchers.containsString("proxy-budget-spent"));
        long retryAfter = Long.parseLong(r.header("Retry-After"));
        long expected = budget.untilNextWindow(clock.instant()).toSeconds();
        assertTrue(Math.abs(retryAfter - expected) <= 2, retryAfter + " vs " + expected);
        assertEquals(1, counters.calls(SandboxCounters.Endpoint.PARTNER_API));
    }

    @Test
    void the_providers_429_is_honoured_and_shared_with_the_other_replicas() throws Exception {
        OffsetClock otherClock = new OffsetClock();
        ProxyBudget other = new ProxyBudget(dataSource, config, otherClock);
        assertTrue(other.tryAcquire("pax8", 900).granted(), "the other replica may call before the 429");
        faults.rateLimitPartnerApi(40, 1);
        String jwt = ProxyApiTest.caller();
        Response first = given().auth().oauth2(jwt).get(url("/v1/companies"));
        first.then().statusCode(429).header(ProxyHeaders.SOURCE, "provider").header("Retry-After", "40");
        Response second = given().auth().oauth2(jwt).get(url("/v1/companies"));
        second.then().statusCode(429).header(ProxyHeaders.SOURCE, "gateway")
                .body("type", org.hamcrest.Matchers.containsString("provider-rate-limited"));
        assertTrue(Long.parseLong(second.header("Retry-After")) >= 35);
        assertEquals(1, counters.calls(SandboxCounters.Endpoint.PARTNER_API), "the provider was asked once");
        // the other replica learns of the block within block-check-every (its clock moves on, nobody sleeps)
        otherClock.advance(config.blockCheckEvery());
        ProxyBudget.Decision d = other.tryAcquire("pax8", 900);
        assertFalse(d.granted());
        assertEquals(ProxyBudget.Reason.BLOCKED, d.reason());
        assertTrue(d.retryAfter().toSeconds() >= 30, d.toString());
        Instant until = ((java.sql.Timestamp) db.query("select max(blocked_until) b from proxy_rate_window")
                .get(0).get("b")).toInstant();
        assertTrue(until.isAfter(clock.instant().plusSeconds(30)));
    }

    @Test
    void a_large_answer_streams_at_the_pace_of_the_caller_and_is_never_held_whole() throws Exception {
        int mib = 96;
        String jwt = ProxyApiTest.caller();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(Urls.publicUrl() + url("/v1/sandbox-test/large-response?mib="
                + mib))).header("Authorization", "Bearer " + jwt).build();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("provider", r.headers().firstValue(ProxyHeaders.SOURCE).orElse(null));
        long read = 0;
        long maxHeap = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            // take 2 MiB, then stop reading for a while: the provider must stop too (nothing piles up in between)
            while (read < 2L * 1024 * 1024) {
                read += in.read(buf);
            }
            Thread.sleep(1500);
            long produced = counters.largeResponseBytes();
            LOG.infof("caller read %d bytes, the provider had produced %d while the caller paused", read, produced);
            assertTrue(produced - read < 24L * 1024 * 1024,
                    "the proxy read ahead " + (produced - read) + " bytes: it buffers instead of streaming");
            int n;
            int chunks = 0;
            while ((n = in.read(buf)) >= 0) {
                read += n;
                if (++chunks % 64 == 0) {
                    maxHeap = Math.max(maxHeap, memory.getHeapMemoryUsage().getUsed());
                }
            }
        }
        assertEquals(mib * 1024L * 1024L + "{\"content\":\"\"}".length(), read);
        LOG.infof("streamed %d MiB; heap used before %d MiB, highest seen while streaming %d MiB", mib,
                heapBefore >> 20, maxHeap >> 20);
    }
}

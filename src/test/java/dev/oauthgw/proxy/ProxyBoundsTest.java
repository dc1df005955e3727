package dev.oauthgw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.oauthgw.sandbox.faults.SandboxFaults;
import dev.oauthgw.testing.GrantFactory;
import dev.oauthgw.testing.Urls;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * The proxy when the provider's API stalls mid-answer (issue 18): the answer is cut off on the proxy's idle deadline
 * (PT2S in the test profile) instead of holding the caller and a worker until the provider gives up (30 s here), for
 * the forwarded answer and for a 401 whose body the proxy reads before it refreshes.
 */
@QuarkusTest
class ProxyBoundsTest {

    private static final Logger LOG = Logger.getLogger(ProxyBoundsTest.class);

    @Inject
    GrantFactory grants;
    @Inject
    SandboxFaults faults;
    @Inject
    ProxyConfig config;

    private GrantFactory.Made partner;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void setUp() {
        partner = grants.create("pxbound");
    }

    @AfterEach
    void clear() {
        faults.reset();
    }

    private int status;

    /** Calls the proxy and reads the whole answer; how long until the caller is done (answer or error). */
    private Duration call(String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(Urls.publicUrl() + "/proxy/" + partner.partnerId() + path))
                .timeout(Duration.ofSeconds(25)).header("Authorization", "Bearer " + ProxyApiTest.caller()).build();
        long t0 = System.nanoTime();
        try {
            HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
            status = r.statusCode();
            try (InputStream in = r.body()) {
                byte[] got = in.readNBytes(64 * 1024);
                LOG.infof("%s: status %d, %d bytes of a body announced as 1024, then the end", path, r.statusCode(),
                        got.length);
            } catch (IOException e) {
                LOG.infof("%s: status %d, then the body broke off (%s)", path, r.statusCode(), e);
            }
        } catch (IOException e) {
            LOG.infof("%s: no answer (%s)", path, e);
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    @Test
    void a_forwarded_answer_that_stalls_is_cut_off_on_the_idle_deadline() throws Exception {
        assertEquals(Duration.ofSeconds(2), config.idleTimeout());
        Duration took = call("/v1/sandbox-test/stalled-response?silence=PT30S");
        LOG.infof("the caller of a stalled forwarded answer was done after %d ms", took.toMillis());
        assertTrue(took.compareTo(Duration.ofSeconds(8)) < 0, "the stalled answer held the caller " + took);
        assertEquals(504, status, "nothing was sent to the caller yet: the gateway's 504");
        assertNextCallIsAnswered();
    }

    @Test
    void a_401_whose_body_stalls_is_read_within_the_idle_deadline_before_the_refresh() throws Exception {
        // the refusal's body stalls (read to decide on the retry), and so does the retry's: two idle deadlines
        Duration took = call("/v1/sandbox-test/stalled-response?status=401&silence=PT30S");
        LOG.infof("the caller of a stalled 401 was done after %d ms", took.toMillis());
        assertTrue(took.compareTo(Duration.ofSeconds(12)) < 0, "the stalled 401 held the caller " + took);
        assertEquals(504, status);
        assertNextCallIsAnswered();
    }

    private void assertNextCallIsAnswered() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(Urls.publicUrl() + "/proxy/" + partner.partnerId()
                + "/v1/companies?size=1")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + ProxyApiTest.caller()).build();
        assertEquals(200, http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
    }
}

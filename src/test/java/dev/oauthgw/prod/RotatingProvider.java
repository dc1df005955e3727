package dev.oauthgw.prod;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An Auth0-like token endpoint for the packaged-jar tests, independent of the gateway: refresh-token rotation with
 * reuse detection that revokes the whole family, optionally with a reuse interval (Auth0's leeway in which the
 * previous refresh token is still accepted). Runs in the test's JVM or as a process of its own ({@link #main}):
 * {@code GET /stats} answers its counts.
 */
final class RotatingProvider implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, String> current = new ConcurrentHashMap<>(); // family -> live refresh token
    private final Map<String, String> previous = new ConcurrentHashMap<>(); // family -> the one before
    private final Map<String, Long> rotatedAt = new ConcurrentHashMap<>(); // family -> when it last rotated
    private final Map<String, String> family = new ConcurrentHashMap<>(); // any refresh token ever -> family
    private final Map<String, List<Long>> refreshTimes = new ConcurrentHashMap<>(); // family -> refresh times
    private final Map<String, List<Boolean>> leewayRefreshes = new ConcurrentHashMap<>(); // ... and which used the leeway
    final AtomicInteger refreshes = new AtomicInteger();
    final AtomicInteger reuses = new AtomicInteger();
    final AtomicInteger withinReuseInterval = new AtomicInteger();
    private final ObjectMapper json = new ObjectMapper();
    private final long expiresIn;
    private final Duration reuseInterval;
    private final Duration delay;
    /** While set, token requests get a 200, a Content-Length and a few bytes, then silence (a stuck load balancer). */
    private volatile boolean stallMidAnswer;
    /** Answers left stalled; released (and their connections closed) only by {@link #close()}. */
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);
    final AtomicInteger stalled = new AtomicInteger();

    RotatingProvider() throws IOException {
        this(0, 86_400, Duration.ZERO, Duration.ZERO);
    }

    RotatingProvider(int port, long expiresIn, Duration reuseInterval, Duration delay) throws IOException {
        this.expiresIn = expiresIn;
        this.reuseInterval = reuseInterval;
        this.delay = delay;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 512);
        server.setExecutor(Executors.newFixedThreadPool(256)); // a herd of refreshes answers in parallel
        server.createContext("/oauth/token", this::token);
        server.createContext("/families", this::families);
        server.createContext("/stats", this::stats);
        server.start();
    }

    /** Args: port file, expires_in seconds, reuse interval seconds, answer delay milliseconds. */
    public static void main(String[] args) throws Exception {
        RotatingProvider p = new RotatingProvider(0, Long.parseLong(args[1]), Duration.ofSeconds(Long.parseLong(args[2])),
                Duration.ofMillis(Long.parseLong(args[3])));
        Files.writeString(Path.of(args[0]), String.valueOf(p.port()));
        Thread.currentThread().join();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String tokenUrl() {
        return "http://127.0.0.1:" + port() + "/oauth/token";
    }

    String newFamily() {
        String f = UUID.randomUUID().toString();
        String rt = "rt-" + UUID.randomUUID();
        current.put(f, rt);
        family.put(rt, f);
        refreshTimes.put(f, new ArrayList<>());
        leewayRefreshes.put(f, new ArrayList<>());
        return rt;
    }

    private void families(HttpExchange x) throws IOException {
        int n = Integer.parseInt(x.getRequestURI().getQuery().replace("n=", ""));
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tokens.add(newFamily());
        }
        answer(x, 200, json.writeValueAsString(tokens));
    }

    private synchronized void stats(HttpExchange x) throws IOException {
        long minGapMillis = Long.MAX_VALUE;
        int minPerFamily = Integer.MAX_VALUE;
        for (Map.Entry<String, List<Long>> e : refreshTimes.entrySet()) {
            List<Long> times = e.getValue();
            List<Boolean> leeway = leewayRefreshes.get(e.getKey());
            minPerFamily = Math.min(minPerFamily, times.size());
            for (int i = 1; i < times.size(); i++) {
                if (!leeway.get(i)) { // a retry of a lost answer within the reuse interval is not a new cycle
                    minGapMillis = Math.min(minGapMillis, times.get(i) - times.get(i - 1));
                }
            }
        }
        answer(x, 200, json.writeValueAsString(Map.of("refreshes", refreshes.get(), "reuses", reuses.get(),
                "within_reuse_interval", withinReuseInterval.get(), "families", refreshTimes.size(),
                "alive", current.size(), "min_refreshes_per_family", minPerFamily == Integer.MAX_VALUE ? 0 : minPerFamily,
                "min_gap_ms", minGapMillis == Long.MAX_VALUE ? -1 : minGapMillis)));
    }

    /**
     * Stalls every token request from now on, or serves them again. A stalled request never reached the authorization
     * server (nothing rotates), and its connection stays open, silent, until the provider is closed: as behind a load
     * balancer that stopped forwarding mid-answer.
     */
    void stallMidAnswer(boolean on) {
        stallMidAnswer = on;
    }

    private void token(HttpExchange x) throws IOException {
        if (stallMidAnswer) {
            x.getRequestBody().readAllBytes();
            stalled.incrementAndGet();
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, 512);
            OutputStream o = x.getResponseBody();
            o.write("{\"access_token\":\"".getBytes(StandardCharsets.UTF_8));
            o.flush();
            try {
                released.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
            return;
        }
        JsonNode req = json.readTree(x.getRequestBody());
        String presented = req.path("refresh_token").asText();
        String f = family.get(presented);
        if (!"refresh_token".equals(req.path("grant_type").asText()) || f == null) {
            answer(x, 400, "{\"error\":\"invalid_request\"}");
            return;
        }
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String body;
        synchronized (this) {
            long now = System.currentTimeMillis();
            boolean live = presented.equals(current.get(f));
            boolean leeway = !live && presented.equals(previous.get(f)) && current.containsKey(f)
                    && now - rotatedAt.getOrDefault(f, 0L) <= reuseInterval.toMillis();
            if (!live && !leeway) {
                reuses.incrementAndGet();
                current.remove(f); // the whole family is dead
                answer(x, 403, "{\"error\":\"invalid_grant\",\"error_description\":\"reused refresh token\"}");
                return;
            }
            if (leeway) {
                withinReuseInterval.incrementAndGet();
            }
            String next = "rt-" + UUID.randomUUID();
            previous.put(f, current.get(f));
            current.put(f, next);
            rotatedAt.put(f, now);
            family.put(next, f);
            refreshes.incrementAndGet();
            refreshTimes.get(f).add(now);
            leewayRefreshes.get(f).add(leeway);
            body = "{\"access_token\":\"at-" + UUID.randomUUID() + "\",\"refresh_token\":\"" + next
                    + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + ",\"scope\":\"Manage:Pax8Data\"}";
        }
        answer(x, 200, body);
    }

    private static void answer(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
    }
}

package dev.oauthgw.prod;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.testing.PackagedJarTest;

/**
 * The packaged jar in prod logs one JSON object per line, and a line logged while serving a request carries the
 * request's id (the caller's X-Request-Id) in its MDC; a start and ordinary requests log nothing at WARN or above.
 */
@PackagedJarTest
class JsonLogsInProdIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prod_logs_json_lines_with_the_request_id() throws Exception {
        Path log = Files.createTempFile("prod-json", ".log");
        Process app = ProdConfig.launch(ProdConfig.env(), log, 0);
        try {
            String base = ProdConfig.awaitListening(app, log);
            String requestId = "it-json-" + Long.toHexString(System.nanoTime());
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(URI.create(base + "/j_security_check"))
                    .header("Content-Type", "application/x-www-form-urlencoded").header("X-Request-Id", requestId)
                    .POST(HttpRequest.BodyPublishers.ofString("j_username=" + ProdConfig.OPS_USER + "&j_password=wrong"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(302, r.statusCode());
            assertEquals(requestId, r.headers().firstValue("X-Request-Id").orElse(null), "the id is echoed");
            JsonNode refused = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (refused == null && System.nanoTime() < until) {
                for (JsonNode line : jsonLines(log)) {
                    if (line.path("message").asText().contains("Dashboard sign-in refused")) {
                        refused = line;
                    }
                }
                Thread.sleep(100);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            assertTrue(refused != null, "no JSON line for the refused sign-in in:\n" + out);
            assertEquals(requestId, refused.path("mdc").path("request_id").asText(), refused.toString());
            assertEquals("INFO", refused.path("level").asText(), refused.toString());
            assertTrue(jsonLines(log).stream().anyMatch(l -> l.path("message").asText().contains("Listening on")),
                    "start-up lines are JSON too:\n" + out);

            // both servers have taken connections (the public one above, the management one here); a start and
            // ordinary requests log nothing at WARN or above (e.g. no Micrometer "Gauge has been already registered")
            HttpResponse<Void> ready = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(ProdConfig.managementUrl(log) + "/q/health/ready")).build(), HttpResponse.BodyHandlers.discarding());
            assertEquals(200, ready.statusCode());
            Thread.sleep(500); // an absence is asserted below: a grace period for a line that must not come, not a wait
            List<String> loud = new ArrayList<>();
            for (JsonNode line : jsonLines(log)) {
                if (Set.of("WARN", "WARNING", "ERROR", "FATAL", "SEVERE").contains(line.path("level").asText())) {
                    loud.add(line.path("loggerName").asText() + ": " + line.path("message").asText());
                }
            }
            assertEquals(List.of(), loud, "a prod start logs nothing at WARN or above");
        } finally {
            app.destroy();
            app.waitFor(30, TimeUnit.SECONDS);
            app.destroyForcibly();
        }
    }

    /** The lines of the log that are JSON objects. */
    private static List<JsonNode> jsonLines(Path log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.startsWith("{")) {
                try {
                    lines.add(JSON.readTree(line));
                } catch (com.fasterxml.jackson.core.JsonProcessingException partial) {
                    // the line being written
                }
            }
        }
        return lines;
    }
}

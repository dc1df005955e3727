package dev.oauthgw.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A whole answer, read within its {@link HttpBounds}. The body may hold tokens: {@link #toString()} does not print it.
 *
 * @param headers as received (names as the server wrote them); read them with {@link #header(String)}
 */
public record OutboundAnswer(int status, Map<String, List<String>> headers, byte[] body) {

    /** The first value of a header, the name matched without regard to case. */
    public Optional<String> header(String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .flatMap(e -> e.getValue().stream()).findFirst();
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "OutboundAnswer[" + status + ", " + body.length + " bytes]";
    }
}

package dev.oauthgw.sandbox.authserver;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.oauthgw.sandbox.OAuthError;

/**
 * The parameters of a request to the token or revocation endpoint, in either dialect:
 * {@code application/json} (Pax8) or {@code application/x-www-form-urlencoded} (RFC 6749). Parsed by
 * hand so that a malformed body answers an OAuth error, never a framework error page.
 * {@link #toString()} prints parameter names only.
 */
final class OAuthRequest {

    /** The body's format: JSON for the Pax8 dialect, form-encoded for the RFC 6749 one. */
    enum Format {
        JSON, FORM
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_BODY = 16 * 1024;

    private final Format format;
    private final Map<String, String> params;

    private OAuthRequest(Format format, Map<String, String> params) {
        this.format = format;
        this.params = Collections.unmodifiableMap(params);
    }

    static OAuthRequest parse(String contentType, byte[] body) {
        String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (body != null && body.length > MAX_BODY) {
            throw OAuthError.invalidRequest("Request body too large");
        }
        byte[] bytes = body == null ? new byte[0] : body;
        return switch (mediaType) {
            case "application/json" -> new OAuthRequest(Format.JSON, parseJson(bytes));
            case "application/x-www-form-urlencoded" -> new OAuthRequest(Format.FORM, parseForm(bytes));
            default -> throw OAuthError.invalidRequest(
                    "Content-Type must be application/json or application/x-www-form-urlencoded");
        };
    }

    Format format() {
        return format;
    }

    /** A parameter, null when absent or empty (RFC 6749 §3.1: empty parameters are treated as omitted). */
    String get(String name) {
        String v = params.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    private static Map<String, String> parseJson(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw OAuthError.invalidRequest("The request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw OAuthError.invalidRequest("The request body must be a JSON object");
        }
        Map<String, String> params = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!v.isTextual()) {
                throw OAuthError.invalidRequest("Parameter " + safeName(e.getKey()) + " must be a string");
            }
            params.put(e.getKey(), v.textValue());
        }
        return params;
    }

    private static Map<String, String> parseForm(byte[] body) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw OAuthError.invalidRequest("The request body is not UTF-8");
        }
        Map<String, String> params = new HashMap<>();
        if (text.isEmpty()) {
            return params;
        }
        for (String pair : text.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            // RFC 6749 §3.2: request parameters MUST NOT be included more than once
            if (params.put(name, value) != null) {
                throw OAuthError.invalidRequest("Parameter " + safeName(name) + " is repeated");
            }
        }
        return params;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthError.invalidRequest("The request body is not valid form encoding");
        }
    }

    /** A parameter name fit to echo in an error description (never a value). */
    static String safeName(String name) {
        return name.matches("[A-Za-z0-9_.-]{1,40}") ? name : "(unnamed)";
    }

    @Override
    public String toString() {
        return "OAuthRequest[" + format + ", params=" + params.keySet() + "]";
    }
}

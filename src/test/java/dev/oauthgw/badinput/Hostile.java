package dev.oauthgw.badinput;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.eclipse.microprofile.config.ConfigProvider;

import dev.oauthgw.testing.TestJwt;
import dev.oauthgw.testing.leaks.MintedSecrets;
import io.smallrye.jwt.build.Jwt;

/** The generator's hostile values: what goes into a path segment, a query value, a body, a header or a JWT. */
final class Hostile {

    /** A value as it goes on the wire: {@code wire} is already percent-encoded for a URL (or raw for a header). */
    record Value(String name, String raw, String wire) {
        @Override
        public String toString() {
            return name;
        }
    }

    private Hostile() {
    }

    /** Strings a caller might send, each percent-encoded strictly (UTF-8) for a path segment or query value. */
    static final List<String> STRINGS = List.of(
            " ", "\t", "A".repeat(300), "A".repeat(3000), "ü".repeat(1500),
            "..", ".", "../../../../etc/passwd", "..\\..\\windows\\win.ini",
            "' OR '1'='1", "'; DROP TABLE partner; --", "1) OR 1=1 --", "\\'", "\"", "`",
            "<script>alert('xss-marker')</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
            "{inject:config}", "${7*7}", "{#include base /}", "#{7*7}", "{{7*7}}", "{cdi:grantService}",
            "%s%s%n%x%p", "\u0000", "nul\u0000byte", "\u0001\u001f\u007f", "\r\nX-Injected: 1", "\u202Eevil",
            "\uD83D\uDE00".repeat(50), "\uFFFF\uFFFE", "ｏｐｓ", "İstanbul", "ß", "acme\u0301",
            "-1", "99999999999999999999", "1e309", "NaN", "0x7fffffff", "--1", "2147483648",
            "PT-1S", "P-1D", "-PT1H", "PT99999999999999999999H", "P106751991167301D", "PT6H0.000000001S", "PT", "P",
            "T1H", "P7DT", "PT1H1H", "P1Y", "null", "undefined", "true", "[]", "{}", "{\"a\":1}",
            "a/b", "a\\b", "a;b", "a?b", "a#b", "a&b=c", "~", "*", "%", "+", "=", "a b");

    /** Already percent-encoded forms that a strict encoder would never produce: bad escapes, overlong UTF-8. */
    static final List<String> RAW_WIRE = List.of(
            "%ZZ", "%", "%4", "%%41", "%C0%AF", "%C0%AE%C0%AE", "%ED%A0%80", "%FF%FE", "%F8%88%80%80%80", "%00",
            "..%2F..%2Fadmin", "%2e%2e", "%2e%2e%2f%2e%2e%2f", "a%2Fb", "a%5Cb", "%0d%0aX-Injected:%201", "%u0041",
            "a%20", "%E2%80%AE", "%EF%BB%BF");

    static List<Value> pathOrQueryValues() {
        List<Value> out = new ArrayList<>();
        for (String s : STRINGS) {
            out.add(new Value(label(s), s, encode(s)));
        }
        for (String w : RAW_WIRE) {
            out.add(new Value("wire:" + w, w, w));
        }
        return out;
    }

    /** Percent-encodes every byte of the UTF-8 form except the RFC 3986 unreserved characters. */
    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    static String label(String s) {
        return label(s, 24);
    }

    static String label(String s, int max) {
        String shown = s.length() > max ? s.substring(0, max / 2) + "..(" + s.length() + ")" : s;
        StringBuilder b = new StringBuilder();
        for (char c : shown.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    /** A JSON or other body and the Content-Type it is sent with. */
    record Body(String name, String contentType, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Body> bodiesForNewPartner() {
        List<Body> out = new ArrayList<>(commonBodies());
        String longId = "x".repeat(65);
        for (String json : List.of(
                "{}", "{\"id\":null,\"display_name\":\"x\"}", "{\"id\":\"\",\"display_name\":\"x\"}",
                "{\"id\":\" \",\"display_name\":\"x\"}", "{\"id\":\"" + longId + "\",\"display_name\":\"x\"}",
                "{\"id\":\"-bad\",\"display_name\":\"x\"}", "{\"id\":\"a b\",\"display_name\":\"x\"}",
                "{\"id\":\"../etc\",\"display_name\":\"x\"}", "{\"id\":\"ok\\u0000x\",\"display_name\":\"x\"}",
                "{\"id\":\"<script>\",\"display_name\":\"x\"}", "{\"id\":\"' OR 1=1--\",\"display_name\":\"x\"}",
                "{\"id\":\"valid-id-bad-name\",\"display_name\":\"\"}",
                "{\"id\":\"valid-id-bad-name\",\"display_name\":\"" + "n".repeat(201) + "\"}",
                "{\"id\":\"valid-id-bad-acct\",\"display_name\":\"x\",\"provider_account_id\":\"" + "a".repeat(256) + "\"}",
                "{\"id\":-1,\"display_name\":\"x\"}", "{\"id\":[\"a\"],\"display_name\":\"x\"}",
                "{\"id\":{\"$ne\":1},\"display_name\":\"x\"}", "{\"id\":true,\"display_name\":\"x\"}",
                "{\"id\":\"valid-id-obj-name\",\"display_name\":{\"a\":1}}",
                "{\"id\":\"İ\",\"display_name\":\"x\"}", "{\"id\":\"ｏｐｓ\",\"display_name\":\"x\"}",
                "{\"id\":\"dup\",\"id\":\"-dup\",\"display_name\":\"x\"}")) {
            out.add(new Body(label(json), "application/json", json.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    static List<Body> bodiesForLinks() {
        List<Body> out = new ArrayList<>(commonBodies());
        for (String v : List.of("\"P-1D\"", "\"PT0S\"", "\"-PT1H\"", "\"P9999D\"", "\"P106751991167301D\"",
                "\"PT99999999999999999999H\"", "\"7 days\"", "\"\"", "1", "true", "[]", "{}", "\"P7D' OR 1=1\"",
                "\"" + "P".repeat(5000) + "\"")) {
            String json = "{\"valid_for\":" + v + "}";
            out.add(new Body(label(json), "application/json", json.getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** Bodies that are not JSON, or not this endpoint's JSON, for every endpoint that takes JSON. */
    static List<Body> commonBodies() {
        List<Body> out = new ArrayList<>();
        for (String json : List.of("{", "[", "}", "{\"id\":", "\"just a string\"", "12", "[1,2]", "[]",
                "{'id':'single'}", "{\"valid_for\":1,}", "{\"valid_for\":NaN}", "{\"valid_for\":1e999999}", "\u0000")) {
            out.add(new Body("json:" + label(json), "application/json", json.getBytes(StandardCharsets.UTF_8)));
        }
        out.add(new Body("deep-array", "application/json", ("[".repeat(5000) + "]".repeat(5000)).getBytes()));
        out.add(new Body("deep-object", "application/json",
                ("{\"a\":".repeat(5000) + "1" + "}".repeat(5000)).getBytes()));
        out.add(new Body("huge-string-3MB", "application/json",
                ("{\"id\":\"" + "a".repeat(3_000_000) + "\",\"display_name\":\"x\",\"valid_for\":\"x\"}").getBytes()));
        out.add(new Body("huge-number", "application/json",
                ("{\"id\":" + "9".repeat(100_000) + "}").getBytes()));
        out.add(new Body("invalid-utf8", "application/json",
                new byte[] { '{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}' }));
        out.add(new Body("utf16-as-utf8", "application/json;charset=UTF-8",
                "{\"id\":\"-x\",\"display_name\":\"x\",\"valid_for\":\"nope\"}".getBytes(StandardCharsets.UTF_16)));
        out.add(new Body("bom-then-invalid", "application/json",
                "\uFEFF{\"valid_for\":\"nope\",\"id\":\"-x\"}".getBytes(StandardCharsets.UTF_8)));
        out.add(new Body("wrong-charset", "application/json;charset=klingon",
                "{\"id\":\"-x\",\"valid_for\":\"x\"}".getBytes()));
        out.add(new Body("xml", "application/xml", "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"
                .getBytes()));
        out.add(new Body("text", "text/plain", "id=-x".getBytes()));
        out.add(new Body("form", "application/x-www-form-urlencoded", "id=-x&valid_for=x".getBytes()));
        out.add(new Body("no-content-type", null, "{\"id\":\"-x\",\"valid_for\":\"x\"}".getBytes()));
        out.add(new Body("garbage-content-type", "((((/))))", "{\"id\":\"-x\",\"valid_for\":\"x\"}".getBytes()));
        out.add(new Body("binary", "application/octet-stream", new byte[] { 0, 1, 2, (byte) 0xff, (byte) 0xfe }));
        return out;
    }

    /** A bearer credential that must not let anyone in (or, "role": lets in without the needed role). */
    record Credential(String name, String header) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Credential> credentials(String role) {
        List<Credential> out = new ArrayList<>();
        String good = TestJwt.withRoles("hostile-good@vendor.test", role);
        String[] parts = good.split("\\.");
        String payload = parts[1];
        String noneHeader = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        out.add(new Credential("no Authorization", null));
        out.add(new Credential("empty", "Authorization:"));
        out.add(new Credential("Bearer only", "Authorization: Bearer"));
        out.add(new Credential("Bearer blank", "Authorization: Bearer    "));
        out.add(new Credential("Basic", "Authorization: Basic " + Base64.getEncoder().encodeToString("operator:operator-dev-password".getBytes())));
        out.add(new Credential("Digest", "Authorization: Digest username=\"ops\""));
        out.add(new Credential("token without scheme", "Authorization: " + good));
        out.add(new Credential("alg none", bearer(noneHeader + "." + payload + ".")));
        out.add(new Credential("alg none no dot", bearer(noneHeader + "." + payload)));
        out.add(new Credential("alg None", bearer(b64("{\"alg\":\"None\"}") + "." + payload + ".")));
        out.add(new Credential("alg none + old signature", bearer(noneHeader + "." + payload + "." + parts[2])));
        out.add(new Credential("HS256 keyed with the public key", bearer(hs256(payload, publicKeyBytes()))));
        out.add(new Credential("HS256 keyed with nothing", bearer(hs256(payload, new byte[32]))));
        out.add(new Credential("RS256 other key", bearer(Jwt.issuer(TestJwt.ISSUER).audience(TestJwt.AUDIENCE)
                .upn("forger").groups(Set.of(role)).expiresIn(300).sign(keyPair("RSA", null).getPrivate()))));
        out.add(new Credential("ES256 other key", bearer(Jwt.issuer(TestJwt.ISSUER).audience(TestJwt.AUDIENCE)
                .upn("forger").groups(Set.of(role)).expiresIn(300).jws().algorithm(
                        io.smallrye.jwt.algorithm.SignatureAlgorithm.ES256)
                .sign(keyPair("EC", "secp256r1").getPrivate()))));
        out.add(new Credential("expired", bearer(TestJwt.expired(role))));
        out.add(new Credential("not yet valid", bearer(MintedSecrets.record(Jwt.issuer(TestJwt.ISSUER)
                .audience(TestJwt.AUDIENCE).upn("early").groups(Set.of(role)).claim("nbf", Instant.now().plusSeconds(3600).getEpochSecond())
                .expiresIn(7200).sign()))));
        out.add(new Credential("wrong issuer", bearer(TestJwt.wrongIssuer(role))));
        out.add(new Credential("wrong audience", bearer(TestJwt.wrongAudience(role))));
        out.add(new Credential("tampered", bearer(TestJwt.tamperedWithRole(role))));
        out.add(new Credential("signature stripped", bearer(parts[0] + "." + parts[1] + ".")));
        out.add(new Credential("signature of another token", bearer(parts[0] + "." + parts[1] + "."
                + TestJwt.withRoles("x@vendor.test", role).split("\\.")[2])));
        out.add(new Credential("two parts", bearer(parts[0] + "." + parts[1])));
        out.add(new Credential("four parts", bearer(good + ".AAAA")));
        out.add(new Credential("not base64", bearer("!!!.@@@.###")));
        out.add(new Credential("dots only", bearer("....")));
        out.add(new Credential("header not json", bearer(b64("not json") + "." + payload + "." + parts[2])));
        out.add(new Credential("payload not json", bearer(parts[0] + "." + b64("[1,2") + "." + parts[2])));
        out.add(new Credential("kid traversal", bearer(b64("{\"alg\":\"RS256\",\"kid\":\"../../../../dev/null\"}")
                + "." + payload + "." + parts[2])));
        out.add(new Credential("jku elsewhere", bearer(b64("{\"alg\":\"RS256\",\"jku\":\"http://127.0.0.1:1/jwks\"}")
                + "." + payload + "." + parts[2])));
        out.add(new Credential("huge garbage 15 KB", bearer("eyJ" + "A".repeat(15_000) + ".e30.x")));
        out.add(new Credential("huge forged 15 KB", bearer(noneHeader + "." + b64("{\"upn\":\"x\",\"groups\":[\"" + role
                + "\"],\"pad\":\"" + "p".repeat(11_000) + "\"}") + ".")));
        out.add(new Credential("huge header 40 KB", bearer("A".repeat(40_000))));
        out.add(new Credential("valid, role missing", bearer(TestJwt.withRoles("norole@vendor.test", "viewer"))));
        out.add(new Credential("valid, no roles at all", bearer(MintedSecrets.record(Jwt.issuer(TestJwt.ISSUER)
                .audience(TestJwt.AUDIENCE).upn("nobody").expiresIn(300).sign()))));
        out.add(new Credential("valid, role as other case", bearer(TestJwt.withRoles("case@vendor.test",
                role.toUpperCase(java.util.Locale.ROOT)))));
        out.add(new Credential("valid, huge groups", bearer(MintedSecrets.record(Jwt.issuer(TestJwt.ISSUER)
                .audience(TestJwt.AUDIENCE).upn("many").groups(manyGroups()).expiresIn(300).sign()))));
        out.add(new Credential("CRLF in header", "Authorization: Bearer x\r\nX-Injected: 1"));
        out.add(new Credential("token in a cookie", "Cookie: Bearer=" + good + "; access_token=" + good));
        return out;
    }

    private static Set<String> manyGroups() {
        Set<String> s = new java.util.HashSet<>();
        for (int i = 0; i < 300; i++) {
            s.add("group-" + i);
        }
        return s;
    }

    private static String bearer(String token) {
        MintedSecrets.record(token);
        return "Authorization: Bearer " + token;
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String hs256(String payload, byte[] key) {
        try {
            String input = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + payload;
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return input + "." + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The verification key as the attacker of an HS/RS confusion would use it: the public key's text from the
     * configuration when it is there, else its DER (the smallrye test key pair is made in memory).
     */
    private static byte[] publicKeyBytes() {
        return ConfigProvider.getConfig().getOptionalValue("mp.jwt.verify.publickey", String.class)
                .map(s -> s.getBytes(StandardCharsets.US_ASCII)).orElse("public-key-not-in-config".getBytes());
    }

    private static KeyPair keyPair(String alg, String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
            if (curve != null) {
                g.initialize(new ECGenParameterSpec(curve));
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException | java.security.InvalidAlgorithmParameterException e) {
            throw new IllegalStateException(e);
        }
    }
}

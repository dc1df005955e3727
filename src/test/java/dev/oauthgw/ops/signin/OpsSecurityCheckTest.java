package dev.oauthgw.ops.signin;

import dev.oauthgw.ops.OpsConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Unit tests: bcrypt checks and what makes prod refuse to start. */
class OpsSecurityCheckTest {

    private static final String GOOD_HASH = OpsPasswords.hash("a-real-operator-password");
    private static final String DEV_HASH = OpsPasswords.hash(OpsPasswords.DEV_PASSWORD);
    private static final Optional<String> KEY = Optional.of("k".repeat(32));

    private static OpsConfig config(Map<String, String> hashes, boolean allowDev) {
        return new OpsConfig() {
            @Override
            public Map<String, User> users() {
                return hashes.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                        e -> new User() {
                            @Override
                            public String passwordHash() {
                                return e.getValue();
                            }

                            @Override
                            public Set<String> roles() {
                                return Set.of("ops");
                            }
                        }));
            }

            @Override
            public boolean requireSessionKey() {
                return true;
            }

            @Override
            public boolean secureCookies() {
                return true;
            }

            @Override
            public boolean allowDevCredentials() {
                return allowDev;
            }

            @Override
            public Duration expiringSoonWithin() {
                return Duration.ofHours(6);
            }

            @Override
            public Duration lockWait() {
                return Duration.ofSeconds(20);
            }

            @Override
            public Duration reauthLinkValidity() {
                return Duration.ofDays(7);
            }

            @Override
            public Optional<Duration> consentLifetime() {
                return Optional.empty();
            }

            @Override
            public Duration metricsCacheTtl() {
                return Duration.ofSeconds(15);
            }

            @Override
            public Duration readersWindow() {
                return Duration.ofDays(7);
            }

            @Override
            public Oidc oidc() {
                return new Oidc() {
                    @Override
                    public String groupsClaim() {
                        return "groups";
                    }

                    @Override
                    public Optional<Set<String>> operatorGroups() {
                        return Optional.empty();
                    }

                    @Override
                    public String providerName() {
                        return "IdP";
                    }

                    @Override
                    public boolean requireHttps() {
                        return true;
                    }
                };
            }
        };
    }

    private static final OpsSecurityCheck.OidcSettings FORM = new OpsSecurityCheck.OidcSettings(false, Optional.empty(),
            Optional.empty(), Optional.empty(), Set.of(), true);

    private static OpsSecurityCheck.OidcSettings oidc(String issuer, String clientId, String secret, Set<String> groups) {
        return new OpsSecurityCheck.OidcSettings(true, Optional.ofNullable(issuer), Optional.ofNullable(clientId),
                Optional.ofNullable(secret), groups, true);
    }

    @Test
    void bcrypt_hashes_verify_only_their_password() {
        assertTrue(OpsPasswords.matches(GOOD_HASH, "a-real-operator-password".toCharArray()));
        assertFalse(OpsPasswords.matches(GOOD_HASH, "a-real-operator-passwore".toCharArray()));
        assertFalse(OpsPasswords.matches("plain-text", "plain-text".toCharArray()));
        // $2b$ and $2y$ (htpasswd, Python) are read as well
        assertTrue(OpsPasswords.matches("$2b$" + GOOD_HASH.substring(4), "a-real-operator-password".toCharArray()));
        assertTrue(OpsPasswords.matches("$2y$" + GOOD_HASH.substring(4), "a-real-operator-password".toCharArray()));
    }

    @Test
    void a_configured_account_and_a_session_key_pass() {
        assertEquals(List.of(), OpsSecurityCheck.problems(config(Map.of("alice", GOOD_HASH), false), KEY, true, FORM));
    }

    @Test
    void prod_refuses_no_account_the_dev_password_a_non_bcrypt_hash_and_a_missing_session_key() {
        assertTrue(OpsSecurityCheck.problems(config(Map.of(), false), KEY, true, FORM).get(0).contains("no dashboard account"));
        assertTrue(OpsSecurityCheck.problems(config(Map.of("alice", DEV_HASH), false), KEY, true, FORM).get(0)
                .contains("documented dev password"));
        assertTrue(OpsSecurityCheck.problems(config(Map.of("alice", "secret"), false), KEY, true, FORM).get(0)
                .contains("not a bcrypt hash"));
        assertTrue(OpsSecurityCheck.problems(config(Map.of("alice", GOOD_HASH), false), Optional.of("short"), true, FORM).get(0)
                .contains("GATEWAY_OPS_SESSION_KEY"));
        // dev and test allow the documented account
        assertEquals(List.of(), OpsSecurityCheck.problems(config(Map.of("operator", DEV_HASH), true), Optional.empty(), false, FORM));
    }

    @Test
    void with_the_identity_provider_no_account_is_needed_but_every_oidc_value_is() {
        Set<String> ops = Set.of("gateway-operators");
        assertEquals(List.of(), OpsSecurityCheck.problems(config(Map.of(), false), KEY, true,
                oidc("https://login.vendor.example", "gateway", "s3cret", ops)));
        List<String> missing = OpsSecurityCheck.problems(config(Map.of(), false), KEY, true, oidc(null, null, null, Set.of()));
        assertEquals(4, missing.size(), missing.toString());
        assertTrue(missing.get(0).contains("GATEWAY_OPS_OIDC_ISSUER"));
        assertTrue(missing.get(1).contains("GATEWAY_OPS_OIDC_CLIENT_ID"));
        assertTrue(missing.get(2).contains("GATEWAY_OPS_OIDC_CLIENT_SECRET"));
        assertTrue(missing.get(3).contains("GATEWAY_OPS_OIDC_OPERATOR_GROUPS"));
        assertTrue(OpsSecurityCheck.problems(config(Map.of(), false), KEY, true,
                oidc("http://login.vendor.example", "gateway", "s3cret", ops)).get(0).contains("https"));
        // the session key is still required, and a configured account must still be safe
        assertTrue(OpsSecurityCheck.problems(config(Map.of("alice", DEV_HASH), false), Optional.empty(), true,
                oidc("https://login.vendor.example", "gateway", "s3cret", ops)).toString().contains("dev password"));
        assertTrue(OpsSecurityCheck.problems(config(Map.of(), false), Optional.empty(), true,
                oidc("https://login.vendor.example", "gateway", "s3cret", ops)).get(0).contains("GATEWAY_OPS_SESSION_KEY"));
        // the APIs must not accept the dashboard's ID tokens
        List<String> shared = OpsSecurityCheck.problems(config(Map.of(), false), KEY, true,
                new OpsSecurityCheck.OidcSettings(true, Optional.of("https://login.vendor.example/"), Optional.of("gateway"),
                        Optional.of("s3cret"), ops, true, Optional.of("https://login.vendor.example"),
                        Set.of("gateway", "api")));
        assertEquals(1, shared.size(), shared.toString());
        assertTrue(shared.get(0).contains("GATEWAY_JWT_AUDIENCE"));
        assertEquals(List.of(), OpsSecurityCheck.problems(config(Map.of(), false), KEY, true,
                new OpsSecurityCheck.OidcSettings(true, Optional.of("https://login.vendor.example/"), Optional.of("gateway"),
                        Optional.of("s3cret"), ops, true, Optional.of("https://login.vendor.example"),
                        Set.of("pax8-oauth-gateway"))));
        // the secret never shows in the settings' toString
        assertFalse(oidc("https://x", "gateway", "s3cret", ops).toString().contains("s3cret"));
    }

    @Test
    void operator_groups_are_read_from_arrays_and_collections_and_a_string_is_one_group() {
        assertEquals(Set.of("a", "b"), OpsOidcRoles.groups(java.util.List.of("a", "b")));
        assertEquals(Set.of("Gateway Operators"), OpsOidcRoles.groups("Gateway Operators"));
        assertEquals(Set.of("x gateway-operators"), OpsOidcRoles.groups("x gateway-operators"));
        assertEquals(Set.of("a"), OpsOidcRoles.groups(jakarta.json.Json.createArrayBuilder().add("a").add(3).build()));
        assertEquals(Set.of(), OpsOidcRoles.groups(null));
        assertEquals(Set.of(), OpsOidcRoles.groups(42));
    }
}

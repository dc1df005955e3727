package dev.oauthgw.sandbox.authserver;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * A sandbox Pax8 partner: the company a partner admin says they are on the consent page.
 *
 * @param key           the short key used in forms, tests and the control API (e.g. {@code acme})
 * @param name          the display name (e.g. {@code Acme IT Services})
 * @param pax8PartnerId the partner's id at Pax8, carried in delegated access tokens: a UUID as at Pax8, or any
 *                      other non-blank value (up to 4096 characters) so that tests can send the gateway odd ones
 * @param companies     how many companies the partner API serves for this partner
 */
public record SandboxPartner(String key, String name, String pax8PartnerId, int companies) {

    public SandboxPartner {
        if (key == null || !key.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
            throw new IllegalArgumentException("partner key must match [A-Za-z0-9][A-Za-z0-9._-]{0,63}");
        }
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("partner name must be 1 to 200 characters");
        }
        if (pax8PartnerId == null) {
            pax8PartnerId = derivedPartnerId(key);
        }
        if (pax8PartnerId.isBlank() || pax8PartnerId.length() > 4096) {
            throw new IllegalArgumentException("pax8 partner id must be 1 to 4096 characters");
        }
        if (companies < 0 || companies > 10_000) {
            throw new IllegalArgumentException("companies must be between 0 and 10000");
        }
    }

    /** The sandbox user who consents for this partner, used as the token subject. */
    public String subject() {
        return "sandbox|" + key + "-admin";
    }

    /** A stable UUID for a partner registered without one. */
    static String derivedPartnerId(String key) {
        return UUID.nameUUIDFromBytes(("sandbox-partner:" + key).getBytes(StandardCharsets.UTF_8)).toString();
    }
}

package dev.oauthgw.ops.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The {@code __Host-} translation of the dashboard's cookies, without Quarkus (prod has it on; tests run on http). */
class OpsHostCookiesTest {

    @Test
    void the_browser_gets_host_prefixed_secure_path_root_cookies() {
        assertEquals("__Host-gw_ops_csrf=abc; HttpOnly; SameSite=Strict; Path=/; Secure",
                OpsHostCookies.outgoingHeader("gw_ops_csrf=abc; Path=/ops; HttpOnly; SameSite=Strict"));
        assertEquals("__Host-gw_ops_session=; Max-Age=0; Path=/; Secure",
                OpsHostCookies.outgoingHeader("gw_ops_session=; Path=/; Domain=vendor.example; Max-Age=0"));
        assertEquals("gw_onboarding=x; Path=/onboarding", OpsHostCookies.outgoingHeader("gw_onboarding=x; Path=/onboarding"));
    }

    @Test
    void the_application_sees_the_prefixed_cookies_under_their_plain_names_and_never_a_planted_plain_one() {
        assertEquals("gw_ops_session=s1; gw_ops_csrf=c1; other=1",
                OpsHostCookies.incoming("__Host-gw_ops_session=s1; __Host-gw_ops_csrf=c1; other=1"));
        // a plain-named cookie could have been set by a sibling subdomain or over http: dropped
        assertEquals("gw_ops_csrf=real", OpsHostCookies.incoming("gw_ops_csrf=planted; __Host-gw_ops_csrf=real"));
        assertEquals("", OpsHostCookies.incoming("gw_ops_session=planted"));
    }
}

package dev.oauthgw.ops.signin;

import io.quarkus.vertx.http.security.HttpSecurity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Who may reach the dashboard, and through which sign-in. {@code /ops} takes exactly one mechanism: the
 * OIDC code flow when the vendor's identity provider is configured, else the built-in form. A bearer JWT
 * never opens the dashboard, and a dashboard session never opens the JSON APIs (those take bearer JWTs
 * only: application.properties, {@code quarkus.http.auth.permission.bearer}).
 * <p>
 * The HTTP layer only demands a signed-in operator; the role {@code ops} is checked on the resources
 * ({@code @RolesAllowed}), so that someone signed in without it gets a page that says so.
 */
@ApplicationScoped
public class OpsHttpSecurity {

    void configure(@Observes HttpSecurity http, OpsSignIn signIn) {
        if (signIn.oidc()) {
            // the sign-in page explains where sign-in happens and shows what the identity provider said
            http.path("/ops/login", "/ops/login/*").permit();
            // the built-in accounts are off while the identity provider signs operators in
            http.path("/j_security_check").authorization().deny();
            http.path("/ops", "/ops/*").authorizationCodeFlow().authenticated();
        } else {
            http.path("/ops/login", "/ops/login/*", "/j_security_check").form().permit();
            http.path("/ops", "/ops/*").form().authenticated();
        }
    }
}

package dev.oauthgw.ops;

/** Names shared by the sign-in configuration and the pages. */
public final class OpsSignIn {

    /** quarkus.http.auth.form.cookie-name */
    public static final String SESSION_COOKIE = "gw_ops_session";

    private OpsSignIn() {
    }
}

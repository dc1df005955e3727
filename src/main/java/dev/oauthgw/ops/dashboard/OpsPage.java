package dev.oauthgw.ops.dashboard;

/** What every dashboard page's layout needs: the signed-in operator, the CSRF token, the nav tab, a notice. */
public record OpsPage(String user, String csrf, String tab, String notice, boolean noticeBad) {
}

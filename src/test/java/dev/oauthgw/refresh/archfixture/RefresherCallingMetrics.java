package dev.oauthgw.refresh.archfixture;

import dev.oauthgw.metrics.GatewayMetrics;

/** Breaks "the core imports nothing from ops or metrics" on purpose (ArchitectureRulesBiteTest). */
public class RefresherCallingMetrics {
    public void after(GatewayMetrics metrics) {
        metrics.invalidate();
    }
}

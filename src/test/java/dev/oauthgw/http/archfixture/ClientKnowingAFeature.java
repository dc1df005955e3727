package dev.oauthgw.http.archfixture;

import dev.oauthgw.provider.ProviderException;

/** Breaks "the bounded HTTP client knows no feature" on purpose (ArchitectureRulesBiteTest). */
public class ClientKnowingAFeature {
    public RuntimeException classify() {
        return new ProviderException(ProviderException.Kind.TRANSIENT, 0, null, "stalled", null, null);
    }
}

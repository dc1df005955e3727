package dev.oauthgw.provider;

import java.util.HashMap;
import java.util.Map;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** Provider registrations for plain unit tests: real configuration mapping and validation, no Quarkus. */
final class Registrations {

    static final String TOKEN_URL = "https://login.example/oauth/token";
    static final String REVOCATION_URL = "https://login.example/oauth/revoke";
    static final String REDIRECT_URI = "https://gw.example/onboarding/callback";

    private Registrations() {
    }

    /**
     * A registration named {@code name} with a token URL, a revocation URL, a redirect URI, the given
     * client id and secret, and further settings ({@code dialect}, {@code client-auth}, {@code audience},
     * ...) as given. Unset settings keep their defaults (pax8 dialect, audience https://api.pax8.com).
     */
    static RegisteredProvider registration(String name, String clientId, String clientSecret,
            Map<String, String> settings) {
        return registration(name, clientId, clientSecret, settings, true);
    }

    /** As above, with plain-http URLs allowed (a stub upstream on loopback) when {@code requireHttps} is false. */
    static RegisteredProvider registration(String name, String clientId, String clientSecret,
            Map<String, String> settings, boolean requireHttps) {
        String p = "gateway.provider.registrations." + name + ".";
        Map<String, String> m = new HashMap<>();
        m.put("gateway.provider.require-https", Boolean.toString(requireHttps));
        m.put("gateway.provider.default-registration", name);
        m.put(p + "authorize-url", "https://login.example/authorize");
        m.put(p + "token-url", TOKEN_URL);
        m.put(p + "revocation-url", REVOCATION_URL);
        m.put(p + "redirect-uri", REDIRECT_URI);
        m.put(p + "client-id", clientId);
        m.put(p + "client-secret", clientSecret);
        settings.forEach((k, v) -> {
            if (v == null) {
                m.remove(p + k);
            } else {
                m.put(p + k, v);
            }
        });
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(ProviderConfig.class)
                .withSources(new PropertiesConfigSource(m, "test", 100)).build();
        return ProviderRegistry.validate(config.getConfigMapping(ProviderConfig.class)).get(name);
    }
}

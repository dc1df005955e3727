package dev.oauthgw.prod;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Hands the packaged jar a complete prod configuration. */
public class ProdConfigResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return ProdConfig.properties();
    }

    @Override
    public void stop() {
    }
}

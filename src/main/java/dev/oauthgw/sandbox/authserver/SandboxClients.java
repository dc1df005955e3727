package dev.oauthgw.sandbox.authserver;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.oauthgw.sandbox.SandboxConfig;
import io.quarkus.arc.profile.IfBuildProfile;

/** The OAuth clients registered at the sandbox Pax8, from {@code sandbox.clients.*}; fixed at startup. */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxClients {

    private final Map<String, SandboxClient> byId;

    public SandboxClients(SandboxConfig config) {
        Map<String, SandboxClient> byId = new LinkedHashMap<>();
        new TreeMap<>(config.clients()).forEach((name, c) -> {
            SandboxClient client = new SandboxClient(c.clientId(), c.clientSecret(), c.redirectUris(),
                    SandboxClient.AuthMethod.parse(c.tokenEndpointAuthMethod()), new LinkedHashSet<>(c.grantTypes()),
                    c.displayName().orElse(c.clientId()));
            if (byId.put(client.clientId(), client) != null) {
                throw new IllegalStateException("sandbox.clients: client id used twice: " + client.clientId());
            }
        });
        this.byId = Collections.unmodifiableMap(byId);
    }

    public Optional<SandboxClient> find(String clientId) {
        return clientId == null ? Optional.empty() : Optional.ofNullable(byId.get(clientId));
    }
}

package dev.oauthgw.sandbox.authserver;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.oauthgw.sandbox.SandboxConfig;
import io.quarkus.arc.profile.IfBuildProfile;

/**
 * The Pax8 partner accounts of the sandbox: those of {@code sandbox.partners.*}, then those registered at
 * runtime. A partner admin picks one on the consent page; delegated tokens carry its Pax8 id, and the
 * partner API serves its companies. Thread-safe; listed in the order they were added.
 */
@ApplicationScoped
@IfBuildProfile(anyOf = { "dev", "test" })
public class SandboxPartners {

    @Inject
    SandboxConfig config;

    // guarded by this
    private final Map<String, SandboxPartner> partners = new LinkedHashMap<>();

    @PostConstruct
    void init() {
        reset();
    }

    public synchronized List<SandboxPartner> all() {
        return List.copyOf(partners.values());
    }

    public synchronized Optional<SandboxPartner> find(String key) {
        return Optional.ofNullable(key == null ? null : partners.get(key));
    }

    /**
     * Adds (or replaces) a sandbox partner at runtime. {@code pax8PartnerId} may be null: a stable UUID is
     * derived from the key.
     */
    public SandboxPartner register(String key, String name, String pax8PartnerId, int companies) {
        SandboxPartner partner = new SandboxPartner(key, name, pax8PartnerId, companies);
        synchronized (this) {
            partners.put(key, partner);
        }
        return partner;
    }

    /** Adds a partner with a derived Pax8 id and 3 companies. */
    public SandboxPartner register(String key, String name) {
        return register(key, name, null, 3);
    }

    /** Forgets the partners registered at runtime: the configured ones only. */
    public synchronized void reset() {
        partners.clear();
        new TreeMap<>(config.partners()).forEach((key, p) -> partners.put(key,
                new SandboxPartner(key, p.name(), p.pax8PartnerId(), p.companies())));
    }
}

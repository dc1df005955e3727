package dev.oauthgw.provider;

import jakarta.enterprise.context.ApplicationScoped;

/** The binding policy of each registration ({@code gateway.provider.registrations.<name>.binding}). */
@ApplicationScoped
public class BindingPolicies {

    private final ProviderRegistry providers;

    public BindingPolicies(ProviderRegistry providers) {
        this.providers = providers;
    }

    public BindingPolicy of(String registration) {
        return providers.get(registration).registration().binding();
    }

    /** The policy of the registration that onboarding links use. */
    public BindingPolicy ofDefault() {
        return of(providers.defaultProvider().name());
    }
}

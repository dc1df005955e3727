package dev.oauthgw.grant;

import java.util.UUID;

/**
 * Fired (CDI, synchronously, inside the transaction) by {@link GrantLifecycle} after every change it
 * applies. Observers that must only see committed changes observe it with
 * {@code @Observes(during = TransactionPhase.AFTER_SUCCESS)}; observers that must commit with the change
 * (a cluster-wide notification) observe it in the transaction.
 *
 * @param from {@code null} for a new grant
 */
public record GrantChanged(UUID grantId, String partnerId, String registration, GrantChange change, GrantState from,
        GrantState to) {
}

package dev.oauthgw.grant;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.oauthgw.audit.AuditService;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.events.EventPublisher;
import dev.oauthgw.provider.TokenResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;

/**
 * The one owner of a grant's state. Every change goes through {@link #apply}, which, in the caller's
 * transaction, checks the change against {@link GrantChange}'s table, sets the state and its "since",
 * writes exactly one audit record, puts the webhook event the change announces in the outbox and fires
 * {@link GrantChanged} (where cluster-wide notifications hook in). The other methods say what each kind
 * of change does to the grant's other fields and then apply it.
 * <p>
 * Callers hold the grant's row lock (see {@link GrantLocking}) so that no two changes of one grant
 * interleave.
 */
@ApplicationScoped
public class GrantLifecycle {

    public static final String SYSTEM = "system";

    private final Clock clock;
    private final TokenCipher cipher;
    private final AuditService audit;
    private final EventPublisher events;
    private final Event<GrantChanged> changed;

    public GrantLifecycle(Clock clock, TokenCipher cipher, AuditService audit, EventPublisher events,
            Event<GrantChanged> changed) {
        this.clock = clock;
        this.cipher = cipher;
        this.audit = audit;
        this.events = events;
        this.changed = changed;
    }

    /**
     * Applies one change to a grant: state and since, one audit record ({@code from}, {@code to},
     * {@code reason} and the given facts), the webhook event, the {@link GrantChanged} notification.
     *
     * @param actor who made the change ({@link #SYSTEM} for the gateway itself)
     * @param facts non-secret details for the audit record
     * @return the state the grant is in now
     * @throws GrantTransitionRefused when the table does not allow the change from the grant's state
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public GrantState apply(Grant g, GrantChange change, String actor, String reason, Map<String, ?> facts) {
        GrantState from = g.state; // null: a grant being created
        GrantState to = change.target(from);
        Instant now = clock.instant();
        if (to != from || change.startsAnew()) {
            g.state = to;
            g.stateSince = now;
        }
        g.updatedAt = now;
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("from", from == null ? null : from.name());
        detail.put("to", to.name());
        if (reason != null) {
            detail.put("reason", reason);
        }
        if (facts != null) {
            facts.forEach(detail::putIfAbsent);
        }
        audit.record(actor, change.audit(), g.partnerId, g.id, detail);
        GrantChange.webhook(from, to).ifPresent(type -> {
            Map<String, Object> event = new LinkedHashMap<>();
            event.put("from", from == null ? null : from.name());
            event.put("to", to.name());
            if (reason != null) {
                event.put("reason", reason);
            }
            events.publish(type, g.partnerId, g.id, event);
        });
        changed.fire(new GrantChanged(g.id, g.partnerId, g.registration, change, from, to));
        return to;
    }

    /**
     * The partner consented (onboarding or re-authorization): the new tokens, sealed, replace whatever the
     * grant held; refresh bookkeeping starts over. {@code g} is new (not yet persisted) or the partner's
     * current grant, locked. With {@code awaitConfirmation} the grant is PENDING until an operator confirms
     * its provider account ({@link #confirmed}); its tokens are kept sealed, never served and not refreshed
     * (the refresh is due at once after the confirmation; ADR 0010).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void consented(Grant g, boolean replacing, TokenResponse t, String registration, String providerSubject,
            String accountId, String accountName, boolean awaitConfirmation, String actor, Map<String, ?> facts) {
        Instant now = clock.instant();
        g.registration = registration;
        g.scope = t.scope();
        g.providerSubject = providerSubject;
        g.providerAccountId = accountId;
        g.providerAccountName = accountName;
        sealTokens(g, t, true);
        g.accessExpiresAt = t.expiresAt();
        g.accessLifetimeSeconds = lifetimeSeconds(now, t.expiresAt());
        g.refreshExpiresAt = t.refreshExpiresAt().orElse(null);
        g.refreshDueAt = g.refreshToken == null ? null : RefreshSchedule.dueAt(g.id, now, t.expiresAt());
        g.refreshStartedAt = null;
        g.refreshFailures = 0;
        g.lastRefreshOutcome = null; // a new grant: earlier refresh outcomes belong to the old one
        g.lastError = null;
        Map<String, Object> all = new LinkedHashMap<>();
        if (accountId != null) {
            all.put("provider_account_id", accountId);
        }
        if (accountName != null) {
            all.put("provider_account_name", accountName);
        }
        if (facts != null) {
            all.putAll(facts);
        }
        if (awaitConfirmation) {
            apply(g, GrantChange.AWAITING_CONFIRMATION, actor,
                    "consented by the partner; the provider account waits for an operator's confirmation", all);
        } else {
            apply(g, replacing ? GrantChange.RECONNECTED : GrantChange.CONNECTED, actor,
                    replacing ? "re-authorized by the partner" : "connected by the partner", all);
        }
    }

    /** An operator confirmed the PENDING grant's provider account: ACTIVE, its tokens served from now on. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void confirmed(Grant g, String actor, Map<String, ?> facts) {
        apply(g, GrantChange.CONFIRMED, actor, "provider account confirmed by an operator", facts);
    }

    /** An operator rejected the PENDING grant's provider account: both tokens and the account dropped, REVOKED. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void rejected(Grant g, String actor, Map<String, ?> facts) {
        dropTokens(g);
        // the account was not the partner's: it must stay free to bind to the partner it belongs to
        g.providerAccountId = null;
        g.providerAccountName = null;
        apply(g, GrantChange.REJECTED, actor, "provider account rejected by an operator", facts);
    }

    /** A refresh stored the provider's answer: new tokens (the old refresh token kept when none came), ACTIVE. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void refreshed(Grant g, TokenResponse t, String trigger) {
        Instant now = clock.instant();
        sealTokens(g, t, false);
        g.accessExpiresAt = t.expiresAt();
        g.accessLifetimeSeconds = lifetimeSeconds(now, t.expiresAt());
        t.refreshExpiresAt().ifPresent(r -> g.refreshExpiresAt = r);
        g.scope = t.scope();
        g.refreshDueAt = RefreshSchedule.dueAt(g.id, now, t.expiresAt());
        g.refreshFailures = 0;
        g.lastRefreshAt = now;
        g.lastRefreshOutcome = RefreshOutcome.OK;
        g.lastError = null;
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("trigger", trigger);
        facts.put("access_expires_at", t.expiresAt().toString());
        facts.put("refresh_token_rotated", t.refreshToken().isPresent());
        apply(g, GrantChange.REFRESHED, SYSTEM, "refresh succeeded (" + trigger.toLowerCase() + ")", facts);
    }

    /**
     * A refresh attempt failed: {@code INVALID_GRANT} needs the partner's consent again (no more attempts),
     * {@code CLIENT_REJECTED} leaves the grant as it is (the vendor's credentials are at fault), anything
     * else counts as one more failure in a row and the grant is REFRESH_FAILING until a refresh succeeds.
     *
     * @param nextAttemptAt when to try again ({@code null}: never, for {@code INVALID_GRANT})
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public GrantState refreshFailed(Grant g, RefreshOutcome outcome, String error, Instant nextAttemptAt,
            String trigger) {
        return refreshFailed(g, outcome, error, nextAttemptAt, trigger, null);
    }

    /**
     * As {@link #refreshFailed(Grant, RefreshOutcome, String, Instant, String)}, for an answer that carried a new
     * refresh token although the rest of it was unusable: the grant keeps that token (with rotation the old one is
     * dead), so the next attempt presents it.
     *
     * @param keptRefreshToken the provider's new refresh token, sealed for this grant; null when none came
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public GrantState refreshFailed(Grant g, RefreshOutcome outcome, String error, Instant nextAttemptAt,
            String trigger, Sealed keptRefreshToken) {
        if (keptRefreshToken != null) {
            g.refreshToken = keptRefreshToken.ciphertext();
            g.refreshTokenKeyId = keptRefreshToken.keyId();
        }
        if (outcome == RefreshOutcome.OK || outcome == RefreshOutcome.ANSWER_LOST) {
            throw new IllegalArgumentException(outcome + " is not a failed attempt");
        }
        GrantChange change = switch (outcome) {
            case INVALID_GRANT -> GrantChange.REAUTH_REQUIRED;
            case CLIENT_REJECTED -> GrantChange.CLIENT_REJECTED;
            default -> GrantChange.REFRESH_FAILED;
        };
        g.lastRefreshAt = clock.instant();
        g.lastRefreshOutcome = outcome;
        g.lastError = error;
        g.refreshDueAt = change == GrantChange.REAUTH_REQUIRED ? null : nextAttemptAt;
        if (change == GrantChange.REFRESH_FAILED) {
            g.refreshFailures++;
        }
        String reason = change == GrantChange.REAUTH_REQUIRED ? "provider answered invalid_grant"
                : outcome.name().toLowerCase() + (error == null ? "" : ": " + error);
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("kind", outcome.name());
        if (error != null) {
            facts.put("error", error);
        }
        facts.put("trigger", trigger);
        facts.put("failures_in_a_row", g.refreshFailures);
        if (keptRefreshToken != null) {
            facts.put("new_refresh_token_kept", true);
        }
        if (g.refreshDueAt != null) {
            facts.put("next_attempt_at", g.refreshDueAt.toString());
        }
        return apply(g, change, SYSTEM, reason, facts);
    }

    /**
     * A refresh ended without storing the provider's answer: recorded as an incident; an ACTIVE grant
     * becomes REFRESH_FAILING (its current access token still serves; the next refresh tells whether the
     * stored refresh token still works) and is due at once: one retry, which a provider's reuse grace period may
     * still accept; if the provider refuses it, the grant needs re-authorization like any dead grant.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void answerLost(Grant g, String message, Map<String, ?> facts) {
        g.lastRefreshOutcome = RefreshOutcome.ANSWER_LOST;
        g.lastError = message;
        if (g.state.refreshable() && g.refreshToken != null) {
            g.refreshDueAt = clock.instant(); // one retry at once: a provider's reuse grace period may still save it
        }
        apply(g, GrantChange.ANSWER_LOST, SYSTEM, "refresh answer lost", facts);
    }

    /**
     * A refresh ended before its answer was stored, but the provider's new refresh token had been kept: the grant
     * adopts it and is due for a refresh at once (its access token is still the old one).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void answerRecovered(Grant g, Sealed keptRefreshToken, String message, Map<String, ?> facts) {
        g.refreshToken = keptRefreshToken.ciphertext();
        g.refreshTokenKeyId = keptRefreshToken.keyId();
        g.refreshDueAt = clock.instant();
        g.lastError = message;
        apply(g, GrantChange.ANSWER_RECOVERED, SYSTEM, "refresh answer recovered: the new refresh token was kept",
                facts);
    }

    /**
     * The refresh token of a grant parked by a key incident ({@link RefreshOutcome#KEY_UNAVAILABLE}) opens again with
     * the keyring: due for a refresh at once.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void keyRestored(Grant g) {
        g.refreshDueAt = clock.instant();
        g.lastError = "its key is back in the keyring; refreshing again";
        apply(g, GrantChange.KEY_RESTORED, SYSTEM, "the refresh token decrypts again", Map.of());
    }

    /** An operator disconnected the partner: both tokens deleted, no more refreshes, REVOKED. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void disconnected(Grant g, String actor, Map<String, ?> facts) {
        dropTokens(g);
        apply(g, GrantChange.DISCONNECTED, actor, "disconnected by an operator", facts);
    }

    private static void dropTokens(Grant g) {
        g.accessToken = null;
        g.accessTokenKeyId = null;
        g.accessLifetimeSeconds = null;
        g.refreshToken = null;
        g.refreshTokenKeyId = null;
        g.refreshDueAt = null;
        g.refreshStartedAt = null;
    }

    /** The token's lifetime as the provider gave it, to the nearest second (the answer took a moment to arrive). */
    static long lifetimeSeconds(Instant obtained, Instant expiresAt) {
        return Math.max(0, Math.round(java.time.Duration.between(obtained, expiresAt).toMillis() / 1000.0));
    }

    /**
     * Seals the answer's tokens into the grant. Without a new refresh token, a consent clears the old one
     * (it belonged to the previous grant) and a refresh keeps it (the provider does not rotate).
     */
    private void sealTokens(Grant g, TokenResponse t, boolean consent) {
        Sealed access = cipher.seal(t.accessToken(), GrantService.accessAd(g.id));
        g.accessToken = access.ciphertext();
        g.accessTokenKeyId = access.keyId();
        if (t.refreshToken().isPresent()) {
            Sealed refresh = cipher.seal(t.refreshToken().get(), GrantService.refreshAd(g.id));
            g.refreshToken = refresh.ciphertext();
            g.refreshTokenKeyId = refresh.keyId();
        } else if (consent) {
            g.refreshToken = null;
            g.refreshTokenKeyId = null;
        }
    }
}

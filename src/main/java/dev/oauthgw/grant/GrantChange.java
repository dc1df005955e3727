package dev.oauthgw.grant;

import static dev.oauthgw.grant.GrantState.ACTIVE;
import static dev.oauthgw.grant.GrantState.PENDING;
import static dev.oauthgw.grant.GrantState.REFRESH_FAILING;
import static dev.oauthgw.grant.GrantState.REVOKED;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.events.GrantEventType;

/**
 * Everything that can happen to a grant, as one table: the states it may happen in, the state it leads
 * to, and the audit record it writes. The webhook event follows from the states ({@link #webhook}).
 * {@link GrantLifecycle#apply} is the one place that applies a row of this table.
 */
public enum GrantChange {
    /** The partner consented for the first time. */
    CONNECTED(AuditAction.GRANT_CREATED, true, EnumSet.of(PENDING), from -> ACTIVE),
    /**
     * The partner consented, but the registration's binding policy wants an operator to confirm the provider
     * account first (ADR 0010): the tokens are stored sealed and never served. From any state (a new consent
     * replaces the tokens). No webhook: a PENDING grant is not announced.
     */
    AWAITING_CONFIRMATION(AuditAction.GRANT_AWAITING_CONFIRMATION, true, EnumSet.allOf(GrantState.class),
            from -> PENDING),
    /** An operator confirmed the PENDING grant's account: the partner is bound to it. No webhook (like onboarding). */
    CONFIRMED(AuditAction.GRANT_CONFIRMED, false, EnumSet.of(PENDING), from -> ACTIVE),
    /** An operator rejected the PENDING grant's account: tokens revoked where possible and deleted. Webhook REVOKED. */
    REJECTED(AuditAction.GRANT_REJECTED, false, EnumSet.of(PENDING), from -> REVOKED),
    /** The partner consented again (onboarding or re-authorization link): new tokens replace the old. */
    RECONNECTED(AuditAction.GRANT_REPLACED, false, EnumSet.allOf(GrantState.class), from -> ACTIVE),
    /** A refresh stored new tokens; from {@code REFRESH_FAILING} this is a recovery. */
    REFRESHED(AuditAction.GRANT_REFRESHED, false, EnumSet.of(ACTIVE, REFRESH_FAILING), from -> ACTIVE),
    /** A refresh failed in a way worth retrying (transient, malformed answer, other OAuth error). */
    REFRESH_FAILED(AuditAction.REFRESH_FAILED, false, EnumSet.of(ACTIVE, REFRESH_FAILING), from -> REFRESH_FAILING),
    /** A refresh was refused because of the vendor's client credentials: a global incident, the grant stays. */
    CLIENT_REJECTED(AuditAction.REFRESH_FAILED, false, EnumSet.of(ACTIVE, REFRESH_FAILING), from -> from),
    /** The provider refused the grant for good (invalid_grant): the partner must consent again. */
    REAUTH_REQUIRED(AuditAction.REFRESH_FAILED, false, EnumSet.of(ACTIVE, REFRESH_FAILING), from -> GrantState.REAUTH_REQUIRED),
    /** A refresh ended without storing the provider's answer: the refresh token may have rotated. */
    ANSWER_LOST(AuditAction.REFRESH_ANSWER_LOST, false, EnumSet.allOf(GrantState.class),
            from -> from == ACTIVE ? REFRESH_FAILING : from),
    /**
     * A refresh ended without storing the provider's whole answer, but the new refresh token it carried was
     * kept: the grant adopts it (its state stays) and refreshes with it at once.
     */
    ANSWER_RECOVERED(AuditAction.REFRESH_ANSWER_RECOVERED, false, EnumSet.of(ACTIVE, REFRESH_FAILING), from -> from),
    /**
     * The refresh token of a grant parked by a key incident (outcome KEY_UNAVAILABLE) decrypts again: its key is back
     * in the keyring. The state stays; the grant is due at once.
     */
    KEY_RESTORED(AuditAction.REFRESH_KEY_RESTORED, false, EnumSet.of(REFRESH_FAILING), from -> from),
    /** An operator disconnected the partner: tokens revoked where possible and deleted. */
    DISCONNECTED(AuditAction.GRANT_DISCONNECTED, false, EnumSet.allOf(GrantState.class), from -> REVOKED);

    private final AuditAction audit;
    private final boolean fromNothing;
    private final Set<GrantState> from;
    private final UnaryOperator<GrantState> target;

    GrantChange(AuditAction audit, boolean fromNothing, Set<GrantState> from, UnaryOperator<GrantState> target) {
        this.audit = audit;
        this.fromNothing = fromNothing;
        this.from = from;
        this.target = target;
    }

    /** The audit record this change writes (exactly one). */
    public AuditAction audit() {
        return audit;
    }

    /** Whether this change may happen to a grant in state {@code from} ({@code null}: no grant yet). */
    public boolean allowedFrom(GrantState from) {
        return from == null ? fromNothing : this.from.contains(from);
    }

    /** The state a grant in {@code from} is in after this change. */
    public GrantState target(GrantState from) {
        if (!allowedFrom(from)) {
            throw new GrantTransitionRefused(this, from);
        }
        return target.apply(from);
    }

    /** Whether the change starts the grant anew (new tokens from a consent): its state's "since" restarts. */
    boolean startsAnew() {
        return this == CONNECTED || this == RECONNECTED || this == AWAITING_CONFIRMATION;
    }

    /**
     * The webhook event a state change announces, if any: anything {@code -> REFRESH_FAILING},
     * {@code -> REAUTH_REQUIRED} or {@code -> REVOKED} is that event; {@code REFRESH_FAILING | REAUTH_REQUIRED
     * -> ACTIVE} is {@code RECOVERED}. Onboarding ({@code -> ACTIVE} from nothing, {@code PENDING} or
     * {@code REVOKED}) and changes that keep the state are not events. See docs/operations/webhooks.md.
     */
    public static Optional<GrantEventType> webhook(GrantState from, GrantState to) {
        if (to == null || from == to) {
            return Optional.empty();
        }
        return switch (to) {
            case REFRESH_FAILING -> Optional.of(GrantEventType.REFRESH_FAILING);
            case REAUTH_REQUIRED -> Optional.of(GrantEventType.REAUTH_REQUIRED);
            case REVOKED -> Optional.of(GrantEventType.REVOKED);
            case ACTIVE -> from == REFRESH_FAILING || from == GrantState.REAUTH_REQUIRED
                    ? Optional.of(GrantEventType.RECOVERED) : Optional.empty();
            case PENDING -> Optional.empty();
        };
    }
}

package dev.oauthgw.provider;

import java.util.Optional;

/**
 * How a registration binds a partner to its provider account (Pax8 partner) on a consent (ADR 0010). Whatever
 * the policy, a partner already bound to an account accepts only that account, and an account bound to
 * another partner is refused (checked by onboarding against the database).
 */
public enum BindingPolicy {
    /** The operator names the account when creating the partner; a partner without one cannot connect. */
    OPERATOR_SET,
    /** The first consent waits (grant PENDING, tokens never served) until an operator confirms its account. */
    CONFIRM_FIRST,
    /** The first consent binds the partner to its account (the behaviour before ADR 0010). */
    FIRST_CONSENT;

    /** What a consent leads to. */
    public enum Decision {
        /** The account is the partner's: the grant is ACTIVE (and the partner bound, if it was not). */
        ACCEPT,
        /** Keep the tokens sealed, the grant PENDING, until an operator confirms the account. */
        AWAIT_CONFIRMATION,
        /** Another account than the partner's, or none bound where the operator must set it: store nothing. */
        REFUSE
    }

    /**
     * @param bound the account the partner is bound to, if any
     * @param consented the account the identity step found, if the registration can tell
     */
    public Decision decide(Optional<String> bound, Optional<String> consented) {
        if (bound.isPresent()) {
            // an identity method that names no account cannot contradict the binding (as before ADR 0010)
            return consented.isEmpty() || consented.equals(bound) ? Decision.ACCEPT : Decision.REFUSE;
        }
        return switch (this) {
            case OPERATOR_SET -> Decision.REFUSE;
            case CONFIRM_FIRST -> Decision.AWAIT_CONFIRMATION;
            case FIRST_CONSENT -> Decision.ACCEPT;
        };
    }
}

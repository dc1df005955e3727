package dev.oauthgw.provider;

import static dev.oauthgw.provider.BindingPolicy.Decision.ACCEPT;
import static dev.oauthgw.provider.BindingPolicy.Decision.AWAIT_CONFIRMATION;
import static dev.oauthgw.provider.BindingPolicy.Decision.REFUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** What each binding policy decides for a consent (ADR 0010): pure, no Quarkus. */
class BindingPolicyTest {

    static final Optional<String> NONE = Optional.empty();
    static final Optional<String> A = Optional.of("pax8-a");
    static final Optional<String> B = Optional.of("pax8-b");

    @ParameterizedTest
    @EnumSource(BindingPolicy.class)
    void a_bound_partner_accepts_its_own_account_and_refuses_any_other_whatever_the_policy(BindingPolicy p) {
        assertEquals(ACCEPT, p.decide(A, A));
        assertEquals(REFUSE, p.decide(A, B));
        assertEquals(ACCEPT, p.decide(A, NONE), "an identity method that names no account cannot contradict");
    }

    @Test
    void an_unbound_partner_is_refused_waits_or_binds_as_the_policy_says() {
        assertEquals(REFUSE, BindingPolicy.OPERATOR_SET.decide(NONE, A));
        assertEquals(AWAIT_CONFIRMATION, BindingPolicy.CONFIRM_FIRST.decide(NONE, A));
        assertEquals(ACCEPT, BindingPolicy.FIRST_CONSENT.decide(NONE, A));
        assertEquals(AWAIT_CONFIRMATION, BindingPolicy.CONFIRM_FIRST.decide(NONE, NONE));
    }
}

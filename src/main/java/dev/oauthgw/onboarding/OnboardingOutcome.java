package dev.oauthgw.onboarding;

/** Every way an onboarding attempt can end, each with its page status and plain-words text. */
public enum OnboardingOutcome {
    SUCCESS(200, "Connected",
            "Your Pax8 account is now connected.",
            "You can close this window. Nothing else is needed from you."),
    DENIED(403, "Connection declined",
            "You chose not to allow access at Pax8, so nothing was connected.",
            "If that was a mistake, open your onboarding link again and choose Allow."),
    LINK_INVALID(404, "Link not recognised",
            "This onboarding link is not valid. It may have been copied incompletely.",
            "Copy the whole link from the message you received, or ask your contact for a new link."),
    LINK_EXPIRED(410, "Link expired",
            "This onboarding link has expired.",
            "Ask your contact for a new onboarding link."),
    LINK_REVOKED(410, "Link withdrawn",
            "This onboarding link has been withdrawn and can no longer be used.",
            "Ask your contact for a new onboarding link."),
    LINK_USED(410, "Link already used",
            "This onboarding link has already been used to connect an account.",
            "If you need to connect again, ask your contact for a new onboarding link."),
    STATE_MISMATCH(400, "Request not recognised",
            "We could not match this sign-in to a Connect request from this browser, so nothing was connected.",
            "Open your onboarding link again in this browser and click Connect."),
    REPLAY(400, "Request already handled",
            "This sign-in response was already used once, so it was not accepted again.",
            "If your account is not connected yet, open your onboarding link again and click Connect."),
    AUTHORIZATION_EXPIRED(400, "Took too long",
            "Too much time passed between clicking Connect and coming back from Pax8.",
            "Open your onboarding link again and click Connect."),
    PROVIDER_FAILURE(502, "Pax8 did not complete the connection",
            "Pax8 did not give us access this time, so nothing was connected.",
            "Please try again in a few minutes from your onboarding link. If it keeps failing, contact us."),
    WRONG_ACCOUNT(409, "Different Pax8 account",
            "You signed in to a different Pax8 account than the one this link was made for, so nothing was connected.",
            "Open your onboarding link again and sign in with the right Pax8 partner account."),
    AWAITING_CONFIRMATION(202, "Waiting for confirmation",
            "Your Pax8 account is connected and waits for our team to confirm that it is the right one.",
            "You can close this window. We will confirm the connection shortly; nothing else is needed from you."),
    IDENTITY_UNUSABLE(422, "Pax8 account not usable",
            "Pax8 identified your account in a way we cannot store, so nothing was connected and the access Pax8 "
                    + "had just granted was withdrawn.",
            "Please contact us; trying again will not help until we have looked into it.");

    private final int status;
    private final String title;
    private final String message;
    private final String nextStep;

    OnboardingOutcome(int status, String title, String message, String nextStep) {
        this.status = status;
        this.title = title;
        this.message = message;
        this.nextStep = nextStep;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String message() {
        return message;
    }

    public String nextStep() {
        return nextStep;
    }

    public boolean success() {
        return this == SUCCESS || this == AWAITING_CONFIRMATION;
    }

    static OnboardingOutcome of(OnboardingLinkService.LinkProblem p) {
        return switch (p) {
            case INVALID -> LINK_INVALID;
            case EXPIRED -> LINK_EXPIRED;
            case USED -> LINK_USED;
            case REVOKED -> LINK_REVOKED;
        };
    }
}

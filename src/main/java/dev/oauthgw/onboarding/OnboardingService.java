package dev.oauthgw.onboarding;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.jboss.logging.Logger;

import dev.oauthgw.audit.AuditAction;
import dev.oauthgw.audit.AuditService;
import dev.oauthgw.crypto.AssociatedData;
import dev.oauthgw.crypto.EncryptedColumn;
import dev.oauthgw.crypto.Sealed;
import dev.oauthgw.crypto.TokenCipher;
import dev.oauthgw.grant.Grant;
import dev.oauthgw.grant.GrantService;
import dev.oauthgw.onboarding.OnboardingLinkService.ActiveLink;
import dev.oauthgw.onboarding.OnboardingLinkService.LinkRejected;
import dev.oauthgw.partner.Partner;
import dev.oauthgw.provider.BindingPolicies;
import dev.oauthgw.provider.BindingPolicy;
import dev.oauthgw.provider.BindingPolicy.Decision;
import dev.oauthgw.provider.IdentityResolver;
import dev.oauthgw.provider.IdentityResolver.Identity;
import dev.oauthgw.provider.ProviderException;
import dev.oauthgw.provider.ProviderRegistry;
import dev.oauthgw.provider.RegisteredProvider;
import dev.oauthgw.provider.TokenClient;
import dev.oauthgw.provider.TokenResponse;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;

import org.hibernate.exception.ConstraintViolationException;
import jakarta.transaction.Transactional;

/**
 * The authorization round trip: Connect (state + PKCE + browser binding) and the callback (checks,
 * code exchange, identity check, storing the grant). The state and the browser cookie are stored only
 * as SHA-256 hashes and are single-use; the PKCE verifier is stored encrypted.
 */
@ApplicationScoped
public class OnboardingService {

    private static final Logger LOG = Logger.getLogger(OnboardingService.class);
    static final String ACTOR = "partner-admin";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final OnboardingConfig config;
    private final OnboardingLinkService links;
    private final ProviderRegistry providers;
    private final TokenClient tokens;
    private final IdentityResolver identities;
    private final GrantService grants;
    private final BindingPolicies bindings;
    private final TokenCipher cipher;
    private final AuditService audit;
    private final Clock clock;

    public OnboardingService(OnboardingConfig config, OnboardingLinkService links, ProviderRegistry providers,
            TokenClient tokens, IdentityResolver identities, GrantService grants, BindingPolicies bindings,
            TokenCipher cipher, AuditService audit, Clock clock) {
        this.bindings = bindings;
        this.config = config;
        this.links = links;
        this.providers = providers;
        this.tokens = tokens;
        this.identities = identities;
        this.grants = grants;
        this.cipher = cipher;
        this.audit = audit;
        this.clock = clock;
    }

    /** Where to send the browser, and the browser-binding cookie value to set. */
    public record Connect(URI authorizeUri, String browserCookie) {
        @Override
        public String toString() {
            return "Connect[" + authorizeUri.getHost() + "]";
        }
    }

    /** How a callback ended, with the names to show on the result page. */
    public record Result(OnboardingOutcome outcome, String partnerName) {
    }

    /** Starts an authorization for a good link; reuses the browser's binding cookie when it has one. */
    @Transactional
    public Connect connect(String linkToken, String existingCookie) {
        ActiveLink link = links.resolve(linkToken);
        RegisteredProvider provider = providers.defaultProvider();
        String browser = wellFormed(existingCookie) ? existingCookie : random();
        String state = random();
        String verifier = random() + random(); // 86 characters, within RFC 7636's 43..128
        Instant now = clock.instant();
        PendingAuthorization p = new PendingAuthorization();
        p.id = UUID.randomUUID();
        p.stateHash = sha256(state);
        p.browserHash = sha256(browser);
        p.linkId = link.linkId();
        p.partnerId = link.partnerId();
        p.registration = provider.name();
        Sealed sealed = cipher.seal(verifier, verifierAd(p.id));
        p.codeVerifier = sealed.ciphertext();
        p.codeVerifierKeyId = sealed.keyId();
        p.redirectUri = provider.registration().redirectUri().toString();
        p.createdAt = now;
        p.expiresAt = now.plus(config.authorizationTimeout());
        p.persist();
        String challenge = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(digest(verifier.getBytes(StandardCharsets.US_ASCII)));
        return new Connect(providers.authorizeUri(provider, state, challenge), browser);
    }

    /** The state's pending authorization, claimed for this callback (single use). */
    private record Claimed(UUID linkId, String partnerId, String partnerName, String registration,
            String verifier) {
        @Override
        public String toString() {
            return "Claimed[" + partnerId + "]";
        }
    }

    private static final class Refused extends RuntimeException {
        final OnboardingOutcome outcome;
        final String partnerName;
        final String reason;

        Refused(OnboardingOutcome outcome, String partnerName, String reason) {
            super(outcome.name(), null, false, false);
            this.outcome = outcome;
            this.partnerName = partnerName;
            this.reason = reason;
        }
    }

    public Result callback(String state, String code, String error, String errorDescription, String browserCookie) {
        Claim claim = QuarkusTransaction.requiringNew().call(() -> claim(state, browserCookie));
        if (claim.refusal() != null) {
            return new Result(claim.refusal(), claim.partnerName());
        }
        Claimed claimed = claim.claimed();
        if (error != null) {
            OnboardingOutcome outcome = "access_denied".equals(error) ? OnboardingOutcome.DENIED
                    : OnboardingOutcome.PROVIDER_FAILURE;
            failed(claimed, outcome, "provider answered error=" + TokenClient.sanitize(error)
                    + (errorDescription == null ? "" : " (" + TokenClient.sanitize(errorDescription) + ")"));
            return new Result(outcome, claimed.partnerName());
        }
        if (code == null || code.isBlank()) {
            failed(claimed, OnboardingOutcome.PROVIDER_FAILURE, "provider sent neither code nor error");
            return new Result(OnboardingOutcome.PROVIDER_FAILURE, claimed.partnerName());
        }
        try {
            links.byId(claimed.linkId());
        } catch (LinkRejected e) {
            OnboardingOutcome outcome = OnboardingOutcome.of(e.problem());
            failed(claimed, outcome, "link " + e.problem().name().toLowerCase() + " by the time of the callback");
            return new Result(outcome, claimed.partnerName());
        }
        RegisteredProvider provider = providers.get(claimed.registration());
        TokenResponse answer;
        try {
            answer = tokens.exchangeCode(provider, code, claimed.verifier());
        } catch (ProviderException e) {
            LOG.warnf("Onboarding of partner %s failed at the provider: %s", claimed.partnerId(), e.getMessage());
            failed(claimed, OnboardingOutcome.PROVIDER_FAILURE, e.getMessage());
            return new Result(OnboardingOutcome.PROVIDER_FAILURE, claimed.partnerName());
        }
        // From here on the provider has issued tokens: every way out that does not store them revokes them.
        Identity identity;
        try {
            identity = identities.identify(provider, answer);
        } catch (ProviderException e) {
            LOG.warnf("Onboarding of partner %s: the new token's identity could not be read: %s", claimed.partnerId(),
                    e.getMessage());
            discard(provider, answer, claimed);
            failed(claimed, OnboardingOutcome.PROVIDER_FAILURE, e.getMessage());
            return new Result(OnboardingOutcome.PROVIDER_FAILURE, claimed.partnerName());
        }
        Optional<String> unusable = unusable(identity);
        if (unusable.isPresent()) {
            LOG.warnf("Onboarding of partner %s refused: %s", claimed.partnerId(), unusable.get());
            discard(provider, answer, claimed);
            failed(claimed, OnboardingOutcome.IDENTITY_UNUSABLE, unusable.get());
            return new Result(OnboardingOutcome.IDENTITY_UNUSABLE, claimed.partnerName());
        }
        boolean pending;
        try {
            pending = QuarkusTransaction.requiringNew().call(() -> complete(claimed, provider, answer, identity));
        } catch (Refused r) {
            discard(provider, answer, claimed);
            failed(claimed, r.outcome, r.reason);
            return new Result(r.outcome, claimed.partnerName());
        } catch (RuntimeException e) {
            discard(provider, answer, claimed);
            throw e;
        }
        return new Result(pending ? OnboardingOutcome.AWAITING_CONFIRMATION : OnboardingOutcome.SUCCESS,
                claimed.partnerName());
    }

    /** The longest provider account id and subject the schema holds (partner.provider_account_id, partner_grant.provider_subject). */
    static final int MAX_IDENTITY_LENGTH = 255;

    /**
     * Why an identity cannot be stored, if it cannot: longer than its column, or with control characters.
     * Checked before anything is written, so that an odd answer is a clear refusal instead of a failed commit.
     */
    static Optional<String> unusable(Identity identity) {
        Optional<String> account = identity.accountId().flatMap(a -> problem("provider account id", a));
        return account.isPresent() ? account : identity.subject().flatMap(s -> problem("subject", s));
    }

    private static Optional<String> problem(String what, String value) {
        if (value.length() > MAX_IDENTITY_LENGTH) {
            return Optional.of("the token's " + what + " is " + value.length() + " characters long (at most "
                    + MAX_IDENTITY_LENGTH + ")");
        }
        if (value.chars().anyMatch(Character::isISOControl)) {
            return Optional.of("the token's " + what + " contains control characters");
        }
        return Optional.empty();
    }

    /**
     * Revokes tokens the gateway obtained and will not keep, where the registration has a revocation endpoint
     * (refresh token first: at RFC 7009 servers that ends the whole grant). Never throws: the partner admin's
     * result page does not depend on it; a failure is logged without the token.
     */
    private void discard(RegisteredProvider provider, TokenResponse answer, Claimed c) {
        boolean revoked = false;
        try {
            if (answer.refreshToken().isPresent()) {
                revoked = tokens.revoke(provider, answer.refreshToken().get(), "refresh_token");
            }
            revoked = tokens.revoke(provider, answer.accessToken(), "access_token") || revoked;
        } catch (RuntimeException e) {
            LOG.warnf("Onboarding of partner %s: revoking the unused tokens at '%s' failed (%s); they expire on their own",
                    c.partnerId(), provider.name(), e instanceof ProviderException ? e.getMessage()
                            : e.getClass().getSimpleName());
            return;
        }
        if (!revoked) {
            LOG.infof("Onboarding of partner %s: '%s' has no revocation endpoint; the unused tokens expire on their own",
                    c.partnerId(), provider.name());
        }
    }

    /** Looks up and claims the state's pending authorization; commits whatever it decides. */
    private Claim claim(String state, String browserCookie) {
        if (state == null || state.isBlank() || state.length() > 200) {
            return Claim.refused(OnboardingOutcome.STATE_MISMATCH, null);
        }
        PendingAuthorization p = PendingAuthorization.<PendingAuthorization> find("stateHash", sha256(state))
                .withLock(LockModeType.PESSIMISTIC_WRITE).firstResult();
        if (p == null) {
            return Claim.refused(OnboardingOutcome.STATE_MISMATCH, null);
        }
        Partner partner = Partner.findById(p.partnerId);
        String name = partner == null ? null : partner.displayName;
        if (p.consumedAt != null) {
            return Claim.refused(OnboardingOutcome.REPLAY, name);
        }
        if (!wellFormed(browserCookie) || !MessageDigest.isEqual(p.browserHash, sha256(browserCookie))) {
            // not consumed: the browser that started the flow may still finish it
            return Claim.refused(OnboardingOutcome.STATE_MISMATCH, name);
        }
        p.consumedAt = clock.instant();
        if (!p.consumedAt.isBefore(p.expiresAt)) {
            audit.record(ACTOR, AuditAction.ONBOARDING_FAILED, p.partnerId, null,
                    Map.of("reason", OnboardingOutcome.AUTHORIZATION_EXPIRED.name(), "link_id", p.linkId.toString()));
            return Claim.refused(OnboardingOutcome.AUTHORIZATION_EXPIRED, name);
        }
        String verifier = cipher.open(new Sealed(p.codeVerifier, p.codeVerifierKeyId), verifierAd(p.id));
        return new Claim(new Claimed(p.linkId, p.partnerId, name, p.registration, verifier), null, name);
    }

    private record Claim(Claimed claimed, OnboardingOutcome refusal, String partnerName) {
        static Claim refused(OnboardingOutcome outcome, String partnerName) {
            return new Claim(null, outcome, partnerName);
        }
    }

    /**
     * Stores the grant if the registration's binding policy and the bindings of other partners allow it
     * (ADR 0010); revokes the partner's other outstanding links. Refused: nothing stored.
     *
     * @return true when the grant waits for an operator's confirmation of its account
     */
    private boolean complete(Claimed c, RegisteredProvider provider, TokenResponse answer, Identity identity) {
        Partner partner = Partner.findById(c.partnerId(), LockModeType.PESSIMISTIC_WRITE);
        OnboardingLink link = OnboardingLink.findById(c.linkId(), LockModeType.PESSIMISTIC_WRITE);
        if (link.usedAt != null) {
            throw new Refused(OnboardingOutcome.LINK_USED, partner.displayName, "link used");
        }
        if (link.revokedAt != null) {
            throw new Refused(OnboardingOutcome.LINK_REVOKED, partner.displayName, "link revoked");
        }
        Optional<String> account = identity.accountId();
        String seen = "token belongs to provider account " + account.orElse("?");
        BindingPolicy policy = bindings.of(provider.name());
        Decision decision = policy.decide(Optional.ofNullable(partner.providerAccountId), account);
        if (decision == Decision.REFUSE) {
            throw new Refused(OnboardingOutcome.WRONG_ACCOUNT, partner.displayName, partner.providerAccountId == null
                    ? seen + "; binding " + policy.name().toLowerCase() + " needs the account set by an operator"
                    : seen + ", the partner is bound to " + partner.providerAccountId);
        }
        if (account.isPresent() && boundElsewhere(partner.id, provider.name(), account.get())) {
            throw new Refused(OnboardingOutcome.WRONG_ACCOUNT, partner.displayName,
                    seen + ", which is bound to another partner");
        }
        if (decision == Decision.ACCEPT && account.isPresent() && partner.providerAccountId == null) {
            partner.providerAccountId = account.get();
            partner.updatedAt = clock.instant();
        }
        boolean pending = decision == Decision.AWAIT_CONFIRMATION;
        link.usedAt = clock.instant();
        grants.store(new GrantService.NewGrant(c.partnerId(), provider.name(), answer,
                identity.subject().orElse(null), c.linkId(), account.orElse(null),
                identity.accountName().orElse(null), pending), ACTOR);
        links.revokeOutstanding(c.partnerId(), c.linkId(), ACTOR, "another link of the partner was used");
        try {
            Partner.flush();
        } catch (PersistenceException e) {
            if (accountTaken(e)) { // two partners consented with one account at the same moment
                throw new Refused(OnboardingOutcome.WRONG_ACCOUNT, partner.displayName,
                        seen + ", which another partner's consent bound at the same time");
            }
            throw e;
        }
        return pending;
    }

    /** Whether another partner is bound to the account, or holds a grant of it at this registration. */
    private static boolean boundElsewhere(String partnerId, String registration, String account) {
        return Partner.count("providerAccountId = ?1 and id <> ?2", account, partnerId) > 0
                || Grant.count("registration = ?1 and providerAccountId = ?2 and partnerId <> ?3", registration,
                        account, partnerId) > 0;
    }

    private static boolean accountTaken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConstraintViolationException cv && cv.getConstraintName() != null
                    && cv.getConstraintName().contains("partner_grant_provider_account_uk")) {
                return true;
            }
        }
        return false;
    }

    private void failed(Claimed c, OnboardingOutcome outcome, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("reason", outcome.name());
        detail.put("detail", reason);
        detail.put("link_id", c.linkId().toString());
        QuarkusTransaction.requiringNew().run(() -> audit.record(ACTOR, AuditAction.ONBOARDING_FAILED,
                c.partnerId(), null, detail));
    }

    static AssociatedData verifierAd(UUID pendingId) {
        return EncryptedColumn.PENDING_CODE_VERIFIER.associatedData(pendingId);
    }

    private static boolean wellFormed(String cookie) {
        return cookie != null && cookie.matches("[A-Za-z0-9_-]{43}");
    }

    private static String random() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static byte[] sha256(String s) {
        return digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] digest(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}

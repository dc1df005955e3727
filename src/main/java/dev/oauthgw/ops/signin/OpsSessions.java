package dev.oauthgw.ops.signin;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Makes signing out of the built-in sign-in final. Quarkus's form session cookie is encrypted and stateless:
 * a copy taken before sign-out would open the dashboard until it expires. So the session carries the instant
 * of its sign-in ({@link OpsPrincipal}, inside the encrypted cookie), signing out records the instant per
 * account in PostgreSQL ({@code ops_sign_out}, which every replica reads), and a session whose sign-in is not
 * after the account's last sign-out is refused: one primary-key lookup per dashboard request. Signing out
 * therefore ends every session of that account, in every browser.
 */
@ApplicationScoped
public class OpsSessions {

    private final EntityManager em;
    private final Clock clock;

    public OpsSessions(EntityManager em, Clock clock) {
        this.em = em;
        this.clock = clock;
    }

    /** The principal for a sign-in happening now. */
    OpsPrincipal signingIn(String account) {
        return new OpsPrincipal(account, clock.millis());
    }

    /** True when the account has not signed out since this session signed in. */
    @Transactional
    public boolean stillSignedIn(OpsPrincipal p) {
        List<?> rows = em.createNativeQuery("select signed_out_at from ops_sign_out where username = ?1")
                .setParameter(1, canonical(p.account())).getResultList();
        if (rows.isEmpty()) {
            return true;
        }
        Object v = rows.get(0);
        Instant signedOut = v instanceof Timestamp t ? t.toInstant()
                : v instanceof OffsetDateTime o ? o.toInstant() : (Instant) v;
        return p.signedInAtMillis() > signedOut.toEpochMilli();
    }

    /** Ends every session of this account (all replicas, all browsers, copies of the cookie included). */
    @Transactional
    public void signOut(String account) {
        em.createNativeQuery("insert into ops_sign_out (username, signed_out_at) values (?1, ?2)"
                + " on conflict (username) do update set signed_out_at = excluded.signed_out_at")
                .setParameter(1, canonical(account)).setParameter(2, Timestamp.from(clock.instant())).executeUpdate();
    }

    private static String canonical(String account) {
        String u = account.toLowerCase(Locale.ROOT);
        return u.length() > 255 ? u.substring(0, 255) : u;
    }
}

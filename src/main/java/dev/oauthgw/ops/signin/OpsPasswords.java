package dev.oauthgw.ops.signin;

import java.security.Provider;

import org.wildfly.security.password.Password;
import org.wildfly.security.password.PasswordFactory;
import org.wildfly.security.password.WildFlyElytronPasswordProvider;
import org.wildfly.security.password.interfaces.BCryptPassword;
import org.wildfly.security.password.util.ModularCrypt;

import io.quarkus.elytron.security.common.BcryptUtil;

/** bcrypt hashes of operators' passwords (Modular Crypt Format, {@code $2a$}/{@code $2b$}/{@code $2y$}). */
public final class OpsPasswords {

    /** The documented dev/test sign-in: {@code operator} / {@value #DEV_PASSWORD}. Prod refuses it. */
    public static final String DEV_USER = "operator";
    public static final String DEV_PASSWORD = "operator-dev-password";

    private static final Provider PROVIDER = WildFlyElytronPasswordProvider.getInstance();

    private OpsPasswords() {
    }

    public static String hash(String password) {
        return BcryptUtil.bcryptHash(password, 12);
    }

    /** True when the password matches the hash; false for a wrong password or an unreadable hash. */
    public static boolean matches(String hash, char[] password) {
        if (hash == null || password == null || !isBcrypt(hash)) {
            return false;
        }
        try {
            Password decoded = ModularCrypt.decode(normalize(hash.strip()));
            PasswordFactory factory = PasswordFactory.getInstance(BCryptPassword.ALGORITHM_BCRYPT, PROVIDER);
            Password restored = factory.translate(decoded);
            return factory.verify(restored, password);
        } catch (Exception e) {
            return false;
        }
    }

    public static boolean isBcrypt(String hash) {
        return hash != null && hash.strip().matches("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    }

    /** Elytron reads {@code $2a$}; {@code $2b$}/{@code $2y$} (htpasswd, Python bcrypt) hash the same way. */
    private static String normalize(String hash) {
        return hash.startsWith("$2b$") || hash.startsWith("$2y$") ? "$2a$" + hash.substring(4) : hash;
    }

    /** {@code java ... OpsPasswords <password>} prints a hash for {@code GATEWAY_OPS_USERS_<NAME>_PASSWORD_HASH}. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: OpsPasswords <password>");
            System.exit(2);
        }
        System.out.println(hash(args[0]));
    }
}

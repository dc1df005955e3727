package dev.oauthgw.ops.signin;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Limits of the built-in sign-in ({@code gateway.ops.sign-in.*}): how many failed attempts an account and a
 * client address get per window, and the small pool that checks passwords. Per replica (see {@link SignInThrottle}).
 */
@ConfigMapping(prefix = "gateway.ops.sign-in")
public interface OpsSignInConfig {

    /** Failed sign-ins of one account within {@link #failureWindow()} before its password is no longer checked. */
    @WithDefault("5")
    int maxFailuresPerAccount();

    /** Failed sign-ins from one client address within {@link #failureWindow()} before it is turned away. */
    @WithDefault("20")
    int maxFailuresPerAddress();

    /** How long failures count, and how long a throttled account or address waits at most. */
    @WithDefault("PT15M")
    Duration failureWindow();

    /** How many client addresses the throttle remembers (least recently seen forgotten first). */
    @WithDefault("10000")
    int maxTrackedAddresses();

    /** Threads that check passwords (bcrypt), apart from the worker pool that serves /tokens. */
    @WithDefault("2")
    int passwordCheckThreads();

    /** Password checks that may wait for a thread; beyond that a sign-in is turned away at once. */
    @WithDefault("16")
    int passwordCheckQueue();
}

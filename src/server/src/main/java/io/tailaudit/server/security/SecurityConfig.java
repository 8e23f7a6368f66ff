package io.tailaudit.server.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;

@ConfigMapping(prefix = "tailaudit.security")
public interface SecurityConfig {

    /**
     * Failed logins (a wrong password on the login form or in HTTP Basic credentials) one client address may
     * make within {@link #loginFailureWindow()} before its logins are refused with 429 until the window has
     * passed. Keyed by client address, and by address and user name for Basic credentials.
     */
    @WithDefault("10")
    int loginMaxFailures();

    /** How long failed logins count against a client, and how long a refused client waits at most. */
    @WithDefault("5m")
    Duration loginFailureWindow();

    /** The Content-Security-Policy of every response: the console loads only its own scripts and styles. */
    @WithDefault("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    String contentSecurityPolicy();
}

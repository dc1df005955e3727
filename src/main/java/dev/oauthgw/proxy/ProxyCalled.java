package dev.oauthgw.proxy;

/**
 * Fired (CDI, synchronously) once per proxied call that passed the caller's checks, for observers such as the metrics:
 * the registration, the method, the status the caller got and who answered ({@code provider} or {@code gateway}),
 * and how long the provider took to its response headers (-1 when it was not called).
 */
public record ProxyCalled(String registration, String method, int status, String source, long upstreamNanos) {

    /** {@code read} for GET and HEAD, else {@code write}. */
    public String methodClass() {
        return method.equals("GET") || method.equals("HEAD") ? "read" : "write";
    }

    /** {@code 2xx}, {@code 4xx}, ... */
    public String statusClass() {
        return (status / 100) + "xx";
    }
}

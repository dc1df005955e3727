package dev.oauthgw.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

import dev.oauthgw.http.OutboundFailure;

/**
 * The provider's answer as it goes back to the caller: status, the headers that may pass ({@link ProxyHeaders}),
 * and the body, still streaming from the provider ({@link #transferTo} copies it with a small buffer, never whole).
 */
public record ProxyAnswer(int status, Map<String, List<String>> headers, InputStream body) {

    static final int BUFFER = 16 * 1024;

    /**
     * Copies the body to {@code out} as it arrives, and closes the provider's stream. When the provider's answer breaks
     * a bound of the proxy (it stalls, takes too long, grows too large: ADR 0019) before anything was sent to the
     * caller, the caller gets the gateway's 504 or 502 instead; after that, the caller's connection is cut.
     */
    public long transferTo(OutputStream out) throws IOException {
        long n = 0;
        try (InputStream in = body) {
            byte[] buf = new byte[BUFFER];
            int r;
            while ((r = in.read(buf)) >= 0) {
                out.write(buf, 0, r);
                n += r;
            }
            out.flush();
        } catch (OutboundFailure e) {
            throw ProxyService.broken(e);
        }
        return n;
    }

    @Override
    public String toString() {
        return "ProxyAnswer[" + status + "]";
    }
}

package dev.oauthgw.ops.admin;

import dev.oauthgw.crypto.KeyRotationService;
import dev.oauthgw.crypto.KeyUsage;
import dev.oauthgw.crypto.ReencryptionReport;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Key rotation for operators (role {@code ops}): which keys seal how many values, and the command that
 * re-encrypts every value under the primary key while the gateway keeps serving.
 */
@Path("/admin/crypto")
@RolesAllowed("ops")
@Produces(MediaType.APPLICATION_JSON)
public class AdminCryptoResource {

    private final KeyRotationService rotation;

    public AdminCryptoResource(KeyRotationService rotation) {
        this.rotation = rotation;
    }

    @GET
    @Path("/keys")
    public KeyUsage keys() {
        return rotation.keyUsage();
    }

    @POST
    @Path("/reencrypt")
    public ReencryptionReport reencrypt() {
        return rotation.reencryptAll();
    }
}

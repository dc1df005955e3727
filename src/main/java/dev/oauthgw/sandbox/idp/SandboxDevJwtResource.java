package dev.oauthgw.sandbox.idp;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.arc.profile.IfBuildProfile;
import io.smallrye.jwt.build.Jwt;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * dev mode and tests only: mints a caller JWT for the gateway's own APIs, signed with the key pair
 * smallrye-jwt makes for dev mode, so that the README walk-through needs no identity provider.
 * {@code POST /sandbox/dev-jwt?sub=me@vendor.example&roles=ops,tokens:read}
 */
@IfBuildProfile(anyOf = { "dev", "test" })
@Path("/sandbox/dev-jwt")
public class SandboxDevJwtResource {

    @ConfigProperty(name = "mp.jwt.verify.issuer")
    String issuer;

    @ConfigProperty(name = "mp.jwt.verify.audiences")
    String audience;

    @POST
    @Produces(MediaType.TEXT_PLAIN)
    public String mint(@QueryParam("sub") @DefaultValue("developer@vendor.example") String subject,
            @QueryParam("roles") @DefaultValue("ops") String roles,
            @QueryParam("ttl_seconds") @DefaultValue("3600") long ttlSeconds) {
        Set<String> groups = Arrays.stream(roles.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                .collect(Collectors.toSet());
        return Jwt.issuer(issuer).audience(audience).upn(subject).subject(subject).groups(groups)
                .expiresIn(Math.max(60, Math.min(ttlSeconds, 86_400))).sign();
    }
}

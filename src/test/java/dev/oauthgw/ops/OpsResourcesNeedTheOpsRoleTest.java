package dev.oauthgw.ops;

import dev.oauthgw.ops.dashboard.OpsOverviewResource;
import dev.oauthgw.ops.signin.OpsLoginResource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;

/**
 * The HTTP layer lets anyone signed in reach /ops (so that someone without the role gets a page that says
 * so); the role ops is checked on the resources. This test keeps it that way: every endpoint under /ops
 * needs {@code @RolesAllowed("ops")}, except the ones listed here on purpose.
 */
class OpsResourcesNeedTheOpsRoleTest {

    /** Reachable without the role: the sign-in page (anonymous) and signing out (anyone signed in). */
    private static final Set<String> ALLOWED = Set.of("OpsLoginResource.login", "OpsOverviewResource.logout");

    @Test
    void every_dashboard_endpoint_demands_the_ops_role() throws IOException, ClassNotFoundException {
        Path classes = Path.of("target", "classes");
        List<String> endpoints = new ArrayList<>();
        List<String> open = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.toString().contains("$")).toList()) {
                String name = classes.relativize(f).toString().replace('/', '.').replace(".class", "");
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                jakarta.ws.rs.Path path = c.getAnnotation(jakarta.ws.rs.Path.class);
                if (path == null || !path.value().startsWith("/ops")) {
                    continue;
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (!(m.isAnnotationPresent(GET.class) || m.isAnnotationPresent(POST.class)
                            || m.isAnnotationPresent(PUT.class) || m.isAnnotationPresent(DELETE.class))) {
                        continue;
                    }
                    String id = c.getSimpleName() + "." + m.getName();
                    endpoints.add(id);
                    RolesAllowed roles = m.isAnnotationPresent(RolesAllowed.class) ? m.getAnnotation(RolesAllowed.class)
                            : c.getAnnotation(RolesAllowed.class);
                    boolean ops = roles != null && List.of(roles.value()).equals(List.of("ops"))
                            && !m.isAnnotationPresent(io.quarkus.security.Authenticated.class)
                            && !m.isAnnotationPresent(jakarta.annotation.security.PermitAll.class);
                    if (!ops && !ALLOWED.contains(id)) {
                        open.add(id);
                    }
                }
            }
        }
        assertTrue(endpoints.size() >= 8, "found the dashboard's endpoints: " + endpoints);
        assertTrue(endpoints.containsAll(ALLOWED), endpoints.toString());
        assertEquals(List.of(), open, "dashboard endpoints without @RolesAllowed(\"ops\")");
    }
}

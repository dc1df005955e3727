package dev.oauthgw.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * The one place where failures become HTTP answers for the JSON APIs: {@code application/problem+json}
 * with a stable {@code type}, a plain-words {@code detail} and the request id. Unexpected failures are
 * logged with the request id and answered with a generic 500: no class name, no stack trace, no secret.
 */
public class ProblemMapper {

    public static final String TYPE_BASE = "https://gateway.example/problems/";
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response gateway(GatewayException e, UriInfo uri, HttpHeaders headers) {
        Response.ResponseBuilder rb = problem(e.status(), e.type(), e.title(), e.getMessage(), uri, headers,
                e.extensions());
        if (e.retryAfter() != null) {
            rb.header(HttpHeaders.RETRY_AFTER, Math.max(1, e.retryAfter().toSeconds()));
        }
        return rb.build();
    }

    @ServerExceptionMapper({ UnauthorizedException.class, AuthenticationFailedException.class })
    public Response unauthorized(RuntimeException e, UriInfo uri, HttpHeaders headers) {
        String path = uri.getPath();
        if (path.equals("/j_security_check") || path.equals("/ops") || path.startsWith("/ops/")) {
            // the dashboard signs in through a form: back to the login page, not a JSON problem
            return Response.status(302)
                    .location(java.net.URI.create(path.equals("/j_security_check") ? "/ops/login?error=true" : "/ops/login"))
                    .build();
        }
        return problem(401, "unauthorized", "Unauthorized",
                "A valid bearer token is required.", uri, headers, Map.of())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri, HttpHeaders headers) {
        return problem(403, "forbidden", "Forbidden",
                "The caller is not allowed to do this.", uri, headers, Map.of()).build();
    }

    @ServerExceptionMapper
    public Response invalid(ConstraintViolationException e, UriInfo uri, HttpHeaders headers) {
        List<Map<String, String>> violations = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", lastNode(v.getPropertyPath().toString()), "message", v.getMessage()))
                .toList();
        return problem(400, "validation-failed", "Invalid request",
                "The request has invalid fields.", uri, headers, Map.of("violations", violations)).build();
    }

    @ServerExceptionMapper
    public Response unreadable(JsonProcessingException e, UriInfo uri, HttpHeaders headers) {
        return problem(400, "bad-request", "Bad request", "The request body is not valid JSON for this endpoint.",
                uri, headers, Map.of()).build();
    }

    /**
     * A JSON value of the wrong shape ({@code {"id": ["a"]}}): more specific than {@link JsonProcessingException},
     * so without this Quarkus' own mapper answers with its plain JSON report instead of a problem.
     */
    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 1)
    public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e, UriInfo uri,
            HttpHeaders headers) {
        return unreadable(e, uri, headers);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri, HttpHeaders headers) {
        int status = e.getResponse().getStatus();
        if (status >= 500) {
            return unexpected(e, uri, headers);
        }
        Response.Status s = Response.Status.fromStatusCode(status);
        String title = s == null ? "Error" : s.getReasonPhrase();
        return problem(status, slug(title), title, title + ".", uri, headers, Map.of()).build();
    }

    /**
     * RESTEasy Reactive decodes a form body or a parameter and throws a bare IllegalArgumentException when it is
     * not valid percent-encoding ({@code %ZZ}, a lone {@code %}): the client's fault, a 400. Any other
     * IllegalArgumentException is ours, and stays a 500.
     */
    @ServerExceptionMapper
    public Response illegalArgument(IllegalArgumentException e, UriInfo uri, HttpHeaders headers) {
        StackTraceElement[] trace = e.getStackTrace();
        if (trace.length > 0 && trace[0].getClassName().equals("org.jboss.resteasy.reactive.common.util.URLUtils")) {
            return problem(400, "bad-request", "Bad request", "The request is not correctly URL-encoded.", uri, headers,
                    Map.of()).build();
        }
        return unexpected(e, uri, headers);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri, HttpHeaders headers) {
        String requestId = requestId(headers);
        if (databaseUnavailable(e)) {
            // PostgreSQL restarting or failing over: the pool replaces its connections; the caller retries
            LOG.warnf("Database unavailable on %s (request %s): %s", uri.getPath(), requestId, rootMessage(e));
            return problem(503, "database-unavailable", "Service unavailable",
                    "The gateway's database is not reachable right now. Retry shortly.", uri, headers, Map.of())
                    .header(HttpHeaders.RETRY_AFTER, 5).build();
        }
        LOG.errorf(e, "Unexpected failure on %s (request %s)", uri.getPath(), requestId);
        return problem(500, "internal-error", "Internal error",
                "Something went wrong on our side. Quote request id " + requestId + " when reporting it.",
                uri, headers, Map.of()).build();
    }

    /**
     * Whether {@code e} (or a cause) is the database connection failing: SQL state class 08 (connection exception),
     * 57P01-57P03 (the server shut down or is starting), a connection exception of JDBC or Hibernate, or the pool
     * unable to hand out a connection in time.
     */
    static boolean databaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof java.sql.SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P0"))) {
                return true;
            }
            String name = t.getClass().getSimpleName();
            if (name.equals("JDBCConnectionException") || name.equals("AcquisitionTimeoutException")
                    || (t.getMessage() != null && (t.getMessage().contains("Unable to acquire JDBC Connection")
                            // Agroal's pool had no connection free within its acquisition timeout: a plain SQLException
                            // (Agroal 3: "Sorry, acquisition timeout!")
                            || t.getMessage().toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout")))) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    static Response.ResponseBuilder problem(int status, String type, String title, String detail, UriInfo uri,
            HttpHeaders headers, Map<String, Object> extensions) {
        Map<String, Object> ext = new LinkedHashMap<>(extensions);
        ext.put("request_id", requestId(headers));
        return Response.status(status)
                .type(Problem.MEDIA_TYPE)
                .entity(new Problem(TYPE_BASE + type, title, status, detail, uri.getPath(), ext));
    }

    /** The request id set by {@link dev.oauthgw.audit.RequestIdFilter}, else a fresh one. */
    static String requestId(HttpHeaders headers) {
        String id = dev.oauthgw.audit.RequestIds.current();
        return id != null ? id : UUID.randomUUID().toString();
    }

    private static String lastNode(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? path : path.substring(dot + 1);
    }

    private static String slug(String title) {
        return title.toLowerCase().replaceAll("[^a-z0-9]+", "-");
    }
}

package dev.oauthgw.ops.dashboard;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;

import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.CookieParam;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.POST;

/**
 * The one CSRF check of the dashboard's forms: a {@code @POST} method of a {@link CsrfChecked} resource runs
 * only when its {@code @CookieParam(OpsCsrf.COOKIE)} and {@code @FormParam(OpsCsrf.FIELD)} arguments match,
 * and the browser does not say the request comes from another site ({@link OpsCsrf#sameOrigin}: the
 * {@code Sec-Fetch-Site} and {@code Origin} headers). A POST method that does not declare both is refused
 * (fail closed), so a new form cannot forget the check.
 */
@CsrfChecked
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 100)
public class CsrfInterceptor {

    private final OpsCsrf csrf;
    private final CurrentVertxRequest request;

    public CsrfInterceptor(OpsCsrf csrf, CurrentVertxRequest request) {
        this.csrf = csrf;
        this.request = request;
    }

    @AroundInvoke
    Object check(InvocationContext ctx) throws Exception {
        Method m = ctx.getMethod();
        if (m.isAnnotationPresent(POST.class)) {
            String cookie = null;
            String field = null;
            Annotation[][] params = m.getParameterAnnotations();
            for (int i = 0; i < params.length; i++) {
                for (Annotation a : params[i]) {
                    if (a instanceof CookieParam c && OpsCsrf.COOKIE.equals(c.value())) {
                        cookie = (String) ctx.getParameters()[i];
                    } else if (a instanceof FormParam f && OpsCsrf.FIELD.equals(f.value())) {
                        field = (String) ctx.getParameters()[i];
                    }
                }
            }
            csrf.verify(cookie, field); // null cookie or field: rejected
            RoutingContext rc = request.getCurrent();
            if (rc == null || !csrf.sameOrigin(rc.request().getHeader("Sec-Fetch-Site"), rc.request().getHeader("Origin"),
                    rc.request().getHeader("Host"))) {
                throw new OpsCsrf.Rejected();
            }
        }
        return ctx.proceed();
    }
}

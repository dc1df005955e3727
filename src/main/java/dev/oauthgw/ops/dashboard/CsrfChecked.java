package dev.oauthgw.ops.dashboard;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.interceptor.InterceptorBinding;

/**
 * On a dashboard resource: every {@code @POST} method of it is checked by {@link CsrfInterceptor} before it
 * runs (double-submit cookie, {@link OpsCsrf}); no handler checks on its own.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ ElementType.TYPE, ElementType.METHOD })
public @interface CsrfChecked {
}

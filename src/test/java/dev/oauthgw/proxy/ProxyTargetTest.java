package dev.oauthgw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The proxy's target: built under the base, never taken from the caller; and the audit's path templates. */
class ProxyTargetTest {

    private static final URI PAX8 = URI.create("https://api.pax8.com");
    private static final URI SANDBOX = URI.create("http://localhost:8081/sandbox");

    @ParameterizedTest
    @CsvSource({ "/v1/companies,,https://api.pax8.com/v1/companies",
            "/v1/companies,page=0&size=50,https://api.pax8.com/v1/companies?page=0&size=50",
            "/v1/companies/4f6d3a52-0c1e-4b8e-9a51-3c2f1d7e8a01,,https://api.pax8.com/v1/companies/4f6d3a52-0c1e-4b8e-9a51-3c2f1d7e8a01",
            "/v1/companies,name=A%20B&status=Active,https://api.pax8.com/v1/companies?name=A%20B&status=Active",
            "/v1/products/SKU:1~a,,https://api.pax8.com/v1/products/SKU:1~a",
            "/v1/a%20b,,https://api.pax8.com/v1/a%20b" })
    void a_path_under_the_api_is_built_on_the_base(String path, String query, String expected) {
        assertEquals(URI.create(expected), ProxyTarget.build(PAX8, path, query));
    }

    @Test
    void a_base_with_a_path_keeps_it() {
        assertEquals(URI.create("http://localhost:8081/sandbox/v1/orders?page=1"),
                ProxyTarget.build(SANDBOX, "/v1/orders", "page=1"));
        assertEquals(URI.create("https://api.pax8.com/v1/x"), ProxyTarget.build(URI.create("https://api.pax8.com/"),
                "/v1/x", null));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "/", "v1/companies", "/v1/../admin", "/..", "/v1/..", "/./v1", "/v1/.", "/v1/%2e%2e/x",
            "/v1/%2E%2e", "/v1/.%2E", "/v1/%2e", "/v1/a%2Fb", "/v1/a%2fb", "/v1/a%5Cb", "/v1/a%5cb", "/v1\\a", "//evil.example/x",
            "/v1//x", "/https://evil.example/x", "/@evil.example", "/v1/a@b", "/v1/a%40b", "/v1/a%00",
            "/v1/a%0A", "/v1/a%0d%0a", "/v1/a%7F", "/v1/a%252e%252e", "/v1/a%2", "/v1/a%zz", "/v1/a%", "/v1/a b",
            "/v1/a\u0000b", "/v1/a#b", "/v1/a?b", "/v1/\u00e9", "/v1/a\"b", "/v1/a<b>", "/v1/a|b", "/v1/a{b}",
            "/v1/a^b", "/v1/a`b", "/v1/a[b]" })
    void a_path_that_could_leave_the_api_or_hide_something_is_refused(String path) {
        assertThrows(ProxyTarget.Refused.class, () -> ProxyTarget.build(PAX8, path, null), path);
        assertThrows(ProxyTarget.Refused.class, () -> ProxyTarget.build(SANDBOX, path, null), path);
    }

    @ParameterizedTest
    @ValueSource(strings = { "a=%00", "a=%0d%0aX:1", "a=b#c", "a=b c", "a=%zz", "a=%", "a=\\", "a=\u00e9", "a=<b>" })
    void a_query_with_broken_or_dangerous_encoding_is_refused(String query) {
        assertThrows(ProxyTarget.Refused.class, () -> ProxyTarget.build(PAX8, "/v1/companies", query), query);
    }

    @Test
    void a_very_long_path_or_query_is_refused() {
        assertThrows(ProxyTarget.Refused.class, () -> ProxyTarget.build(PAX8, "/v1/" + "a".repeat(3000), null));
        assertThrows(ProxyTarget.Refused.class, () -> ProxyTarget.build(PAX8, "/v1/x", "a=" + "b".repeat(3000)));
    }

    @Test
    void whatever_is_built_stays_on_the_base_host_under_its_path() {
        String[] tries = { "/v1/companies", "/v1/a:b", "/v1/a;b=c", "/v1/!$&'()*+,;=", "/v1/~user" };
        for (String t : tries) {
            URI u = ProxyTarget.build(SANDBOX, t, null);
            assertEquals("localhost", u.getHost());
            assertEquals(8081, u.getPort());
            assertTrue(u.getRawPath().startsWith("/sandbox/"), u.toString());
            assertFalse(u.getRawPath().contains(".."));
        }
    }

    @ParameterizedTest
    @CsvSource({ "/v1/companies,/v1/companies",
            "/v1/companies/4f6d3a52-0c1e-4b8e-9a51-3c2f1d7e8a01,/v1/companies/{id}",
            "/v1/orders/12345,/v1/orders/{id}", "/v1/companies/abc123/contacts/9,/v1/companies/{id}/contacts/{id}",
            "/v2/Products,/v2/products", "/v1/companies/a%20b,/v1/companies/{id}",
            "/v1/invoices/aVeryLongOpaqueIdentifierOfThirtyChars,/v1/invoices/{id}" })
    void the_audit_template_collapses_ids(String path, String template) {
        assertEquals(template, ProxyTarget.template(path));
    }
}

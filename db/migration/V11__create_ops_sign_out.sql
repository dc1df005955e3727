-- When each dashboard account last signed out (built-in form sign-in). The session cookie is stateless and
-- encrypted, so a copy taken before sign-out would otherwise stay valid until it expires: a sign-in cookie
-- issued at or before signed_out_at no longer opens the dashboard, on any replica. One row per account.
create table ops_sign_out (
    username        varchar(255)  primary key,
    signed_out_at   timestamptz   not null
);

-- How long the provider made the grant's current access token live (seconds, as it said when the token was
-- obtained): bounds the min_valid a caller may ask for and lets the default adapt to short-lived tokens.
alter table partner_grant add column access_lifetime_seconds bigint;
update partner_grant set access_lifetime_seconds =
        greatest(0, extract(epoch from access_expires_at - coalesce(last_refresh_at, state_since)))::bigint
    where access_token is not null and access_expires_at is not null;

-- Inline refreshes (GET /tokens) count in a budget of their own, so that they can never take the share the
-- scheduler needs to keep every other grant fresh: used + inline_used never passes the limit.
alter table provider_rate_budget add column inline_used integer not null default 0;

-- Ops dashboard (issue 6): the grants table and its search stay index-backed at 100,000+ grants.
-- Never edit this file once landed. (V2 and V3 are taken by the refresher and webhooks work.)

-- The grants table pages with a keyset on (expiry, id), soonest expiry first, grants without an
-- access-token expiry last: one index for "all", one per state filter.
create index partner_grant_expiry_page_idx
    on partner_grant ((coalesce(access_expires_at, 'infinity'::timestamptz)), id);
create index partner_grant_state_expiry_page_idx
    on partner_grant (state, (coalesce(access_expires_at, 'infinity'::timestamptz)), id);

-- Search by partner id prefix or display-name prefix (case-insensitive): plain btree prefix search
-- (text_pattern_ops works whatever the database collation, and needs no extension such as pg_trgm).
create index partner_id_prefix_idx on partner (id text_pattern_ops);
create index partner_display_name_prefix_idx on partner (lower(display_name) text_pattern_ops);

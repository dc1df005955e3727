-- Audit by distinct token (issue 13, ADR 0015): one row per (caller, token) instead of one audit_event row per
-- GET /tokens request. A token is named by what it is served for (kind + subject) and its expiry: every new
-- access token (refresh, new consent, renewed vendor token) has a new expiry, so a new row. The token itself, or
-- a hash of it, is never stored. Never edit this file once landed.
--
--   kind 'partner': subject = the partner id, grant_id = the grant that held the token
--   kind 'vendor':  subject = the vendor token's configured name (gateway.tokens.vendor.<name>), no grant
--
-- token_expires_at is 'infinity' for a token the provider gave no expiry for. Rows are written by every replica
-- with "insert ... on conflict (kind, subject, token_expires_at, caller) do update": counts add up across replicas.
create table token_access (
    id                bigint          generated always as identity primary key,
    kind              varchar(16)     not null,
    subject           varchar(64)     not null,
    token_expires_at  timestamptz     not null,
    caller            varchar(255)    not null,
    grant_id          uuid,
    first_served_at   timestamptz     not null,
    last_served_at    timestamptz     not null,
    served_count      bigint          not null,
    first_request_id  varchar(64),
    constraint token_access_kind_ck check (kind in ('partner', 'vendor')),
    constraint token_access_count_ck check (served_count > 0),
    constraint token_access_served_ck check (first_served_at <= last_served_at),
    -- "who holds the token that is live now / was live at time T": (kind, subject) and a range on the expiry
    constraint token_access_token_uk unique (kind, subject, token_expires_at, caller)
);
-- the dashboard's "callers that read its tokens recently" (last_served_at within gateway.ops.readers-window)
create index token_access_recent_idx on token_access (kind, subject, last_served_at desc);
-- "what did this caller read" (an investigation of one service)
create index token_access_caller_idx on token_access (caller, last_served_at desc);

-- The TOKEN_SERVED rows written before this migration stay where they are (one audit_event row per request;
-- detail {"kind": "partner" | "vendor:<name>", "token_expires_at": ...}): nothing is moved, so the migration is
-- instant on a large audit_event and rows that replicas of the previous version write during a rolling update are
-- not left behind. The dashboard reads both tables; this view shows both in the new shape for investigations
-- (a legacy row is one serve: count 1, first = last = its time).
create view token_access_all as
select kind, subject, token_expires_at, caller, grant_id, first_served_at, last_served_at, served_count,
       first_request_id, 'token_access' as source
  from token_access
union all
select case when e.detail ->> 'kind' like 'vendor:%' then 'vendor' else 'partner' end,
       case when e.detail ->> 'kind' like 'vendor:%' then substr(e.detail ->> 'kind', 8) else e.partner_id end,
       case when e.detail ->> 'token_expires_at' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
            then (e.detail ->> 'token_expires_at')::timestamptz else 'infinity'::timestamptz end,
       e.actor, e.grant_id, e.occurred_at, e.occurred_at, 1::bigint, e.request_id, 'audit_event'
  from audit_event e
 where e.action = 'TOKEN_SERVED';

-- The Pax8 API proxy (issue 14, ADR 0016).

-- The proxy's request budget, shared by every replica: one row per registration and window (a minute by default).
-- Replicas do not write here per request: each leases a slice of the window's budget with one atomic update that
-- never takes more than request_limit in total, spends it locally, and leases again when it is spent.
-- blocked_until: the provider answered 429 with Retry-After; no replica forwards a request for this registration
-- before then (the latest block of the registration counts, whichever window's row holds it).
create table proxy_rate_window (
    registration   varchar(64)    not null,
    window_start   timestamptz    not null,
    request_limit  integer        not null,
    leased         integer        not null default 0,
    blocked_until  timestamptz,
    primary key (registration, window_start),
    constraint proxy_rate_window_leased_within_limit check (leased >= 0 and leased <= request_limit)
);

-- Who called what through the proxy, for which partner: one row per (caller, partner, method, path template)
-- with the first and last call and how many, written in batches (never a body, never a query string, never a token).
create table proxy_access (
    caller         varchar(255)   not null,
    partner_id     varchar(64)    not null,
    method         varchar(8)     not null,
    path_template  varchar(255)   not null,
    first_at       timestamptz    not null,
    last_at        timestamptz    not null,
    calls          bigint         not null,
    last_status    integer,
    primary key (caller, partner_id, method, path_template)
);
create index proxy_access_partner_last on proxy_access (partner_id, last_at desc);

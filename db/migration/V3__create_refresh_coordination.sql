-- Cluster-wide coordination of the scheduled refresher (issue: scheduled refresh).

-- The provider's rate budget, shared by every replica: one row per registration and minute. A call to
-- the token endpoint first takes a unit with an atomic upsert that never goes past the limit.
create table provider_rate_budget (
    registration   varchar(64)    not null,
    window_start   timestamptz    not null,
    used           integer        not null,
    primary key (registration, window_start)
);

-- A provider-wide incident: the provider rejects the vendor's own client credentials
-- (invalid_client / unauthorized_client). Refreshes for the registration pause until a probe succeeds.
create table provider_incident (
    registration   varchar(64)    primary key,
    kind           varchar(32)    not null,
    since          timestamptz    not null,
    last_probe_at  timestamptz,
    last_error     varchar(1024)
);

-- Schema V1 of the gateway. Flyway owns the schema; Hibernate only validates it.
-- Never edit this file once landed: add V2__..., V3__... instead.
-- All timestamps are timestamptz (UTC instants). Secrets are stored only as AES-256-GCM ciphertext
-- (bytea) next to the id of the key that sealed them; lookups of secrets by value use SHA-256 hashes.

-- A partner: a Pax8 partner (tenant) that authorizes the vendor's app. The id is the vendor's own
-- identifier, the one internal services pass to GET /tokens/{partnerId}.
create table partner (
    id              varchar(64)   primary key,
    display_name    varchar(200)  not null,
    -- the partner's account at the provider (Pax8: its partner id): set by the operator, or learned
    -- from the first grant. A grant for another account is refused.
    provider_account_id  varchar(255),
    created_by      varchar(255)  not null,
    created_at      timestamptz   not null,
    updated_at      timestamptz   not null,
    constraint partner_id_format_ck check (id ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')
);
create index partner_display_name_idx on partner (lower(display_name));
create index partner_created_idx on partner (created_at, id);

-- A partner's delegated grant at a provider registration: at most one per partner. Re-onboarding
-- replaces the row's tokens in one transaction.
create table partner_grant (
    id                    uuid           primary key,
    partner_id            varchar(64)    not null references partner (id) on delete cascade,
    registration          varchar(64)    not null,
    state                 varchar(24)    not null,
    state_since           timestamptz    not null,
    provider_subject      varchar(255),
    scope                 varchar(1024),
    access_token          bytea,
    access_token_key_id   integer,
    refresh_token         bytea,
    refresh_token_key_id  integer,
    access_expires_at     timestamptz,
    refresh_expires_at    timestamptz,
    refresh_due_at        timestamptz,
    refresh_started_at    timestamptz,
    refresh_failures      integer        not null default 0,
    last_refresh_at       timestamptz,
    last_refresh_outcome  varchar(32),
    last_error            varchar(1024),
    created_at            timestamptz    not null,
    updated_at            timestamptz    not null,
    version               bigint         not null default 0,
    constraint partner_grant_partner_uk unique (partner_id),
    constraint partner_grant_state_ck check (state in
        ('PENDING', 'ACTIVE', 'REFRESH_FAILING', 'REAUTH_REQUIRED', 'REVOKED')),
    constraint partner_grant_access_key_ck check ((access_token is null) = (access_token_key_id is null)),
    constraint partner_grant_refresh_key_ck check ((refresh_token is null) = (refresh_token_key_id is null))
);
-- "Which grants are due for refresh": the scheduler's SELECT ... WHERE refresh_due_at <= now()
-- ORDER BY refresh_due_at ... FOR UPDATE SKIP LOCKED walks this partial index.
create index partner_grant_refresh_due_idx on partner_grant (refresh_due_at)
    where state in ('ACTIVE', 'REFRESH_FAILING');
-- Dashboard: grants by state, soonest expiry first.
create index partner_grant_state_expiry_idx on partner_grant (state, access_expires_at);
create index partner_grant_access_expiry_idx on partner_grant (access_expires_at);

-- A refresh in flight: written and committed (on its own connection) before the provider is called,
-- deleted in the transaction that stores the provider's answer. A row left behind after its holder
-- is gone means an answer may have been lost: an incident (never silently dropped). No foreign key:
-- inserting it must not wait for the grant's row lock, which the refreshing transaction holds.
create table refresh_attempt (
    grant_id     uuid           primary key,
    started_at   timestamptz    not null,
    owner        varchar(255)   not null,
    trigger      varchar(16)    not null
);

-- A signed, expiring, single-use onboarding (or re-authorization) link. The URL carries the id, the
-- expiry and an HMAC; the row makes it single-use.
create table onboarding_link (
    id           uuid           primary key,
    partner_id   varchar(64)    not null references partner (id) on delete cascade,
    purpose      varchar(16)    not null,
    created_by   varchar(255)   not null,
    created_at   timestamptz    not null,
    expires_at   timestamptz    not null,
    used_at      timestamptz,
    constraint onboarding_link_purpose_ck check (purpose in ('ONBOARD', 'REAUTH'))
);
create index onboarding_link_partner_idx on onboarding_link (partner_id, created_at desc);

-- An authorization request in flight between Connect and the callback. The state and the browser
-- cookie are stored only as SHA-256 hashes; the PKCE verifier is encrypted.
create table pending_authorization (
    id                    uuid            primary key,
    state_hash            bytea           not null,
    browser_hash          bytea           not null,
    link_id               uuid            not null references onboarding_link (id) on delete cascade,
    partner_id            varchar(64)     not null references partner (id) on delete cascade,
    registration          varchar(64)     not null,
    code_verifier         bytea           not null,
    code_verifier_key_id  integer         not null,
    redirect_uri          varchar(2048)   not null,
    created_at            timestamptz     not null,
    expires_at            timestamptz     not null,
    consumed_at           timestamptz,
    constraint pending_authorization_state_uk unique (state_hash)
);
create index pending_authorization_expires_idx on pending_authorization (expires_at);

-- The vendor's own client-credentials tokens, one per configured audience.
create table vendor_token (
    name                  varchar(64)     primary key,
    registration          varchar(64)     not null,
    audience              varchar(255)    not null,
    scope                 varchar(1024),
    access_token          bytea           not null,
    access_token_key_id   integer         not null,
    expires_at            timestamptz     not null,
    obtained_at           timestamptz     not null,
    version               bigint          not null default 0
);

-- Append-only audit: who did what to which partner, and who was handed which partner's token.
-- Never a secret in it. No foreign key: the record outlives the partner.
create table audit_event (
    id            bigint          generated always as identity primary key,
    occurred_at   timestamptz     not null,
    actor         varchar(255)    not null,
    action        varchar(64)     not null,
    partner_id    varchar(64),
    grant_id      uuid,
    request_id    varchar(64),
    detail        jsonb
);
create index audit_event_partner_idx on audit_event (partner_id, occurred_at desc);
create index audit_event_time_idx on audit_event (occurred_at desc);
create index audit_event_action_idx on audit_event (action, occurred_at desc);

-- Schema V2: the webhook outbox. Never edit this file once landed: add V3__... instead.
--
-- One row per grant event (refresh failing, re-authorization required, recovered, revoked, global
-- incident). It is inserted in the transaction that changes the grant, so the change and its event
-- commit together or not at all (transactional outbox, docs/adr/0005-webhook-outbox.md). The sender
-- on every replica takes due rows with SELECT ... FOR UPDATE SKIP LOCKED and POSTs the payload,
-- signed, to the configured URL; the row's id is the idempotency id a receiver deduplicates by.
-- The payload never holds a token or a secret.
create table webhook_event (
    id               uuid           primary key,
    type             varchar(32)    not null,
    partner_id       varchar(64),
    grant_id         uuid,
    occurred_at      timestamptz    not null,
    -- the exact JSON document that is sent (and signed) on every attempt
    payload          jsonb          not null,
    attempts         integer        not null default 0,
    -- when the next attempt is due; while an attempt is in flight, the end of its claim
    next_attempt_at  timestamptz,
    last_attempt_at  timestamptz,
    -- HTTP status of the last attempt (null: no answer, see last_error)
    last_status      integer,
    last_error       varchar(512),
    delivered_at     timestamptz,
    -- given up after gateway.webhook.max-attempts; kept for operators (docs/operations/webhooks.md)
    dead_at          timestamptz,
    constraint webhook_event_type_ck check (type in ('REFRESH_FAILING', 'REAUTH_REQUIRED', 'RECOVERED',
        'REVOKED', 'GLOBAL_INCIDENT', 'GLOBAL_INCIDENT_RESOLVED')),
    constraint webhook_event_attempts_ck check (attempts >= 0),
    constraint webhook_event_outcome_ck check (delivered_at is null or dead_at is null),
    constraint webhook_event_pending_ck check (delivered_at is not null or dead_at is not null
        or next_attempt_at is not null)
);
-- "Which events are due": the sender's WHERE delivered_at is null and dead_at is null
-- and next_attempt_at <= ? ORDER BY next_attempt_at ... FOR UPDATE SKIP LOCKED walks this partial index.
create index webhook_event_due_idx on webhook_event (next_attempt_at)
    where delivered_at is null and dead_at is null;
-- Operators: a partner's events, newest first; dead events; the retention purge of delivered ones.
create index webhook_event_partner_idx on webhook_event (partner_id, occurred_at desc);
create index webhook_event_dead_idx on webhook_event (dead_at) where dead_at is not null;
create index webhook_event_delivered_idx on webhook_event (delivered_at) where delivered_at is not null;

-- Onboarding links can be taken back (issue 11, ADR 0010). Never edit this file once landed.
-- A revoked link is refused like an expired one; a disconnect and a successful onboarding revoke the
-- partner's other outstanding links.
alter table onboarding_link
    add column revoked_at timestamptz,
    add column revoked_by varchar(255);

-- "The partner's outstanding links": neither used nor revoked (expiry is checked by the query).
create index onboarding_link_outstanding_idx on onboarding_link (partner_id, expires_at)
    where used_at is null and revoked_at is null;

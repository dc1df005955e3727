-- Tenant binding (issue 11, ADR 0010). Never edit this file once landed.
-- The provider account (Pax8 partner id) whose tokens a grant holds, and the name the identity step found
-- for it (shown to the operator who confirms the binding). One provider account binds to at most one
-- partner per registration: a second partner's consent with the same account is refused, and this index
-- catches the race of two concurrent consents.
alter table partner_grant
    add column provider_account_id   varchar(255),
    add column provider_account_name varchar(255);

-- Existing grants take their partner's account where no other partner claims the same one; duplicates
-- from before this migration stay unset (the onboarding check also reads partner.provider_account_id,
-- so they cannot spread) and are for an operator to sort out.
update partner_grant g set provider_account_id = p.provider_account_id
from partner p
where p.id = g.partner_id and p.provider_account_id is not null
  and not exists (select 1 from partner q where q.provider_account_id = p.provider_account_id and q.id <> p.id);

create unique index partner_grant_provider_account_uk on partner_grant (registration, provider_account_id)
    where provider_account_id is not null;
create index partner_provider_account_idx on partner (provider_account_id) where provider_account_id is not null;

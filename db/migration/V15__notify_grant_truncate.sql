-- A TRUNCATE of partner_grant runs no row trigger, so V14 announces nothing for it and every replica would keep
-- serving what it cached (up to gateway.tokens.cache.ttl) for grants that no longer exist
-- (docs/adr/0014-sealed-token-cache.md). This statement trigger announces it on the same channel with the payload
-- TRUNCATE; every replica drops its whole token cache. It also fires when partner_grant is truncated by a
-- TRUNCATE ... CASCADE of partner. A replica of before V15 cannot read the payload and drops its whole cache too.
create function partner_grant_notify_truncate() returns trigger language plpgsql as $$
begin
    perform pg_notify('gateway_grant_changed', 'TRUNCATE');
    return null;
end
$$;

create trigger partner_grant_notify_truncate after truncate on partner_grant
    for each statement execute function partner_grant_notify_truncate();

-- Every replica caches, per partner, what GET /tokens serves from partner_grant (the sealed access token, its
-- expiry, the state, the scope, the lifetime and the version; docs/adr/0014-sealed-token-cache.md). A committed
-- change must reach every replica, whoever wrote it (the lifecycle through Hibernate, key rotation by SQL, a
-- partner deleted with its grant, an operator at psql, code not written yet): the database announces it itself.
--
-- 1. A change to anything served moves the version on. Hibernate's optimistic locking already bumps it on
--    every update it makes, so this only fires for writers that did not (NEW.version = OLD.version); it never
--    changes a version Hibernate chose.
create function partner_grant_served_version() returns trigger language plpgsql as $$
begin
    if NEW.version = OLD.version and (NEW.id, NEW.partner_id, NEW.state, NEW.state_since, NEW.access_token,
            NEW.access_token_key_id, NEW.access_expires_at, NEW.scope, NEW.access_lifetime_seconds)
            is distinct from (OLD.id, OLD.partner_id, OLD.state, OLD.state_since, OLD.access_token,
            OLD.access_token_key_id, OLD.access_expires_at, OLD.scope, OLD.access_lifetime_seconds) then
        NEW.version := OLD.version + 1;
    end if;
    return NEW;
end
$$;

create trigger partner_grant_served_version before update on partner_grant
    for each row execute function partner_grant_served_version();

-- 2. Every insert, delete and version change is announced on channel gateway_grant_changed, in the writing
--    transaction (PostgreSQL delivers it at commit, never for a rolled-back change). Payload:
--    <INSERT|UPDATE|DELETE>:<version>:<grant id>:<partner id> (the partner id last: it may hold any character).
create function partner_grant_notify() returns trigger language plpgsql as $$
begin
    if TG_OP = 'DELETE' then
        perform pg_notify('gateway_grant_changed', 'DELETE:' || OLD.version || ':' || OLD.id || ':' || OLD.partner_id);
        return OLD;
    end if;
    if TG_OP = 'UPDATE' then
        if NEW.version = OLD.version and NEW.partner_id = OLD.partner_id then
            return NEW; -- nothing served changed (e.g. the scheduler moving refresh_due_at)
        end if;
        if NEW.partner_id <> OLD.partner_id then
            perform pg_notify('gateway_grant_changed', 'DELETE:' || OLD.version || ':' || OLD.id || ':' || OLD.partner_id);
        end if;
    end if;
    perform pg_notify('gateway_grant_changed', TG_OP || ':' || NEW.version || ':' || NEW.id || ':' || NEW.partner_id);
    return NEW;
end
$$;

create trigger partner_grant_notify after insert or update or delete on partner_grant
    for each row execute function partner_grant_notify();

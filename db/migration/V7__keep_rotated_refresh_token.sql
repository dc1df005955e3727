-- The provider's answer to a refresh is the only copy of the new refresh token (Auth0 rotation: the old
-- one is dead once used). The refresher seals it and commits it here, on its own connection, the moment
-- the answer is read, before anything else can fail; the transaction that stores the whole answer deletes
-- the row. A row that outlives its refresh therefore says what happened: with a refresh token, the answer
-- arrived and the token is adopted by the grant; without one, the answer may have been lost.
alter table refresh_attempt
    add column refresh_token        bytea,
    add column refresh_token_key_id integer,
    add column answered_at          timestamptz,
    add constraint refresh_attempt_refresh_key_ck check ((refresh_token is null) = (refresh_token_key_id is null));

-- Which refresh token the attempt presented (SHA-256 of it: enough to recognise it, useless to anyone
-- else): a kept token is adopted only while the grant still holds the token that was presented, never
-- over the tokens of a newer consent.
alter table refresh_attempt add column presented_sha256 bytea;

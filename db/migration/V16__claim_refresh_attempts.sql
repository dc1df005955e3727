-- Claim / call / store (ADR 0020): no transaction or row lock is held while the provider is called. A refresh
-- claims its grant in a short transaction by inserting its refresh_attempt row with a fencing value of its own
-- (claim_id); the transaction that stores the answer checks, under the grant's row lock, that the row still
-- carries that value (compare-and-set), and deletes it. A row is the grant's lease: while it is younger than
-- gateway.refresh.answer-lost-after nobody else refreshes the grant (inline callers wait for its result); an
-- older row belongs to a refresh that ended without storing its answer and is resolved as before (V7).
alter table refresh_attempt add column claim_id uuid;

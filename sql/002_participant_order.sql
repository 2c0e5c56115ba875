-- samlkit store schema, version 2: participants are listed in the order they were recorded.
-- created_at is the clock of the IdP node that recorded a participant: it ties within a
-- millisecond and differs between nodes. recorded_seq comes from a database sequence instead,
-- taken as each row is written. Rows from version 1 are numbered in created_at order, the best
-- record of their order there is.
ALTER TABLE samlkit_participants ADD COLUMN recorded_seq bigint;
CREATE SEQUENCE samlkit_participants_recorded_seq OWNED BY samlkit_participants.recorded_seq;
UPDATE samlkit_participants AS p SET recorded_seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY created_at, id) AS n FROM samlkit_participants) AS o
  WHERE p.id = o.id;
SELECT setval('samlkit_participants_recorded_seq', (SELECT count(*) FROM samlkit_participants) + 1, false);
ALTER TABLE samlkit_participants
  ALTER COLUMN recorded_seq SET DEFAULT nextval('samlkit_participants_recorded_seq'),
  ALTER COLUMN recorded_seq SET NOT NULL;

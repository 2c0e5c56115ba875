-- samlkit store schema, version 1: what createPostgresStore reads and writes.
-- migrate() applies this file (the same text is embedded in the package) and records it in
-- samlkit_migrations. To run it with your own migration tool instead, apply it in the schema
-- you give createPostgresStore. Times are epoch milliseconds (bigint), from the IdP's clock.

-- Registered SPs. config is the provider as parseProvider accepts it; certificates as PEM,
-- and a private signing key only as the fingerprint of its certificate.
CREATE TABLE samlkit_providers (
  id text PRIMARY KEY,
  entity_id text NOT NULL,
  config jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- findProviderByEntityId (every incoming message); an entity ID names one provider.
CREATE UNIQUE INDEX samlkit_providers_entity_id ON samlkit_providers (entity_id);

-- One SP's share of a user's session, recorded at SSO time.
CREATE TABLE samlkit_participants (
  id text PRIMARY KEY,
  provider_id text NOT NULL,
  user_id text NOT NULL,
  name_id text NOT NULL,
  name_id_format text,
  name_qualifier text,
  sp_name_qualifier text,
  sp_provided_id text,
  session_index text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
-- findParticipants with a SessionIndex; one participant per provider and SessionIndex.
CREATE UNIQUE INDEX samlkit_participants_session ON samlkit_participants (provider_id, session_index);
-- findParticipants without a SessionIndex.
CREATE INDEX samlkit_participants_name_id ON samlkit_participants (provider_id, name_id);
-- listParticipantsByUser (live ones only).
CREATE INDEX samlkit_participants_user ON samlkit_participants (user_id, expires_at);
-- expireParticipants / sweep.
CREATE INDEX samlkit_participants_expires_at ON samlkit_participants (expires_at);

-- Message IDs already received (issuer and ID), kept until they could no longer be accepted.
-- bytea: the key joins issuer and ID with a NUL byte, which text cannot hold.
CREATE TABLE samlkit_replay (
  key bytea PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX samlkit_replay_expires_at ON samlkit_replay (expires_at);

-- Front-channel logout chains between browser hops; writes are compare-and-set on version.
-- state is JSON text rather than jsonb: it may carry strings from SAML messages, and jsonb
-- refuses the NUL character that JSON text escapes.
CREATE TABLE samlkit_logout_transactions (
  id text PRIMARY KEY,
  version integer NOT NULL,
  expires_at bigint NOT NULL,
  state text NOT NULL
);
CREATE INDEX samlkit_logout_transactions_expires_at ON samlkit_logout_transactions (expires_at);

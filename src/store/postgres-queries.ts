/**
 * Every statement of the PostgreSQL store, parameterized ($1, $2, …): values never
 * enter SQL text. Only the schema name does, checked and quoted by `quoteSchema`.
 * Each lookup has its index in `sql/001_init.sql`. Listings of participants are in the order they
 * were recorded (`recorded_seq`, `sql/002_participant_order.sql`). Providers a metadata source
 * stored carry its name in `owner` (`sql/003_provider_owner.sql`).
 */
export function postgresQueries(schema: string | undefined) {
  const t = (name: string) => (schema ? `${schema}.samlkit_${name}` : `samlkit_${name}`);
  const providers = t('providers');
  const participants = t('participants');
  const replay = t('replay');
  const transactions = t('logout_transactions');
  const participantColumns =
    'id, provider_id, user_id, name_id, name_id_format, name_qualifier, sp_name_qualifier, sp_provided_id, session_index, created_at, expires_at';
  return {
    putProvider: `INSERT INTO ${providers} (id, entity_id, config) VALUES ($1, $2, $3::jsonb)
      ON CONFLICT (id) DO UPDATE SET entity_id = EXCLUDED.entity_id, config = EXCLUDED.config, updated_at = now(),
        owner = NULL`,
    providerOwner: `SELECT id FROM ${providers} WHERE entity_id = $1`,
    getProvider: `SELECT config::text AS config FROM ${providers} WHERE id = $1`,
    findProviderByEntityId: `SELECT id, config::text AS config, owner FROM ${providers} WHERE entity_id = $1`,
    /** The rows a replacement for owner $3 must know: the owner's, and those the entries' ids or entity IDs name. */
    heldProviders: `SELECT id, entity_id, owner FROM ${providers}
      WHERE owner = $3 OR id = ANY($1::text[]) OR entity_id = ANY($2::text[])`,
    deleteOwnedProviders: `DELETE FROM ${providers} WHERE owner = $1`,
    insertOwnedProviders: `INSERT INTO ${providers} (id, entity_id, config, owner)
      SELECT id, entity_id, config::jsonb, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS n(id, entity_id, config)`,
    deleteProvider: `DELETE FROM ${providers} WHERE id = $1`,

    /** Clears the way for recordParticipant: the same id, or the same provider and SessionIndex. */
    replaceParticipant: `DELETE FROM ${participants} WHERE id = $1 OR (provider_id = $2 AND session_index = $3)`,
    insertParticipant: `INSERT INTO ${participants} (${participantColumns})
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (provider_id, session_index) DO UPDATE SET id = EXCLUDED.id, user_id = EXCLUDED.user_id,
        name_id = EXCLUDED.name_id, name_id_format = EXCLUDED.name_id_format,
        name_qualifier = EXCLUDED.name_qualifier, sp_name_qualifier = EXCLUDED.sp_name_qualifier,
        sp_provided_id = EXCLUDED.sp_provided_id, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
        recorded_seq = EXCLUDED.recorded_seq`,
    listParticipantsByUser: `SELECT ${participantColumns} FROM ${participants} WHERE user_id = $1 AND expires_at > $2
      ORDER BY recorded_seq`,
    findParticipantBySession: `SELECT ${participantColumns} FROM ${participants}
      WHERE provider_id = $1 AND session_index = $2 AND name_id = $3 AND expires_at > $4`,
    findParticipantsByNameId: `SELECT ${participantColumns} FROM ${participants}
      WHERE provider_id = $1 AND name_id = $2 AND expires_at > $3 ORDER BY recorded_seq`,
    /** The rows this statement deleted come back; a row a concurrent DELETE took first does not. */
    deleteParticipants: `DELETE FROM ${participants} WHERE id = ANY($1::text[]) RETURNING id`,
    expireParticipants: `DELETE FROM ${participants} WHERE expires_at <= $1`,

    /** Set-if-absent in one statement; an entry expired at $3 counts as absent. A row back means "first time". */
    rememberOnce: `INSERT INTO ${replay} AS r (key, expires_at) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE r.expires_at <= $3
      RETURNING 1`,
    expireReplay: `DELETE FROM ${replay} WHERE expires_at <= $1`,

    createTransaction: `INSERT INTO ${transactions} AS t (id, version, expires_at, state) VALUES ($1, $2, $3, $4)
      ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, expires_at = EXCLUDED.expires_at, state = EXCLUDED.state
      WHERE t.expires_at <= $5`,
    getTransaction: `SELECT version, expires_at, state FROM ${transactions} WHERE id = $1 AND expires_at > $2`,
    /** Compare-and-set on the version: a row count of 1 means this caller advanced the chain. */
    updateTransaction: `UPDATE ${transactions} SET version = $2, expires_at = $3, state = $4
      WHERE id = $1 AND version = $5 AND expires_at > $6`,
    deleteTransaction: `DELETE FROM ${transactions} WHERE id = $1`,
    expireTransactions: `DELETE FROM ${transactions} WHERE expires_at <= $1`,
  } as const;
}

export type PostgresQueries = ReturnType<typeof postgresQueries>;

/**
 * The Lua scripts of the Redis store. A script runs atomically on the server,
 * so each store operation is one indivisible step however many nodes share
 * the database. Keys are built by the store (and, for a participant's own
 * indexes, saved with it), never re-derived in Lua, so both sides agree byte
 * for byte. ARGV[1] is always the key prefix.
 */

/** Removes one participant and its index entries; returns 1 if it was there. */
const removeParticipant = `
local function removeParticipant(prefix, id)
  local key = prefix .. 'pt:' .. id
  local fields = redis.call('HMGET', key, 'u', 'n', 's')
  redis.call('ZREM', prefix .. 'exp', id)
  -- with no participant left, no recorded order is left to keep: the counter may start over
  if redis.call('EXISTS', prefix .. 'exp') == 0 then redis.call('DEL', prefix .. 'seq') end
  if not fields[1] then return 0 end
  redis.call('ZREM', fields[1], id)
  redis.call('ZREM', fields[2], id)
  if redis.call('GET', fields[3]) == id then redis.call('DEL', fields[3]) end
  redis.call('DEL', key)
  return 1
end
local function extendTtl(key, ttl)
  local current = redis.call('PTTL', key)
  if current < ttl then redis.call('PEXPIRE', key, ttl) end
end
`;

/** Takes a provider out of its owner's set and forgets the owner (the provider stays). */
const disownProvider = `
local function disownProvider(prefix, id)
  local owner = redis.call('HGET', prefix .. 'pr:' .. id, 'owner')
  if owner then
    redis.call('SREM', prefix .. 'po:' .. owner, id)
    redis.call('HDEL', prefix .. 'pr:' .. id, 'owner')
  end
end
`;

export const scripts = {
  /**
   * ARGV: prefix, id, entityId, json. Returns the id of the provider that has the entity ID
   * when it is another. A provider put here is registered by hand: it leaves any owner's set.
   */
  putProvider: `${disownProvider}
local prefix, id, entity = ARGV[1], ARGV[2], ARGV[3]
local holder = redis.call('GET', prefix .. 'pe:' .. entity)
if holder and holder ~= id then return holder end
local previous = redis.call('HGET', prefix .. 'pr:' .. id, 'entityId')
if previous and previous ~= entity and redis.call('GET', prefix .. 'pe:' .. previous) == id then
  redis.call('DEL', prefix .. 'pe:' .. previous)
end
disownProvider(prefix, id)
redis.call('HSET', prefix .. 'pr:' .. id, 'entityId', entity, 'json', ARGV[4])
redis.call('SET', prefix .. 'pe:' .. entity, id)
return false
`,
  /** ARGV: prefix, entityId. Returns { id, json, owner } (owner '' when registered by hand) or nil. */
  findProviderByEntityId: `
local prefix = ARGV[1]
local id = redis.call('GET', prefix .. 'pe:' .. ARGV[2])
if not id then return nil end
local fields = redis.call('HMGET', prefix .. 'pr:' .. id, 'json', 'owner')
if not fields[1] then return nil end
return { id, fields[1], fields[2] or '' }
`,
  /** ARGV: prefix, id. */
  deleteProvider: `${disownProvider}
local prefix, id = ARGV[1], ARGV[2]
local entity = redis.call('HGET', prefix .. 'pr:' .. id, 'entityId')
if entity and redis.call('GET', prefix .. 'pe:' .. entity) == id then redis.call('DEL', prefix .. 'pe:' .. entity) end
disownProvider(prefix, id)
redis.call('DEL', prefix .. 'pr:' .. id)
`,
  /**
   * ARGV: prefix, owner, then id, entityId, json for each entry. Makes the owner's providers
   * exactly the entries, except those whose id or entity ID a provider of someone else (or an
   * earlier entry) has. Returns { stored ids, removed ids, conflicts as id, entityId, heldBy triples }.
   * Same plan as planOwnedReplacement (src/store/owned-providers.ts).
   */
  replaceOwnedProviders: `
local prefix, owner = ARGV[1], ARGV[2]
local ownerKey = prefix .. 'po:' .. owner
local owned = redis.call('SMEMBERS', ownerKey)
local mine = {}
for _, id in ipairs(owned) do mine[id] = true end
local function foreign(id)
  return (not mine[id]) and redis.call('EXISTS', prefix .. 'pr:' .. id) == 1
end
local takenIds, takenEntities, keep, conflicts = {}, {}, {}, {}
for i = 3, #ARGV, 3 do
  local id, entity = ARGV[i], ARGV[i + 1]
  local heldBy = nil
  if takenIds[id] then heldBy = id
  elseif takenEntities[entity] then heldBy = takenEntities[entity]
  elseif foreign(id) then heldBy = id
  else
    local holder = redis.call('GET', prefix .. 'pe:' .. entity)
    if holder and foreign(holder) then heldBy = holder end
  end
  if heldBy then
    conflicts[#conflicts + 1] = id
    conflicts[#conflicts + 1] = entity
    conflicts[#conflicts + 1] = heldBy
  else
    takenIds[id] = true
    takenEntities[entity] = id
    keep[#keep + 1] = i
  end
end
local removed, stored = {}, {}
for _, id in ipairs(owned) do
  local key = prefix .. 'pr:' .. id
  local entity = redis.call('HGET', key, 'entityId')
  if entity and redis.call('GET', prefix .. 'pe:' .. entity) == id then redis.call('DEL', prefix .. 'pe:' .. entity) end
  redis.call('DEL', key)
  if not takenIds[id] then removed[#removed + 1] = id end
end
redis.call('DEL', ownerKey)
for _, i in ipairs(keep) do
  local id, entity = ARGV[i], ARGV[i + 1]
  redis.call('HSET', prefix .. 'pr:' .. id, 'entityId', entity, 'json', ARGV[i + 2], 'owner', owner)
  redis.call('SET', prefix .. 'pe:' .. entity, id)
  redis.call('SADD', ownerKey, id)
  stored[#stored + 1] = id
end
return { stored, removed, conflicts }
`,
  /**
   * ARGV: prefix, id, data, userKey, nameKey, sessionKey, expiresAt, ttlMs, createdAt, graceMs.
   * Replaces the participant with this id and the one with this provider and SessionIndex.
   */
  recordParticipant: `${removeParticipant}
local prefix, id, expiresAt, ttl = ARGV[1], ARGV[2], ARGV[7], tonumber(ARGV[8])
local userKey, nameKey, sessionKey = ARGV[4], ARGV[5], ARGV[6]
removeParticipant(prefix, id)
local other = redis.call('GET', sessionKey)
if other then removeParticipant(prefix, other) end
local key = prefix .. 'pt:' .. id
-- the recording order, which listings keep (the sorted sets are scored by expiry); the counter
-- lives as long as the longest-lived participant numbered from it
local seq = redis.call('INCR', prefix .. 'seq')
extendTtl(prefix .. 'seq', ttl)
redis.call('HSET', key, 'data', ARGV[3], 'u', userKey, 'n', nameKey, 's', sessionKey, 'q', seq)
redis.call('PEXPIRE', key, ttl)
redis.call('SET', sessionKey, id, 'PX', ttl)
-- index entries already expired when this one is recorded are dropped on the way
redis.call('ZREMRANGEBYSCORE', userKey, '-inf', ARGV[9])
redis.call('ZADD', userKey, expiresAt, id)
extendTtl(userKey, ttl)
redis.call('ZREMRANGEBYSCORE', nameKey, '-inf', ARGV[9])
redis.call('ZADD', nameKey, expiresAt, id)
extendTtl(nameKey, ttl)
redis.call('ZADD', prefix .. 'exp', expiresAt, id)
extendTtl(prefix .. 'exp', ttl)
-- entries of the sweep index whose participants Redis has certainly dropped by now
redis.call('ZREMRANGEBYSCORE', prefix .. 'exp', '-inf', '(' .. (tonumber(ARGV[9]) - tonumber(ARGV[10])))
`,
  /**
   * ARGV: prefix, indexKey, now. The data of participants in a sorted-set index that are live
   * at `now`, in the order they were recorded.
   */
  listIndexed: `
local prefix = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', ARGV[2], '(' .. ARGV[3], '+inf')
local found = {}
for _, id in ipairs(ids) do
  local fields = redis.call('HMGET', prefix .. 'pt:' .. id, 'data', 'q')
  if fields[1] then
    -- a participant recorded before sequence numbers were kept sorts first
    found[#found + 1] = { seq = tonumber(fields[2]) or 0, at = #found, data = fields[1] }
  end
end
table.sort(found, function(a, b)
  if a.seq ~= b.seq then return a.seq < b.seq end
  return a.at < b.at
end)
local out = {}
for i, entry in ipairs(found) do out[i] = entry.data end
return out
`,
  /** ARGV: prefix, sessionKey. The data of the participant with this provider and SessionIndex. */
  findBySession: `
local prefix = ARGV[1]
local id = redis.call('GET', ARGV[2])
if not id then return nil end
return redis.call('HGET', prefix .. 'pt:' .. id, 'data')
`,
  /** ARGV: prefix, id…. Returns the ids this call removed (each once, however often it is passed). */
  deleteParticipants: `${removeParticipant}
local removed = {}
for i = 2, #ARGV do
  if removeParticipant(ARGV[1], ARGV[i]) == 1 then removed[#removed + 1] = ARGV[i] end
end
return removed
`,
  /** ARGV: prefix, now, batch. Returns { removed, examined }. */
  expireParticipants: `${removeParticipant}
local prefix = ARGV[1]
local ids = redis.call('ZRANGEBYSCORE', prefix .. 'exp', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local removed = 0
for _, id in ipairs(ids) do removed = removed + removeParticipant(prefix, id) end
return { removed, #ids }
`,
  /**
   * KEYS: the replay key. ARGV: prefix (unused), expiresAt, now, ttlMs.
   * Set-if-absent with a time to live; a key whose remembered expiry has passed at `now` counts as absent.
   */
  rememberOnce: `
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'PX', ARGV[4]) then return 1 end
local until_ = tonumber(redis.call('GET', KEYS[1]))
if until_ and until_ > tonumber(ARGV[3]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
return 1
`,
  /** KEYS: the transaction key. ARGV: prefix, version, expiresAt, state, now, ttlMs. Returns 0 if a live one exists. */
  createTransaction: `
local expiresAt = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
if expiresAt and expiresAt > tonumber(ARGV[5]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'expiresAt', ARGV[3], 'state', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
`,
  /** KEYS: the transaction key. ARGV: prefix, version, expiresAt, state, now, ttlMs, expectedVersion. Compare-and-set. */
  updateTransaction: `
local current = redis.call('HMGET', KEYS[1], 'version', 'expiresAt')
if not current[1] or current[1] ~= ARGV[7] or tonumber(current[2]) <= tonumber(ARGV[5]) then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'expiresAt', ARGV[3], 'state', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 1
`,
} as const;

export type ScriptName = keyof typeof scripts;

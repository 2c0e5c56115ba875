import type { Redis } from 'ioredis';

/** Runs a Lua script: `keys` become KEYS, `args` ARGV. */
export type RunScript = (
  lua: string,
  keys: readonly string[],
  args: readonly (string | number)[],
) => Promise<unknown>;

/**
 * EVALSHA with the script loaded on first use and again after the server forgot
 * it (restart, failover, SCRIPT FLUSH), so scripts travel once per connection.
 */
export function createScriptRunner(client: Redis): RunScript {
  const shas = new Map<string, string>();
  return async (lua, keys, args) => {
    for (let attempt = 0; ; attempt++) {
      let sha = shas.get(lua);
      if (sha === undefined) {
        sha = String(await client.script('LOAD', lua));
        shas.set(lua, sha);
      }
      try {
        return await client.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (attempt > 0 || !String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
        shas.delete(lua);
      }
    }
  };
}

/**
 * Private redis-server and PostgreSQL instances for the outage tests: durable (Redis appendonly
 * with appendfsync always; PostgreSQL with fsync on) and able to stop and start again on the
 * same port and data, as a real server restart. The durable kind of the one spawn helper in
 * database-servers.mjs; real binaries, nothing mocked.
 */
import { type RunningServer, startPostgresServer, startRedisServer } from './database-servers.mjs';

export interface RestartableServer extends RunningServer {
  /** Stops the server (Redis: SIGKILL, a crash; PostgreSQL: fast shutdown, clients get 57P01). */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}

/** redis-server with appendonly yes and appendfsync always: an acknowledged write survives a kill. */
export function startRestartableRedis(): Promise<RestartableServer> {
  return startRedisServer({ durable: true });
}

/** A PostgreSQL cluster with fsync on (durable commits); as root it runs as `nobody`. */
export function startRestartablePostgres(): Promise<RestartableServer> {
  return startPostgresServer({ durable: true });
}

export interface RunningServer {
  url: string;
  port: number;
  /** Throw-away server: stops it and removes its data. Durable server: stops it, keeps its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port (and, for a durable server, the same data). */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  destroy(): Promise<void>;
}
export interface ServerOptions {
  /** Durable and restartable (fsync on, `stop()` keeps the data) instead of throw-away. */
  durable?: boolean;
}
export declare function findRedisServer(): string | undefined;
export declare function findPostgres(): { initdb: string; postgres: string } | undefined;
export declare function startRedisServer(
  options?: ServerOptions & { binary?: string },
): Promise<RunningServer>;
export declare function startPostgresServer(
  options?: ServerOptions & { binaries?: { initdb: string; postgres: string } },
): Promise<RunningServer>;
export declare function startRedis(binary?: string): Promise<RunningServer>;
export declare function startPostgres(binaries?: {
  initdb: string;
  postgres: string;
}): Promise<RunningServer>;

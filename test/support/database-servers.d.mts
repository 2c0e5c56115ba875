export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}
export declare function findRedisServer(): string | undefined;
export declare function findPostgres(): { initdb: string; postgres: string } | undefined;
export declare function startRedis(binary?: string): Promise<RunningServer>;
export declare function startPostgres(binaries?: {
  initdb: string;
  postgres: string;
}): Promise<RunningServer>;

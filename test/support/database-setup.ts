/**
 * vitest globalSetup of the `databases` project (`*.db.test.ts`): starts a real
 * redis-server and PostgreSQL on 127.0.0.1 for the run and gives their URLs to
 * the tests through `inject('redisUrl')` / `inject('postgresUrl')`. A missing
 * server binary skips its tests with a loud notice, except under CI=true, where
 * it fails the run: CI must test against both databases.
 */
import type { TestProject } from 'vitest/node';
import {
  findPostgres,
  findRedisServer,
  type RunningServer,
  startPostgres,
  startRedis,
} from './database-servers.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:<port>`, or '' when redis-server is not installed. */
    redisUrl: string;
    /** `postgres://postgres@127.0.0.1:<port>/postgres`, or '' when PostgreSQL is not installed. */
    postgresUrl: string;
  }
}

function missing(what: string, install: string): void {
  const message = `${what} is not installed: its tests are SKIPPED. Install it with \`${install}\`.`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${message.replace('SKIPPED', 'required')}`);
  const bar = '!'.repeat(message.length + 4);
  console.warn(`\n${bar}\n! ${message} !\n${bar}\n`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: RunningServer[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((server) => server.stop()));
  };
  try {
    const redisBinary = findRedisServer();
    const postgresBinaries = findPostgres();
    if (!redisBinary) missing('redis-server', 'apt-get install -y redis-server');
    if (!postgresBinaries) missing('PostgreSQL', 'apt-get install -y postgresql');
    const [redis, postgres] = await Promise.all([
      redisBinary ? startRedis(redisBinary) : undefined,
      postgresBinaries ? startPostgres(postgresBinaries) : undefined,
    ]);
    if (redis) started.push(redis);
    if (postgres) started.push(postgres);
    project.provide('redisUrl', redis?.url ?? '');
    project.provide('postgresUrl', postgres?.url ?? '');
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

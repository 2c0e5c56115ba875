import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomHex } from '../crypto/primitives.js';

/**
 * The last aggregate that verified and was applied, kept on disk so that a restart while the
 * federation is unreachable starts from it. It is written whole to a temporary file and renamed
 * over the old copy, so a crash mid-write never leaves half an aggregate; it is verified again
 * (signature and validUntil) before use, so the file needs no more trust than the network.
 */
export interface LastGoodCopy {
  read(): Promise<string | undefined>;
  write(xml: string): Promise<void>;
}

export function createLastGoodCopy(path: string): LastGoodCopy {
  return {
    async read() {
      try {
        return await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException)?.code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async write(xml) {
      const temporary = `${path}.${randomHex(6)}.tmp`;
      try {
        await writeFile(temporary, xml, { encoding: 'utf8', mode: 0o600 });
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true }).catch(() => undefined);
        throw error;
      }
    },
  };
}

/**
 * docs/guide/cli.md stays true: every option a command's --help lists is
 * documented in that command's section, and the quick-start block runs.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { assertCliBuilt, cliPath, inTempDir, repoRoot, runCli } from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(assertCliBuilt);

const guide = readFileSync(join(repoRoot, 'docs/guide/cli.md'), 'utf8');

/** The text of the `## <name>` section. */
function section(name: string): string {
  const start = guide.indexOf(`\n## ${name}\n`);
  expect(start, `section ${name}`).toBeGreaterThan(-1);
  const end = guide.indexOf('\n## ', start + 1);
  return guide.slice(start, end === -1 ? undefined : end);
}

describe('docs/guide/cli.md', () => {
  it.concurrent.for(['decode', 'verify', 'logout-request', 'logout-response', 'keygen'])(
    '%s: every option of --help is documented in its section',
    async (name, { expect }) => {
      const help = (await runCli([name, '--help'])).stdout;
      // Option lines of the help: two spaces, then the option.
      const options = new Set([...help.matchAll(/^ {2}(--[a-z][a-z0-9-]+)/gm)].map((m) => m[1]!));
      expect(options.size).toBeGreaterThan(0);
      const text = section(name);
      for (const option of options) expect(text, option).toContain(option);
    },
  );

  it('the quick-start commands run as written', async () => {
    const block = /## Try it in one minute\n\n```sh\n([\s\S]*?)```/.exec(guide)?.[1];
    expect(block).toBeDefined();
    await inTempDir(async (dir) => {
      const script = `samlkit() { "${process.execPath}" "${cliPath}" "$@"; }\nset -e\n${block}`;
      const { stdout } = await promisify(execFile)('bash', ['-c', script], { cwd: dir, timeout: 60_000 });
      expect(stdout).toMatch(/^Decoded, NOT verified/m);
      expect(stdout).toMatch(/^VALID: LogoutRequest over HTTP-Redirect, signed RSA-SHA256/m);
    });
  });
});

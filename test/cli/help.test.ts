import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  assertCliBuilt,
  cliPath,
  repoRoot,
  runCliProcess as runCli,
  runCli as runCliInProcess,
} from './support.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

beforeAll(assertCliBuilt);

/** Every option each command accepts; its --help must document all of them. */
const commandOptions: Record<string, string[]> = {
  decode: ['--json', '--raw', '--help'],
  verify: [
    '--cert',
    '--issuer',
    '--destination',
    '--in-response-to',
    '--now',
    '--clock-skew',
    '--accept-reencoded-signature',
    '--unsafe-allow-sha1',
    '--key',
    '--audience',
    '--json',
    '--help',
  ],
  'logout-request': [
    '--issuer',
    '--destination',
    '--name-id',
    '--name-id-format',
    '--name-qualifier',
    '--sp-name-qualifier',
    '--session-index',
    '--reason',
    '--binding',
    '--key',
    '--cert',
    '--sig-alg',
    '--relay-state',
    '--id',
    '--issue-instant',
    '--help',
  ],
  'logout-response': [
    '--issuer',
    '--destination',
    '--in-response-to',
    '--status',
    '--sub-status',
    '--status-message',
    '--binding',
    '--key',
    '--cert',
    '--sig-alg',
    '--relay-state',
    '--id',
    '--issue-instant',
    '--help',
  ],
  keygen: ['--out', '--ec', '--cn', '--days', '--force', '--help'],
};

describe('samlkit executable', () => {
  it('is a CommonJS file with a node shebang, executable, named by package.json "bin"', () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    expect(join(repoRoot, pkg.bin.samlkit)).toBe(cliPath);
    expect(readFileSync(cliPath, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    for (const flag of ['--version', '-v']) {
      expect(await runCli([flag])).toEqual({ status: 0, stdout: `${pkg.version}\n`, stderr: '' });
    }
  });

  it('--help lists every command and the exit statuses', async () => {
    const { status, stdout, stderr } = await runCli(['--help']);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: samlkit <command>/);
    for (const name of Object.keys(commandOptions)) expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(stdout).toContain("'samlkit: SAML_CODE: message'");
    expect((await runCli(['help'])).stdout).toBe(stdout);
  });

  it('without a command prints the help on stderr and exits 2', async () => {
    const { status, stdout, stderr } = await runCli([]);
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Usage: samlkit <command>/);
  });

  it.concurrent.for(Object.entries(commandOptions))(
    '%s --help documents every option',
    async ([name, options], { expect }) => {
      const { status, stdout } = await runCli([name, '--help']);
      expect(status).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: samlkit ${name}`));
      for (const option of options) expect(stdout, option).toContain(option);
      expect(stdout).toMatch(/Exit status:/);
      // Same text from `help <command>` and `-h`, and --help wins over other (even bad) arguments.
      expect((await runCli(['help', name])).stdout).toBe(stdout);
      expect((await runCli([name, '--no-such-flag', '-h'])).stdout).toBe(stdout);
    },
  );
});

describe('usage errors exit 2 and point to --help', () => {
  const cases: [string, string[], RegExp][] = [
    [
      'unknown command',
      ['frobnicate'],
      /^samlkit: usage: unknown command 'frobnicate'\nRun 'samlkit --help'/,
    ],
    ['unknown top-level option', ['--frob'], /^samlkit: usage: unknown option '--frob'/],
    ['help for an unknown command', ['help', 'frobnicate'], /unknown command 'frobnicate'/],
    [
      'unknown option',
      ['decode', 'x', '--frob'],
      /^samlkit: usage: Unknown option '--frob'\nRun 'samlkit decode --help'/,
    ],
    ['missing message argument', ['decode'], /missing the message argument/],
    ['extra argument', ['decode', 'a', 'b'], /unexpected argument 'b'/],
    ['--json with --raw', ['decode', 'x', '--json', '--raw'], /'--json' and '--raw' exclude each other/],
    ['verify without --cert', ['verify', 'x'], /option '--cert' is required/],
    ['bad --now', ['verify', 'x', '--cert', 'c.pem', '--now', 'yesterday'], /'--now' must be an ISO 8601/],
    ['bad --clock-skew', ['verify', 'x', '--cert', 'c.pem', '--clock-skew', '-5'], /--clock-skew/],
    [
      'missing required option',
      ['logout-request', '--destination', 'https://sp/slo', '--name-id', 'a'],
      /option '--issuer' is required/,
    ],
    [
      'option given twice',
      [
        'logout-request',
        '--issuer',
        'a',
        '--issuer',
        'b',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
      ],
      /option '--issuer' may be given only once/,
    ],
    [
      'option without its value',
      ['logout-request', '--issuer'],
      /Option '--issuer <value>' argument missing/,
    ],
    [
      'unknown binding',
      [
        'logout-request',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
        '--binding',
        'pigeon',
      ],
      /'--binding' must be one of: redirect, post, soap/,
    ],
    [
      '--key without --cert',
      [
        'logout-request',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
        '--key',
        'k.pem',
      ],
      /'--key' and '--cert' go together/,
    ],
    [
      '--sig-alg without a key',
      [
        'logout-request',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
        '--sig-alg',
        'rsa-sha256',
      ],
      /'--sig-alg' needs '--key' and '--cert'/,
    ],
    [
      'unknown --sig-alg name',
      [
        'logout-request',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
        '--sig-alg',
        'md5',
      ],
      /'--sig-alg' must be a signature method URI or one of: rsa-sha1, rsa-sha256/,
    ],
    [
      'RelayState on SOAP',
      [
        'logout-request',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
        '--binding',
        'soap',
        '--relay-state',
        'x',
      ],
      /the SOAP binding has no RelayState/,
    ],
    [
      'unknown NameID format name',
      [
        'logout-request',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
        '--name-id-format',
        'mail',
      ],
      /'--name-id-format' must be a URI or one of: emailaddress, persistent/,
    ],
    [
      'bad --issue-instant',
      [
        'logout-request',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--name-id',
        'a',
        '--issue-instant',
        'now',
      ],
      /'--issue-instant' must be an ISO 8601/,
    ],
    [
      'unknown --status',
      [
        'logout-response',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--in-response-to',
        '_a',
        '--status',
        'fine',
      ],
      /'--status' must be one of: success, partial, requester, responder/,
    ],
    [
      '--status partial with --sub-status',
      [
        'logout-response',
        '--issuer',
        'i',
        '--destination',
        'https://sp/slo',
        '--in-response-to',
        '_a',
        '--status',
        'partial',
        '--sub-status',
        'RequestDenied',
      ],
      /already sets the second-level code/,
    ],
    [
      'logout-response without --destination on redirect',
      ['logout-response', '--issuer', 'i', '--in-response-to', '_a'],
      /'--destination' is required for --binding redirect/,
    ],
    ['keygen without --out', ['keygen'], /option '--out' is required/],
    ['keygen with bad --days', ['keygen', '--out', 'k', '--days', '0'], /'--days' must be a whole number/],
    ['keygen with an argument', ['keygen', 'k'], /Unexpected argument 'k'|unexpected argument 'k'/],
  ];

  // The CLI's main in this process (runCli in support.ts): the same parsing and exit status as
  // the executable without a Node start per case; the executable's own exit 2 is checked below.
  it.concurrent.for(cases)('%s', async ([_name, args, pattern], { expect }) => {
    const { status, stdout, stderr } = await runCliInProcess(args);
    expect(stderr).toMatch(pattern);
    expect(stderr).toMatch(/Run 'samlkit( [a-z-]+)? --help' for usage\.\n$/);
    expect(stdout).toBe('');
    expect(status).toBe(2);
  });

  it.concurrent('the executable exits 2 with the same message', async ({ expect }) => {
    const [, args, pattern] = cases.find(([name]) => name === 'unknown option')!;
    const inProcess = await runCliInProcess(args);
    const executable = await runCli(args);
    expect(executable).toEqual(inProcess);
    expect(executable.stderr).toMatch(pattern);
    expect(executable.status).toBe(2);
  });
});

/**
 * Every fenced code block in the README and in every Markdown file under docs/ is checked here,
 * so the documentation cannot drift from the code. A new guide, or a new block in one, is picked
 * up without touching this file.
 *
 * - `ts` / `js` blocks are type-checked together (strict, against the BUILT package's
 *   declarations) and then run with node. Node 20 cannot run TypeScript, so each block is
 *   transpiled with the TypeScript compiler this repository already depends on. The files are
 *   written under `.tmp/` inside the repository, where `import … from 'samlkit'` resolves through
 *   the package's own `exports` map to `dist/`: the blocks use exactly what a user installs.
 * - `sh` blocks: every command must name something that exists (an npm script, a file, a bin,
 *   this package). The cheap ones run: `node …`, and npm scripts of the form
 *   `npm run build && node …` or `node scripts/build-if-stale.mjs && node …`, whose build step
 *   is skipped because `npm test` built `dist/` before vitest started (rebuilding here would
 *   replace dist/ under the other test files).
 * - `text` blocks (sample output) are not checked.
 * - A script block whose first line is `// continued` runs with the blocks before it prepended,
 *   so a guide can show a program step by step.
 * - A hidden `<!-- setup … -->` comment right before a block is prepended to it, and a hidden
 *   `<!-- teardown … -->` right after it is appended (closing the clients a block opened, so its
 *   process ends); a `// continued` block carries on from the previous block without its teardown.
 * - The blocks of the stores guide talk to a real Redis and PostgreSQL: this test starts
 *   throw-away servers (test/support/database-servers.mjs) and runs those blocks with
 *   `REDIS_URL` and `DATABASE_URL` set. Without the binaries they are skipped loudly, and under
 *   CI=true they fail.
 * - A hidden `<!-- type-check only: <why> -->` before a block type-checks it without running it,
 *   for a fragment that only runs inside a test runner; the reason is shown in the test name.
 * - `console.log(…); // → text` states what the line prints, and the run fails if it prints
 *   anything else.
 */
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findPostgres,
  findRedisServer,
  type RunningServer,
  startPostgres,
  startRedis,
} from './support/database-servers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  scripts: Record<string, string>;
  bin?: string | Record<string, string>;
};
/** This package's own bins (`npx <name>` after installing it). */
const ownBins = new Set(typeof pkg.bin === 'string' ? [pkg.name] : Object.keys(pkg.bin ?? {}));

/** README.md and every Markdown file under docs/, in a stable order. */
function markdownFiles(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return ['README.md', ...found.sort()];
}
const documents = markdownFiles();

interface Block {
  document: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  code: string;
  /** The hidden `<!-- setup … -->` comment right before the fence, if any. */
  setup?: string;
  /** The hidden `<!-- teardown … -->` comment right after the fence, if any. */
  teardown?: string;
  /** Why the block is type-checked and not run (`<!-- type-check only: … -->`), if so. */
  typeCheckOnly?: string;
}

function extractBlocks(markdown: string, document: string): Block[] {
  // `end`: the line after the closing fence, to check that a teardown follows its block.
  const blocks: (Block & { end: number })[] = [];
  const lines = markdown.split('\n');
  let setup: string[] | undefined;
  let typeCheckOnly: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const only = /^<!-- type-check only: (.+) -->$/.exec(lines[i]!);
    if (only) {
      typeCheckOnly = only[1];
      continue;
    }
    if (lines[i] === '<!-- teardown') {
      // Appended to the block right before it (only blank lines between).
      const start = i;
      const teardown: string[] = [];
      for (i++; i < lines.length && lines[i] !== '-->'; i++) teardown.push(lines[i]!);
      if (i >= lines.length) throw new Error(`${document}:${start + 1}: unclosed teardown comment`);
      const previous = blocks.at(-1);
      const between = lines.slice(previous ? previous.end : 0, start);
      if (!previous || previous.teardown !== undefined || between.some((line) => line.trim() !== ''))
        throw new Error(`${document}:${start + 1}: teardown not right after a block`);
      previous.teardown = teardown.join('\n');
      continue;
    }
    if (lines[i] === '<!-- setup') {
      // A hidden setup a fragment needs to compile and run (imports, a configured `idp`, an
      // Express `app`), for the block right after it. Readers see the fragment alone.
      const start = i;
      setup = [];
      for (i++; i < lines.length && lines[i] !== '-->'; i++) setup.push(lines[i]!);
      if (i >= lines.length) throw new Error(`${document}:${start + 1}: unclosed setup comment`);
      continue;
    }
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) {
      if ((setup || typeCheckOnly) && lines[i]!.trim() !== '')
        throw new Error(`${document}:${i + 1}: setup or type-check-only marker not followed by a block`);
      continue;
    }
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`${document}:${start + 1}: unclosed code fence`);
    blocks.push({
      document,
      line: start + 1,
      end: i + 1,
      lang: open[1] ?? '',
      code: body.join('\n'),
      ...(setup ? { setup: setup.join('\n') } : {}),
      ...(typeCheckOnly ? { typeCheckOnly } : {}),
    });
    setup = undefined;
    typeCheckOnly = undefined;
  }
  return blocks.map(({ end: _end, ...block }) => block);
}

const scriptLangs = new Set(['ts', 'typescript', 'js', 'javascript']);
const shellLangs = new Set(['sh', 'bash', 'shell', 'console']);
const textLangs = new Set(['text']);

// ---------------------------------------------------------------------------------------------
// Script blocks

interface Exec {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeout = 60_000, env?: Record<string, string>): Promise<Exec> {
  return new Promise((resolve) => {
    const options = { cwd: root, timeout, killSignal: 'SIGKILL' as const, env: { ...process.env, ...env } };
    execFile(command, args, options, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: number }) | null;
      resolve({
        code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
        stdout,
        stderr,
      });
    });
  });
}

const compilerOptions: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2023.d.ts'],
  types: ['node'],
  noEmit: true,
  skipLibCheck: true,
  allowJs: true,
  checkJs: true,
};

/** Type-checks the files as one program; returns the diagnostics per file. */
function typeCheck(files: string[]): Map<string, string[]> {
  const program = ts.createProgram(files, compilerOptions);
  const result = new Map<string, string[]>();
  for (const file of files) {
    const source = program.getSourceFile(file)!;
    result.set(
      file,
      ts.getPreEmitDiagnostics(program, source).map((d) => {
        const where =
          d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        return where ? `line ${where.line + 1}: ${text}` : text;
      }),
    );
  }
  return result;
}

/**
 * A line `console.log(…); // → text` documents what it prints. In the file that runs, the line
 * prints as before and then throws unless the printed text is exactly `text`.
 */
function checkPrintedOutput(code: string): string {
  let count = 0;
  const checked = code.replace(
    /^(\s*)console\.log\((.*)\);\s*\/\/ → (.*)$/gm,
    (_line, indent: string, args: string, expected: string) => {
      count++;
      return `${indent}{ const printed = __format(${args}); console.log(printed); if (printed !== ${JSON.stringify(expected)}) throw new Error('printed ' + JSON.stringify(printed) + ', the comment says ' + ${JSON.stringify(JSON.stringify(expected))}); }`;
    },
  );
  return count === 0 ? code : `import { format as __format } from 'node:util';\n${checked}`;
}

/** Writes script blocks as files under .tmp/ (inside the package, so 'samlkit' resolves to dist/). */
function createWorkspace() {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(root, '.tmp', 'code-blocks-'));
  // The stores guide imports the conformance suite as a file next to the reader's test.
  writeFileSync(
    join(dir, 'store-conformance.ts'),
    "export { runStoreConformance } from '../../test/support/store-conformance.js';\n",
  );
  let count = 0;
  return {
    dir,
    /** Writes the block as `.ts`/`.js` (to type-check) and its transpiled `.mjs` (to run). */
    add(code: string, lang: string): { source: string; runnable: string } {
      const base = join(dir, `block-${++count}`);
      const source = `${base}.${lang.startsWith('t') ? 'ts' : 'js'}`;
      writeFileSync(source, code);
      const js = ts.transpileModule(checkPrintedOutput(code), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
        fileName: source,
      }).outputText;
      writeFileSync(`${base}.mjs`, js);
      return { source, runnable: `${base}.mjs` };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

// ---------------------------------------------------------------------------------------------
// Shell blocks

/** Commands from the system, not from this package, that shell blocks may pipe into or out of. */
const standardTools = new Set(['curl', 'pbpaste', 'openssl', 'xmllint', 'xmlsec1', 'cat', 'echo']);

/** Checks each command of a shell block; returns problems and the commands cheap enough to run. */
function checkShell(code: string): { problems: string[]; runnable: string[][] } {
  const problems: string[] = [];
  const runnable: string[][] = [];
  // A trailing backslash continues the command on the next line.
  for (const rawLine of code.replace(/\\\n\s*/g, ' ').split('\n')) {
    const line = rawLine
      .replace(/^\$\s+/, '')
      .replace(/\s+#.*$/, '')
      .trim();
    if (line === '' || line.startsWith('#')) continue;
    // `(cd dir && …)` runs in a subshell: check the commands inside it.
    const commands = line.split(/&&|\|/).map((c) =>
      c
        .replace(/\s[0-9]?>\s*\S+/g, '')
        .trim()
        .replace(/^\(/, '')
        .replace(/\)$/, ''),
    );
    for (const command of commands) {
      const [tool, ...args] = command.split(/\s+/);
      const plain = args.filter((a) => !a.startsWith('-'));
      if (tool !== undefined && standardTools.has(tool)) {
        // A tool the reader has (or the guide says where it comes from); not run here.
      } else if (tool === 'cd' || (tool === 'npm' && args[0] === 'pack' && args.length === 1)) {
        // Moving into a clone, packing it: nothing to name.
      } else if (tool === 'npm' && args[0] === 'ci') {
        if (!existsSync(join(root, 'package-lock.json'))) problems.push(`${command}: no package-lock.json`);
      } else if (tool === 'npm' && (args[0] === 'install' || args[0] === 'i')) {
        // This package by name, or a git URL, folder or tarball of it (how to install it unpublished),
        // written out or as the README's placeholders for a URL and a folder only the reader knows.
        const ofThisPackage = new RegExp(
          `(^|[/+])(${pkg.name}|<repository-url>|<path-to-clone>)(\\.git|-\\d+\\.\\d+\\.\\d+\\.tgz)?$`,
        );
        for (const name of plain.slice(1)) {
          if (!ofThisPackage.test(name)) problems.push(`${command}: installs ${name}, not ${pkg.name}`);
        }
      } else if (tool === 'npm' && (args[0] === 'test' || args[0] === 'run')) {
        const script = args[0] === 'test' ? 'test' : args[1];
        const body = script === undefined ? undefined : pkg.scripts[script];
        if (body === undefined) {
          problems.push(`${command}: no npm script "${script}"`);
          continue;
        }
        const afterBuild = /^(?:npm run build|node scripts\/build-if-stale\.mjs) && (node .*)$/.exec(body);
        if (afterBuild) {
          const extra = args.includes('--') ? args.slice(args.indexOf('--') + 1) : [];
          runnable.push([...afterBuild[1]!.split(/\s+/), ...extra]);
        }
      } else if (tool === 'node') {
        const file = plain[0];
        if (!file || !existsSync(join(root, file))) problems.push(`${command}: no file ${file}`);
        else runnable.push([tool, ...args]);
      } else if (tool === 'bash') {
        if (!plain[0] || !existsSync(join(root, plain[0]))) problems.push(`${command}: no file ${plain[0]}`);
      } else if (tool === 'npx' || (tool !== undefined && ownBins.has(tool))) {
        const bin = tool === 'npx' ? plain[0] : tool;
        if (!bin || !(ownBins.has(bin) || existsSync(join(root, 'node_modules', '.bin', bin)))) {
          problems.push(`${command}: no bin ${bin} in this package or node_modules/.bin`);
        }
      } else {
        problems.push(`${command}: not a command this check knows; teach test/readme.test.ts about it`);
      }
    }
  }
  return { problems, runnable };
}

// ---------------------------------------------------------------------------------------------

const all = documents.flatMap((document) =>
  extractBlocks(readFileSync(join(root, document), 'utf8'), document),
);
const scripts = all.filter((b) => scriptLangs.has(b.lang));
const files = new Map<Block, { source: string; runnable: string }>();
let workspace: ReturnType<typeof createWorkspace>;
let diagnostics: Map<string, string[]>;
const outputs = new Map<Block, Exec>();

/** Guides whose blocks need a live Redis and PostgreSQL (their URLs in REDIS_URL and DATABASE_URL). */
const databaseGuides = new Set<string>(['docs/guide/stores-and-transports.md']);
const needsDatabases = scripts.some((b) => databaseGuides.has(b.document) && b.typeCheckOnly === undefined);
const databaseBinaries = { redis: findRedisServer(), postgres: findPostgres() };
const databasesMissing = [
  ...(databaseBinaries.redis ? [] : ['redis-server (apt-get install -y redis-server)']),
  ...(databaseBinaries.postgres ? [] : ['PostgreSQL (apt-get install -y postgresql)']),
];
if (needsDatabases && databasesMissing.length > 0) {
  const message = `not installed: ${databasesMissing.join(', ')}; the blocks of ${[...databaseGuides].join(', ')}`;
  if (process.env.CI === 'true') throw new Error(`CI=true and ${message} must run`);
  console.warn(`\n[samlkit tests] SKIPPING the blocks that need databases: ${message}\n`);
}
const servers: RunningServer[] = [];
let databaseEnv: Record<string, string> = {};

beforeAll(async () => {
  if (needsDatabases && databasesMissing.length === 0) {
    // Throw-away servers, started while the blocks are written and type-checked.
    const keep = async (server: Promise<RunningServer>) => {
      const running = await server;
      servers.push(running);
      return running;
    };
    const [[redis, postgres]] = await Promise.all([
      Promise.all([keep(startRedis(databaseBinaries.redis)), keep(startPostgres(databaseBinaries.postgres))]),
      prepareBlocks(),
    ]);
    databaseEnv = { REDIS_URL: redis.url, DATABASE_URL: postgres.url };
  } else {
    await prepareBlocks();
  }
}, 120_000);

afterAll(async () => {
  workspace?.remove();
  await Promise.all(servers.map((server) => server.stop()));
});

async function prepareBlocks(): Promise<void> {
  if (!existsSync(join(root, 'dist', 'index.d.ts'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does) before these tests');
  }
  workspace = createWorkspace();
  // A block starting with `// continued` carries on from the previous script block of its document.
  const combined = new Map<Block, string>();
  scripts.forEach((block, i) => {
    const previous = scripts[i - 1];
    const own = block.setup === undefined ? block.code : `${block.setup}\n${block.code}`;
    const code =
      block.code.startsWith('// continued') && previous?.document === block.document
        ? `${combined.get(previous)}\n${own}`
        : own;
    combined.set(block, code);
    files.set(
      block,
      workspace.add(block.teardown === undefined ? code : `${code}\n${block.teardown}`, block.lang),
    );
  });
  diagnostics = typeCheck([...files.values()].map((f) => f.source));
}

/**
 * Guides whose TypeScript blocks are still fragments: their blocks are listed as todo, not run,
 * until each gets what it needs (usually a `<!-- setup -->` comment). Empty now; this list only
 * shrinks: a guide on it whose blocks all type-check fails the test below.
 */
const notYetRunnable = new Set<string>([]);

describe('documentation code blocks', () => {
  it('finds the blocks (and every block has a language this test handles)', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(3);
    for (const block of all) {
      expect(
        scriptLangs.has(block.lang) || shellLangs.has(block.lang) || textLangs.has(block.lang),
        `${block.document}:${block.line}: code block language "${block.lang}"`,
      ).toBe(true);
    }
  });

  it('runs every script block: none is type-checked only, and no guide waits on the not-yet-runnable list', () => {
    expect(
      scripts.filter((b) => b.typeCheckOnly !== undefined).map((b) => `${b.document}:${b.line}`),
    ).toEqual([]);
    expect([...notYetRunnable]).toEqual([]);
  });

  for (const block of all) {
    const where = `${block.document}:${block.line}`;
    if (scriptLangs.has(block.lang) && notYetRunnable.has(block.document)) {
      it.todo(`${where} (${block.lang}) type-checks against dist and runs`);
    } else if (scriptLangs.has(block.lang) && block.typeCheckOnly !== undefined) {
      it(`${where} (${block.lang}) type-checks against dist (not run: ${block.typeCheckOnly})`, () => {
        const file = files.get(block)!;
        expect(diagnostics.get(file.source), `type errors in ${where}`).toEqual([]);
      });
    } else if (scriptLangs.has(block.lang)) {
      const skip = databaseGuides.has(block.document) && databasesMissing.length > 0;
      // Each block runs in its own Node process: several at once.
      it.skipIf(skip).concurrent(
        `${where} (${block.lang}) type-checks against dist and runs`,
        async ({ expect }) => {
          const file = files.get(block)!;
          expect(diagnostics.get(file.source), `type errors in ${where}`).toEqual([]);
          const env = databaseGuides.has(block.document) ? databaseEnv : {};
          const result = await run(process.execPath, [file.runnable], 60_000, env);
          outputs.set(block, result);
          expect(result.stderr, `stderr of ${where}`).toBe('');
          expect(result.code, `exit code of ${where}`).toBe(0);
        },
      );
    } else if (shellLangs.has(block.lang)) {
      it.concurrent(`${where} (${block.lang}) names only existing commands, and the cheap ones succeed`, async ({
        expect,
      }) => {
        const { problems, runnable } = checkShell(block.code);
        expect(problems).toEqual([]);
        for (const [tool, ...args] of runnable) {
          const result = await run(tool === 'node' ? process.execPath : tool!, args);
          expect(result.code, `${tool} ${args.join(' ')}\n${result.stderr}`).toBe(0);
        }
      });
    }
  }

  it('a guide stays on the not-yet-runnable list only while one of its blocks fails to type-check', () => {
    for (const document of notYetRunnable) {
      const blocks = scripts.filter((b) => b.document === document);
      const failing = blocks.filter((b) => (diagnostics.get(files.get(b)!.source) ?? []).length > 0);
      expect(
        failing.length,
        `${document}: every block type-checks; take it off notYetRunnable`,
      ).toBeGreaterThan(0);
    }
  });

  it('the README LogoutRequest example prints an ID and a Redirect URL signed by the IdP key', async () => {
    const { receiveRedirect, parseLogoutRequest } = await import('../src/index.js');
    const block = all.find((b) => b.document === 'README.md' && b.code.includes('buildLogoutRequest('))!;
    const lines = block.code.split('\n');
    expect(lines.length, 'the README promises an example of at most 15 lines').toBeLessThanOrEqual(15);
    let output = outputs.get(block);
    if (!output) output = await run(process.execPath, [files.get(block)!.runnable]);
    const [id, url] = output.stdout.trim().split(' ');
    const received = receiveRedirect(url!, {
      trust: [readFileSync(join(root, 'fixtures/keys/idp.crt'), 'utf8')],
      expect: { issuer: 'https://idp.example.com/metadata', destination: 'https://sp.example.com/slo' },
    });
    expect(received.signed).toBe(true);
    expect(parseLogoutRequest(received.xml).id).toBe(id);
  });
});

describe('the checker itself fails on broken blocks', () => {
  it('a script block using an export that does not exist fails the type check', () => {
    const ws = createWorkspace();
    try {
      const file = ws.add("import { buildLogoutRequests } from 'samlkit';\nbuildLogoutRequests();\n", 'ts');
      const found = typeCheck([file.source]).get(file.source)!;
      expect(found.join('\n')).toMatch(/buildLogoutRequests/);
    } finally {
      ws.remove();
    }
  });

  it('a script block that throws exits non-zero', async () => {
    const ws = createWorkspace();
    try {
      const file = ws.add("import { parseDuration } from 'samlkit';\nparseDuration('minutes=x');\n", 'ts');
      expect(typeCheck([file.source]).get(file.source)).toEqual([]);
      const result = await run(process.execPath, [file.runnable]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('SAML_CONFIG_INVALID');
    } finally {
      ws.remove();
    }
  });

  it('a `// → …` comment that does not match what the line prints fails the run', async () => {
    const ws = createWorkspace();
    try {
      const good = ws.add(
        "import { parseDuration } from 'samlkit';\nconsole.log(parseDuration('minutes=2')); // → 120000\n",
        'ts',
      );
      expect((await run(process.execPath, [good.runnable])).code).toBe(0);
      const bad = ws.add(
        "import { parseDuration } from 'samlkit';\nconsole.log(parseDuration('minutes=2')); // → 60000\n",
        'ts',
      );
      const result = await run(process.execPath, [bad.runnable]);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('printed "120000", the comment says "60000"');
    } finally {
      ws.remove();
    }
  });

  it('shell commands naming a missing script, file, bin or package are reported', () => {
    const { problems } = checkShell(
      'npm run no-such-script\nnode demo/missing.mjs\nnpx no-such-bin\nnpm install left-pad\nmake all\nnpm install <path-to-left-pad>',
    );
    expect(problems).toHaveLength(6);
  });

  it('a teardown comment is attached to the block right before it, and nowhere else', () => {
    const [block] = extractBlocks('```ts\nopen();\n```\n\n<!-- teardown\nclose();\n-->\n', 'x.md');
    expect(block).toMatchObject({ code: 'open();', teardown: 'close();' });
    expect(() => extractBlocks('```ts\nopen();\n```\ntext\n<!-- teardown\nclose();\n-->\n', 'x.md')).toThrow(
      /teardown not right after a block/,
    );
    const [onlyTyped] = extractBlocks('<!-- type-check only: needs vitest -->\n```ts\nx();\n```\n', 'x.md');
    expect(onlyTyped?.typeCheckOnly).toBe('needs vitest');
  });

  it('the workspace lives inside the package, where the self-reference resolves', () => {
    const ws = createWorkspace();
    try {
      expect(relative(root, ws.dir).startsWith('.tmp')).toBe(true);
    } finally {
      ws.remove();
    }
  });
});

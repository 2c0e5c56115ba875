import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.isFile() && entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** Drops comments so prose such as "only src/xml imports from 'xpath'" is never counted. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s;{}()])\/\/[^\n]*/g, '$1');
}

/** Every module specifier of static imports/exports, side-effect imports, `import()` and `require()`. */
function importsOf(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
  for (const match of stripComments(source).matchAll(pattern)) specifiers.push(match[2]!);
  return specifiers;
}

const files = sourceFiles(srcDir).map((path) => ({
  path: relative(srcDir, path).split(sep).join('/'),
  imports: importsOf(readFileSync(path, 'utf8')),
}));

const matches = (specifier: string, module: string) =>
  specifier === module || specifier.startsWith(`${module}/`);

function importersOf(modules: readonly string[]): string[] {
  return files.filter((f) => f.imports.some((s) => modules.some((m) => matches(s, m)))).map((f) => f.path);
}

const rules: { modules: readonly string[]; allowed: (path: string) => boolean; where: string }[] = [
  { modules: ['@xmldom/xmldom', 'xpath'], allowed: (p) => p.startsWith('xml/'), where: 'src/xml/*' },
  {
    modules: ['xml-crypto', 'node:crypto', 'crypto'],
    allowed: (p) => p.startsWith('crypto/'),
    where: 'src/crypto/*',
  },
  // DEFLATE lives in one module; pako is only a test-side reference implementation now.
  {
    modules: ['node:zlib', 'zlib', 'pako'],
    allowed: (p) => p === 'bindings/deflate.ts',
    where: 'src/bindings/deflate.ts',
  },
  { modules: ['zod'], allowed: (p) => p.startsWith('config/'), where: 'src/config/*' },
];

describe('import scanner', () => {
  it('finds every form of import', () => {
    const sample = [
      "import { a,\n  b } from '@xmldom/xmldom';",
      "import type { C } from 'xpath';",
      "export { d } from 'pako';",
      "export * from 'zod/v4';",
      "import 'node:crypto';",
      "const e = await import('xml-crypto');",
      'const f = require("crypto");',
      "// import { g } from 'not-me';",
      "/* import { h } from 'nor-me'; */",
      "const url = 'http://example.com/'; // from 'comment'",
    ].join('\n');
    expect(importsOf(sample)).toEqual([
      '@xmldom/xmldom',
      'xpath',
      'pako',
      'zod/v4',
      'node:crypto',
      'xml-crypto',
      'crypto',
    ]);
  });

  it('scans the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.map((f) => f.path)).toContain('xml/parse.ts');
  });
});

describe('import boundaries (DESIGN.md layers)', () => {
  it.each(rules)('only $where imports $modules', ({ modules, allowed }) => {
    const importers = importersOf(modules);
    expect(importers.length).toBeGreaterThan(0);
    expect(importers.filter((path) => !allowed(path))).toEqual([]);
  });

  it('pins the known importers of each seam', () => {
    expect(importersOf(['@xmldom/xmldom'])).toContain('xml/parse.ts');
    // xml-crypto is a test oracle only (ADR 0010): samlkit signs and verifies with its own C14N.
    expect(importersOf(['xml-crypto'])).toEqual([]);
    expect(importersOf(['node:crypto', 'crypto'])).toContain('crypto/primitives.ts');
    expect(importersOf(['node:zlib', 'zlib'])).toEqual(['bindings/deflate.ts']);
    expect(importersOf(['pako'])).toEqual([]);
  });
});

/** The src/ folder a relative specifier of `file` lands in; undefined for a package or a file at the root. */
function folderImported(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = posix.join(posix.dirname(file), specifier);
  const slash = target.indexOf('/');
  return slash === -1 || target.startsWith('..') ? undefined : target.slice(0, slash);
}

/** `from`'s files that import anything in folder `to`, with the specifiers. */
function crossings(from: string, to: string): string[] {
  return files
    .filter((f) => f.path.startsWith(`${from}/`))
    .flatMap((f) =>
      f.imports.filter((s) => folderImported(f.path, s) === to).map((s) => `${f.path} -> ${s}`),
    );
}

describe('the SSO and SLO engines stay apart (DESIGN.md layers)', () => {
  it('resolves relative specifiers to the folder they land in', () => {
    expect(folderImported('sso/sso-reply.ts', '../message/issuer.js')).toBe('message');
    expect(folderImported('sso/sso-reply.ts', './response.js')).toBe('sso');
    expect(folderImported('index.ts', './slo/events.js')).toBe('slo');
    expect(folderImported('redis.ts', './store/redis.js')).toBe('store');
    expect(folderImported('sso/sso-reply.ts', 'bullmq')).toBeUndefined();
    // The facade composes both engines, so the scan has something to find.
    expect(crossings('idp', 'sso').length).toBeGreaterThan(0);
    expect(crossings('idp', 'slo').length).toBeGreaterThan(0);
  });

  it.each([
    ['sso', 'slo'],
    ['slo', 'sso'],
  ])('nothing in src/%s imports from src/%s', (from, to) => {
    // What both engines need (the Issuer towards a provider, the signing settings) lives in src/message.
    expect(crossings(from, to)).toEqual([]);
  });
});

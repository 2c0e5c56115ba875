/**
 * The public surface, pinned: every runtime name and every exported type of
 * each entry point, read with the TypeScript compiler from the entry's source.
 * A change to the surface is a diff of api-surface.txt, reviewed like code
 * (`npx vitest run test/package/api-surface.test.ts -u` rewrites it).
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Entry points by their import path, as package.json's exports map names them. */
const entries: Record<string, string> = {
  samlkit: 'src/index.ts',
  'samlkit/http': 'src/http/index.ts',
  'samlkit/redis': 'src/redis.ts',
  'samlkit/postgres': 'src/postgres.ts',
  'samlkit/bullmq': 'src/bullmq.ts',
  'samlkit/serve': 'src/serve/index.ts',
};

const program = ts.createProgram(
  Object.values(entries).map((file) => root + file),
  {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
  },
);
const checker = program.getTypeChecker();

/** `value name` or `type name` for each export of `file`, sorted. */
function surfaceOf(file: string): string[] {
  const source = program.getSourceFile(root + file);
  if (!source) throw new Error(`${file} is not in the program`);
  const module = checker.getSymbolAtLocation(source)!;
  return checker
    .getExportsOfModule(module)
    .map((symbol) => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return `${target.flags & ts.SymbolFlags.Value ? 'value' : 'type '} ${symbol.name}`;
    })
    .sort();
}

describe('public surface', () => {
  const surfaces = Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, surfaceOf(file)]));

  it('matches the pinned list of names (api-surface.txt)', async () => {
    const text = Object.entries(surfaces)
      .map(([name, lines]) => `# ${name}\n${lines.join('\n')}\n`)
      .join('\n');
    await expect(text).toMatchFileSnapshot('api-surface.txt');
  });

  it.each(Object.entries(entries))(
    '%s: the runtime names are exactly the value exports',
    async (name, file) => {
      const module = await import(/* @vite-ignore */ root + file);
      const values = surfaces[name]!.filter((line) => line.startsWith('value ')).map((line) => line.slice(6));
      expect(Object.keys(module).sort()).toEqual(values);
    },
  );

  it('no entry re-exports a whole module: every export is named', async () => {
    const { readFileSync } = await import('node:fs');
    for (const file of Object.values(entries)) {
      expect(readFileSync(root + file, 'utf8'), file).not.toMatch(/export \* from/);
    }
  });

  it('keeps internals out of samlkit', () => {
    for (const internal of ['backoffDelay', 'classifyAddress', 'systemLookup', 'signatureAlgorithmInfo'])
      expect(surfaces.samlkit).not.toContain(`value ${internal}`);
  });
});

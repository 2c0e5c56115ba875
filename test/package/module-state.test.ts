/**
 * No module-level state in src/ may hold message content. This reads every
 * source file with the TypeScript parser and lists what could keep state
 * across calls: top-level `let`/`var` bindings, and top-level collections and
 * objects that the file changes after creating them. Only the entries below,
 * each named in docs/decisions/0009-no-process-wide-caches.md, may exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What may stay, and why it holds no message content. */
const allowed: Record<string, string> = {
  'src/crypto/keys.ts:keyObjects':
    'WeakMap from a KeyPair to its node:crypto key objects: lives as long as the caller keeps the KeyPair',
  'src/crypto/keys.ts:certificateCache':
    'trusted certificates given as PEM strings, parsed once; at most 256',
  'src/crypto/primitives.ts:pool': 'ID pool: 4 KiB of CSPRNG bytes, each handed out once',
  'src/crypto/primitives.ts:poolOffset': 'ID pool: the next unused byte',
  'src/store/postgres.ts:poolsWithErrorListener':
    'WeakSet of the pg pools that already carry the crash-guard error listener: lives as long as the caller keeps the pool',
  'src/testing/schema.ts:shipped': 'the folder of the shipped XSDs, found once: one path',
  'src/xml/tokenize.ts:qualifiedName': 'a sticky RegExp: its lastIndex is a position, set before each use',
};

const mutators =
  'set|add|delete|clear|push|pop|shift|unshift|splice|fill|sort|reverse|copyWithin|write\\w*|copy';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

type Container = 'bytes' | 'other';

/** What an initializer creates, when it is something changeable: a buffer, a collection, an array or an object. */
function containerKind(node: ts.Expression | undefined): Container | undefined {
  if (node === undefined) return undefined;
  while (ts.isAsExpression(node) || ts.isSatisfiesExpression(node) || ts.isParenthesizedExpression(node))
    node = node.expression;
  if (ts.isCallExpression(node) && /^Buffer\.alloc/.test(node.expression.getText())) return 'bytes';
  if (
    ts.isNewExpression(node) &&
    /^(?:Uint8|Uint16|Uint32|Int8|Int16|Int32|Float32|Float64)Array$|^Array$/.test(node.expression.getText())
  )
    return 'bytes';
  if (ts.isArrayLiteralExpression(node) || ts.isObjectLiteralExpression(node) || ts.isNewExpression(node))
    return 'other';
  return undefined;
}

/** The text of every function body in the file: what runs on each call, not once at load. */
function functionBodies(source: ts.SourceFile): string {
  const bodies: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      bodies.push((node.body as ts.Node).getText(source));
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return bodies.join('\n');
}

/** Top-level names in `file` that may carry state from one call to the next. */
function moduleState(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const calls = functionBodies(source);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    const mutable = (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) !== ts.NodeFlags.Const;
    for (const declaration of list.declarations) {
      if (!ts.isIdentifier(declaration.name)) continue;
      const name = declaration.name.text;
      if (mutable) {
        found.push(name);
        continue;
      }
      const kind = containerKind(declaration.initializer);
      if (kind === undefined) continue;
      // Changed by a call: a mutating method, an element or property assignment, or (bytes) handed to a call to fill.
      const changed = new RegExp(
        `\\b${name}\\s*\\.\\s*(?:${mutators})\\s*\\(|\\b${name}\\s*(?:\\[[^\\]]*\\]|\\.\\w+)\\s*(?:=(?!=)|\\+=|-=|\\+\\+|--)` +
          (kind === 'bytes' ? `|\\(\\s*${name}\\s*[,)]` : ''),
      );
      if (changed.test(calls)) found.push(name);
    }
  }
  return found;
}

describe('module-level state', () => {
  it('finds state of every kind it looks for (the scanner works)', () => {
    const sample = [
      'let counter = 0;',
      'const cache = new Map<string, string>();',
      'export function remember(k: string, v: string) { cache.set(k, v); }',
      'const seen: string[] = [];',
      'export function see(x: string) { seen.push(x); }',
      'const byName = {} as Record<string, string>;',
      'export function name(k: string) { byName[k] = k; }',
      'const pool = Buffer.alloc(16);',
      'export function refill() { fill(pool); }',
      'const lookup = new Map([["a", 1]]);',
      'export function get(k: string) { return lookup.get(k); }',
      'const names = ["a", "b"] as const;',
    ].join('\n');
    expect(moduleState('sample.ts', sample)).toEqual(['counter', 'cache', 'seen', 'byName', 'pool']);
  });

  it('src/ keeps only the allowed state: no message content, bounded, named in an ADR', () => {
    const found: string[] = [];
    for (const path of sourceFiles(join(root, 'src'))) {
      const file = relative(root, path).split('\\').join('/');
      for (const name of moduleState(file, readFileSync(path, 'utf8'))) found.push(`${file}:${name}`);
    }
    expect(found.sort()).toEqual(Object.keys(allowed).sort());
  });
});

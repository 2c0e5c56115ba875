/**
 * Linear before authentication: serve's form reader (the login form and the
 * "log out everywhere" form), fed each adversarial urlencoded shape at n and 4n
 * bytes in this process. The best CPU time at 4n may be at most 6× the best
 * time at n (linear work gives about 4×, quadratic 16×), as in
 * test/security/complexity.test.ts: ratios within one run, never absolute timings.
 *
 * 4n stays just under `maxFormBytes`, so every body is read and parsed in full
 * rather than refused for its size. Each shape also has to end the way it
 * claims (its fields, or its refusal), so a shape cannot go quietly
 * through an early exit and measure nothing.
 */
import { describe, expect, it } from 'vitest';
import { isRefusal, maxFormBytes, readForm } from '../../src/serve/forms.js';
import { expectLinear } from '../support/growth.js';

const n = Math.floor(maxFormBytes / 4) - 64;
const measure = { maxRatio: 6, attempts: 8, repetitions: 5, minBatchMs: 10 };

/** `unit` repeated to fill `size` bytes after `prefix`, whole units only. */
const fill = (prefix: string, unit: string, size: number, suffix = '') =>
  prefix + unit.repeat(Math.floor((size - prefix.length - suffix.length) / unit.length)) + suffix;

/** `name0=v&name1=v&…` up to `size` bytes. */
function manyFields(size: number, pair: (index: number) => string): string {
  const pairs: string[] = [];
  let length = 0;
  for (let index = 0; length < size - 16; index++) {
    const next = pair(index);
    pairs.push(next);
    length += next.length + 1;
  }
  return pairs.join('&');
}

/** What `readForm` ended in: the number of fields, or the refusal's status. */
type Outcome = { fields: number } | { status: number };
/** What a shape claims: an outcome, or as many fields as it has (hundreds at least). */
type Claim = Outcome | 'many fields';

const shapes: readonly {
  name: string;
  body: (size: number) => string | Uint8Array<ArrayBuffer>;
  outcome: Claim;
}[] = [
  { name: 'many short fields', body: (size) => manyFields(size, (i) => `f${i}=v`), outcome: 'many fields' },
  {
    name: 'many names without a value',
    body: (size) => manyFields(size, (i) => `f${i}`),
    outcome: 'many fields',
  },
  {
    name: 'one value of percent-escapes',
    body: (size) => fill('password=', '%41', size),
    outcome: { fields: 1 },
  },
  {
    name: 'one value of multi-byte percent-escapes',
    body: (size) => fill('username=', '%C3%A9', size),
    outcome: { fields: 1 },
  },
  { name: 'one value of plus signs', body: (size) => fill('username=', '+', size), outcome: { fields: 1 } },
  { name: 'one long field name', body: (size) => fill('', 'n', size, '=v'), outcome: { fields: 1 } },
  {
    name: 'every field empty-valued, each name a run of escapes',
    body: (size) => manyFields(size, (i) => `%7E%7E%7E${i}=`),
    outcome: 'many fields',
  },
  {
    name: 'a bad escape at the very end',
    body: (size) => fill('password=', 'A', size, '%G1'),
    outcome: { status: 400 },
  },
  {
    name: 'a truncated multi-byte escape at the very end',
    body: (size) => fill('password=', '%C3%A9', size, '%C3'),
    outcome: { status: 400 },
  },
  {
    name: 'invalid UTF-8 at the very end',
    body: (size) => {
      const text = fill('username=', 'b', size - 1);
      return Uint8Array.from([...Buffer.from(text, 'utf8'), 0xff]);
    },
    outcome: { status: 400 },
  },
  {
    name: 'a field repeated at the very end',
    body: (size) => `${manyFields(size - 8, (i) => `f${i}=v`)}&f0=again`,
    outcome: { status: 400 },
  },
];

const post = (body: string | Uint8Array<ArrayBuffer>): Request =>
  new Request('http://idp.test/login', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });

async function outcomeOf(body: string | Uint8Array<ArrayBuffer>): Promise<Outcome> {
  const form = await readForm(post(body));
  return isRefusal(form) ? { status: form.status } : { fields: form.size };
}

describe('linear before authentication: serve form bodies', () => {
  it.each(shapes)('$name ends as it claims at n and 4n, under the size limit', async ({ body, outcome }) => {
    for (const size of [n, 4 * n]) {
      const made = body(size);
      const bytes = typeof made === 'string' ? Buffer.byteLength(made) : made.byteLength;
      expect(bytes).toBeGreaterThan(size - 32);
      expect(bytes).toBeLessThanOrEqual(maxFormBytes);
      const ended = await outcomeOf(made);
      if (outcome === 'many fields') {
        expect(ended).toEqual({ fields: expect.any(Number) });
        expect((ended as { fields: number }).fields).toBeGreaterThan(size / 16);
      } else {
        expect(ended).toEqual(outcome);
      }
    }
  });

  it.each(shapes)('$name', async ({ body }) => {
    // A Request body can be read once: each call builds its own, which is linear too.
    await expectLinear(
      (size) => {
        const made = body(size);
        return () => readForm(post(made));
      },
      n,
      measure,
    );
  });
});

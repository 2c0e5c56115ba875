import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { digestAlgorithms } from '../../src/constants/algorithms.js';
import { digestBase64 } from '../../src/crypto/primitives.js';

describe('digestBase64', () => {
  it.each(Object.entries(digestAlgorithms))(
    'is the %s digest of the UTF-8 bytes, as createHash gives it',
    (name, uri) => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme', maxLength: 2000 }), (text) => {
          expect(digestBase64(uri, text)).toBe(
            createHash(name).update(Buffer.from(text, 'utf8')).digest('base64'),
          );
        }),
        { numRuns: 100 },
      );
    },
  );
});

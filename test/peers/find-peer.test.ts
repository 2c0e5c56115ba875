/**
 * A missing peer must never make its interop suite vanish silently on CI:
 * off CI it is skipped with a warning naming the package, under CI it fails.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { findPeer } from './support/processes.js';

const missing = '/nonexistent/samlkit-peer-binary';

describe('findPeer', () => {
  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    vi.restoreAllMocks();
  });

  it('returns the paths when every binary is there', () => {
    expect(findPeer('node', [process.execPath], 'nodejs')).toEqual([process.execPath]);
  });

  it('warns loudly, naming the package, and skips when one is missing off CI', () => {
    delete process.env.CI;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(findPeer('Some SP', [process.execPath, missing], 'some-sp-package')).toBeUndefined();
    expect(warn.mock.calls[0]![0]).toMatch(
      /SKIPPING the Some SP interop suite.*apt-get install some-sp-package/s,
    );
  });

  it('throws under CI', () => {
    process.env.CI = 'true';
    expect(() => findPeer('Some SP', [missing], 'some-sp-package')).toThrow(/must run on CI/);
  });
});

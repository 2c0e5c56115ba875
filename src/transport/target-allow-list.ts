import { SamlError } from '../errors/index.js';
import { addressBytes } from './address-guard.js';

/**
 * The private back-channel targets an operator names: host names, compared
 * case-insensitively without a trailing dot, and address ranges in CIDR notation
 * (`10.20.0.0/16`, `fd00:1::/48`; a bare address is a range of one).
 */
export interface TargetAllowList {
  /** True when the URL's host name is listed by name. */
  allowsHost(hostname: string): boolean;
  /** True when the address lies in a listed range. */
  allowsAddress(address: string): boolean;
}

interface AddressRange {
  bytes: Uint8Array;
  bits: number;
}

/**
 * Reads `allowTargets`. An entry that is neither a host name nor an address
 * range is a configuration error, so a typo never silently allows nothing
 * (or everything).
 *
 * @throws SamlError `SAML_CONFIG_INVALID` naming the first bad entry.
 */
export function parseTargetAllowList(entries: readonly string[]): TargetAllowList {
  const hosts = new Set<string>();
  const ranges: AddressRange[] = [];
  entries.forEach((entry, index) => {
    const range = typeof entry === 'string' ? parseRange(entry.trim()) : undefined;
    if (range) {
      ranges.push(range);
      return;
    }
    const host = typeof entry === 'string' ? normaliseHost(entry.trim()) : '';
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
      throw new SamlError(
        'SAML_CONFIG_INVALID',
        `allowTargets[${index}] is neither a host name nor a CIDR range`,
        {
          details: {
            issues: [{ path: ['allowTargets', index], message: 'must be a host name or a CIDR range' }],
          },
        },
      );
    }
    hosts.add(host);
  });
  return {
    allowsHost: (hostname) => hosts.has(normaliseHost(hostname)),
    allowsAddress: (address) => {
      const bytes = addressBytes(address);
      return bytes !== undefined && ranges.some((range) => contains(range, bytes));
    },
  };
}

/** An allow-list that allows nothing. */
export const emptyAllowList: TargetAllowList = { allowsHost: () => false, allowsAddress: () => false };

function normaliseHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function parseRange(text: string): AddressRange | undefined {
  const slash = text.indexOf('/');
  const bytes = addressBytes(slash === -1 ? text : text.slice(0, slash));
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  if (slash === -1) return { bytes, bits: max };
  const suffix = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(suffix)) return undefined;
  // An IPv4-mapped range (::ffff:10.0.0.0/104) is kept as the IPv4 range it means.
  const bits = Number(suffix) - (bytes.length === 4 && text.includes(':') ? 96 : 0);
  return bits >= 0 && bits <= max ? { bytes, bits } : undefined;
}

function contains(range: AddressRange, bytes: Uint8Array): boolean {
  if (range.bytes.length !== bytes.length) return false;
  for (let bit = 0; bit < range.bits; bit += 8) {
    const mask = range.bits - bit >= 8 ? 0xff : (0xff << (8 - (range.bits - bit))) & 0xff;
    const index = bit / 8;
    if (((range.bytes[index] ?? 0) & mask) !== ((bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

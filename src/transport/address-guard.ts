import { isIPv4, isIPv6 } from 'node:net';

/**
 * What an IP address is, for deciding whether the IdP may connect to it.
 * Everything except `'public'` is refused by the `'public-only'` guard.
 */
export type AddressCategory =
  | 'public'
  | 'unspecified' // 0.0.0.0/8 ("this network"), ::
  | 'loopback' // 127/8, ::1
  | 'private' // RFC 1918: 10/8, 172.16/12, 192.168/16
  | 'shared' // RFC 6598 carrier-grade NAT: 100.64/10
  | 'link-local' // 169.254/16 (cloud metadata lives here), fe80::/10
  | 'unique-local' // fc00::/7
  | 'site-local' // fec0::/10, deprecated but still routable inside some networks
  | 'multicast' // 224/4, ff00::/8
  | 'documentation' // 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20
  | 'benchmarking' // 198.18/15
  | 'reserved' // 240/4, 255.255.255.255, IETF assignments, anything outside 2000::/3 ...
  | 'invalid'; // not an IP address at all: refused, fail closed

interface Range4 {
  base: number;
  bits: number;
  category: Exclude<AddressCategory, 'public' | 'invalid'>;
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates), minus the globally
// reachable anycast entries that matter little here; the order only picks the label.
const ipv4Ranges: readonly Range4[] = [
  range4('0.0.0.0', 8, 'unspecified'),
  range4('10.0.0.0', 8, 'private'),
  range4('100.64.0.0', 10, 'shared'),
  range4('127.0.0.0', 8, 'loopback'),
  range4('169.254.0.0', 16, 'link-local'),
  range4('172.16.0.0', 12, 'private'),
  range4('192.0.0.0', 24, 'reserved'), // IETF protocol assignments (DS-Lite, NAT64 discovery, ...)
  range4('192.0.2.0', 24, 'documentation'),
  range4('192.31.196.0', 24, 'reserved'), // AS112-v4
  range4('192.52.193.0', 24, 'reserved'), // AMT
  range4('192.88.99.0', 24, 'reserved'), // deprecated 6to4 relay anycast
  range4('192.168.0.0', 16, 'private'),
  range4('192.175.48.0', 24, 'reserved'), // AS112 direct delegation
  range4('198.18.0.0', 15, 'benchmarking'),
  range4('198.51.100.0', 24, 'documentation'),
  range4('203.0.113.0', 24, 'documentation'),
  range4('224.0.0.0', 4, 'multicast'),
  range4('240.0.0.0', 4, 'reserved'), // includes the limited broadcast 255.255.255.255
];

/**
 * Classifies an IPv4 or IPv6 address given in its textual form (an IPv6 zone
 * index such as `%eth0` is ignored; URL brackets `[...]` are accepted).
 *
 * IPv6 addresses that embed an IPv4 address and reach it when connected to —
 * IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`
 * and 6to4 `2002::/16` — take the category of the embedded address, so
 * `::ffff:127.0.0.1` is `'loopback'`. Only global unicast `2000::/3` can be public.
 */
export function classifyAddress(address: string): AddressCategory {
  let text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = text.indexOf('%');
  if (zone !== -1 && text.includes(':')) text = text.slice(0, zone);
  if (isIPv4(text)) return classifyIPv4(parseIPv4(text));
  if (isIPv6(text)) return classifyIPv6(parseIPv6(text));
  return 'invalid';
}

/** True only for an address the `'public-only'` guard lets the transport connect to. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}

/**
 * The address as bytes, 4 for IPv4 and 16 for IPv6, or undefined when it is not
 * an IP address. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) gives the 4 bytes
 * of the IPv4 address it reaches, so an allow-list entry `127.0.0.1` matches it too.
 */
export function addressBytes(address: string): Uint8Array | undefined {
  let text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = text.indexOf('%');
  if (zone !== -1 && text.includes(':')) text = text.slice(0, zone);
  if (isIPv4(text)) return ipv4Bytes(parseIPv4(text));
  if (!isIPv6(text)) return undefined;
  const words = parseIPv6(text);
  if (words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff) {
    return ipv4Bytes((((words[6] ?? 0) << 16) | (words[7] ?? 0)) >>> 0);
  }
  return Uint8Array.from(words.flatMap((word) => [word >> 8, word & 0xff]));
}

function ipv4Bytes(value: number): Uint8Array {
  return Uint8Array.of(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
}

function classifyIPv4(value: number): AddressCategory {
  for (const { base, bits, category } of ipv4Ranges) {
    if (prefix32(value, bits) === base) return category;
  }
  return 'public';
}

/** `words` holds the eight 16-bit groups. */
function classifyIPv6(words: readonly number[]): AddressCategory {
  const w = (index: number): number => words[index] ?? 0;
  const embeddedIPv4 = (high: number, low: number): number => ((w(high) << 16) | w(low)) >>> 0;
  const zeroUntil = (end: number): boolean => words.slice(0, end).every((word) => word === 0);

  if (zeroUntil(8)) return 'unspecified';
  if (zeroUntil(7) && w(7) === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped) and the deprecated ::a.b.c.d (compatible) reach the IPv4 host.
  if (zeroUntil(5) && (w(5) === 0xffff || w(5) === 0)) return classifyIPv4(embeddedIPv4(6, 7));
  // 64:ff9b::/96, the NAT64 well-known prefix, translates to the embedded IPv4 address.
  if (w(0) === 0x64 && w(1) === 0xff9b && words.slice(2, 6).every((word) => word === 0)) {
    return classifyIPv4(embeddedIPv4(6, 7));
  }
  // 2002::/16, 6to4: the relay forwards to the IPv4 address in bits 16..47.
  if (w(0) === 0x2002) return classifyIPv4(embeddedIPv4(1, 2));

  const first = w(0);
  if ((first & 0xff00) === 0xff00) return 'multicast';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  if ((first & 0xffc0) === 0xfec0) return 'site-local';
  if ((first & 0xfe00) === 0xfc00) return 'unique-local';
  if (first === 0x2001 && w(1) === 0x0db8) return 'documentation';
  if (first === 0x3fff && w(1) < 0x1000) return 'documentation'; // 3fff::/20 (RFC 9637)
  // 2001::/23, IETF protocol assignments: Teredo (2001::/32), ORCHID, benchmarking 2001:2::/48, ...
  if (first === 0x2001 && w(1) < 0x0200) return 'reserved';
  // Everything outside 2000::/3 is unallocated or special-purpose (100::/64 discard, 64:ff9b:1::/48, ...).
  if ((first & 0xe000) !== 0x2000) return 'reserved';
  return 'public';
}

function range4(base: string, bits: number, category: Range4['category']): Range4 {
  return { base: prefix32(parseIPv4(base), bits), bits, category };
}

function prefix32(value: number, bits: number): number {
  return bits === 0 ? 0 : (value & (~0 << (32 - bits))) >>> 0;
}

/** Parses a dotted-quad already validated by `isIPv4`. */
function parseIPv4(text: string): number {
  return text.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** Expands an address already validated by `isIPv6` (zone removed) into eight 16-bit groups. */
function parseIPv6(text: string): number[] {
  let body = text;
  const tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  const last = body.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    tail.push(v4 >>> 16, v4 & 0xffff);
    // `::1.2.3.4` must leave `::` behind; `::ffff:1.2.3.4` leaves `::ffff`.
    body = body.endsWith(`::${last}`) ? body.slice(0, lastColon + 1) : body.slice(0, lastColon);
  }
  const toWords = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16));
  const gap = body.indexOf('::');
  let words: number[];
  if (gap === -1) {
    words = toWords(body);
  } else {
    const head = toWords(body.slice(0, gap));
    const rest = toWords(body.slice(gap + 2));
    const missing = 8 - tail.length - head.length - rest.length;
    words = [...head, ...new Array<number>(missing).fill(0), ...rest];
  }
  return [...words, ...tail];
}

import * as ipaddr from 'ipaddr.js';
import { show } from './validation';

/** An IP family: 4 or 6. */
export type IpFamily = 4 | 6;

/** A parsed, canonical CIDR block. */
export interface Cidr {
  /** The text as written by the user. */
  readonly text: string;
  readonly family: IpFamily;
  /** Prefix length in bits. */
  readonly prefix: number;
  /** The network address, parsed. */
  readonly network: ipaddr.IPv4 | ipaddr.IPv6;
}

const IPV4_BITS = 32;
const IPV6_BITS = 128;
/**
 * The longest IP literal: an IPv6 address written in full with an embedded dotted quad
 * ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", RFC 4291 section 2.2). Longer text is refused
 * before any parser reads it.
 */
const IP_TEXT_MAX = 45;
/** The longest CIDR: the longest address, "/" and "128". */
const CIDR_TEXT_MAX = IP_TEXT_MAX + 4;

/**
 * Why `text` is not a canonical IPv4/IPv6 CIDR, or undefined when it is.
 *
 * Stricter than Go's `net.ParseCIDR` on purpose: host bits must be zero (the API server
 * rejects `10.0.0.1/8` when StrictIPCIDRValidation is on, and such a block almost always
 * means a typo), IPv4 must be four decimal parts without leading zeros, and zones are refused.
 * @param allowHostBits accept host bits as the default API server does (for reading manifests)
 */
export function cidrProblem(text: string, allowHostBits: boolean = false): string | undefined {
  const analysed = analyse(text, allowHostBits);
  return typeof analysed === 'string' ? analysed : undefined;
}

function problemOf(text: string, allowHostBits: boolean): string | undefined {
  if (typeof text !== 'string') {
    return 'it is not a string';
  }
  if (text.length === 0) {
    return 'it is empty';
  }
  if (text.length > CIDR_TEXT_MAX) {
    return `it is ${text.length} characters long; a CIDR has at most ${CIDR_TEXT_MAX}`;
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    return 'it has no prefix length (add e.g. "/32" for one IPv4 address or "/128" for one IPv6 address)';
  }
  const addr = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const family = ipFamily(addr);
  if (family === undefined) {
    return `${show(addr)} is not an IPv4 or IPv6 address`;
  }
  if (family === 6 && (ipaddr.parse(addr) as ipaddr.IPv6).isIPv4MappedAddress()) {
    // Strict validation (KEP-4858) refuses these: they would slip an IPv4 range past IPv4 checks.
    // Engines disagree on them too: Go's net.IPNet matches IPv4 addresses inside "::ffff:10.0.0.0/104",
    // Cilium's netip prefixes keep it an IPv6 block that no IPv4 packet matches (docs/semantics/kubernetes.md#ipblock-and-except).
    return `${show(addr)} is an IPv4-mapped IPv6 address; write the IPv4 block instead`;
  }
  const max = family === 4 ? IPV4_BITS : IPV6_BITS;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return `prefix length ${show(prefixText)} must be an integer from 0 to ${max} for IPv${family}`;
  }
  const network = networkAddress(addr, Number(prefixText), family);
  if (!allowHostBits && network.toString() !== ipaddr.parse(addr).toString()) {
    return `host bits are set (the network address of this block is ${network.toString()}/${prefixText})`;
  }
  return undefined;
}

/**
 * Parses a CIDR; throws a plain description (callers add where it came from).
 * @param allowHostBits accept host bits, masking them as Go's net.ParseCIDR does
 */
export function parseCidr(text: string, allowHostBits: boolean = false): Cidr {
  const analysed = analyse(text, allowHostBits);
  if (typeof analysed === 'string') {
    throw new Error(`${show(text)} is not a valid CIDR: ${analysed}`);
  }
  return analysed;
}

/** Parsed CIDRs (or why they are invalid), by strictness and text. */
const CIDRS = new Map<string, Cidr | string>();
const CIDRS_MAX = 10_000;

/**
 * The parsed block, or why it is not one. An estate repeats the same few blocks (the private
 * ranges, 0.0.0.0/0) in every namespace and ipaddr.js's validation is slow, so each text is
 * analysed once; the frozen result is shared.
 */
function analyse(text: string, allowHostBits: boolean): Cidr | string {
  if (typeof text !== 'string' || text.length > CIDR_TEXT_MAX) {
    // Not cached: the cache would hold every hostile text.
    return problemOf(text, allowHostBits)!;
  }
  const key = `${allowHostBits ? 'h' : 's'}${text}`;
  let analysed = CIDRS.get(key);
  if (analysed === undefined) {
    const problem = problemOf(text, allowHostBits);
    if (problem) {
      analysed = problem;
    } else {
      const [addr, prefix] = text.split('/');
      const family = ipFamily(addr)!;
      const network = networkAddress(addr, Number(prefix), family);
      // Shared between callers: frozen down to the address bytes.
      Object.freeze('octets' in network ? network.octets : network.parts);
      analysed = Object.freeze({ text, family, prefix: Number(prefix), network: Object.freeze(network) });
    }
    if (CIDRS.size >= CIDRS_MAX) {
      CIDRS.clear();
    }
    CIDRS.set(key, analysed);
  }
  return analysed;
}

/**
 * Families by text (0: not an IP literal). The model asks for every address a probe names, and
 * ipaddr.js's validation builds an address object each time.
 */
const FAMILIES = new Map<string, IpFamily | 0>();
const FAMILIES_MAX = 100_000;

/** The family of an IP literal, or undefined when it is not one (strict IPv4 dotted quad, no zones). */
export function ipFamily(text: string): IpFamily | undefined {
  if (typeof text !== 'string' || text.length > IP_TEXT_MAX) {
    return undefined;
  }
  let family = FAMILIES.get(text);
  if (family === undefined) {
    family = analyseFamily(text) ?? 0;
    if (FAMILIES.size >= FAMILIES_MAX) {
      FAMILIES.clear();
    }
    FAMILIES.set(text, family);
  }
  return family === 0 ? undefined : family;
}

function analyseFamily(text: string): IpFamily | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return 4;
  }
  if (!text.includes('%') && ipaddr.IPv6.isValid(text)) {
    // An embedded dotted quad ("::1.2.3.4") must be as strict as a plain IPv4 address.
    const dotted = text.slice(text.lastIndexOf(':') + 1);
    if (dotted.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(dotted)) {
      return undefined;
    }
    return 6;
  }
  return undefined;
}

/** A key that is equal for equal blocks however they are written ("FC00::/7" and "fc00::/7"). */
export function cidrKey(cidr: Cidr): string {
  // Printing an IPv6 address (RFC 5952) is slow, and parsed blocks are shared per text: memoized.
  let key = CIDR_KEYS.get(cidr);
  if (key === undefined) {
    key = `${cidr.network.toString()}/${cidr.prefix}`;
    CIDR_KEYS.set(cidr, key);
  }
  return key;
}

const CIDR_KEYS = new WeakMap<Cidr, string>();

/** The RFC 6052 NAT64 image (64:ff9b::/96) of an IPv4 block: 10.0.0.0/8 -> 64:ff9b::a00:0/104. */
export function nat64Image(ipv4Block: Cidr): string {
  if (ipv4Block.family !== 4) {
    throw new Error(`nat64Image(): ${ipv4Block.text} is not an IPv4 block`);
  }
  const bytes = [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ...ipv4Block.network.toByteArray()];
  return `${ipaddr.fromByteArray(bytes).toString()}/${96 + ipv4Block.prefix}`;
}

/** True when `inner` lies inside `outer` (same family, prefix at least as long, same network bits). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || inner.prefix < outer.prefix) {
    return false;
  }
  return (inner.network as ipaddr.IPv4).match(outer.network as ipaddr.IPv4, outer.prefix);
}

/**
 * True when `inner` is a strict subset of `outer`: contained and with a longer prefix.
 * This is the API server's rule for `ipBlock.except` (docs/semantics/kubernetes.md#ipblock-and-except).
 */
export function isStrictSubnet(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix > outer.prefix && cidrContains(outer, inner);
}

/** Parsed addresses, by text: simulations test the same few addresses against many blocks. */
const PARSED = new Map<string, ipaddr.IPv4 | ipaddr.IPv6 | null>();
const PARSED_MAX = 100_000;

function parsedIp(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let parsed = PARSED.get(ip);
  if (parsed === undefined) {
    parsed = ipFamily(ip) === undefined ? null : onTheWire(ipaddr.parse(ip));
    if (PARSED.size >= PARSED_MAX) {
      PARSED.clear();
    }
    PARSED.set(ip, parsed);
  }
  return parsed;
}

/**
 * True when the IP literal `ip` lies inside `block`. An IPv4-mapped IPv6 address ("::ffff:10.1.2.3")
 * is its IPv4 address, as on the wire.
 */
export function cidrContainsIp(block: Cidr, ip: string): boolean {
  const parsed = parsedIp(ip);
  if (parsed === null || (parsed.kind() === 'ipv4' ? 4 : 6) !== block.family) {
    return false;
  }
  return (parsed as ipaddr.IPv4).match(block.network as ipaddr.IPv4, block.prefix);
}

/**
 * An address inside `block` that is not its network address when the block has room for one
 * (the network address plus one), e.g. "10.0.0.1" for "10.0.0.0/8"; for a /32 or /128 its only address.
 */
export function hostAddressIn(block: Cidr): string {
  const bits = block.family === 4 ? IPV4_BITS : IPV6_BITS;
  if (block.prefix >= bits - 1) {
    return block.network.toString();
  }
  const bytes = block.network.toByteArray();
  // Host bits are zero and there are at least two of them: the last byte is even.
  bytes[bytes.length - 1] += 1;
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * One spelling per address: "2001:DB8:0::1" and "2001:db8::1" are one address, and an IPv4-mapped
 * IPv6 address ("::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "0:0:0:0:0:ffff:169.254.169.254") is
 * its IPv4 address: a socket connecting to it sends IPv4 packets to 169.254.169.254, and that is
 * what every policy engine sees (docs/semantics/kubernetes.md#addresses-dns-names-and-services).
 */
export function canonicalIp(ip: string): string {
  let canonical = CANONICAL.get(ip);
  if (canonical === undefined) {
    // Printing an IPv6 address (RFC 5952) is slow; probes name the same few addresses.
    canonical = onTheWire(ipaddr.parse(ip)).toString();
    if (CANONICAL.size >= PARSED_MAX) {
      CANONICAL.clear();
    }
    CANONICAL.set(ip, canonical);
  }
  return canonical;
}

const CANONICAL = new Map<string, string>();

/** The address packets carry: the IPv4 address of an IPv4-mapped IPv6 address (::ffff:0:0/96), else the address. */
function onTheWire(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

function networkAddress(addr: string, prefix: number, family: IpFamily): ipaddr.IPv4 | ipaddr.IPv6 {
  return family === 4
    ? ipaddr.IPv4.networkAddressFromCIDR(`${addr}/${prefix}`)
    : ipaddr.IPv6.networkAddressFromCIDR(`${addr}/${prefix}`);
}

/**
 * `block` minus `holes`, as the fewest CIDR blocks that cover exactly the rest (for languages
 * without `except`, such as ClusterNetworkPolicy `networks`): "0.0.0.0/0" minus "10.0.0.0/8" is
 * 0.0.0.0/5, 8.0.0.0/7, 11.0.0.0/8, 12.0.0.0/6, 16.0.0.0/4, 32.0.0.0/3, 64.0.0.0/2, 128.0.0.0/1.
 * Holes of the other family, or outside the block, take nothing away. In address order.
 */
export function cidrDifference(block: Cidr, holes: readonly Cidr[]): string[] {
  const bits = block.family === 4 ? IPV4_BITS : IPV6_BITS;
  const toBig = (address: ipaddr.IPv4 | ipaddr.IPv6) => address.toByteArray().reduce((n, byte) => n * 256n + BigInt(byte), 0n);
  const text = (network: bigint, prefix: number) => {
    const bytes: number[] = [];
    let rest = network;
    for (let i = 0; i < bits / 8; i++) {
      bytes.unshift(Number(rest % 256n));
      rest /= 256n;
    }
    return `${ipaddr.fromByteArray(bytes).toString()}/${prefix}`;
  };
  const relevant = holes.filter((h) => h.family === block.family && (cidrContains(block, h) || cidrContains(h, block)))
    .map((h) => ({ network: toBig(h.network), prefix: h.prefix }));
  const out: string[] = [];
  const split = (network: bigint, prefix: number): void => {
    const size = 2n ** BigInt(bits - prefix);
    const overlapping = relevant.filter((h) => {
      const hSize = 2n ** BigInt(bits - h.prefix);
      return h.network < network + size && network < h.network + hSize;
    });
    if (overlapping.length === 0) {
      out.push(text(network, prefix));
      return;
    }
    if (overlapping.some((h) => h.prefix <= prefix)) {
      return; // a hole covers this whole block
    }
    split(network, prefix + 1);
    split(network + size / 2n, prefix + 1);
  };
  split(toBig(block.network), block.prefix);
  return out;
}

import * as ipaddr from 'ipaddr.js';
import { Cidr, IpFamily, cidrProblem, ipFamily, parseCidr } from '../../util/cidr';

/**
 * The addresses outside the cluster that the policies can tell apart. Address rules (Kubernetes
 * ipBlocks, Cilium CIDR rules, Calico nets) match an address by the blocks it lies in, so the
 * blocks the policies name cut each address family into classes: addresses inside exactly the
 * same named blocks get the same verdict from every rule. A matrix shows one endpoint per class,
 * evaluated at one address of it, so no range a policy names is left out, and no two columns
 * could be told apart by no policy.
 */
export interface AddressClass {
  /** The address the class is evaluated at (its first address, or the given one for the internet and metadata). */
  readonly address: string;
  /** The named blocks it lies in, the most specific first ("10.1.0.0/16", "10.0.0.0/8"); none for the rest of the internet. */
  readonly within: readonly string[];
  readonly family: IpFamily;
}

/** Addresses reserved for documentation (RFC 5737, RFC 3849): the rest of the internet is evaluated at one of them when it can. */
const DOCUMENTATION: Record<IpFamily, string> = { 4: '203.0.113.10', 6: '2001:db8::10' };

/** Over-approximation is harmless: a string that is no block of a rule only splits a class. */
function namedBlocks(policyObjects: readonly unknown[]): Cidr[] {
  const blocks = new Map<string, Cidr>();
  const stack: unknown[] = [...policyObjects];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      // Cilium reads a bare address in toCIDR as a host route.
      const text = ipFamily(item) === 4 ? `${item}/32` : ipFamily(item) === 6 ? `${item}/128` : item;
      if (text.includes('/') && cidrProblem(text, true) === undefined) {
        const block = parseCidr(text, true);
        if (block.prefix > 0) {
          blocks.set(`${block.network.toString()}/${block.prefix}`, block);
        }
      }
    } else if (Array.isArray(item)) {
      stack.push(...item);
    } else if (item !== null && typeof item === 'object') {
      stack.push(...Object.values(item));
    }
  }
  return [...blocks.values()];
}

function toBigInt(address: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return address.toByteArray().reduce((n, byte) => n * 256n + BigInt(byte), 0n);
}

function fromBigInt(value: bigint, family: IpFamily): string {
  const bytes: number[] = [];
  let rest = value;
  for (let i = 0; i < (family === 4 ? 4 : 16); i++) {
    bytes.unshift(Number(rest % 256n));
    rest /= 256n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * One class per set of named blocks an address can lie in, per family the policies name blocks
 * of, with `given` addresses (the internet's and the metadata endpoint's stand-ins) evaluated at
 * themselves: a class that holds one of them is left out (that endpoint stands for it). Classes
 * are sorted by family, then by their first address.
 */
export function externalAddressClasses(policyObjects: readonly unknown[], given: readonly string[],
  avoid: ReadonlySet<string> = new Set()): AddressClass[] {
  const blocks = namedBlocks(policyObjects);
  const out: AddressClass[] = [];
  for (const family of [4, 6] as const) {
    const mine = blocks.filter((b) => b.family === family);
    if (mine.length === 0) {
      continue;
    }
    const bits = BigInt(family === 4 ? 32 : 128);
    const ranges = mine.map((b) => {
      const start = toBigInt(b.network);
      return { block: b, start, end: start + 2n ** (bits - BigInt(b.prefix)) - 1n };
    });
    const size = 2n ** bits;
    const cuts = [...new Set([0n, ...ranges.flatMap((r) => [r.start, r.end + 1n])])].filter((c) => c < size)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const membership = (address: bigint) => ranges.filter((r) => r.start <= address && address <= r.end)
      .sort((a, b) => b.block.prefix - a.block.prefix).map((r) => `${r.block.network.toString()}/${r.block.prefix}`);
    const taken = new Set(given.filter((g) => ipFamily(g) === family).map((g) => membership(toBigInt(ipaddr.parse(g))).join(' ')));
    const seen = new Set<string>(taken);
    cuts.forEach((cut, k) => {
      const within = membership(cut);
      const key = within.join(' ');
      if (seen.has(key)) {
        return;
      }
      seen.add(key);
      // The rest of the internet: a documentation address when it lies there; else an address of
      // the interval that is not its network address (nor a pod's, which the model would take for the pod).
      const end = (cuts[k + 1] ?? size) - 1n;
      const documentation = toBigInt(ipaddr.parse(DOCUMENTATION[family]));
      const inInterval = [cut + 1n, cut, cut + 2n, cut + 3n].filter((c) => c >= cut && c <= end);
      const candidates = within.length === 0 && membership(documentation).length === 0 ? [documentation, ...inInterval] : inInterval;
      const address = candidates.map((c) => fromBigInt(c, family)).find((a) => !avoid.has(a));
      if (address !== undefined) {
        out.push({ address, within, family });
      }
    });
  }
  return out;
}

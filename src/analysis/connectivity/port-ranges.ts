import { groupBy } from '../../util/group-by';

/**
 * Sets of ports as sorted, disjoint ranges per protocol: what a pair of endpoints may use. The
 * matrix, the reports and `diff` compute with them, so that "every port" and "port 8080" are
 * different answers (a probe of a few ports cannot tell them apart).
 */

/** The protocols whose ports a matrix covers (ICMP and other protocols have no ports). */
export const PORT_PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];

/** The lowest and highest port a connection can use (port 0 is not a destination port). */
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** What decides inside an allowed range besides L3/L4: L7 rules restricting the requests or the names. */
export type L7Restriction = 'HTTP' | 'DNS';

/** Ports `from` to `to` (inclusive) of one protocol, with the L7 rules that restrict them, if any. */
export interface PortRange {
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly l7?: L7Restriction;
}

/** "TCP/8080", "TCP/8000-8080"; with `l7`, "TCP/8080 (HTTP rules)". */
export function formatRange(range: PortRange, withL7 = false): string {
  const ports = range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
  return `${range.protocol}/${ports}${withL7 && range.l7 !== undefined ? ` (${range.l7} rules)` : ''}`;
}

/** Whether the ranges cover every port of every protocol in PORT_PROTOCOLS without L7 rules. */
export function coversEverything(ranges: readonly PortRange[]): boolean {
  const whole = (r: PortRange, protocol: string) => r.protocol === protocol && r.from === MIN_PORT && r.to === MAX_PORT && r.l7 === undefined;
  return PORT_PROTOCOLS.every((protocol) => ranges.some((r) => whole(r, protocol)));
}

function protocolRank(protocol: string): number {
  const i = PORT_PROTOCOLS.indexOf(protocol);
  return i < 0 ? PORT_PROTOCOLS.length : i;
}

/** Ranges in their canonical order: by protocol (TCP, UDP, SCTP), then port. */
export function compareRanges(a: PortRange, b: PortRange): number {
  return protocolRank(a.protocol) - protocolRank(b.protocol) || a.protocol.localeCompare(b.protocol) || a.from - b.from;
}

/** The protocol and L7 restriction of a range: ranges of one kind merge and subtract. */
function kindOf(range: PortRange): string {
  return `${range.protocol} ${range.l7 ?? ''}`;
}

/**
 * The canonical form: sorted (protocol, first port, then unrestricted before HTTP before DNS), and
 * overlapping or adjacent ranges of one protocol and one L7 restriction merged. Ranges of one
 * protocol with different restrictions may overlap (the callers never make them).
 */
export function normalizeRanges(ranges: readonly PortRange[]): PortRange[] {
  const byKind = groupBy(ranges, kindOf);
  const out: PortRange[] = [];
  for (const list of byKind.values()) {
    list.sort((a, b) => a.from - b.from);
    let open: PortRange | undefined;
    for (const range of list) {
      if (open !== undefined && range.from <= open.to + 1) {
        open = { ...open, to: Math.max(open.to, range.to) };
      } else {
        if (open !== undefined) {
          out.push(open);
        }
        open = { ...range };
      }
    }
    out.push(open!);
  }
  return out.sort((a, b) => compareRanges(a, b) || L7_ORDER.indexOf(a.l7) - L7_ORDER.indexOf(b.l7));
}

const L7_ORDER: readonly (L7Restriction | undefined)[] = [undefined, 'HTTP', 'DNS'];

/**
 * The ports of `a` that `b` lacks; a range counts as lacking where `b` has it with another L7
 * restriction. Linear in the ranges after sorting (a cell of hundreds of ranges is common).
 */
export function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const cuts = groupBy(normalizeRanges(b), kindOf);
  const out: PortRange[] = [];
  for (const range of normalizeRanges(a)) {
    const list = cuts.get(kindOf(range)) ?? [];
    // The first cut that ends at or after the range's start (cuts are sorted and disjoint).
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (list[mid].to < range.from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    let from = range.from;
    for (let k = lo; k < list.length && list[k].from <= range.to; k++) {
      if (list[k].from > from) {
        out.push({ ...range, from, to: list[k].from - 1 });
      }
      from = Math.max(from, list[k].to + 1);
    }
    if (from <= range.to) {
      out.push({ ...range, from, to: range.to });
    }
  }
  return normalizeRanges(out);
}

/** Whether two canonical range lists are the same set. */
export function sameRanges(a: readonly PortRange[], b: readonly PortRange[]): boolean {
  return a.length === b.length && a.every((r, i) => r.protocol === b[i].protocol && r.from === b[i].from && r.to === b[i].to && r.l7 === b[i].l7);
}

/** The number of ports in the ranges (of every protocol). */
export function portCount(ranges: readonly PortRange[]): number {
  return ranges.reduce((n, r) => n + r.to - r.from + 1, 0);
}

/**
 * The first ports of the intervals that `bounds` cut 1-65535 into: every bound is the first port
 * of an interval (a range `a-b` contributes `a` and `b + 1`), and 1 always starts one.
 */
export function intervalStarts(bounds: Iterable<number>): number[] {
  const starts = new Set<number>([MIN_PORT]);
  for (const b of bounds) {
    if (b > MIN_PORT && b <= MAX_PORT) {
      starts.add(b);
    }
  }
  return [...starts].sort((x, y) => x - y);
}

/** The bounds a numbered range contributes: its first port and the port after its last. */
export function rangeBounds(from: number, to: number): number[] {
  return [from, to + 1];
}

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

/**
 * The canonical form: sorted, and adjacent or overlapping ranges of one protocol and one L7
 * restriction merged. Overlapping ranges with different restrictions are kept as given (the
 * callers never make them).
 */
export function normalizeRanges(ranges: readonly PortRange[]): PortRange[] {
  const sorted = [...ranges].sort(compareRanges);
  const out: PortRange[] = [];
  for (const range of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last.protocol === range.protocol && last.l7 === range.l7 && range.from <= last.to + 1) {
      out[out.length - 1] = { ...last, to: Math.max(last.to, range.to) };
    } else {
      out.push({ ...range });
    }
  }
  return out;
}

/** The ports of `a` that `b` lacks; a range counts as lacking where `b` has it with another L7 restriction. */
export function subtractRanges(a: readonly PortRange[], b: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const range of a) {
    let pieces: PortRange[] = [range];
    for (const cut of b) {
      if (cut.protocol !== range.protocol || cut.l7 !== range.l7) {
        continue;
      }
      pieces = pieces.flatMap((p) => {
        if (cut.to < p.from || cut.from > p.to) {
          return [p];
        }
        return [
          ...(cut.from > p.from ? [{ ...p, to: cut.from - 1 }] : []),
          ...(cut.to < p.to ? [{ ...p, from: cut.to + 1 }] : []),
        ];
      });
    }
    out.push(...pieces);
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

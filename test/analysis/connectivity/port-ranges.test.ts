import * as fc from 'fast-check';
import { PortRange, formatRange, normalizeRanges, subtractRanges } from '../../../src/analysis/connectivity/port-ranges';

const range = fc.record({
  protocol: fc.constantFrom('TCP', 'UDP'),
  from: fc.integer({ min: 1, max: 60 }),
  width: fc.integer({ min: 0, max: 15 }),
  l7: fc.constantFrom(undefined, 'HTTP' as const),
}).map(({ protocol, from, width, l7 }): PortRange => ({ protocol, from, to: from + width, ...(l7 ? { l7 } : {}) }));

/** Every (protocol, port, l7) a list covers, one by one. */
function points(ranges: readonly PortRange[]): Set<string> {
  const out = new Set<string>();
  ranges.forEach((r) => {
    for (let p = r.from; p <= r.to; p++) {
      out.add(`${r.protocol}/${p}/${r.l7 ?? ''}`);
    }
  });
  return out;
}

describe('port ranges', () => {
  test('subtractRanges is set difference, port by port (the L7 restriction part of the element), canonical', () => {
    fc.assert(fc.property(fc.array(range, { maxLength: 8 }), fc.array(range, { maxLength: 8 }), (a, b) => {
      const result = subtractRanges(a, b);
      const cut = points(b);
      expect(points(result)).toEqual(new Set([...points(a)].filter((p) => !cut.has(p))));
      expect(result).toEqual(normalizeRanges(result));
    }), { numRuns: 500 });
  });

  test('formatting: one port, a range, the L7 restriction on demand', () => {
    expect(formatRange({ protocol: 'TCP', from: 80, to: 80 })).toBe('TCP/80');
    expect(formatRange({ protocol: 'UDP', from: 1, to: 65535, l7: 'DNS' }, true)).toBe('UDP/1-65535 (DNS rules)');
  });
});

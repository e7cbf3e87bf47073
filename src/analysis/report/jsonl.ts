import { MatrixPlan, estateOf, hasCell } from './matrix';
import { groupBy } from '../../util/group-by';
import { PORT_PROTOCOLS, formatRange } from '../connectivity/port-ranges';

/** The format's name, in the first line: tools check it before reading on. */
export const CONNECTIVITY_LINES_FORMAT = 'cdk8s-netpol/connectivity-v1';

/**
 * The exact connectivity of every pair, as JSON lines written one at a time (`write` gets each
 * line with its newline), for `cdk8s-netpol matrix --format jsonl`: what an aggregated matrix
 * sums up, never held in memory at once.
 *
 * The first line describes the stream: `{"format": "cdk8s-netpol/connectivity-v1", "sources": n,
 * "destinations": m, "protocols": [...], "notes": [...]}`. Then one line per source, in the
 * matrix's order: `{"from": "shop/web", "allowed": [{"ports": ["TCP/8080", "UDP/53 (DNS rules)"],
 * "to": ["shop/api", "dns"]}, ...]}`: each group of destinations that may be reached on exactly
 * these ports (every other port of TCP, UDP and SCTP denied). A destination listed nowhere is
 * denied on every port; `"namespace/*"` stands for every pod of the namespace (the source itself
 * aside) when all of them share the ports. Returns the number of lines.
 */
export function writeConnectivityLines(plan: MatrixPlan, write: (line: string) => void): number {
  const estate = estateOf(plan);
  write(`${JSON.stringify({
    format: CONNECTIVITY_LINES_FORMAT,
    sources: plan.sources.length,
    destinations: plan.targets.length,
    protocols: PORT_PROTOCOLS,
    notes: [...plan.notes.filter((n) => !n.includes('verdict reasons are left out')),
      'A destination a line does not list is denied on every port; "namespace/*" stands for every pod of the namespace (the source itself aside).'],
  })}\n`);
  // The pod columns of each namespace, to say "namespace/*" when a row treats them all alike.
  const podColumns = plan.targets.flatMap((t, j) => (t.endpoint.kind === 'pod' && t.endpoint.namespace !== undefined ? [j] : []));
  const byNamespace = groupBy(podColumns, (j) => plan.targets[j].endpoint.namespace!);
  const texts = new Map<number, string[]>();
  const portsOf = (result: number) => {
    let found = texts.get(result);
    if (!found) {
      found = estate.results[result].allowed.map((r) => formatRange(r, true));
      texts.set(result, found);
    }
    return found;
  };
  let lines = 1;
  plan.sources.forEach((from, i) => {
    const row = estate.row(i);
    const groups = new Map<number, string[]>();
    const add = (result: number, to: string) => {
      if (estate.results[result].allowed.length > 0) {
        const group = groups.get(result);
        if (group) {
          group.push(to);
        } else {
          groups.set(result, [to]);
        }
      }
    };
    const covered = new Set<number>();
    for (const [namespace, columns] of byNamespace) {
      const others = columns.filter((j) => row[j] >= 0);
      if (others.length > 1 && others.every((j) => row[j] === row[others[0]])) {
        add(row[others[0]], `${namespace}/*`);
        others.forEach((j) => covered.add(j));
      }
    }
    plan.targets.forEach((t, j) => {
      if (!covered.has(j) && row[j] >= 0 && hasCell(from, t.endpoint)) {
        add(row[j], t.endpoint.id);
      }
    });
    const allowed = [...groups.entries()].map(([result, to]) => ({ ports: portsOf(result), to }));
    write(`${JSON.stringify({ from: from.id, allowed })}\n`);
    lines++;
  });
  return lines;
}

import { ConnectivityMatrix, MAX_GROUP_ENDPOINTS, MatrixCell, MatrixEndpoint, MatrixPlan, hasCell, matrixCell, EVERY_PORT } from './matrix';
import { EstateConnectivity } from '../connectivity/estate-connectivity';
import { PortRange, normalizeRanges, subtractRanges } from '../connectivity/port-ranges';

/**
 * The ports some pair of a group may use: every range any pair may use, plain where any pair may
 * use it without L7 rules, else with the L7 restriction it has (HTTP before DNS).
 */
export function unionOfAllowed(lists: Iterable<readonly PortRange[]>): PortRange[] {
  const plain: PortRange[] = [];
  const http: PortRange[] = [];
  const dns: PortRange[] = [];
  for (const list of lists) {
    for (const r of list) {
      const bare = { protocol: r.protocol, from: r.from, to: r.to };
      (r.l7 === 'HTTP' ? http : r.l7 === 'DNS' ? dns : plain).push(bare);
    }
  }
  const p = normalizeRanges(plain);
  const h = subtractRanges(normalizeRanges(http), p);
  const d = subtractRanges(subtractRanges(normalizeRanges(dns), p), h);
  return normalizeRanges([...p, ...h.map((r) => ({ ...r, l7: 'HTTP' as const })), ...d.map((r) => ({ ...r, l7: 'DNS' as const }))]);
}

interface Accumulator {
  readonly results: Set<number>;
  pairs: number;
  connected: number;
}

/**
 * A large matrix, aggregated so that reports stay readable and bounded: rows and columns are
 * workloads (the pods of a StatefulSet or an Indexed Job together) when there are at most
 * MAX_GROUP_ENDPOINTS of them, else namespaces; kube-dns, the internet and the metadata endpoint
 * stay as they are. A cell covers every pair of pods of its row and column (a pod and itself
 * excepted): `allowed` lists the ports at least one pair may use, `denied` those none may, and
 * `pairs`/`connected` say how many pairs there are and how many may use a port. The rows are
 * computed one at a time and only their answers kept, so memory grows with the cells, not with
 * the pairs.
 */
export function aggregateMatrix(plan: MatrixPlan, estate: EstateConnectivity): ConnectivityMatrix {
  const workloadOf = (e: MatrixEndpoint) => plan.model._workloadOf(e.id);
  const workloads = new Set(plan.sources.filter((s) => s.kind === 'pod').map(workloadOf));
  const byWorkload = workloads.size <= MAX_GROUP_ENDPOINTS;
  const podCounts = new Map<string, number>();
  const groupId = (e: MatrixEndpoint): string => (e.kind !== 'pod' ? e.id : byWorkload ? workloadOf(e) : `${e.namespace}/*`);
  for (const s of plan.sources) {
    if (s.kind === 'pod') {
      podCounts.set(groupId(s), (podCounts.get(groupId(s)) ?? 0) + 1);
    }
  }
  const groupEndpoint = (e: MatrixEndpoint): MatrixEndpoint => {
    if (e.kind !== 'pod') {
      return e;
    }
    const id = groupId(e);
    const pods = podCounts.get(id) ?? 1;
    return byWorkload
      ? { id, label: id.slice(id.indexOf('/') + 1), namespace: e.namespace, kind: 'workload' }
      : { id, label: `${e.namespace} (${pods} pod${pods === 1 ? '' : 's'})`, namespace: e.namespace, kind: 'namespace' };
  };
  const index = (list: MatrixEndpoint[]) => {
    const groups = new Map<string, { endpoint: MatrixEndpoint; at: number }>();
    const of = list.map((e) => {
      const id = groupId(e);
      let group = groups.get(id);
      if (!group) {
        group = { endpoint: groupEndpoint(e), at: groups.size };
        groups.set(id, group);
      }
      return group.at;
    });
    return { endpoints: [...groups.values()].map((g) => g.endpoint), of };
  };
  const sources = index(plan.sources);
  const targets = index(plan.targets.map((t) => t.endpoint));
  const width = targets.endpoints.length;
  const cells = new Map<number, Accumulator>();
  plan.sources.forEach((from, i) => {
    const row = estate.row(i);
    const rowBase = sources.of[i] * width;
    plan.targets.forEach((target, j) => {
      if (!hasCell(from, target.endpoint) || row[j] < 0) {
        return;
      }
      const at = rowBase + targets.of[j];
      let cell = cells.get(at);
      if (!cell) {
        cell = { results: new Set(), pairs: 0, connected: 0 };
        cells.set(at, cell);
      }
      cell.pairs++;
      cell.results.add(row[j]);
      if (estate.results[row[j]].allowed.length > 0) {
        cell.connected++;
      }
    });
  });
  const out: MatrixCell[] = [];
  sources.endpoints.forEach((from, g) => {
    targets.endpoints.forEach((to, h) => {
      const cell = cells.get(g * width + h);
      if (cell) {
        const ranges = unionOfAllowed([...cell.results].map((r) => estate.results[r].allowed));
        out.push(matrixCell(from.id, to.id, ranges, [], { pairs: cell.pairs, connected: cell.connected }));
      } else if (from.id === to.id && (from.kind === 'workload' || from.kind === 'namespace')) {
        // A workload of one pod: the pod and itself.
        out.push(matrixCell(from.id, to.id, EVERY_PORT, []));
      }
    });
  });
  const pods = plan.sources.filter((s) => s.kind === 'pod').length;
  const note = `${pods} pods${byWorkload ? '' : ` in ${workloads.size} workloads`}: rows and columns are ${byWorkload ? 'workloads' : 'namespaces'}; ` +
    'a cell lists the ports at least one pair of their pods may use, and how many of the pairs may use one ("k/n pairs"); ' +
    'cdk8s-netpol matrix --format jsonl lists the exact ports of every pair of pods.';
  return { sources: sources.endpoints, destinations: targets.endpoints, cells: out, notes: [...plan.notes, note] };
}

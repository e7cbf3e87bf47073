import { createHash } from 'crypto';
import { aggregateMatrix } from './aggregate';
import { ExternalEndpoint, addressRangeEndpoints, mergeAlikeRanges } from './external-endpoints';
import { StandInGroup, standInGroups } from './stand-ins';
import { EstateConnectivity } from '../connectivity/estate-connectivity';
import { Segment } from '../connectivity/pair-connectivity';
import { coversEverything, formatRange, MAX_PORT, MIN_PORT, PORT_PROTOCOLS, PortRange, subtractRanges } from '../connectivity/port-ranges';
import { NetworkModel } from '../model';

/** A row or column of the connectivity matrix. */
export interface MatrixEndpoint {
  /**
   * "namespace/pod", or "dns", "internet", "metadata", or for a range of addresses a policy names
   * the most specific block it lies in ("10.0.0.0/8"; "internet-elsewhere" / "internet-ipv6" for
   * the addresses in no named block, when the internet's stand-in address lies in one).
   */
  readonly id: string;
  /** What a reader sees. */
  readonly label: string;
  /**
   * The address the endpoint is evaluated at: the internet's and the metadata endpoint's
   * stand-ins, one address of each range the policies name.
   * @default - a pod (or a group of pods)
   */
  readonly address?: string;
  /**
   * The pod's namespace.
   * @default - not a pod
   */
  readonly namespace?: string;
  /**
   * "pod", "dns", "internet", "metadata" or "external" (a range of addresses the policies name); in
   * an aggregated matrix "workload" (the pods of one workload) or "namespace" (its pods).
   */
  readonly kind: string;
}

/** One source-destination pair: the ports allowed and denied, and why. */
export interface MatrixCell {
  /** The source endpoint's id. */
  readonly from: string;
  /** The destination endpoint's id. */
  readonly to: string;
  /**
   * The allowed ports, exactly: ranges of TCP, UDP and SCTP ports, e.g. "TCP/8080",
   * "TCP/8000-8999", "TCP/1-65535" (every TCP port), in that protocol order.
   */
  readonly allowed: string[];
  /** The denied ports, as ranges: together with `allowed`, every port of TCP, UDP and SCTP. */
  readonly denied: string[];
  /**
   * Allowed ranges on which L7 rules decide what passes, with what they match: "HTTP" (only the
   * requests the rules list) or "DNS" (only the names they list), e.g. { "TCP/8080": "HTTP" }.
   * @default - no L7 rules on any allowed range
   */
  readonly l7?: Record<string, string>;
  /**
   * "TCP/8080 allowed: <verdict reasons>" for every range (ranges with the same reasons share
   * one line), for hover text and review. The reasons are those of the range's first port.
   */
  readonly reasons: string[];
  /**
   * How many allowed ranges `allowed` leaves out (it lists at most MAX_RANGES_PER_CELL);
   * `cdk8s-netpol matrix --format jsonl` lists them all.
   * @default - none left out
   */
  readonly omitted?: number;
  /**
   * How many denied ranges `denied` leaves out (it lists at most MAX_RANGES_PER_CELL).
   * @default - none left out
   */
  readonly deniedOmitted?: number;
  /**
   * For a cell of an aggregated matrix (workloads or namespaces): how many pairs of pods it
   * covers. `allowed` then lists the ports at least one of them may use, `denied` those none may.
   * @default - a cell of one pair
   */
  readonly pairs?: number;
  /**
   * For a cell of an aggregated matrix: how many of its pairs may use at least one port.
   * @default - a cell of one pair
   */
  readonly connected?: number;
}

/** Who can reach whom, on which ports. */
export interface ConnectivityMatrix {
  readonly sources: MatrixEndpoint[];
  readonly destinations: MatrixEndpoint[];
  readonly cells: MatrixCell[];
  /** Remarks for the reader: stand-in pods, omitted reasons. */
  readonly notes: string[];
}

/** Options of `connectivityMatrix`. */
export interface MatrixOptions {
  /**
   * When the model holds no workloads: the groups of pods to stand in for them (a diff passes the
   * groups of both sides, so that both matrices have the same endpoints).
   * @default - the groups the model's policies select and name as peers
   */
  readonly standIns?: StandInGroup[];
  /**
   * The policy objects whose address blocks make the ranges' rows and columns (a diff passes both
   * sides', so that both matrices have the same endpoints).
   * @default - the model's policies
   */
  readonly addressesOf?: unknown[];
  /**
   * Whether ranges that every pod treats alike share a row and a column (a diff compares each).
   * @default true
   */
  readonly mergeRanges?: boolean;
}

/** Above this many cells the reasons are left out of the matrix (they would make reports huge). */
export const MAX_CELLS_WITH_REASONS = 2_500;

/** Above this many pods the matrix shows workloads; above this many workloads, namespaces. */
export const MAX_POD_ENDPOINTS = 100;
export const MAX_GROUP_ENDPOINTS = 100;

/** Stand-ins for the outside world (documentation range) and the cloud metadata endpoint. */
export const INTERNET_PROBE = '203.0.113.10';
export const METADATA_PROBE = '169.254.169.254';
const DNS_NAMESPACE = 'kube-system';
const DNS_LABELS = { 'k8s-app': 'kube-dns' };
const SYNTHETIC_DNS = 'netpol-report-kube-dns';

/** The stand-in groups of a model's policies, each once, in a canonical order. */
export function modelStandIns(model: NetworkModel): StandInGroup[] {
  return canonicalGroups(model._policyObjects().flatMap(standInGroups));
}

/** Groups each once (by namespace and labels), sorted by their canonical key. */
export function canonicalGroups(groups: Iterable<StandInGroup>): StandInGroup[] {
  const byKey = new Map<string, StandInGroup>();
  for (const group of groups) {
    byKey.set(groupKey(group), group);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, group]) => group);
}

/** The namespace and the labels, sorted by key: what a stand-in stands for. */
function groupKey(group: StandInGroup): string {
  return JSON.stringify([group.namespace, Object.entries(group.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
}

/**
 * A stand-in's name, from what it stands for alone (never from the order policies appear, so an
 * unrelated change renames nothing): "stand-in-", its labels as readable text, and a hash of its
 * namespace and labels that keeps two groups with similar labels apart.
 */
export function standInName(group: StandInGroup): string {
  const readable = Object.entries(group.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}-${v}`).join('-')
    .toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  const hash = createHash('sha256').update(groupKey(group)).digest('hex').slice(0, 6);
  return `stand-in-${readable ? `${readable}-` : ''}${hash}`;
}

/** Adds one stand-in pod per group; returns how many it added. */
function addStandIns(model: NetworkModel, groups: readonly StandInGroup[]): number {
  let count = 0;
  for (const group of groups) {
    try {
      model.addPod({ namespace: group.namespace, name: standInName(group), labels: group.labels });
      count++;
    } catch {
      // labels a pod cannot carry (an invalid selector): no stand-in for them
    }
  }
  return count;
}

/** A destination of the matrix and the model's text for it. */
export interface MatrixTarget {
  readonly endpoint: MatrixEndpoint;
  /** The model's endpoint text: "namespace/pod" or an address. */
  readonly address: string;
}

/** What a matrix is computed on: the model with its stand-ins and kube-dns, the rows and the columns. */
export interface MatrixPlan {
  /** A copy of the input model, with stand-in pods (if it had no workloads) and kube-dns (if it had none). */
  readonly model: NetworkModel;
  readonly sources: MatrixEndpoint[];
  readonly targets: MatrixTarget[];
  readonly notes: string[];
  readonly withReasons: boolean;
  /** Whether the input held workloads (else the stand-ins, if any, stand in for them). */
  readonly hadWorkloads: boolean;
}

/** The address a source endpoint is evaluated from. */
export function sourceAddress(endpoint: MatrixEndpoint): string {
  return endpoint.address ?? endpoint.id;
}

/**
 * The matrix's endpoints: every workload, kube-dns, the internet and the cloud metadata endpoint
 * as destinations; the workloads and the internet as sources. Without workloads in the input,
 * stand-in pods named after the groups the policies select take their place. The input model is
 * not changed.
 */
export function planMatrix(source: NetworkModel, options: MatrixOptions = {}): MatrixPlan {
  const model = source._clone();
  const notes: string[] = [];
  const semantics = model._semanticsNote();
  if (semantics !== undefined) {
    notes.push(semantics);
  }
  const hadWorkloads = model.podIds.length > 0;
  if (!hadWorkloads && model._policyObjects().length > 0) {
    const added = addStandIns(model, options.standIns ?? modelStandIns(model));
    notes.push(`The input holds no workloads: the ${added} "stand-in" pods carry the labels the policies select, one per group, ` +
      'named after their labels (with a hash of their namespace and labels).');
  }
  const isDns = (id: string) => {
    const pod = model._pod(id)!;
    return pod.namespace === DNS_NAMESPACE && pod.labels?.['k8s-app'] === DNS_LABELS['k8s-app'];
  };
  const workloadIds = model.podIds.filter((id) => !isDns(id));
  let dnsId = model.podIds.find(isDns);
  if (dnsId === undefined) {
    // CoreDNS's port names, for rules that name them.
    model.addPod({ namespace: DNS_NAMESPACE, name: SYNTHETIC_DNS, labels: DNS_LABELS, ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }] });
    dnsId = `${DNS_NAMESPACE}/${SYNTHETIC_DNS}`;
  }
  const podEndpoint = (id: string): MatrixEndpoint => ({ id, label: model._pod(id)!.name, namespace: model._pod(id)!.namespace, kind: 'pod' });
  const withReasons = (workloadIds.length + 1) * (workloadIds.length + 3) <= MAX_CELLS_WITH_REASONS;
  if (!withReasons && workloadIds.length <= MAX_POD_ENDPOINTS) {
    // (An aggregated matrix, above, says what its cells hold instead.)
    notes.push(`${workloadIds.length} pods: the verdict reasons are left out to keep the report small; ask \`cdk8s-netpol explain\` for one flow.`);
  }
  const internet: MatrixEndpoint = { id: 'internet', label: `internet (${INTERNET_PROBE})`, kind: 'internet', address: INTERNET_PROBE };
  // One endpoint per range of addresses the policies can tell apart (besides the internet's and the
  // metadata endpoint's); for a report, ranges no pair tells apart share a column.
  const ranges = addressRangeEndpoints(model, options.addressesOf ?? model._policyObjects(), [INTERNET_PROBE, METADATA_PROBE]);
  const merged = options.mergeRanges === false ? { ranges, notes: [] }
    : mergeAlikeRanges(model, workloadIds.map((id) => ({ id, address: id })), internet as ExternalEndpoint, ranges);
  notes.push(...merged.notes);
  const externals: MatrixEndpoint[] = merged.ranges;
  const sources: MatrixEndpoint[] = [...workloadIds.map(podEndpoint), internet, ...externals];
  const metadata: MatrixEndpoint = { id: 'metadata', label: `cloud metadata (${METADATA_PROBE})`, kind: 'metadata', address: METADATA_PROBE };
  const targets: MatrixTarget[] = [
    ...workloadIds.map((id) => ({ endpoint: podEndpoint(id), address: id })),
    { endpoint: { id: 'dns', label: 'kube-dns', kind: 'dns' }, address: dnsId },
    { endpoint: internet, address: INTERNET_PROBE },
    { endpoint: metadata, address: METADATA_PROBE },
    ...externals.map((endpoint) => ({ endpoint, address: endpoint.address! })),
  ];
  return { model, sources, targets, notes, withReasons, hadWorkloads };
}

/** Whether the matrix has a cell from `from` to `to`: addresses outside the cluster reach pods only (no policy governs the rest). */
export function hasCell(from: MatrixEndpoint, to: MatrixEndpoint): boolean {
  return from.kind === 'pod' || to.kind === 'pod';
}

/**
 * Every workload against every workload, kube-dns, the internet and the cloud metadata endpoint,
 * and the internet against every workload: for each pair, exactly which ports of TCP, UDP and SCTP
 * are allowed. Up to MAX_POD_ENDPOINTS pods the rows and columns are pods; above, workloads (the
 * pods of a StatefulSet or an Indexed Job together), and above MAX_GROUP_ENDPOINTS workloads,
 * namespaces (see `aggregateMatrix`). The model is not changed.
 */
export function connectivityMatrix(source: NetworkModel, options: MatrixOptions = {}): ConnectivityMatrix {
  return matrixOf(planMatrix(source, options));
}

/** The matrix of a plan, computed estate-wide (connectivity/estate-connectivity.ts) and aggregated when large. */
export function matrixOf(plan: MatrixPlan): ConnectivityMatrix {
  const estate = estateOf(plan);
  const pods = plan.sources.filter((s) => s.kind === 'pod').length;
  if (pods > MAX_POD_ENDPOINTS) {
    return aggregateMatrix(plan, estate);
  }
  const cells: MatrixCell[] = [];
  plan.sources.forEach((from, i) => {
    const row = estate.row(i);
    plan.targets.forEach((target, j) => {
      if (!hasCell(from, target.endpoint)) {
        return;
      }
      const result = row[j];
      const ranges = result < 0 ? EVERY_PORT : estate.results[result].allowed;
      const reasons = plan.withReasons ? segmentReasons(plan.model._segments(sourceAddress(from), target.address)) : [];
      cells.push(matrixCell(from.id, target.endpoint.id, ranges, reasons));
    });
  });
  return { sources: plan.sources, destinations: plan.targets.map((t) => t.endpoint), cells, notes: plan.notes };
}

/** The estate-wide connectivity of a plan's rows and columns. */
export function estateOf(plan: MatrixPlan): EstateConnectivity {
  return new EstateConnectivity(plan.model, plan.sources.map((s) => ({ id: s.id, address: sourceAddress(s) })),
    plan.targets.map((t) => ({ id: t.endpoint.id, address: t.address })));
}

/** Every port of every protocol, without L7 rules: what a pod may do to itself. */
export const EVERY_PORT: readonly PortRange[] = PORT_PROTOCOLS.map((protocol) => ({ protocol, from: MIN_PORT, to: MAX_PORT }));

/** Above this many ranges, a cell's allowed and denied lists are cut (`omitted`, `deniedOmitted` count the rest; `matrix --format jsonl` has them all). */
export const MAX_RANGES_PER_CELL = 64;

/** A cell from a pair's allowed ranges (canonical), the denied ones being the rest. */
export function matrixCell(from: string, to: string, ranges: readonly PortRange[], reasons: string[],
  counts?: { pairs: number; connected: number }): MatrixCell {
  const l7: Record<string, string> = {};
  const allowed = ranges.map((r) => {
    const text = formatRange(r);
    if (r.l7 !== undefined) {
      l7[text] = r.l7;
    }
    return text;
  });
  const denied = subtractRanges(EVERY_PORT, ranges.map(({ protocol, from: f, to: t }) => ({ protocol, from: f, to: t }))).map((r) => formatRange(r));
  const omitted = Math.max(0, allowed.length - MAX_RANGES_PER_CELL);
  const deniedOmitted = Math.max(0, denied.length - MAX_RANGES_PER_CELL);
  return {
    from,
    to,
    allowed: allowed.slice(0, MAX_RANGES_PER_CELL),
    denied: denied.slice(0, MAX_RANGES_PER_CELL),
    reasons,
    ...(Object.keys(l7).length > 0 ? { l7 } : {}),
    ...(omitted > 0 ? { omitted } : {}),
    ...(deniedOmitted > 0 ? { deniedOmitted } : {}),
    ...(counts !== undefined ? counts : {}),
  };
}

/**
 * The reasons of a pair's segments: one line per group of ranges decided alike (same verdicts,
 * causes and policies), in the words of its first port.
 */
export function segmentReasons(segments: readonly Segment[]): string[] {
  const lines = new Map<string, { why: string; ranges: string[] }>();
  for (const segment of segments) {
    const key = `${segment.allowed} ${segment.sides.map((s) => `${s.allowed}|${s.cause}|${s.allowedBy?.id}|${s.deniedBy?.id}|${s.tier}|${s.l7}`).join(' ')}`;
    const why = `${segment.allowed ? 'allowed' : 'denied'}: ${segment.sides.length === 0 ? 'a pod can always reach itself' : segment.sides.map((s) => s.reason).join('; ')}`;
    const line = lines.get(key) ?? { why, ranges: [] };
    line.ranges.push(formatRange(segment));
    lines.set(key, line);
  }
  return [...lines.values()].map(({ why, ranges }) => `${ranges.join(', ')} ${why}`);
}

/** The allowed ranges of a cell, as `PortRange`s. */
export function cellRanges(cell: MatrixCell): PortRange[] {
  return cell.allowed.map((text) => {
    const [protocol, ports] = text.split('/');
    const [from, to] = ports.split('-').map(Number);
    const l7 = cell.l7?.[text];
    return { protocol, from, to: to ?? from, ...(l7 === 'HTTP' || l7 === 'DNS' ? { l7 } : {}) };
  });
}

/**
 * A cell's allowed ports as a reader sees them: "all ports" when every port of TCP, UDP and SCTP
 * is, else the ranges, "TCP/8080 (HTTP rules)" where L7 rules decide.
 */
export function allowedLabels(cell: MatrixCell): string[] {
  const ranges = cellRanges(cell);
  if (coversEverything(ranges)) {
    return ['all ports'];
  }
  return ranges.map((r) => formatRange(r, true));
}

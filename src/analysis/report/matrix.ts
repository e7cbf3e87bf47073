import { createHash } from 'crypto';
import { StandInGroup, standInGroups } from './stand-ins';
import { Segment } from '../connectivity/pair-connectivity';
import { coversEverything, formatRange, PortRange } from '../connectivity/port-ranges';
import { NetworkModel } from '../model';

/** A row or column of the connectivity matrix. */
export interface MatrixEndpoint {
  /** "namespace/pod", or "dns", "internet", "metadata". */
  readonly id: string;
  /** What a reader sees. */
  readonly label: string;
  /**
   * The pod's namespace.
   * @default - not a pod
   */
  readonly namespace?: string;
  /** "pod", "dns", "internet" or "metadata". */
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
}

/** Above this many cells the reasons are left out of the matrix (they would make reports huge). */
export const MAX_CELLS_WITH_REASONS = 2_500;

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
  return endpoint.kind === 'internet' ? INTERNET_PROBE : endpoint.id;
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
  if (!withReasons) {
    notes.push(`${workloadIds.length} workloads: the verdict reasons are left out to keep the report small; ask \`cdk8s-netpol explain\` for one flow.`);
  }
  const internet: MatrixEndpoint = { id: 'internet', label: `internet (${INTERNET_PROBE})`, kind: 'internet' };
  const sources: MatrixEndpoint[] = [...workloadIds.map(podEndpoint), internet];
  const targets: MatrixTarget[] = [
    ...workloadIds.map((id) => ({ endpoint: podEndpoint(id), address: id })),
    { endpoint: { id: 'dns', label: 'kube-dns', kind: 'dns' }, address: dnsId },
    { endpoint: internet, address: INTERNET_PROBE },
    { endpoint: { id: 'metadata', label: `cloud metadata (${METADATA_PROBE})`, kind: 'metadata' }, address: METADATA_PROBE },
  ];
  return { model, sources, targets, notes, withReasons, hadWorkloads };
}

/** Whether the matrix has a cell from `from` to `to` (the internet reaches pods only). */
export function hasCell(from: MatrixEndpoint, to: MatrixEndpoint): boolean {
  return from.kind !== 'internet' || to.kind === 'pod';
}

/**
 * Every workload against every workload, kube-dns, the internet and the cloud metadata endpoint,
 * and the internet against every workload: for each pair, exactly which ports of TCP, UDP and SCTP
 * are allowed (`NetworkModel._segments`). The model is not changed.
 */
export function connectivityMatrix(source: NetworkModel, options: MatrixOptions = {}): ConnectivityMatrix {
  return matrixOf(planMatrix(source, options));
}

/** The matrix of a plan. */
export function matrixOf(plan: MatrixPlan): ConnectivityMatrix {
  const cells: MatrixCell[] = [];
  for (const from of plan.sources) {
    for (const target of plan.targets) {
      if (hasCell(from, target.endpoint)) {
        cells.push(matrixCell(from.id, target.endpoint.id, plan.model._segments(sourceAddress(from), target.address), plan.withReasons));
      }
    }
  }
  return { sources: plan.sources, destinations: plan.targets.map((t) => t.endpoint), cells, notes: plan.notes };
}

/** A cell from a pair's segments. */
export function matrixCell(from: string, to: string, segments: readonly Segment[], withReasons: boolean): MatrixCell {
  const allowed: string[] = [];
  const denied: string[] = [];
  const l7: Record<string, string> = {};
  const reasons = new Map<string, { why: string; ranges: string[] }>();
  for (const segment of segments) {
    const text = formatRange(segment);
    (segment.allowed ? allowed : denied).push(text);
    if (segment.l7 !== undefined) {
      l7[text] = segment.l7;
    }
    if (withReasons) {
      // Ranges decided alike (same verdicts, causes and policies) share one line: the words of the first.
      const key = `${segment.allowed} ${segment.sides.map((s) => `${s.allowed}|${s.cause}|${s.allowedBy?.id}|${s.deniedBy?.id}|${s.tier}|${s.l7}`).join(' ')}`;
      const why = `${segment.allowed ? 'allowed' : 'denied'}: ${segment.sides.length === 0 ? 'a pod can always reach itself' : segment.sides.map((s) => s.reason).join('; ')}`;
      const line = reasons.get(key) ?? { why, ranges: [] };
      line.ranges.push(text);
      reasons.set(key, line);
    }
  }
  return {
    from,
    to,
    allowed,
    denied,
    reasons: [...reasons.values()].map(({ why, ranges }) => `${ranges.join(', ')} ${why}`),
    ...(Object.keys(l7).length > 0 ? { l7 } : {}),
  };
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

import { standInGroups } from './stand-ins';
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

/** One source-destination pair: which probed ports are allowed, and why. */
export interface MatrixCell {
  /** The source endpoint's id. */
  readonly from: string;
  /** The destination endpoint's id. */
  readonly to: string;
  /** Allowed probes, e.g. "TCP/8080". */
  readonly allowed: string[];
  /** Denied probes. */
  readonly denied: string[];
  /**
   * Allowed probes on which L7 rules decide what passes, with what they match: "HTTP" (only the
   * requests the rules list) or "DNS" (only the names they list), e.g. { "TCP/8080": "HTTP" }.
   * @default - no L7 rules on any allowed probe
   */
  readonly l7?: Record<string, string>;
  /** "TCP/8080: <verdict reasons>" for every probe, for hover text and review. */
  readonly reasons: string[];
}

/** Who can reach whom, on which of the probed ports. */
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
   * Ports probed on pods that declare none (a diff passes the union of both sides').
   * @default - the numbered ports the policies name, or TCP/80
   */
  readonly probePorts?: { protocol: string; port: number }[];
}

/** Above this many cells the reasons are left out of the matrix (they would make reports huge). */
export const MAX_CELLS_WITH_REASONS = 2_500;

/** Stand-ins for the outside world (documentation range) and the cloud metadata endpoint. */
export const INTERNET_PROBE = '203.0.113.10';
export const METADATA_PROBE = '169.254.169.254';
const DNS_NAMESPACE = 'kube-system';
const DNS_LABELS = { 'k8s-app': 'kube-dns' };
const SYNTHETIC_DNS = 'netpol-report-kube-dns';

/**
 * Without workloads in the input, the matrix would be empty: one stand-in pod per group of pods
 * the policies select, and per peer named by namespace and labels, shows what they allow.
 */
function addStandIns(model: NetworkModel): number {
  const groups = new Map<string, { namespace: string; labels: Record<string, string> }>();
  for (const policy of model._policyObjects()) {
    for (const { namespace, labels } of standInGroups(policy)) {
      groups.set(`${namespace} ${JSON.stringify(Object.entries(labels).sort())}`, { namespace, labels });
    }
  }
  let count = 0;
  for (const { namespace, labels } of groups.values()) {
    const label = Object.entries(labels).map(([k, v]) => `${k}-${v}`).join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
    const name = `stand-in-${count}${label ? `-${label}` : ''}`.replace(/-+$/, '');
    try {
      model.addPod({ namespace, name, labels });
      count++;
    } catch {
      // labels a pod cannot carry (an invalid selector): no stand-in for them
    }
  }
  return count;
}

interface ProbeTarget {
  readonly endpoint: MatrixEndpoint;
  /** What to probe: the model's endpoint text. */
  readonly address: string;
  readonly ports: { protocol: string; port: number }[];
}

/**
 * Probes every workload against every workload (on the destination's container ports, or the
 * ports the policies name when it declares none), against kube-dns (UDP and TCP 53), the internet
 * (TCP 80 and 443) and the cloud metadata endpoint (TCP 80), and the internet against every
 * workload. The model is not changed.
 */
export function connectivityMatrix(source: NetworkModel, options: MatrixOptions = {}): ConnectivityMatrix {
  const model = source._clone();
  const notes: string[] = [];
  if (model.podIds.length === 0 && model._policyObjects().length > 0) {
    const added = addStandIns(model);
    notes.push(`The input holds no workloads: the ${added} "stand-in" pods carry the labels the policies select, one per group.`);
  }
  const policyPorts = options.probePorts ?? model._policyPorts();
  const fallback = policyPorts.length > 0 ? policyPorts : [{ protocol: 'TCP', port: 80 }];
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
  const sources: MatrixEndpoint[] = [...workloadIds.map(podEndpoint), { id: 'internet', label: `internet (${INTERNET_PROBE})`, kind: 'internet' }];
  const targets: ProbeTarget[] = [
    ...workloadIds.map((id) => {
      const declared = [...new Map((model._pod(id)!.ports ?? []).map((p) => [`${p.protocol ?? 'TCP'}/${p.port}`, { protocol: p.protocol ?? 'TCP', port: p.port }])).values()];
      return { endpoint: podEndpoint(id), address: id, ports: declared.length > 0 ? declared : fallback };
    }),
    { endpoint: { id: 'dns', label: 'kube-dns', kind: 'dns' }, address: dnsId, ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
    { endpoint: { id: 'internet', label: `internet (${INTERNET_PROBE})`, kind: 'internet' }, address: INTERNET_PROBE, ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 80 }] },
    { endpoint: { id: 'metadata', label: `cloud metadata (${METADATA_PROBE})`, kind: 'metadata' }, address: METADATA_PROBE, ports: [{ protocol: 'TCP', port: 80 }] },
  ];
  const cells: MatrixCell[] = [];
  for (const from of sources) {
    const fromAddress = from.kind === 'internet' ? INTERNET_PROBE : from.id;
    for (const target of targets) {
      if (from.kind === 'internet' && target.endpoint.kind !== 'pod') {
        continue;
      }
      const allowed: string[] = [];
      const denied: string[] = [];
      const reasons: string[] = [];
      const l7: Record<string, string> = {};
      for (const { protocol, port } of target.ports) {
        const probe = `${protocol}/${port}`;
        const verdict = model._explain({ from: fromAddress, to: target.address, port, protocol });
        (verdict.allowed ? allowed : denied).push(probe);
        const restricted = verdict.allowed ? verdict.sides.find((s) => s.l7 !== undefined)?.l7 : undefined;
        if (restricted !== undefined) {
          l7[probe] = restricted;
        }
        if (withReasons) {
          reasons.push(`${probe} ${verdict.allowed ? 'allowed' : 'denied'}: ${verdict.reasons.join('; ')}`);
        }
      }
      cells.push({ from: from.id, to: target.endpoint.id, allowed, denied, reasons, ...(Object.keys(l7).length > 0 ? { l7 } : {}) });
    }
  }
  return { sources, destinations: targets.map((t) => t.endpoint), cells, notes };
}

/** A cell's allowed probes as a reader sees them: "TCP/8080 (HTTP rules)" where L7 rules decide. */
export function allowedLabels(cell: MatrixCell): string[] {
  return cell.allowed.map((probe) => (cell.l7?.[probe] !== undefined ? `${probe} (${cell.l7[probe]} rules)` : probe));
}

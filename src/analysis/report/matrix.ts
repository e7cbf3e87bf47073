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
  /** "TCP/8080: <verdict reasons>" for every probe, for hover text and review. */
  readonly reasons: string[];
}

/** Who can reach whom, on which of the probed ports. */
export interface ConnectivityMatrix {
  readonly sources: MatrixEndpoint[];
  readonly destinations: MatrixEndpoint[];
  readonly cells: MatrixCell[];
}

/** Stand-ins for the outside world (documentation range) and the cloud metadata endpoint. */
export const INTERNET_PROBE = '203.0.113.10';
export const METADATA_PROBE = '169.254.169.254';
const DNS_NAMESPACE = 'kube-system';
const DNS_LABELS = { 'k8s-app': 'kube-dns' };
const SYNTHETIC_DNS = 'netpol-report-kube-dns';

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
export function connectivityMatrix(source: NetworkModel): ConnectivityMatrix {
  const model = source._clone();
  const policyPorts = model._policyPorts();
  const fallback = policyPorts.length > 0 ? policyPorts : [{ protocol: 'TCP', port: 80 }];
  const isDns = (id: string) => {
    const pod = model._pod(id)!;
    return pod.namespace === DNS_NAMESPACE && pod.labels?.['k8s-app'] === DNS_LABELS['k8s-app'];
  };
  const workloadIds = model.podIds.filter((id) => !isDns(id));
  let dnsId = model.podIds.find(isDns);
  if (dnsId === undefined) {
    model.addPod({ namespace: DNS_NAMESPACE, name: SYNTHETIC_DNS, labels: DNS_LABELS });
    dnsId = `${DNS_NAMESPACE}/${SYNTHETIC_DNS}`;
  }
  const podEndpoint = (id: string): MatrixEndpoint => ({ id, label: model._pod(id)!.name, namespace: model._pod(id)!.namespace, kind: 'pod' });
  const sources: MatrixEndpoint[] = [...workloadIds.map(podEndpoint), { id: 'internet', label: `internet (${INTERNET_PROBE})`, kind: 'internet' }];
  const targets: ProbeTarget[] = [
    ...workloadIds.map((id) => {
      const declared = (model._pod(id)!.ports ?? []).map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
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
      for (const { protocol, port } of target.ports) {
        const probe = `${protocol}/${port}`;
        const verdict = model.evaluate({ from: fromAddress, to: target.address, port, protocol });
        (verdict.allowed ? allowed : denied).push(probe);
        reasons.push(`${probe} ${verdict.allowed ? 'allowed' : 'denied'}: ${verdict.reasons.join('; ')}`);
      }
      cells.push({ from: from.id, to: target.endpoint.id, allowed, denied, reasons });
    }
  }
  return { sources, destinations: targets.map((t) => t.endpoint), cells };
}

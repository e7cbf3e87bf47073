import { HttpRequest } from '../types';

/**
 * One end of an observed flow: a pod (namespace and pod or workload name, with the labels it had
 * when observed) or an address outside the cluster.
 */
export interface FlowEndpoint {
  /**
   * The pod's namespace; unset for an address outside the cluster.
   * @default - not a pod
   */
  readonly namespace?: string;
  /**
   * The pod's name.
   * @default - unknown (a CSV row or an aggregated Calico flow names the workload only)
   */
  readonly pod?: string;
  /**
   * The name of the workload that owns the pod (a Deployment, StatefulSet, ...), when the flow says.
   * @default - unknown
   */
  readonly workload?: string;
  /**
   * The kind of that workload ("Deployment").
   * @default - unknown
   */
  readonly workloadKind?: string;
  /**
   * The pod's labels when the flow was observed; what policies select. Unset when the flow
   * format has none (CSV): the pod must then be in the manifests.
   * @default - unknown
   */
  readonly labels?: Record<string, string>;
  /**
   * The labels of the pod's namespace, when the flow carries them (Cilium identities do).
   * @default - unknown
   */
  readonly namespaceLabels?: Record<string, string>;
  /**
   * The pod's ServiceAccount, when the flow carries it.
   * @default - unknown
   */
  readonly serviceAccount?: string;
  /**
   * The address.
   * @default - unknown
   */
  readonly ip?: string;
  /**
   * DNS names the address was resolved from (Hubble's destination_names; the names of DNS answers).
   * @default []
   */
  readonly dnsNames?: string[];
  /**
   * What the end is when it is neither a pod nor a plain address: "node" (Cilium's host identity:
   * the pod's own node), "remote-node" (another node), "kube-apiserver" (the API server, with its
   * address), another of Cilium's reserved identities ("ingress", "unmanaged", ...), "cluster
   * <name>" (a pod of another cluster of a Cluster Mesh), "host-endpoint" (a Calico host
   * endpoint), "network <name>" (an address a Calico flow log aggregated away: "network pub"),
   * "ambiguous <namespace>/<name>" (a Whisker end that may be a pod or a NetworkSet).
   * @default - a pod or an outside address
   */
  readonly reserved?: string;
  /**
   * The end runs on a node's network: the API server on the cluster's nodes (Cilium's
   * kube-apiserver identity with host or remote-node), which Cilium's CIDR and world rules do not
   * match and its node entities do.
   * @default false
   */
  readonly onNodes?: boolean;
}

/** A connection seen on the cluster, with how often and when: identical observations are counted once. */
export interface ObservedFlow {
  /** Who opened the connection. */
  readonly from: FlowEndpoint;
  /** Whom it reached. */
  readonly to: FlowEndpoint;
  /** The destination port. */
  readonly port: number;
  /** TCP, UDP or SCTP. */
  readonly protocol: string;
  /**
   * The HTTP request, for an L7 flow (Hubble's l7.http).
   * @default - an L3/L4 flow
   */
  readonly http?: HttpRequest;
  /** How many records of the input are this flow (Hubble reports a connection at both ends, and per event). */
  readonly count: number;
  /**
   * The earliest time the flow was seen (RFC 3339).
   * @default - the input has no times
   */
  readonly firstSeen?: string;
  /**
   * The latest time the flow was seen (RFC 3339).
   * @default - the input has no times
   */
  readonly lastSeen?: string;
  /** Where it was first read: "file:line". */
  readonly source: string;
}

/** The transport protocols policies name ports of. */
export const FLOW_PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/** The key of an endpoint for counting flows once: what a verdict depends on. */
export function endpointKey(e: FlowEndpoint): string {
  // The labels too: a pod whose labels (or its namespace's) changed during the recording is
  // another end for the policies.
  return JSON.stringify([e.namespace ?? null, e.pod ?? e.workload ?? null, e.ip ?? null, e.reserved ?? null,
    e.namespace === undefined ? [...(e.dnsNames ?? [])].sort() : null, sorted(e.labels), sorted(e.namespaceLabels), e.serviceAccount ?? null,
    e.onNodes === true]);
}

function sorted(labels: Record<string, string> | undefined): [string, string][] | null {
  return labels === undefined ? null : Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The key of a flow for counting it once. */
export function flowKey(f: Omit<ObservedFlow, 'count' | 'source' | 'firstSeen' | 'lastSeen'>): string {
  return JSON.stringify([endpointKey(f.from), endpointKey(f.to), f.port, f.protocol,
    f.http?.method ?? null, f.http?.path ?? null, f.http?.host ?? null]);
}

/** An end as reports name it: "ns/workload" for a pod (or "ns/pod"), the address (with its DNS names) otherwise. */
export function describeEndpoint(e: FlowEndpoint): string {
  if (e.namespace !== undefined) {
    return `${e.namespace}/${e.workload ?? e.pod ?? '?'}`;
  }
  if (e.reserved !== undefined) {
    return `${e.reserved}${e.ip !== undefined ? ` ${e.ip}` : ''}`;
  }
  const names = e.dnsNames !== undefined && e.dnsNames.length > 0 ? ` (${e.dnsNames.join(', ')})` : '';
  return `${e.ip ?? '?'}${names}`;
}

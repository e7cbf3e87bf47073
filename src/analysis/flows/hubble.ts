import { FlowLineError, IGNORED, ParsedLine, addressOf, field, objectAt, portOf, show } from './flow-line';
import { FlowEndpoint } from './observed-flow';
import { HttpRequest } from '../types';

// Hubble flows as `hubble observe -o jsonpb` prints them (one GetFlowsResponse per line:
// {"flow": {...}, "node_name": ..., "time": ...}) and as `-o json` prints them (the Flow alone).
// Field names follow cilium/cilium api/v1/flow/flow.proto; Hubble's printer writes the proto
// names (source_port), protojson elsewhere lowerCamelCase (sourcePort): both are read.
// docs/guides/from-observed-traffic.md#hubble names the sources.

/** Verdicts of flows that happened: forwarded, forwarded to a proxy, or allowed by audit mode (which would have dropped them). */
const HAPPENED = new Set(['FORWARDED', 'REDIRECTED', 'AUDIT', 'TRACED', 'TRANSLATED']);
const NOT_HAPPENED = new Set(['DROPPED', 'ERROR']);

/** Label prefixes Cilium gives the pod's own labels; the rest are identity metadata. */
const NAMESPACE_LABEL_PREFIX = 'io.cilium.k8s.namespace.labels.';
const SERVICE_ACCOUNT_LABEL = 'io.cilium.k8s.policy.serviceaccount';
const CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
const METADATA_LABELS = new Set(['io.kubernetes.pod.namespace', CLUSTER_LABEL, SERVICE_ACCOUNT_LABEL]);

/** Whether a JSON record looks like Hubble's: a GetFlowsResponse or a Flow. */
export function looksLikeHubble(record: Record<string, any>): boolean {
  return objectAt(record.flow) !== undefined || isOtherResponse(record) || ['IP', 'l4', 'Type', 'verdict', 'event_type'].some((k) => record[k] !== undefined);
}

/**
 * One Hubble record: a flow that happened (verdict FORWARDED, REDIRECTED, AUDIT, ...), or why it
 * is not replayed. Throws FlowLineError when the record is not a Hubble flow.
 * @param includeDropped replay DROPPED flows too (what the cluster refused, to see whether a change opens it)
 */
export function parseHubbleRecord(record: Record<string, any>, includeDropped: boolean): ParsedLine {
  const flow = objectAt(record.flow) ?? (record.flow === undefined && !isOtherResponse(record) ? record : undefined);
  if (flow === undefined) {
    if (isOtherResponse(record)) {
      return { ignored: IGNORED.notFlow };
    }
    throw new FlowLineError(`"flow" ${show(record.flow)} is not an object`);
  }
  const verdict = field(flow, 'verdict');
  if (typeof verdict !== 'string' || !(HAPPENED.has(verdict) || NOT_HAPPENED.has(verdict))) {
    throw new FlowLineError(`verdict ${show(verdict)} is not one of ${[...HAPPENED, ...NOT_HAPPENED].join(', ')}`);
  }
  if (NOT_HAPPENED.has(verdict) && !includeDropped) {
    return { ignored: IGNORED.dropped };
  }
  // Socket load-balancer traces (kube-proxy replacement) show a connection to a Service before
  // and after translation: the connection itself is another record.
  if (field(flow, 'Type', 'type') === 'SOCK' || field(flow, 'sock_xlate_point', 'sockXlatePoint') !== undefined) {
    return { ignored: IGNORED.socket };
  }
  const isReply = field(flow, 'is_reply', 'isReply');
  if (isReply !== undefined && typeof isReply !== 'boolean') {
    throw new FlowLineError(`is_reply ${show(isReply)} is not true or false`);
  }
  if (isReply === true) {
    return { ignored: IGNORED.reply };
  }
  const l7 = objectAt(field(flow, 'l7'));
  if (l7 !== undefined && field(l7, 'type') === 'RESPONSE') {
    return { ignored: IGNORED.response };
  }
  const l4 = objectAt(field(flow, 'l4'));
  if (l4 === undefined) {
    throw new FlowLineError('the flow has no l4 (protocol and ports); a flow the policies decide has one');
  }
  const transport = (['TCP', 'UDP', 'SCTP'] as const).find((p) => objectAt(l4[p]) !== undefined);
  if (transport === undefined) {
    // ICMP, and the protocols newer Hubbles decode (IGMP, VRRP, ...): no ports to replay.
    if (Object.keys(l4).some((p) => objectAt(l4[p]) !== undefined)) {
      return { ignored: IGNORED.icmp };
    }
    throw new FlowLineError(`l4 ${show(l4)} names no protocol (TCP, UDP, SCTP, ICMPv4, ...)`);
  }
  // Whether the record opens a connection: Hubble leaves is_reply out when it does not know
  // (tunnel encapsulation traces, drops); then only a TCP SYN without ACK says so.
  if (isReply === undefined) {
    const flags = objectAt(field(l4[transport], 'flags'));
    if (transport !== 'TCP' || flags === undefined || flags.SYN !== true || flags.ACK === true) {
      return { ignored: IGNORED.direction };
    }
  }
  const port = portOf(field(l4[transport], 'destination_port', 'destinationPort'), `l4.${transport}.destination_port`);
  const ip = objectAt(field(flow, 'IP', 'ip'));
  const nodeName = field(flow, 'node_name', 'nodeName') ?? field(record, 'node_name', 'nodeName');
  // "cluster/node" when Cilium names its cluster: an endpoint of another cluster (Cluster Mesh) says so.
  const localCluster = typeof nodeName === 'string' && nodeName.includes('/') ? nodeName.slice(0, nodeName.indexOf('/')) : undefined;
  const from = endpoint(objectAt(field(flow, 'source')), field(ip, 'source'), [], 'source', localCluster);
  const to = endpoint(objectAt(field(flow, 'destination')), field(ip, 'destination'), namesOf(field(flow, 'destination_names', 'destinationNames')),
    'destination', localCluster);
  if (from.reserved === 'health' || to.reserved === 'health') {
    return { ignored: IGNORED.health };
  }
  if (from.reserved === 'node' && to.namespace !== undefined) {
    return { ignored: IGNORED.node };
  }
  if (from.namespace === undefined && to.namespace === undefined) {
    return { ignored: IGNORED.external };
  }
  const http = l7 !== undefined ? httpOf(objectAt(field(l7, 'http'))) : undefined;
  const time = field(record, 'time') ?? field(flow, 'time');
  if (time !== undefined && (typeof time !== 'string' || Number.isNaN(Date.parse(time)))) {
    throw new FlowLineError(`time ${show(time)} is not an RFC 3339 time`);
  }
  return { from, to, port, protocol: transport, ...(http ? { http } : {}), ...(time !== undefined ? { time: new Date(time).toISOString() } : {}) };
}

/** A GetFlowsResponse (or the exporter's ExportEvent) that carries no flow: node status, lost events, agent and debug events. */
function isOtherResponse(record: Record<string, any>): boolean {
  return ['node_status', 'nodeStatus', 'lost_events', 'lostEvents', 'agent_event', 'agentEvent', 'debug_event', 'debugEvent']
    .some((k) => record[k] !== undefined);
}

/**
 * Cilium's reserved identities other than the node's own and health's, and what the model makes
 * of them: world (and its IPv4/IPv6 halves) is an address; kube-apiserver an address of the API
 * server; the others (ingress: the Envoy of Cilium's Ingress, unmanaged, init, unknown) are
 * identities no CIDR rule matches, which the model does not evaluate.
 */
const ADDRESS_IDENTITIES = new Set(['world', 'world-ipv4', 'world-ipv6']);

/** An end of the flow from its Endpoint and address. */
function endpoint(e: Record<string, any> | undefined, address: unknown, names: string[], what: string,
  localCluster: string | undefined): FlowEndpoint {
  const ip = address === undefined ? undefined : addressOf(address, `IP.${what}`);
  const labels = labelsOf(field(e, 'labels'), what);
  const reserved = labels.reserved;
  const namespace = field(e, 'namespace');
  if (typeof namespace === 'string' && namespace !== '' && labels.cluster !== undefined && localCluster !== undefined &&
    labels.cluster !== localCluster) {
    // A pod of another cluster (Cluster Mesh): the model holds one cluster's pods.
    return { reserved: `cluster ${labels.cluster}`, ...(ip !== undefined ? { ip } : {}) };
  }
  if (typeof namespace === 'string' && namespace !== '') {
    const pod = field(e, 'pod_name', 'podName');
    if (typeof pod !== 'string' || pod === '') {
      throw new FlowLineError(`${what} is in namespace ${show(namespace)} but has no pod_name`);
    }
    const workloads = field(e, 'workloads');
    const workload = Array.isArray(workloads) ? objectAt(workloads[0]) : undefined;
    // A pod's identity always carries k8s: labels (its namespace's at least): without any, the
    // export left them out (a field mask, an older Hubble), and the labels are unknown, not none.
    const known = labels.k8s > 0;
    return {
      namespace,
      pod,
      ...(typeof workload?.name === 'string' ? { workload: workload.name } : {}),
      ...(typeof workload?.kind === 'string' ? { workloadKind: workload.kind } : {}),
      ...(known ? { labels: labels.pod } : {}),
      ...(labels.namespace !== undefined ? { namespaceLabels: labels.namespace } : {}),
      ...(labels.serviceAccount !== undefined ? { serviceAccount: labels.serviceAccount } : {}),
      ...(ip !== undefined ? { ip } : {}),
    };
  }
  // An API server on the host network carries reserved:kube-apiserver with host or remote-node:
  // the policies reach it as the API server (toEntities kube-apiserver, or by its address).
  if (reserved.has('kube-apiserver')) {
    const onNodes = reserved.has('host') || reserved.has('remote-node');
    return { reserved: 'kube-apiserver', ...(onNodes ? { onNodes } : {}), ...(ip !== undefined ? { ip } : {}) };
  }
  if (reserved.has('host')) {
    return { reserved: 'node', ...(ip !== undefined ? { ip } : {}) };
  }
  if (reserved.has('remote-node')) {
    return { reserved: 'remote-node', ...(ip !== undefined ? { ip } : {}) };
  }
  if (reserved.has('health')) {
    return { reserved: 'health' };
  }
  const other = [...reserved].find((r) => !ADDRESS_IDENTITIES.has(r));
  if (other !== undefined) {
    return { reserved: other, ...(ip !== undefined ? { ip } : {}) };
  }
  if (ip === undefined) {
    throw new FlowLineError(`${what} is neither a pod (namespace and pod_name) nor an address (IP.${what})`);
  }
  return { ip, ...(names.length > 0 ? { dnsNames: names } : {}) };
}

/** The pod's labels, its namespace's labels and ServiceAccount, and the reserved identities, from Cilium's "source:key=value" labels. */
function labelsOf(value: unknown, what: string): {
  pod: Record<string, string>; namespace?: Record<string, string>; serviceAccount?: string; reserved: Set<string>; k8s: number; cluster?: string;
} {
  const pod: Record<string, string> = {};
  let namespace: Record<string, string> | undefined;
  let serviceAccount: string | undefined;
  let cluster: string | undefined;
  const reserved = new Set<string>();
  let k8s = 0;
  if (value === undefined) {
    return { pod, reserved, k8s };
  }
  if (!Array.isArray(value)) {
    throw new FlowLineError(`${what}.labels ${show(value)} is not a list of "source:key=value" labels`);
  }
  for (const label of value) {
    if (typeof label !== 'string') {
      throw new FlowLineError(`${what}.labels holds ${show(label)}, not a "source:key=value" label`);
    }
    const colon = label.indexOf(':');
    const source = colon < 0 ? '' : label.slice(0, colon);
    const rest = label.slice(colon + 1);
    const eq = rest.indexOf('=');
    const key = eq < 0 ? rest : rest.slice(0, eq);
    const val = eq < 0 ? '' : rest.slice(eq + 1);
    if (source === 'reserved') {
      reserved.add(key);
    } else if (source === 'k8s') {
      k8s++;
      if (key.startsWith(NAMESPACE_LABEL_PREFIX)) {
        (namespace ??= {})[key.slice(NAMESPACE_LABEL_PREFIX.length)] = val;
      } else if (key === SERVICE_ACCOUNT_LABEL) {
        serviceAccount = val;
      } else if (key === CLUSTER_LABEL) {
        cluster = val;
      } else if (!METADATA_LABELS.has(key)) {
        pod[key] = val;
      }
    }
  }
  return {
    pod,
    ...(namespace ? { namespace } : {}),
    ...(serviceAccount !== undefined ? { serviceAccount } : {}),
    reserved,
    k8s,
    ...(cluster !== undefined ? { cluster } : {}),
  };
}

function namesOf(value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.some((n) => typeof n !== 'string')) {
    throw new FlowLineError(`destination_names ${show(value)} is not a list of DNS names`);
  }
  return value.map((n: string) => n.toLowerCase().replace(/\.$/, ''));
}

/**
 * The HTTP request of an L7 flow: method, host and path as sent (Hubble writes the full URL):
 * the path with its query string and without any normalisation, because the engines match the
 * request's `:path` (each model of an engine normalises it, or not, as that engine does).
 */
function httpOf(http: Record<string, any> | undefined): HttpRequest | undefined {
  if (http === undefined) {
    return undefined;
  }
  const method = field(http, 'method');
  const url = field(http, 'url');
  if (typeof method !== 'string' || typeof url !== 'string') {
    throw new FlowLineError(`l7.http ${show(http)} needs a method and a url`);
  }
  // scheme://authority/path?query#fragment, or an origin-form /path?query.
  const m = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*))?([^#]*)/.exec(url)!;
  const host = m[1] !== undefined && m[1] !== '' ? m[1] : undefined;
  const path = m[2] === '' ? '/' : m[2];
  if (!path.startsWith('/') && path !== '*') {
    throw new FlowLineError(`l7.http.url ${show(url)} is not a URL`);
  }
  return { method, path, ...(host !== undefined ? { host } : {}) };
}

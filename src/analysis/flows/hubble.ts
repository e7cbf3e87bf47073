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
const METADATA_LABELS = new Set(['io.kubernetes.pod.namespace', 'io.cilium.k8s.policy.cluster', SERVICE_ACCOUNT_LABEL]);

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
    if (['ICMPv4', 'ICMPv6'].some((p) => objectAt(l4[p]) !== undefined)) {
      return { ignored: IGNORED.icmp };
    }
    throw new FlowLineError(`l4 ${show(l4)} has none of TCP, UDP, SCTP, ICMPv4, ICMPv6`);
  }
  const port = portOf(field(l4[transport], 'destination_port', 'destinationPort'), `l4.${transport}.destination_port`);
  const ip = objectAt(field(flow, 'IP', 'ip'));
  const from = endpoint(objectAt(field(flow, 'source')), field(ip, 'source'), [], 'source');
  const to = endpoint(objectAt(field(flow, 'destination')), field(ip, 'destination'), namesOf(field(flow, 'destination_names', 'destinationNames')),
    'destination');
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

/** An end of the flow from its Endpoint and address. */
function endpoint(e: Record<string, any> | undefined, address: unknown, names: string[], what: string): FlowEndpoint {
  const ip = address === undefined ? undefined : addressOf(address, `IP.${what}`);
  const labels = labelsOf(field(e, 'labels'), what);
  const reserved = labels.reserved;
  const namespace = field(e, 'namespace');
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
  if (reserved.has('host')) {
    return { reserved: 'node', ...(ip !== undefined ? { ip } : {}) };
  }
  if (reserved.has('remote-node')) {
    return { reserved: 'remote-node', ...(ip !== undefined ? { ip } : {}) };
  }
  if (reserved.has('health')) {
    return { reserved: 'health' };
  }
  if (ip === undefined) {
    throw new FlowLineError(`${what} is neither a pod (namespace and pod_name) nor an address (IP.${what})`);
  }
  return { ip, ...(names.length > 0 ? { dnsNames: names } : {}) };
}

/** The pod's labels, its namespace's labels and ServiceAccount, and the reserved identities, from Cilium's "source:key=value" labels. */
function labelsOf(value: unknown, what: string): {
  pod: Record<string, string>; namespace?: Record<string, string>; serviceAccount?: string; reserved: Set<string>; k8s: number;
} {
  const pod: Record<string, string> = {};
  let namespace: Record<string, string> | undefined;
  let serviceAccount: string | undefined;
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
      } else if (!METADATA_LABELS.has(key)) {
        pod[key] = val;
      }
    }
  }
  return { pod, ...(namespace ? { namespace } : {}), ...(serviceAccount !== undefined ? { serviceAccount } : {}), reserved, k8s };
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

/** The HTTP request of an L7 flow: method and path (the URL's path; Hubble writes the full URL). */
function httpOf(http: Record<string, any> | undefined): HttpRequest | undefined {
  if (http === undefined) {
    return undefined;
  }
  const method = field(http, 'method');
  const url = field(http, 'url');
  if (typeof method !== 'string' || typeof url !== 'string') {
    throw new FlowLineError(`l7.http ${show(http)} needs a method and a url`);
  }
  let path: string;
  let host: string | undefined;
  try {
    const parsed = new URL(url, 'http://unknown.invalid');
    path = parsed.pathname;
    host = parsed.host !== 'unknown.invalid' ? parsed.host : undefined;
  } catch {
    throw new FlowLineError(`l7.http.url ${show(url)} is not a URL`);
  }
  return { method, path, ...(host !== undefined ? { host } : {}) };
}

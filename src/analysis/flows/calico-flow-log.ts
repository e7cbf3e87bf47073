import { FlowLineError, IGNORED, ParsedLine, addressOf, objectAt, portOf, show } from './flow-line';
import { FlowEndpoint } from './observed-flow';

// Calico flow logs, one JSON record per line, in the three forms Calico writes them:
//  - Calico Enterprise / Cloud `flows.log` (Felix's file reporter; the "Flow log data types" page):
//    start_time/end_time in Unix seconds, source_/dest_ ip, name, name_aggr, namespace ("-" for
//    none), type (wep, hep, ns, net), labels {"labels": ["k=v", ...]}, dest_port, proto, action
//    allow|deny, reporter src|dst, num_flows, dest_domains.
//  - Calico OSS 3.30+ Whisker (`GET /api/v1/flows` items, one per line with `jq -c '.items[]'`, or
//    its watch stream's `data: {...}` events): RFC 3339 times, names aggregated, labels as one
//    " | "-joined string, protocol, action Allow|Deny, reporter Src|Dst, no addresses.
//  - Goldmane's emitter (Go encoding/json of goldmane.Flow): the key under "Key", enums as numbers.
// Field names may also come in protojson's lowerCamelCase (grpcurl). Unknown fields are ignored.
// docs/guides/from-observed-traffic.md#calico names the sources.

/** Keys that only Calico's flow records have (at the top, or under Goldmane's "Key"). */
const CALICO_KEYS = ['source_namespace', 'dest_namespace', 'source_name_aggr', 'dest_name_aggr', 'sourceNamespace', 'destNamespace',
  'source_type', 'dest_type'];

/** Goldmane's enums, by number (api.proto): Action, Reporter, EndpointType. */
const ACTIONS: Record<string, string> = { 1: 'allow', 2: 'deny', 3: 'pass' };
const ENDPOINT_TYPES: Record<string, string> = {
  1: 'wep',
  2: 'hep',
  3: 'ns',
  4: 'net',
  workloadendpoint: 'wep',
  hostendpoint: 'hep',
  networkset: 'ns',
  network: 'net',
};
/** IP protocol numbers Calico writes for the protocols without a name. */
const PROTOCOL_NUMBERS: Record<string, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

/** Labels Calico adds to workload endpoints; not the pod's own. */
const CALICO_LABEL_PREFIX = 'projectcalico.org/';
const CALICO_SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';

/** Whether a JSON record looks like a Calico flow log record. */
export function looksLikeCalicoFlow(record: Record<string, any>): boolean {
  const key = objectAt(record.Key) ?? objectAt(record.key) ?? record;
  return CALICO_KEYS.some((k) => key[k] !== undefined);
}

/**
 * One Calico flow record: a flow that was allowed, or why it is not replayed. Throws FlowLineError
 * when the record is not a Calico flow.
 * @param includeDropped replay denied flows too
 */
export function parseCalicoFlowRecord(record: Record<string, any>, includeDropped: boolean): ParsedLine {
  const key = objectAt(record.Key) ?? objectAt(record.key) ?? record;
  const action = enumOf(get(key, 'action'), ACTIONS, 'action');
  if (action === 'pass') {
    throw new FlowLineError('action "pass" is a policy\'s, not a flow\'s: a flow log record is allowed or denied');
  }
  if (action !== 'allow' && action !== 'deny') {
    throw new FlowLineError(`action ${show(get(key, 'action'))} is not allow or deny`);
  }
  if (action === 'deny' && !includeDropped) {
    return { ignored: IGNORED.dropped };
  }
  const protocol = protocolOf(get(key, 'proto') ?? get(key, 'protocol'));
  if (protocol === undefined) {
    return { ignored: IGNORED.icmp };
  }
  const portValue = get(key, 'dest_port');
  if (portValue === undefined) {
    throw new FlowLineError(`${protocol} flow without dest_port; a flow the policies decide has a destination port`);
  }
  const port = portOf(portValue, 'dest_port');
  const from = endpoint(key, record, 'source');
  const to = endpoint(key, record, 'dest');
  if (from.namespace === undefined && to.namespace === undefined) {
    return { ignored: IGNORED.external };
  }
  const time = timeOf(get(record, 'start_time') ?? get(key, 'start_time'), 'start_time');
  const until = timeOf(get(record, 'end_time') ?? get(key, 'end_time'), 'end_time');
  return {
    from,
    to,
    port,
    protocol,
    ...(time !== undefined ? { time } : {}),
    ...(until !== undefined ? { until } : {}),
    count: countOf(record),
  };
}

/** A field under its proto name or protojson's lowerCamelCase; null is absent. */
function get(obj: Record<string, any>, name: string): any {
  const value = obj[name] ?? obj[name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
  return value === null ? undefined : value;
}

/** An enum written as a name in any case or as Goldmane's number, lower-cased; undefined when absent. */
function enumOf(value: unknown, numbers: Record<string, string>, what: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value === 'number' || (typeof value === 'string' && /^[0-9]+$/.test(value))) {
    const name = numbers[String(value)];
    if (name === undefined) {
      throw new FlowLineError(`${what} ${show(value)} is not a known value`);
    }
    return name;
  }
  if (typeof value !== 'string') {
    throw new FlowLineError(`${what} ${show(value)} is not a name`);
  }
  const lower = value.toLowerCase();
  return numbers[lower] ?? lower;
}

/** TCP, UDP or SCTP; undefined for protocols without ports (ICMP, IPIP, ESP...). */
function protocolOf(value: unknown): string | undefined {
  if (value === undefined) {
    throw new FlowLineError('the record has no proto (the flow\'s protocol)');
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new FlowLineError(`proto ${show(value)} is not a protocol name or number`);
  }
  const text = String(value).trim();
  if (/^[0-9]{1,3}$/.test(text)) {
    return PROTOCOL_NUMBERS[String(Number(text))];
  }
  const upper = text.toUpperCase();
  if (upper === 'TCP' || upper === 'UDP' || upper === 'SCTP') {
    return upper;
  }
  if (/^[A-Z][A-Z0-9-]{0,15}$/.test(upper)) {
    return undefined;
  }
  throw new FlowLineError(`proto ${show(value)} is not a protocol name or number`);
}

/** One end, from the `source_` or `dest_` fields. */
function endpoint(key: Record<string, any>, record: Record<string, any>, side: 'source' | 'dest'): FlowEndpoint {
  const text = (name: string): string | undefined => {
    const v = get(key, `${side}_${name}`);
    if (v !== undefined && typeof v !== 'string') {
      throw new FlowLineError(`${side}_${name} ${show(v)} is not a string`);
    }
    return v === '-' || v === '' ? undefined : v;
  };
  const typeValue = get(key, `${side}_type`);
  const type = enumOf(typeValue, ENDPOINT_TYPES, `${side}_type`);
  const namespace = text('namespace');
  const name = text('name');
  const aggregated = text('name_aggr');
  const ipValue = get(key, `${side}_ip`);
  const ip = ipValue === undefined ? undefined : addressOf(ipValue, `${side}_ip`);
  if (type === undefined && namespace !== undefined && !(aggregated ?? name ?? '').endsWith('*')) {
    // Whisker gives no endpoint type, and aggregates pods by name prefix ("web-7d9c*"): a
    // namespaced name without "*" is a NetworkSet as often as a pod. Not guessed.
    return { reserved: `ambiguous ${namespace}/${aggregated ?? name ?? '(no name)'}` };
  }
  if (type === 'wep' || (type === undefined && namespace !== undefined)) {
    if (namespace === undefined) {
      throw new FlowLineError(`${side} is a workload endpoint (wep) without ${side}_namespace`);
    }
    const labels = labelsOf(get(record, `${side}_labels`) ?? get(key, `${side}_labels`), `${side}_labels`);
    const pod = name !== undefined && !name.endsWith('*') ? name : undefined;
    // The workload from the aggregated name (`<deployment>-<hash>-*`); a pod name alone does not say it.
    const prefix = (aggregated ?? (name?.endsWith('*') ? name : undefined))?.replace(/-?\*$/, '');
    if (pod === undefined && (prefix === undefined || prefix === '')) {
      throw new FlowLineError(`${side} is a pod of ${namespace} without a name (${side}_name, ${side}_name_aggr)`);
    }
    const workload = prefix !== undefined && prefix !== '' ? workloadOf(prefix, labels?.pod) : undefined;
    return {
      namespace,
      ...(pod !== undefined ? { pod } : {}),
      ...(workload !== undefined ? { workload } : {}),
      ...(labels !== undefined ? { labels: labels.pod } : {}),
      ...(labels?.serviceAccount !== undefined ? { serviceAccount: labels.serviceAccount } : {}),
      ...(ip !== undefined ? { ip } : {}),
    };
  }
  if (type === 'hep') {
    return { reserved: 'host-endpoint', ...(ip !== undefined ? { ip } : {}) };
  }
  if (type !== undefined && type !== 'ns' && type !== 'net') {
    throw new FlowLineError(`${side}_type ${show(typeValue)} is not wep, hep, ns or net`);
  }
  const domains = side === 'dest' ? domainsOf(get(key, 'dest_domains')) : [];
  if (ip === undefined) {
    // Aggregated away ("pub", "pvt", "PUBLIC NETWORK") or a NetworkSet by name: no address to evaluate.
    return { reserved: `network ${aggregated ?? name ?? '(no name)'}`, ...(domains.length > 0 ? { dnsNames: domains } : {}) };
  }
  return { ip, ...(domains.length > 0 ? { dnsNames: domains } : {}) };
}

/** The workload's name from the pod-name prefix: a Deployment's pods are named `<deployment>-<pod-template-hash>-*`. */
function workloadOf(prefix: string, labels: Record<string, string> | undefined): string {
  const hash = labels?.['pod-template-hash'];
  return hash !== undefined && prefix.endsWith(`-${hash}`) ? prefix.slice(0, -hash.length - 1) : prefix;
}

/** Labels as `{"labels": ["k=v"]}`, `["k=v"]` or `"k=v | k2=v2"`; undefined when the record has none (unknown, not empty). */
function labelsOf(value: unknown, what: string): { pod: Record<string, string>; serviceAccount?: string } | undefined {
  let list: unknown = value;
  if (objectAt(value) !== undefined) {
    list = (value as Record<string, any>).labels;
  } else if (typeof value === 'string') {
    list = value.trim() === '' ? [] : value.split(' | ');
  }
  if (list === undefined || list === null) {
    return undefined;
  }
  if (!Array.isArray(list)) {
    throw new FlowLineError(`${what} ${show(value)} is not a list of "key=value" labels`);
  }
  if (list.length === 0) {
    return undefined;
  }
  const pod: Record<string, string> = {};
  let serviceAccount: string | undefined;
  for (const label of list) {
    if (typeof label !== 'string' || !label.includes('=')) {
      throw new FlowLineError(`${what} holds ${show(label)}, not a "key=value" label`);
    }
    const eq = label.indexOf('=');
    const k = label.slice(0, eq).trim();
    const v = label.slice(eq + 1).trim();
    if (k === CALICO_SERVICE_ACCOUNT_LABEL) {
      serviceAccount = v;
    } else if (!k.startsWith(CALICO_LABEL_PREFIX)) {
      pod[k] = v;
    }
  }
  return { pod, ...(serviceAccount !== undefined ? { serviceAccount } : {}) };
}

function domainsOf(value: unknown): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.some((n) => typeof n !== 'string')) {
    throw new FlowLineError(`dest_domains ${show(value)} is not a list of DNS names`);
  }
  return value.map((n: string) => n.toLowerCase().replace(/\.$/, ''));
}

/** A time as Unix seconds (a number or protojson's int64 string) or RFC 3339, as RFC 3339. */
function timeOf(value: unknown, what: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  let ms: number;
  if (typeof value === 'number' || (typeof value === 'string' && /^[0-9]{1,12}$/.test(value))) {
    ms = Number(value) * 1000;
  } else if (typeof value === 'string') {
    ms = Date.parse(value);
  } else {
    ms = NaN;
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > 253402300799000) {
    throw new FlowLineError(`${what} ${show(value)} is neither Unix seconds nor an RFC 3339 time`);
  }
  return new Date(ms).toISOString();
}

/** How many connections the record stands for: num_flows (Enterprise), num_connections_started (Goldmane), else 1. */
function countOf(record: Record<string, any>): number {
  for (const name of ['num_flows', 'num_connections_started']) {
    const value = get(record, name);
    const n = typeof value === 'string' && /^[0-9]{1,12}$/.test(value) ? Number(value) : value;
    if (value !== undefined && (typeof n !== 'number' || !Number.isInteger(n) || n < 0)) {
      throw new FlowLineError(`${name} ${show(value)} is not a whole number`);
    }
    if (typeof n === 'number' && n > 0) {
      return n;
    }
  }
  return 1;
}

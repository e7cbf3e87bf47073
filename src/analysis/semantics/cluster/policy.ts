import { Cidr, cidrProblem, parseCidr } from '../../../util/cidr';
import { isIntegerInRange, show } from '../../../util/validation';
import { Direction } from '../../direction';
import { Endpoint, PodSide, portCovers } from '../../endpoint';
import { LabelMatcher, compileLabelSelector, describeLabelSelector } from '../../labels';
import { RuleMatch, inNets } from '../address-match';
import { PolicyRef, policyRef } from '../decision';
import { MANIFEST_LABELS, SelectorLabels } from '../kubernetes/policy';
import { NotModelledError } from '../not-modelled';
import { SideQuery } from '../side-evaluator';

/**
 * A `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy (kubernetes-sigs/network-policy-api
 * v0.2.0), compiled for evaluation (docs/semantics/cluster.md). The structure is checked as the
 * CRD's OpenAPI schema and its CEL rules check it (the API server refuses what they refuse); the
 * evaluation order of the tiers is the evaluators' (semantics/cluster/evaluator.ts, and Calico's
 * kube-admin and kube-baseline tiers).
 */

/** The API version and kind the model evaluates. */
export const CLUSTER_NETWORK_POLICY_API_VERSION = 'policy.networking.k8s.io/v1alpha2';
export const CLUSTER_NETWORK_POLICY_KIND = 'ClusterNetworkPolicy';

/** The tier a ClusterNetworkPolicy sits in: Admin before the NetworkPolicies, Baseline after them. */
export type ClusterTier = 'Admin' | 'Baseline';
/** What a matching rule does: Accept and Deny decide the side; Pass skips to the next tier. */
export type ClusterAction = 'Accept' | 'Deny' | 'Pass';

const TIERS: readonly ClusterTier[] = ['Admin', 'Baseline'];
const ACTIONS: readonly ClusterAction[] = ['Accept', 'Deny', 'Pass'];
/** The CRD's limits (v0.2.0): rules per direction, peers per rule, protocols per rule, networks per peer. */
const MAX_RULES = 25;
const MAX_PEERS = 25;
const MAX_PROTOCOLS = 25;
const MAX_NETWORKS = 25;
const MAX_RULE_NAME = 100;
const MAX_CIDR_LENGTH = 43;
const MAX_PRIORITY = 1000;
const PORT_PROTOCOLS = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' } as const;
/** Reasons name at most this many networks of a peer (the internet minus private ranges is dozens). */
const MAX_SHOWN_NETWORKS = 4;

/** What the first deciding rule of a policy did. */
export interface ClusterOutcome {
  readonly action: ClusterAction;
  /** 'ClusterNetworkPolicy x (tier Admin, priority 6) egress rule #2 "deny-all" (Deny to namespaces {...})'. */
  readonly text: string;
  /** Set when a Deny or Pass rule might match but the model cannot tell (an unknown address against networks): failing closed. */
  readonly unknown?: string;
}

/** A peer of a rule: who it matches at the other end of the connection. */
interface PeerMatcher {
  readonly text: string;
  match(other: Endpoint, query: SideQuery, labels: SelectorLabels): RuleMatch;
}

/** A protocol entry: a protocol with a port or range, or a named port of the destination. */
interface ProtocolMatcher {
  readonly text: string;
  /** Port bounds (a range a-b gives a and b + 1); none for a named port. */
  readonly bounds: readonly number[];
  matches(destination: Endpoint, port: number, protocol: string): boolean;
}

interface ClusterRule {
  /** 0-based position in its list: the first matching rule decides. */
  readonly index: number;
  readonly name?: string;
  readonly action: ClusterAction;
  readonly peers: readonly PeerMatcher[];
  /** Undefined: every protocol and port. */
  readonly protocols?: readonly ProtocolMatcher[];
  /** '#2 "deny-all" (Deny to namespaces {...} on TCP/80)'. */
  readonly text: string;
}

/** The pods a subject or a `pods`/`namespaces` peer selects. */
interface PodSelection {
  readonly namespaces: LabelMatcher;
  readonly pods: LabelMatcher;
  readonly text: string;
}

/** A compiled ClusterNetworkPolicy. */
export class ClusterPolicy {
  /** "ClusterNetworkPolicy x". */
  public readonly id: string;
  public readonly ref: PolicyRef;
  public readonly name: string;
  public readonly tier: ClusterTier;
  public readonly priority: number;
  /** 'ClusterNetworkPolicy x (tier Admin, priority 6)', for reasons. */
  public readonly display: string;
  /** The object it was compiled from. */
  public readonly source: any;
  private readonly subject: PodSelection;
  private readonly rules: Record<Direction, readonly ClusterRule[]>;

  /**
   * Compiles the object; throws, naming the field, on what the API server refuses (the CRD's
   * schema and CEL rules), and a NotModelledError for the experimental peers the model cannot
   * evaluate (nodes, domainNames).
   */
  constructor(obj: any) {
    const name = obj?.metadata?.name;
    if (typeof name !== 'string' || name.length === 0) {
      throw new Error('ClusterNetworkPolicy without metadata.name');
    }
    this.source = obj;
    this.name = name;
    this.ref = policyRef(CLUSTER_NETWORK_POLICY_API_VERSION, CLUSTER_NETWORK_POLICY_KIND, undefined, name, CLUSTER_NETWORK_POLICY_KIND);
    this.id = this.ref.id;
    let compiled: CompiledSpec;
    try {
      compiled = compileSpec(obj.spec);
    } catch (e) {
      // Errors name the field from the object's root; the policy's id goes in front.
      const message = `${this.id} ${(e as Error).message}`;
      throw e instanceof NotModelledError ? new NotModelledError(message) : new Error(message);
    }
    this.tier = compiled.tier;
    this.priority = compiled.priority;
    this.subject = compiled.subject;
    this.rules = compiled.rules;
    this.display = `${this.id} (tier ${this.tier}, priority ${this.priority})`;
  }

  /**
   * Whether the policy's rules apply to the pod in the direction: its subject selects the pod (never
   * one on the node's network) and it has rules for the direction. Being selected does not isolate
   * a pod: only matching rules act.
   * @param labels the labels as the CNI's selectors see them (default: the manifests')
   */
  public appliesTo(pod: PodSide, direction: Direction, labels: SelectorLabels = MANIFEST_LABELS): boolean {
    return !pod.hostNetwork && this.rules[direction].length > 0 && selects(this.subject, pod, labels);
  }

  /** Whether it has rules for the direction. */
  public hasRules(direction: Direction): boolean {
    return this.rules[direction].length > 0;
  }

  /**
   * The first rule, in list order, whose peers and protocols match the connection; undefined when
   * none does. An Accept rule that might match (an unknown address) is skipped and noted: an allow
   * never rests on a guess; a Deny or Pass that might match decides, failing closed.
   * @param notes collects the Accept rules skipped because the model cannot tell whether they match
   */
  public evaluate(query: SideQuery, labels: SelectorLabels = MANIFEST_LABELS, notes?: string[]): ClusterOutcome | undefined {
    for (const rule of this.rules[query.direction]) {
      if (rule.protocols !== undefined && !rule.protocols.some((p) => p.matches(query.destination, query.port, query.protocol))) {
        continue;
      }
      let match: RuleMatch = false;
      for (const peer of rule.peers) {
        const m = peer.match(query.other, query, labels);
        if (m === true) {
          match = true;
          break;
        }
        if (m !== false && match === false) {
          match = m;
        }
      }
      if (match === false) {
        continue;
      }
      const text = `${this.display} ${query.direction} rule ${rule.text}`;
      if (match !== true) {
        if (rule.action === 'Accept') {
          notes?.push(`${text} was not applied: ${match.unknown}`);
          continue;
        }
        return { action: rule.action, text, unknown: match.unknown };
      }
      return { action: rule.action, text };
    }
    return undefined;
  }

  /** The bounds of its rules' port numbers and ranges in the direction (`SideEvaluator.portBounds`). */
  public portBounds(direction: Direction): number[] {
    return this.rules[direction].flatMap((rule) => (rule.protocols ?? []).flatMap((p) => p.bounds));
  }
}

interface CompiledSpec {
  readonly tier: ClusterTier;
  readonly priority: number;
  readonly subject: PodSelection;
  readonly rules: Record<Direction, readonly ClusterRule[]>;
}

/**
 * What the API server refuses in a ClusterNetworkPolicy (the CRD's schema and CEL rules), naming
 * the field; undefined when it takes the object. A NotModelledError (an experimental peer the
 * model does not evaluate) is no refusal.
 */
export function clusterNetworkPolicyProblem(obj: any): string | undefined {
  try {
    compileSpec(obj?.spec);
    return undefined;
  } catch (e) {
    return e instanceof NotModelledError ? undefined : (e as Error).message;
  }
}

function compileSpec(spec: any): CompiledSpec {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new Error(`spec is required (tier, priority and subject), got ${show(spec)}`);
  }
  closedFields(spec, ['tier', 'priority', 'subject', 'ingress', 'egress'], 'spec');
  if (!TIERS.includes(spec.tier)) {
    throw new Error(`spec.tier ${show(spec.tier)} is not Admin or Baseline`);
  }
  if (!isIntegerInRange(spec.priority, 0, MAX_PRIORITY)) {
    throw new Error(`spec.priority ${show(spec.priority)} is not an integer from 0 to ${MAX_PRIORITY}`);
  }
  if (spec.subject === undefined || spec.subject === null) {
    throw new Error('spec.subject is required (namespaces or pods)');
  }
  return {
    tier: spec.tier,
    priority: spec.priority,
    subject: compileSelection(spec.subject, 'spec.subject'),
    rules: { ingress: compileRules(spec.ingress, 'ingress', 'spec.ingress'), egress: compileRules(spec.egress, 'egress', 'spec.egress') },
  };
}

/** Throws on a field the CRD does not have (the API server's strict field validation refuses it). */
function closedFields(obj: Record<string, unknown>, fields: readonly string[], where: string): void {
  const unknown = Object.keys(obj).find((k) => !fields.includes(k));
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${show(unknown)}; the fields are ${fields.join(', ')}`);
  }
}

/** A map that sets exactly one of `fields` (the CRD's minProperties/maxProperties 1): its key. */
function exactlyOne(value: unknown, fields: readonly string[], where: string): string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where} must be a map with exactly one of ${fields.join(', ')}, got ${show(value)}`);
  }
  closedFields(value as Record<string, unknown>, fields, where);
  const set = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== null && (value as Record<string, unknown>)[k] !== undefined);
  if (set.length !== 1) {
    throw new Error(`${where} must set exactly one of ${fields.join(', ')}${set.length > 1 ? `, got ${set.join(' and ')}` : ', got none'}`);
  }
  return set[0];
}

/** A list of 1 to `max` entries (`min` 0 where the CRD allows an empty list). */
function listOf(value: unknown, max: number, where: string, min: number = 1): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${where} must be a list (a "-" is missing?), got ${show(value)}`);
  }
  if (value.length < min || value.length > max) {
    throw new Error(`${where} has ${value.length} entries; the CRD allows ${min} to ${max}`);
  }
  return value;
}

/**
 * A subject, or a `namespaces`/`pods` peer: `namespaces` selects every pod of the selected
 * namespaces; `pods` the pods its podSelector selects in the namespaces its namespaceSelector
 * selects, which omitted or empty means every namespace (unlike a NetworkPolicy peer, where a
 * podSelector alone means the policy's own namespace).
 */
function compileSelection(value: unknown, where: string): PodSelection {
  const field = exactlyOne(value, ['namespaces', 'pods'], where);
  const v = (value as Record<string, any>)[field];
  if (field === 'namespaces') {
    return { namespaces: labelSelector(v, `${where}.namespaces`), pods: () => true, text: `namespaces ${describeLabelSelector(v)}` };
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new Error(`${where}.pods must be a map with podSelector and optionally namespaceSelector, got ${show(v)}`);
  }
  closedFields(v, ['namespaceSelector', 'podSelector'], `${where}.pods`);
  if (v.podSelector === undefined || v.podSelector === null) {
    throw new Error(`${where}.pods.podSelector is required (give {} for every pod)`);
  }
  const namespaceSelector = v.namespaceSelector ?? undefined;
  const namespaces = labelSelector(namespaceSelector, `${where}.pods.namespaceSelector`);
  const pods = labelSelector(v.podSelector, `${where}.pods.podSelector`);
  const inNamespaces = namespaceSelector === undefined || Object.keys(namespaceSelector).length === 0
    ? 'in every namespace' : `in namespaces ${describeLabelSelector(namespaceSelector)}`;
  return { namespaces, pods, text: `pods ${describeLabelSelector(v.podSelector)} ${inNamespaces}` };
}

/**
 * A label selector as the CRD's schema takes it: only matchLabels and matchExpressions (each with
 * key, operator and values); a misspelt field ("matchLabel") would otherwise read as "select
 * everything". Then compiled as the API defines selectors.
 */
function labelSelector(selector: unknown, where: string): LabelMatcher {
  if (selector !== null && typeof selector === 'object' && !Array.isArray(selector)) {
    closedFields(selector as Record<string, unknown>, ['matchLabels', 'matchExpressions'], where);
    const expressions = (selector as Record<string, unknown>).matchExpressions;
    if (Array.isArray(expressions)) {
      expressions.forEach((e, i) => {
        if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
          closedFields(e as Record<string, unknown>, ['key', 'operator', 'values'], `${where}.matchExpressions[${i}]`);
        }
      });
    }
  }
  return compileLabelSelector(selector, where);
}

function selects(selection: PodSelection, pod: PodSide, labels: SelectorLabels): boolean {
  return !pod.hostNetwork && selection.namespaces(labels.namespace(pod)) && selection.pods(labels.pod(pod));
}

function compileRules(value: unknown, direction: Direction, where: string): ClusterRule[] {
  if (value === undefined || value === null) {
    return [];
  }
  return listOf(value, MAX_RULES, where, 0).map((rule, i) => compileRule(rule, direction, i, `${where}[${i}]`));
}

function compileRule(rule: any, direction: Direction, index: number, where: string): ClusterRule {
  const peersField = direction === 'ingress' ? 'from' : 'to';
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    throw new Error(`${where} must be a rule (a map with action and ${peersField}), got ${show(rule)}`);
  }
  closedFields(rule, ['name', 'action', peersField, 'protocols'], where);
  if (rule.name !== undefined && rule.name !== null && (typeof rule.name !== 'string' || rule.name.length > MAX_RULE_NAME)) {
    throw new Error(`${where}.name ${show(rule.name)} is not a string of at most ${MAX_RULE_NAME} characters`);
  }
  if (!ACTIONS.includes(rule.action)) {
    throw new Error(`${where}.action ${show(rule.action)} is not Accept, Deny or Pass`);
  }
  if (rule[peersField] === undefined || rule[peersField] === null) {
    throw new Error(`${where}.${peersField} is required (1 to ${MAX_PEERS} peers)`);
  }
  const peerFields = direction === 'ingress' ? ['namespaces', 'pods'] : ['namespaces', 'pods', 'networks', 'nodes', 'domainNames'];
  const peers = listOf(rule[peersField], MAX_PEERS, `${where}.${peersField}`)
    .map((peer, i) => compilePeer(peer, peerFields, `${where}.${peersField}[${i}]`));
  const protocols = rule.protocols === undefined || rule.protocols === null ? undefined
    : listOf(rule.protocols, MAX_PROTOCOLS, `${where}.protocols`).map((p, i) => compileProtocol(p, `${where}.protocols[${i}]`));
  if (protocols?.some((p) => p.named) && peers.some((p) => p.network)) {
    // The experimental CRD refuses this (CEL: "networks/nodes/domainNames peer cannot be set with
    // namedPorts"); the standard one takes it, and what an implementation does then is not said.
    throw new NotModelledError(`${where}: a named port (destinationNamedPort) with a networks peer: the experimental CRD refuses it ` +
      '(networks have no named ports) and what the standard channel\'s implementations do with it is unspecified; give port numbers');
  }
  const name = typeof rule.name === 'string' ? ` ${JSON.stringify(rule.name)}` : '';
  const on = protocols === undefined ? '' : ` on ${protocols.map((p) => p.text).join(', ')}`;
  const text = `#${index + 1}${name} (${rule.action} ${direction === 'ingress' ? 'from' : 'to'} ${peers.map((p) => p.text).join(', ')}${on})`;
  return { index, ...(typeof rule.name === 'string' ? { name: rule.name } : {}), action: rule.action, peers, protocols, text };
}

function compilePeer(peer: unknown, fields: readonly string[], where: string): PeerMatcher & { readonly network: boolean } {
  const field = exactlyOne(peer, fields, where);
  const value = (peer as Record<string, unknown>)[field];
  switch (field) {
    case 'namespaces':
    case 'pods': {
      const selection = compileSelection(peer, where);
      return {
        text: selection.text,
        network: false,
        // Host-network pods are never matched by these peers (the CRD's NamespacedPod text).
        match: (other, _query, labels) => other.kind === 'pod' && selects(selection, other, labels),
      };
    }
    case 'networks': {
      const nets = compileNetworks(value, `${where}.networks`);
      const shown = nets.slice(0, MAX_SHOWN_NETWORKS).map((n) => n.text).join(', ');
      const text = `networks ${shown}${nets.length > MAX_SHOWN_NETWORKS ? ` and ${nets.length - MAX_SHOWN_NETWORKS} more` : ''}`;
      // Networks match every address, pods' included: 0.0.0.0/0 is all IPv4 traffic, pod to pod too.
      return { text, network: true, match: (other, query) => inNets(nets, other, query, text) };
    }
    default:
      // nodes and domainNames: the experimental channel's egress peers.
      throw new NotModelledError(`${where}.${field}: ${field === 'nodes'
        ? 'node peers select nodes by their labels, and the model has no nodes'
        : 'domain name peers match the addresses a DNS lookup returned, which the model does not know (and implementations differ: Calico 3.32 does not convert them)'}` +
        '; these experimental-channel peers are not modelled (docs/semantics/cluster.md#not-modelled)');
  }
}

function compileNetworks(value: unknown, where: string): Cidr[] {
  const list = listOf(value, MAX_NETWORKS, where);
  const seen = new Set<string>();
  return list.map((text, i) => {
    if (typeof text !== 'string' || text.length > MAX_CIDR_LENGTH) {
      throw new Error(`${where}[${i}] ${show(text)} is not a CIDR string of at most ${MAX_CIDR_LENGTH} characters`);
    }
    // CEL isCIDR(): an address with a prefix length, host bits allowed (net/netip ParsePrefix).
    const problem = cidrProblem(text, true);
    if (problem) {
      throw new Error(`${where}[${i}] ${show(text)} is not a valid CIDR (the CRD's rule: "Invalid CIDR format provided"): ${problem}`);
    }
    if (seen.has(text)) {
      throw new Error(`${where}[${i}] ${show(text)} is listed twice; the CRD's networks are a set`);
    }
    seen.add(text);
    return parseCidr(text, true);
  });
}

function compileProtocol(entry: unknown, where: string): ProtocolMatcher & { readonly named: boolean } {
  const field = exactlyOne(entry, ['tcp', 'udp', 'sctp', 'destinationNamedPort'], where);
  const value = (entry as Record<string, any>)[field];
  if (field === 'destinationNamedPort') {
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(`${where}.destinationNamedPort ${show(value)} is not a port name`);
    }
    // A named port carries no protocol: the destination pod's container port of that name gives
    // both its number and its protocol.
    return { text: `named port ${value}`, bounds: [], named: true, matches: (destination, port, protocol) => portCovers(value, undefined, destination, port, protocol) };
  }
  const protocol = PORT_PROTOCOLS[field as keyof typeof PORT_PROTOCOLS];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where}.${field} must be a map with destinationPort, got ${show(value)} (for every port give destinationPort.range 1-65535)`);
  }
  closedFields(value, ['destinationPort'], `${where}.${field}`);
  const port = exactlyOne(value.destinationPort, ['number', 'range'], `${where}.${field}.destinationPort`);
  if (port === 'number') {
    const n = value.destinationPort.number;
    if (!isIntegerInRange(n, 1, 65535)) {
      throw new Error(`${where}.${field}.destinationPort.number ${show(n)} is not a port number from 1 to 65535`);
    }
    return { text: `${protocol}/${n}`, bounds: [n, n + 1], named: false, matches: (_d, p, proto) => proto === protocol && p === n };
  }
  const range = value.destinationPort.range;
  const at = `${where}.${field}.destinationPort.range`;
  if (range === null || typeof range !== 'object' || Array.isArray(range)) {
    throw new Error(`${at} must be a map with start and end, got ${show(range)}`);
  }
  closedFields(range, ['start', 'end'], at);
  for (const key of ['start', 'end'] as const) {
    if (!isIntegerInRange(range[key], 1, 65535)) {
      throw new Error(`${at}.${key} ${show(range[key])} is not a port number from 1 to 65535`);
    }
  }
  if (!(range.start < range.end)) {
    throw new Error(`${at}: start ${range.start} must be less than end ${range.end} (the CRD's rule; for one port give number)`);
  }
  const { start, end } = range as { start: number; end: number };
  return { text: `${protocol}/${start}-${end}`, bounds: [start, end + 1], named: false, matches: (_d, p, proto) => proto === protocol && p >= start && p <= end };
}

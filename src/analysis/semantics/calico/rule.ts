import { CalicoSelectorMatcher, CalicoSelectorNode, calicoSelectorKeys, compileCalicoSelector, parseCalicoSelector } from '../../../util/calico-selector';
import { Cidr, cidrContains, cidrContainsIp, cidrProblem, ipFamily, parseCidr } from '../../../util/cidr';
import { show } from '../../../util/validation';
import { Direction } from '../../direction';
import { blocksAdmitName, Endpoint, PodSide, portCovers, unknownNameAddresses } from '../../endpoint';
import { compileCalicoHttpMatch, HttpMatcher } from '../../http';
import { NotModelledError } from '../not-modelled';
import { SideQuery } from '../side-evaluator';

/** The label Calico gives every workload endpoint with its namespace name. */
const NAMESPACE_LABEL = 'projectcalico.org/namespace';
/** The label Calico gives every namespace (as a profile) with its own name. */
const NAMESPACE_NAME_LABEL = 'projectcalico.org/name';
/** Namespace labels reach the endpoints through the namespace's profile, under this prefix. */
const NAMESPACE_PROFILE_PREFIX = 'pcns.';
const ACTIONS = ['Allow', 'Deny', 'Pass', 'Log'];
/** IP protocol numbers of Calico's named protocols (api/pkg/lib/numorstring/protocol.go). */
const PROTOCOL_NUMBERS: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, SCTP: 132, UDPLite: 136 };
const PORT_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;
const RULE_FIELDS = ['action', 'ipVersion', 'protocol', 'notProtocol', 'icmp', 'notICMP', 'source', 'destination', 'http', 'metadata'];
const ENTITY_FIELDS = ['nets', 'notNets', 'selector', 'notSelector', 'namespaceSelector', 'ports', 'notPorts', 'serviceAccounts', 'services'];

export type CalicoAction = 'Allow' | 'Deny' | 'Pass' | 'Log';

/**
 * Whether a rule (or a criterion) matches a connection: true, false, or unknown with why (an
 * address the model does not know against nets/notNets).
 */
export type RuleMatch = boolean | { readonly unknown: string };

/** AND over criteria: false if one is false, else unknown if one is, else true. */
function allOf(results: readonly RuleMatch[]): RuleMatch {
  let unknown: RuleMatch | undefined;
  for (const r of results) {
    if (r === false) {
      return false;
    }
    if (r !== true && unknown === undefined) {
      unknown = r;
    }
  }
  return unknown ?? true;
}

/** A compiled Calico rule. */
export interface CalicoRule {
  /** 0-based position in its list. */
  readonly index: number;
  readonly action: CalicoAction;
  /** "Deny TCP to nets 169.254.169.254/32", for reasons. */
  readonly text: string;
  /** The rule's HTTP match (Allow rules only), enforced by Calico's application layer policy. */
  readonly http?: HttpMatcher;
  /** Whether the rule matches the connection at L3/L4; unknown when an address it needs is not known. */
  matches(query: SideQuery): RuleMatch;
}

const LABELS = new WeakMap<PodSide, Record<string, string>>();
const NAMESPACE_LABELS = new WeakMap<PodSide, Record<string, string>>();

/**
 * A pod's labels as Calico selectors see them (docs/semantics/calico.md#endpoint-labels): its own,
 * `projectcalico.org/namespace`, `projectcalico.org/orchestrator: k8s`, and its namespace's labels
 * under `pcns.` (from the namespace's profile). Service-account labels are unknown to the model
 * (selectors naming them are refused).
 */
export function calicoLabels(pod: PodSide): Readonly<Record<string, string>> {
  let labels = LABELS.get(pod);
  if (!labels) {
    labels = { ...pod.labels };
    for (const [key, value] of Object.entries(calicoNamespaceLabels(pod))) {
      labels[`${NAMESPACE_PROFILE_PREFIX}${key}`] = value;
    }
    labels[NAMESPACE_LABEL] = pod.namespace;
    labels['projectcalico.org/orchestrator'] = 'k8s';
    LABELS.set(pod, labels);
  }
  return labels;
}

/** The labels of a pod's namespace as namespace selectors see them: its own plus `projectcalico.org/name`. */
export function calicoNamespaceLabels(pod: PodSide): Readonly<Record<string, string>> {
  let labels = NAMESPACE_LABELS.get(pod);
  if (!labels) {
    labels = { ...pod.namespaceLabels, [NAMESPACE_NAME_LABEL]: pod.namespace };
    NAMESPACE_LABELS.set(pod, labels);
  }
  return labels;
}

/**
 * Parses a selector the model can evaluate; throws naming where it is. Selectors on service
 * accounts are refused: the model does not know pods' service accounts.
 */
export function compileSelector(text: unknown, where: string, allowGlobal: boolean = false): CalicoSelectorMatcher {
  if (typeof text !== 'string') {
    throw new Error(`${where} ${show(text)} is not a selector string`);
  }
  let node: CalicoSelectorNode;
  try {
    node = parseCalicoSelector(text, allowGlobal);
  } catch (e) {
    throw new Error(`${where} ${(e as Error).message}`);
  }
  const account = calicoSelectorKeys(node).find((k) => k === 'projectcalico.org/serviceaccount' || k.startsWith('pcsa.'));
  if (account !== undefined) {
    throw new NotModelledError(`${where} ${show(text)} reads the service-account label ${show(account)}, which is not modelled: ` +
      'the model does not know pods\' service accounts; select by pod and namespace labels');
  }
  return compileCalicoSelector(node);
}

/** A workload endpoint: a pod on the pod network (host-network pods are the node's traffic). */
function workload(endpoint: Endpoint): PodSide | undefined {
  return endpoint.kind === 'pod' && !endpoint.hostNetwork ? endpoint : undefined;
}

interface EntityMatcher {
  readonly text: string;
  matches(endpoint: Endpoint, query: SideQuery): RuleMatch;
}

/**
 * Ranges no workload address lies in: Calico refuses IP pools that overlap link-local, loopback
 * or multicast ranges, and the unspecified and reserved ranges are no unicast addresses.
 */
const NO_POD_ADDRESS = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4', '::/127', 'fe80::/10', 'ff00::/8']
  .map((text) => parseCidr(text));

/** Why a pod's address leaves a nets criterion undecided. */
function unknownPodAddress(pod: PodSide, what: string): string {
  return `the address of pod ${pod.id} is unknown (pods built from manifests have none) and might lie in ${what}; ` +
    'add the pod with its ip (NetworkModel.addPod), or give the cluster\'s pod ranges (NetworkModelOptions.podCidrs; ' +
    'for synth-time proofs the context key cdk8s-netpol/pod-cidrs), to decide';
}

/**
 * Whether an endpoint's address lies in one of `nets`. An endpoint without a known address (a
 * DNS name, a pod built from manifests) certainly has one: nets holding every address of the
 * connection's family (for a name, of each family it may use) contain it; otherwise it is unknown.
 */
function inNets(nets: readonly Cidr[], endpoint: Endpoint, query: SideQuery, what: string): RuleMatch {
  if (endpoint.ip !== undefined) {
    return nets.some((n) => cidrContainsIp(n, endpoint.ip!));
  }
  if (endpoint.kind === 'name') {
    return blocksAdmitName(nets.map((cidr) => ({ cidr })), endpoint) ? true : { unknown: unknownNameAddresses(endpoint, what) };
  }
  // A pod without a known address: the connection's family is the model's assumption (IPv4 unless
  // an end has an IPv6 address, as for ipVersion); nets of the other family cannot hold it.
  const family = familyOf(query);
  const relevant = nets.filter((n) => n.family === family);
  if (relevant.some((n) => n.prefix === 0)) {
    return true;
  }
  if (relevant.every((n) => !endpoint.hostNetwork && NO_POD_ADDRESS.some((r) => cidrContains(r, n)))) {
    // No such net, or only ranges a workload never has (the metadata endpoint 169.254.169.254).
    return false;
  }
  // The cluster's pod ranges, when given (NetworkModelOptions.podCidrs): the address lies in one.
  const ranges = endpoint.kind === 'pod' ? endpoint.addressRanges?.filter((r) => r.family === family) : undefined;
  if (ranges !== undefined && ranges.length > 0) {
    if (ranges.every((r) => relevant.some((n) => cidrContains(n, r)))) {
      return true;
    }
    if (ranges.every((r) => relevant.every((n) => !cidrContains(n, r) && !cidrContains(r, n)))) {
      return false;
    }
  }
  return { unknown: unknownPodAddress(endpoint, what) };
}

function not(match: RuleMatch): RuleMatch {
  return typeof match === 'boolean' ? !match : match;
}

/**
 * Compiles an EntityRule (docs/semantics/calico.md#entity-rules): every criterion set must match
 * (AND), list entries OR. The namespace scoping follows libcalico-go's GetEntityRuleSelector: as soon as
 * `selector`, `notSelector` or `namespaceSelector` is set, the endpoint must be a workload in the
 * selected namespaces (in a NetworkPolicy without namespaceSelector, the policy's namespace);
 * `notSelector` alone in a GlobalNetworkPolicy also matches what Calico does not manage (addresses
 * outside the cluster). `nets`/`notNets` need an address: a DNS name matches `nets` only with a
 * block admitting every address, and `notNets` never (its address is unknown); a pod without an
 * address matches neither.
 */
function compileEntity(entity: any, side: 'source' | 'destination', policyNamespace: string | undefined, where: string): EntityMatcher | undefined {
  if (entity === undefined || entity === null) {
    return undefined;
  }
  if (typeof entity !== 'object' || Array.isArray(entity)) {
    throw new Error(`${where} ${show(entity)} is not an entity rule object`);
  }
  for (const key of Object.keys(entity)) {
    if (!ENTITY_FIELDS.includes(key)) {
      throw new Error(`${where}: unknown field ${show(key)}; an entity rule has ${ENTITY_FIELDS.join(', ')}`);
    }
  }
  if (entity.serviceAccounts !== undefined && entity.serviceAccounts !== null) {
    throw new NotModelledError(`${where}.serviceAccounts is not modelled: the model does not know pods' service accounts`);
  }
  if (entity.services !== undefined && entity.services !== null) {
    throw new NotModelledError(`${where}.services is not modelled: Services are not part of the model; select the backing pods`);
  }
  if (side === 'source' && (nonEmpty(entity.ports) || nonEmpty(entity.notPorts))) {
    throw new NotModelledError(`${where}.${nonEmpty(entity.ports) ? 'ports' : 'notPorts'} is not modelled: it matches the client's source port, which a probe does not have`);
  }
  const tests: ((endpoint: Endpoint, query: SideQuery) => RuleMatch)[] = [];
  const parts: string[] = [];
  const nets = cidrList(entity.nets, `${where}.nets`);
  if (nets.length > 0) {
    const what = `nets ${nets.map((n) => n.text).join(', ')}`;
    tests.push((e, q) => inNets(nets, e, q, what));
    parts.push(what);
  }
  const notNets = cidrList(entity.notNets, `${where}.notNets`);
  if (notNets.length > 0) {
    const what = `notNets ${notNets.map((n) => n.text).join(', ')}`;
    tests.push((e, q) => not(inNets(notNets, e, q, what)));
    parts.push(what);
  }
  const selectorText = nonBlank(entity.selector) ? entity.selector : undefined;
  const notSelectorText = nonBlank(entity.notSelector) ? entity.notSelector : undefined;
  const namespaceText = nonBlank(entity.namespaceSelector) ? entity.namespaceSelector : undefined;
  const selector = selectorText === undefined ? undefined : compileSelector(selectorText, `${where}.selector`);
  const notSelector = notSelectorText === undefined ? undefined : compileSelector(notSelectorText, `${where}.notSelector`);
  const namespaces = namespaceText === undefined ? undefined : compileSelector(namespaceText, `${where}.namespaceSelector`, true);
  const scoped = namespaces !== undefined || policyNamespace !== undefined;
  if (selector !== undefined || (scoped && (notSelector !== undefined || namespaces !== undefined))) {
    tests.push((e) => {
      const pod = workload(e);
      if (!pod) {
        return false;
      }
      const inNamespace = namespaces !== undefined
        ? namespaces(calicoNamespaceLabels(pod))
        : policyNamespace === undefined || pod.namespace === policyNamespace;
      return inNamespace && (selector === undefined || selector(calicoLabels(pod)));
    });
    parts.push([
      selectorText !== undefined ? `selector ${selectorText}` : 'workloads',
      namespaceText !== undefined ? `in namespaces ${namespaceText}` : policyNamespace !== undefined ? `in namespace ${policyNamespace}` : '',
    ].filter((p) => p).join(' '));
  }
  if (notSelector !== undefined) {
    tests.push((e) => {
      const pod = workload(e);
      return pod === undefined || !notSelector(calicoLabels(pod));
    });
    parts.push(`notSelector ${notSelectorText}`);
  }
  const ports = portList(entity.ports, `${where}.ports`);
  if (ports.length > 0) {
    tests.push((_e, q) => ports.some((p) => p.matches(q)));
    parts.push(`ports ${ports.map((p) => p.text).join(', ')}`);
  }
  const notPorts = portList(entity.notPorts, `${where}.notPorts`);
  if (notPorts.length > 0) {
    tests.push((_e, q) => !notPorts.some((p) => p.matches(q)));
    parts.push(`notPorts ${notPorts.map((p) => p.text).join(', ')}`);
  }
  if (tests.length === 0) {
    return undefined;
  }
  return { text: parts.join(', '), matches: (e, q) => allOf(tests.map((t) => t(e, q))) };
}

interface PortMatcher {
  readonly text: string;
  readonly numbered?: { readonly from: number; readonly to: number };
  matches(query: SideQuery): boolean;
}

/** Ports: an integer, a range "min:max" (inclusive), or a name resolved on the destination pod. */
function portList(value: unknown, where: string): PortMatcher[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new Error(`${where} ${show(value)} is not a list of ports`);
  }
  // Calico's validation refuses more than 50 entries in one port list.
  if (value.length > 50) {
    throw new Error(`${where} lists ${value.length} ports; Calico takes at most 50 in one list: split the rule`);
  }
  return value.map((p, i): PortMatcher => {
    const at = `${where}[${i}]`;
    if (typeof p === 'number' || (typeof p === 'string' && /^[0-9]+$/.test(p))) {
      const n = Number(p);
      if (!Number.isInteger(n) || n < 0 || n > 65535) {
        throw new Error(`${at} ${show(p)} is not a port number from 0 to 65535`);
      }
      return { text: String(n), numbered: { from: n, to: n }, matches: (q) => q.port === n };
    }
    if (typeof p !== 'string') {
      throw new Error(`${at} ${show(p)} is not a port, a range "min:max" or a port name`);
    }
    const range = /^([0-9]+):([0-9]+)$/.exec(p);
    if (range) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from > to || to > 65535) {
        throw new Error(`${at} ${show(p)} is not a range "min:max" with min <= max <= 65535`);
      }
      return { text: p, numbered: { from, to }, matches: (q) => q.port >= from && q.port <= to };
    }
    if (!PORT_NAME.test(p)) {
      throw new Error(`${at} ${show(p)} is not a port, a range "min:max" or a port name`);
    }
    return {
      text: p,
      matches: (q) => portCovers(p, undefined, q.destination, q.port, q.protocol),
    };
  });
}

function cidrList(value: unknown, where: string): Cidr[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new Error(`${where} ${show(value)} is not a list of CIDRs`);
  }
  return value.map((net, i) => {
    // Calico takes a bare address as a host route (ParseCIDROrIP) and masks host bits.
    const text = typeof net === 'string' && !net.includes('/') ? `${net}/${net.includes(':') ? 128 : 32}` : net;
    const problem = cidrProblem(text, true);
    if (problem) {
      throw new Error(`${where}[${i}] ${show(net)} is not a valid CIDR: ${problem}`);
    }
    return parseCidr(text, true);
  });
}

/** The IP protocol number of a rule's `protocol`/`notProtocol` (a name or 1-255). */
function protocolNumber(value: unknown, where: string): number {
  if (typeof value === 'number' || (typeof value === 'string' && /^[0-9]+$/.test(value))) {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 255) {
      throw new Error(`${where} ${show(value)} is not a protocol number from 1 to 255`);
    }
    return n;
  }
  const name = Object.keys(PROTOCOL_NUMBERS).find((k) => typeof value === 'string' && k.toLowerCase() === value.toLowerCase());
  if (name === undefined) {
    throw new Error(`${where} ${show(value)} is not one of ${Object.keys(PROTOCOL_NUMBERS).join(', ')} or a number from 1 to 255`);
  }
  return PROTOCOL_NUMBERS[name];
}

/**
 * Compiles one rule of a Calico NetworkPolicy or GlobalNetworkPolicy
 * (docs/semantics/calico.md#actions, docs/semantics/calico.md#protocols-and-ports): the action,
 * ipVersion, protocol/notProtocol, and the source and destination entity rules. For an ingress rule
 * the source is the peer and the destination the selected pod; for egress the reverse.
 */
export function compileCalicoRule(rule: any, index: number, direction: Direction, policyNamespace: string | undefined, where: string): CalicoRule {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    throw new Error(`${where} ${show(rule)} is not a rule object`);
  }
  const unknown = Object.keys(rule).find((k) => !RULE_FIELDS.includes(k));
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${show(unknown)}; a Calico rule has ${RULE_FIELDS.join(', ')}`);
  }
  if (!ACTIONS.includes(rule.action)) {
    throw new Error(`${where}: action ${show(rule.action)} is not one of ${ACTIONS.join(', ')}`);
  }
  const action = rule.action as CalicoAction;
  if (rule.ipVersion !== undefined && rule.ipVersion !== 4 && rule.ipVersion !== 6) {
    throw new Error(`${where}: ipVersion ${show(rule.ipVersion)} is not 4 or 6`);
  }
  const protocol = rule.protocol === undefined || rule.protocol === null ? undefined : protocolNumber(rule.protocol, `${where} protocol`);
  const notProtocol = rule.notProtocol === undefined || rule.notProtocol === null ? undefined : protocolNumber(rule.notProtocol, `${where} notProtocol`);
  for (const field of ['icmp', 'notICMP']) {
    if (rule[field] !== undefined && protocol !== 1 && protocol !== 58) {
      throw new Error(`${where}: ${field} requires protocol ICMP or ICMPv6`);
    }
  }
  const hasPorts = [rule.source?.ports, rule.source?.notPorts, rule.destination?.ports, rule.destination?.notPorts].some(nonEmpty);
  if (hasPorts && protocol !== 6 && protocol !== 17 && protocol !== 132) {
    throw new Error(`${where}: ports need protocol TCP, UDP or SCTP (got ${show(rule.protocol)})`);
  }
  let http: HttpMatcher | undefined;
  if (rule.http !== undefined && rule.http !== null) {
    if (action !== 'Allow') {
      throw new Error(`${where}: an HTTP match is only valid on Allow rules`);
    }
    if (direction === 'egress') {
      throw new NotModelledError(`${where}: an HTTP match on an egress rule is not modelled: Calico's application layer policy enforces HTTP ` +
        'matches on inbound requests only (policies with HTTP matches are checked on ingress); put the HTTP match on the server\'s ingress rule');
    }
    if (protocol !== undefined && protocol !== 6) {
      throw new Error(`${where}: an HTTP match needs protocol TCP or none`);
    }
    http = compileCalicoHttpMatch(rule.http, `${where}.http`);
  }
  const source = compileEntity(rule.source, 'source', policyNamespace, `${where}.source`);
  const destination = compileEntity(rule.destination, 'destination', policyNamespace, `${where}.destination`);
  const text = [
    action,
    ...(rule.ipVersion !== undefined ? [`IPv${rule.ipVersion}`] : []),
    ...(rule.protocol !== undefined && rule.protocol !== null ? [String(rule.protocol)] : []),
    ...(notProtocol !== undefined ? [`not ${rule.notProtocol}`] : []),
    ...(source ? [`from ${source.text}`] : []),
    ...(destination ? [`to ${destination.text}`] : []),
    ...(http ? [`HTTP ${http.text}`] : []),
  ].join(' ');
  const numbers: Record<string, number> = { TCP: 6, UDP: 17, SCTP: 132 };
  return {
    index,
    action,
    text,
    http,
    matches: (query) => {
      const number = numbers[query.protocol];
      if ((protocol !== undefined && protocol !== number) || (notProtocol !== undefined && notProtocol === number)) {
        return false;
      }
      if (rule.ipVersion !== undefined && rule.ipVersion !== familyOf(query)) {
        return false;
      }
      const [src, dst] = direction === 'ingress' ? [query.other, query.pod] : [query.pod, query.other];
      return allOf([source === undefined || source.matches(src, query), destination === undefined || destination.matches(dst, query)]);
    },
  };
}

/**
 * The bounds of a rule's numbered destination ports and ranges, `ports` and `notPorts`, whatever
 * its protocol (`SideEvaluator.portBounds`; source ports are not modelled).
 */
export function calicoRuleBounds(rule: any): number[] {
  const lists = [rule?.destination?.ports, rule?.destination?.notPorts].filter(Array.isArray);
  return lists.flat().flatMap((p: unknown) => {
    if (typeof p === 'number') {
      return [p, p + 1];
    }
    const range = typeof p === 'string' ? /^([0-9]+)(?::([0-9]+))?$/.exec(p) : null;
    return range ? [Number(range[1]), Number(range[2] ?? range[1]) + 1] : [];
  });
}

/**
 * The connection's IP version, for rules with ipVersion: the family of an address it involves;
 * IPv4 when neither end has a known address (a pod without an IP, a DNS name).
 */
export function familyOf(query: SideQuery): 4 | 6 {
  const ip = query.other.ip ?? query.pod.ip;
  return ip !== undefined && ipFamily(ip) === 6 ? 6 : 4;
}

function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function nonBlank(value: unknown): boolean {
  return typeof value === 'string' ? value.trim() !== '' : value !== undefined && value !== null;
}

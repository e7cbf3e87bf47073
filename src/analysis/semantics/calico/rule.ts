import {
  CalicoSelectorMatcher, CalicoSelectorNode, calicoSelectorDecides, calicoSelectorKeys, compileCalicoSelector, parseCalicoSelector,
} from '../../../util/calico-selector';
import { Cidr, cidrProblem, parseCidr } from '../../../util/cidr';
import { show } from '../../../util/validation';
import { Direction } from '../../direction';
import { DEFAULT_SERVICE_ACCOUNT, Endpoint, PodSide, portCovers } from '../../endpoint';
import { CalicoHttpPaths, compileCalicoHttpMatch, HttpMatcher } from '../../http';
import { RuleMatch, familyMatches, inNets } from '../address-match';
import { SelectorLabels } from '../kubernetes/policy';
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

/** What differs between Calico releases, for the rules they evaluate. */
export interface CalicoSemantics {
  /** "3.33" or "3.31.5", as reasons name it. */
  readonly release: string;
  /** How HTTP paths match (`CalicoHttpPaths`). */
  readonly httpPaths: CalicoHttpPaths;
  /** Whether a rule may leave protocol out when its ports are all names (3.32 on). */
  readonly namedPortsWithoutProtocol: boolean;
  /**
   * Whether application layer policy checks requests at all: Dikastes of 3.30.0 to 3.31.x answers
   * every request it checks with 403 (projectcalico/calico#11986, fixed in 3.32.0; its 3.30
   * backport #12004 is in a patch the model cannot name, its 3.31 one #12003 was not merged).
   */
  readonly httpMatchEnforced: boolean;
  /**
   * Whether application layer policy matches named ports: before projectcalico/calico#13668 (3.33.0;
   * backported to the 3.31 and 3.32 lines in patches the model cannot name) a rule with a named port
   * never matches in Dikastes (#13174).
   */
  readonly httpNamedPorts: boolean;
  /**
   * Whether Calico enforces ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), in its
   * kube-admin and kube-baseline tiers: from 3.32.0, which replaced AdminNetworkPolicy and
   * BaselineAdminNetworkPolicy with it (projectcalico/calico#11144).
   */
  readonly clusterNetworkPolicy: boolean;
}

/**
 * The semantics of Calico 3.<minor>[.<patch>]; a release line without a patch is taken at its
 * newest patch. HTTP paths are normalised from 3.31.6 and 3.32.0 (projectcalico/calico#12531 and
 * its backport #12533); named ports without a protocol are accepted from 3.32.0 (#11916);
 * application layer policy refuses every request from 3.30.0 to 3.31.x (#11986) and matches named
 * ports from 3.33.0 (#13668).
 */
export function calicoSemantics(minor: number, patch?: number): CalicoSemantics {
  return {
    release: `3.${minor}${patch !== undefined ? `.${patch}` : ''}`,
    httpPaths: minor >= 32 || (minor === 31 && (patch === undefined || patch >= 6)) ? 'segments' : 'raw',
    namedPortsWithoutProtocol: minor >= 32,
    httpMatchEnforced: minor < 30 || minor >= 32,
    httpNamedPorts: minor >= 33,
    clusterNetworkPolicy: minor >= 32,
  };
}

/** The newest Calico release the model knows; newer ones are refused (their semantics are unknown). */
export const NEWEST_CALICO_MINOR = 33;
/**
 * The oldest Calico release the model knows: Calico open source has tiers, tier default actions
 * and Pass from 3.29.0 (projectcalico/calico release-notes/v3.29.0, #9085, #9245), which the
 * model evaluates for every release it accepts.
 */
export const OLDEST_CALICO_MINOR = 29;

/** The default: the newest release. */
export const NEWEST_CALICO: CalicoSemantics = calicoSemantics(NEWEST_CALICO_MINOR);

export type { RuleMatch } from '../address-match';

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
  /** A selector of it reads ServiceAccount labels (beyond the account's name): the model must know the pods' accounts. */
  readonly readsServiceAccountLabels: boolean;
  /** Whether the rule matches the connection at L3/L4; unknown when an address it needs is not known. */
  matches(query: SideQuery): RuleMatch;
}

const LABELS = new WeakMap<PodSide, Record<string, string>>();
const NAMESPACE_LABELS = new WeakMap<PodSide, Record<string, string>>();
const ACCOUNT_LABELS = new WeakMap<PodSide, Record<string, string>>();
const ACCOUNT_NAME_LABELS = new WeakMap<PodSide, Record<string, string>>();

/**
 * The label Calico gives a workload endpoint with its ServiceAccount's name, whatever its length: the
 * syncer writes it from the endpoint's spec since projectcalico/calico#4529 (older releases left out
 * names of 63 characters or more).
 */
const SERVICE_ACCOUNT_LABEL = 'projectcalico.org/serviceaccount';
/** A ServiceAccount's labels reach its pods through its profile, under this prefix. */
const SERVICE_ACCOUNT_PROFILE_PREFIX = 'pcsa.';
/** The label a ServiceAccount's profile adds with the account's name (`pcsa.projectcalico.org/name` on the pods). */
const SERVICE_ACCOUNT_NAME_LABEL = 'projectcalico.org/name';

/**
 * A pod's labels as Calico selectors see them (docs/semantics/calico.md#endpoint-labels): its own
 * but those under `pcns.` and `pcsa.` (the syncer drops them, so that a pod cannot claim another
 * namespace's or account's labels), `projectcalico.org/namespace`, `projectcalico.org/orchestrator: k8s`,
 * `projectcalico.org/serviceaccount` (its ServiceAccount's name), its namespace's labels under
 * `pcns.` (the namespace's profile) and its ServiceAccount's labels under `pcsa.` (the account's
 * profile, with `pcsa.projectcalico.org/name`). The account's labels are left out when the model
 * does not know them; selectors reading them are undecided for the pod then (`unknownAccountLabels`).
 */
export function calicoLabels(pod: PodSide): Readonly<Record<string, string>> {
  let labels = LABELS.get(pod);
  if (!labels) {
    labels = {};
    for (const [key, value] of Object.entries(pod.labels)) {
      if (!key.startsWith(NAMESPACE_PROFILE_PREFIX) && !key.startsWith(SERVICE_ACCOUNT_PROFILE_PREFIX)) {
        labels[key] = value;
      }
    }
    for (const [key, value] of Object.entries(calicoNamespaceLabels(pod))) {
      labels[`${NAMESPACE_PROFILE_PREFIX}${key}`] = value;
    }
    for (const [key, value] of Object.entries(calicoServiceAccountLabels(pod) ?? {})) {
      labels[`${SERVICE_ACCOUNT_PROFILE_PREFIX}${key}`] = value;
    }
    const account = pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
    labels[`${SERVICE_ACCOUNT_PROFILE_PREFIX}${SERVICE_ACCOUNT_NAME_LABEL}`] = account;
    labels[SERVICE_ACCOUNT_LABEL] = account;
    labels[NAMESPACE_LABEL] = pod.namespace;
    labels['projectcalico.org/orchestrator'] = 'k8s';
    LABELS.set(pod, labels);
  }
  return labels;
}

/**
 * The labels a Kubernetes NetworkPolicy's selectors see under Calico, which converts them to Calico
 * selectors (docs/semantics/calico.md#kubernetes-policies-in-the-default-tier): a pod selector reads
 * the endpoint's labels (`calicoLabels`, Calico's own included), a namespace selector the
 * namespace's profile (`calicoNamespaceLabels`).
 */
export const CALICO_SELECTOR_LABELS: SelectorLabels = { pod: (pod) => calicoLabels(pod), namespace: (pod) => calicoNamespaceLabels(pod) };

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
 * The labels of a pod's ServiceAccount as service-account selectors see them: its own plus
 * `projectcalico.org/name`; undefined when the model does not know them.
 */
export function calicoServiceAccountLabels(pod: PodSide): Readonly<Record<string, string>> | undefined {
  if (pod.serviceAccountLabels === undefined) {
    return undefined;
  }
  let labels = ACCOUNT_LABELS.get(pod);
  if (!labels) {
    labels = { ...pod.serviceAccountLabels, [SERVICE_ACCOUNT_NAME_LABEL]: pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT };
    ACCOUNT_LABELS.set(pod, labels);
  }
  return labels;
}

/**
 * The labels a service-account selector (`serviceAccounts.selector`, `serviceAccountSelector`)
 * matches a pod's ServiceAccount against: `calicoServiceAccountLabels`, or the account's name alone
 * when the model does not know its labels. Only selectors that read nothing but the name meet an
 * unknown account: the others are undecided for it (`unknownAccountLabels`).
 */
export function calicoServiceAccountSelectorLabels(pod: PodSide): Readonly<Record<string, string>> {
  const known = calicoServiceAccountLabels(pod);
  if (known !== undefined) {
    return known;
  }
  let labels = ACCOUNT_NAME_LABELS.get(pod);
  if (!labels) {
    labels = { [SERVICE_ACCOUNT_NAME_LABEL]: pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT };
    ACCOUNT_NAME_LABELS.set(pod, labels);
  }
  return labels;
}

/**
 * Why a selector reading ServiceAccount labels cannot be decided for `pod`: the model does not know
 * the labels of its account (no ServiceAccount manifest, no `NetworkModel.addServiceAccount`).
 */
export function unknownAccountLabels(pod: PodSide, reader: string): string {
  const account = `${pod.namespace}/${pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT}`;
  return `${reader} reads the labels of ServiceAccounts (serviceAccountSelector, serviceAccounts.selector or a pcsa. key), and the model ` +
    `does not know those of ServiceAccount ${account}, which pod ${pod.id} runs as: add its manifest (apiVersion v1, kind ServiceAccount) ` +
    'or NetworkModel.addServiceAccount()';
}

/**
 * Whether a label key on a Calico endpoint is one of its ServiceAccount's own labels (`pcsa.*`),
 * which the model knows only from the ServiceAccount object, and not the account's name
 * (`pcsa.projectcalico.org/name`), which every endpoint carries.
 */
export function isServiceAccountLabelKey(key: unknown): boolean {
  return typeof key === 'string' && key.startsWith(SERVICE_ACCOUNT_PROFILE_PREFIX) && key !== `${SERVICE_ACCOUNT_PROFILE_PREFIX}${SERVICE_ACCOUNT_NAME_LABEL}`;
}

/** A compiled selector, and whether it reads labels of ServiceAccounts beyond their names. */
export interface CompiledSelector {
  readonly matches: CalicoSelectorMatcher;
  readonly readsServiceAccountLabels: boolean;
  /**
   * Whether labels satisfy it when the ServiceAccount's own labels are unknown: true or false
   * whatever they are, undefined when it depends on them (`calicoSelectorDecides`).
   */
  decidesWithoutAccountLabels(labels: Readonly<Record<string, string>>): boolean | undefined;
}

/**
 * Parses a selector the model can evaluate; throws naming where it is.
 * @param serviceAccounts a service-account selector (`serviceAccounts.selector`, `serviceAccountSelector`),
 *   matched against ServiceAccount labels (`calicoServiceAccountLabels`)
 */
export function compileSelectorOf(text: unknown, where: string, allowGlobal: boolean = false, serviceAccounts: boolean = false): CompiledSelector {
  if (typeof text !== 'string') {
    throw new Error(`${where} ${show(text)} is not a selector string`);
  }
  let node: CalicoSelectorNode;
  try {
    node = parseCalicoSelector(text, allowGlobal);
  } catch (e) {
    throw new Error(`${where} ${(e as Error).message}`);
  }
  const keys = calicoSelectorKeys(node);
  const accountLabel = serviceAccounts ? (k: string) => k !== SERVICE_ACCOUNT_NAME_LABEL : isServiceAccountLabelKey;
  return {
    matches: compileCalicoSelector(node),
    readsServiceAccountLabels: keys.some(accountLabel),
    decidesWithoutAccountLabels: (labels) => calicoSelectorDecides(node, labels, accountLabel),
  };
}

/** `compileSelectorOf`'s matcher alone. */
export function compileSelector(text: unknown, where: string, allowGlobal: boolean = false): CalicoSelectorMatcher {
  return compileSelectorOf(text, where, allowGlobal).matches;
}

/** A workload endpoint: a pod on the pod network (host-network pods are the node's traffic). */
function workload(endpoint: Endpoint): PodSide | undefined {
  return endpoint.kind === 'pod' && !endpoint.hostNetwork ? endpoint : undefined;
}

interface EntityMatcher {
  readonly text: string;
  /** A selector of it reads ServiceAccount labels (beyond the account's name). */
  readonly readsServiceAccountLabels: boolean;
  matches(endpoint: Endpoint, query: SideQuery): RuleMatch;
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
function compileEntity(entity: any, side: 'source' | 'destination', policyNamespace: string | undefined, where: string,
  reader: string = where): EntityMatcher | undefined {
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
  const accounts = compileServiceAccountMatch(entity.serviceAccounts, `${where}.serviceAccounts`);
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
  const compiledSelector = selectorText === undefined ? undefined : compileSelectorOf(selectorText, `${where}.selector`);
  const compiledNotSelector = notSelectorText === undefined ? undefined : compileSelectorOf(notSelectorText, `${where}.notSelector`);
  const selector = compiledSelector?.matches;
  const notSelector = compiledNotSelector?.matches;
  const namespaces = namespaceText === undefined ? undefined : compileSelector(namespaceText, `${where}.namespaceSelector`, true);
  const scoped = namespaces !== undefined || policyNamespace !== undefined;
  // A service-account match, like a selector, matches only workloads of the scoped namespaces
  // (libcalico-go's rule conversion ANDs it into the selector; app-policy computeNamespaceMatch).
  // A selector reading ServiceAccount labels the model does not know cannot be decided for that pod.
  const readsAccounts = (compiledSelector?.readsServiceAccountLabels ?? false) || (accounts?.readsServiceAccountLabels ?? false);
  if (selector !== undefined || accounts !== undefined || (scoped && (notSelector !== undefined || namespaces !== undefined))) {
    tests.push((e) => {
      const pod = workload(e);
      if (!pod) {
        return false;
      }
      const inNamespace = namespaces !== undefined
        ? namespaces(calicoNamespaceLabels(pod))
        : policyNamespace === undefined || pod.namespace === policyNamespace;
      if (!inNamespace) {
        return false;
      }
      if (readsAccounts && pod.serviceAccountLabels === undefined) {
        // What the known labels decide (three-valued: a term on the account's labels is unknown).
        const bySelector = compiledSelector === undefined ? true : compiledSelector.decidesWithoutAccountLabels(calicoLabels(pod));
        const byAccounts = accounts === undefined ? true : accounts.decidesWithoutAccountLabels(pod);
        if (bySelector === false || byAccounts === false) {
          return false;
        }
        return bySelector === true && byAccounts === true ? true : { unknown: unknownAccountLabels(pod, reader) };
      }
      return (selector === undefined || selector(calicoLabels(pod))) && (accounts === undefined || accounts.matches(pod));
    });
    parts.push([
      selectorText !== undefined ? `selector ${selectorText}` : 'workloads',
      accounts !== undefined ? `with ${accounts.text}` : '',
      namespaceText !== undefined ? `in namespaces ${namespaceText}` : policyNamespace !== undefined ? `in namespace ${policyNamespace}` : '',
    ].filter((p) => p).join(' '));
  }
  if (notSelector !== undefined) {
    tests.push((e) => {
      const pod = workload(e);
      if (pod !== undefined && compiledNotSelector!.readsServiceAccountLabels && pod.serviceAccountLabels === undefined) {
        const decided = compiledNotSelector!.decidesWithoutAccountLabels(calicoLabels(pod));
        return decided === undefined ? { unknown: unknownAccountLabels(pod, reader) } : !decided;
      }
      return pod === undefined || !notSelector(calicoLabels(pod));
    });
    parts.push(`notSelector ${notSelectorText}`);
  }
  const readsServiceAccountLabels = [compiledSelector, compiledNotSelector, accounts].some((c) => c?.readsServiceAccountLabels === true);
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
  return { text: parts.join(', '), readsServiceAccountLabels, matches: (e, q) => allOf(tests.map((t) => t(e, q))) };
}

/** A compiled `serviceAccounts` match: the pod's ServiceAccount by name and by its labels. */
interface ServiceAccountMatcher {
  /** "service accounts api, web and selector role == 'x'", for reasons. */
  readonly text: string;
  readonly readsServiceAccountLabels: boolean;
  matches(pod: PodSide): boolean;
  /** Whether it matches `pod` whatever its account's unknown labels are; undefined when it depends on them. */
  decidesWithoutAccountLabels(pod: PodSide): boolean | undefined;
}

/**
 * Compiles an entity rule's `serviceAccounts` (docs/semantics/calico.md#service-accounts):
 * `names` (any of them) AND `selector` over the labels of the pod's ServiceAccount. libcalico-go
 * turns `names` into `projectcalico.org/serviceaccount in {...}` and `selector` into the same
 * selector over the `pcsa.` labels; the endpoint carries its account's name whatever its length
 * (projectcalico/calico#4529). Undefined when absent or empty.
 */
export function compileServiceAccountMatch(value: unknown, where: string): ServiceAccountMatcher | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${where} ${show(value)} is not a { names, selector } object`);
  }
  const match = value as Record<string, unknown>;
  const unknown = Object.keys(match).find((k) => k !== 'names' && k !== 'selector');
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${show(unknown)}; a service-account match has names and selector`);
  }
  const names = match.names === undefined || match.names === null ? [] : match.names;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string' || n.length === 0)) {
    throw new Error(`${where}.names ${show(match.names)} is not a list of ServiceAccount names`);
  }
  const selectorText = nonBlank(match.selector) ? match.selector : undefined;
  const selector = selectorText === undefined ? undefined : compileSelectorOf(selectorText, `${where}.selector`, false, true);
  if (names.length === 0 && selector === undefined) {
    return undefined;
  }
  const named = new Set(names as string[]);
  const text = [
    ...(names.length > 0 ? [`service account ${names.join(' or ')}`] : []),
    ...(selectorText !== undefined ? [`service-account selector ${selectorText}`] : []),
  ].join(' and ');
  return {
    text,
    readsServiceAccountLabels: selector?.readsServiceAccountLabels ?? false,
    matches: (pod) => {
      const account = pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
      if (named.size > 0 && !named.has(account)) {
        return false;
      }
      return selector === undefined || selector.matches(calicoServiceAccountSelectorLabels(pod));
    },
    decidesWithoutAccountLabels: (pod) => {
      if (named.size > 0 && !named.has(pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT)) {
        return false;
      }
      return selector === undefined || selector.decidesWithoutAccountLabels(calicoServiceAccountSelectorLabels(pod));
    },
  };
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
export function compileCalicoRule(rule: any, index: number, direction: Direction, policyNamespace: string | undefined, where: string,
  semantics: CalicoSemantics = NEWEST_CALICO): CalicoRule {
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
  const portLists = [rule.source?.ports, rule.source?.notPorts, rule.destination?.ports, rule.destination?.notPorts].filter(nonEmpty) as unknown[][];
  // Without a protocol, ports must all be names: a named port resolves to a protocol and number on
  // each pod (TCP, UDP or SCTP), so the rule matches each of them (libcalico-go validator,
  // docs/semantics/calico.md#named-ports-without-a-protocol). Numbers need a protocol.
  const allNamed = portLists.every((list) => list.every((p) => typeof p === 'string' && !/^[0-9]+(:[0-9]+)?$/.test(p)));
  const namesAlone = protocol === undefined && allNamed && semantics.namedPortsWithoutProtocol;
  if (portLists.length > 0 && protocol !== 6 && protocol !== 17 && protocol !== 132 && !namesAlone) {
    const hint = protocol !== undefined ? ''
      : semantics.namedPortsWithoutProtocol ? '; only a rule whose ports are all names may leave protocol out'
        : `; Calico ${semantics.release} needs one even for named ports (3.32 accepts a rule whose ports are all names without one)`;
    const got = rule.protocol === undefined || rule.protocol === null ? 'protocol is not set' : `got ${show(rule.protocol)}`;
    throw new Error(`${where}: ports need protocol TCP, UDP or SCTP (${got})${hint}`);
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
    if (!semantics.httpMatchEnforced) {
      throw new NotModelledError(`${where}: an HTTP match is not modelled for Calico ${semantics.release}: from 3.30.0 to 3.31.x application ` +
        'layer policy (Dikastes) answers every request it checks with 403, whatever the rules say (projectcalico/calico#11986, fixed in ' +
        '3.32.0; backported to the 3.30 line by #12004 in a patch the model cannot name, not to 3.31); run 3.32 or newer, or leave http out');
    }
    http = compileCalicoHttpMatch(rule.http, `${where}.http`, semantics.httpPaths);
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
    readsServiceAccountLabels: (source?.readsServiceAccountLabels ?? false) || (destination?.readsServiceAccountLabels ?? false),
    matches: (query) => {
      const number = numbers[query.protocol];
      if ((protocol !== undefined && protocol !== number) || (notProtocol !== undefined && notProtocol === number)) {
        return false;
      }
      const family = rule.ipVersion !== undefined ? familyMatches(rule.ipVersion, query) : true;
      if (family === false) {
        return false;
      }
      const [src, dst] = direction === 'ingress' ? [query.other, query.pod] : [query.pod, query.other];
      return allOf([family, source === undefined || source.matches(src, query), destination === undefined || destination.matches(dst, query)]);
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


function nonEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function nonBlank(value: unknown): boolean {
  return typeof value === 'string' ? value.trim() !== '' : value !== undefined && value !== null;
}

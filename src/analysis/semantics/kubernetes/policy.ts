import { Cidr, cidrContainsIp, cidrProblem, isStrictSubnet, parseCidr } from '../../../util/cidr';
import { ianaServiceNameProblem } from '../../../util/names';
import { isIntegerInRange, show } from '../../../util/validation';
import { Direction } from '../../direction';
import { Endpoint, PodSide, addressOf, blocksAdmitName, portCovers } from '../../endpoint';
import { LabelMatcher, compileLabelSelector, describeLabelSelector, labelSelectorKeys } from '../../labels';
import { PolicyRef, policyRef } from '../decision';

/** A port entry of a rule: protocol plus a number, a range, a name, or every port. */
interface PortMatcher {
  readonly protocol: string;
  readonly port?: number | string;
  readonly endPort?: number;
  readonly text: string;
}

/** A peer entry of a rule. */
type PeerMatcher =
  | {
    readonly kind: 'selector';
    readonly pods?: LabelMatcher;
    readonly namespaces?: LabelMatcher;
    /** The label keys its podSelector reads. */
    readonly podKeys: readonly string[];
    readonly text: string;
  }
  | { readonly kind: 'ipBlock'; readonly cidr: Cidr; readonly except: Cidr[]; readonly text: string };

/**
 * The labels a NetworkPolicy's selectors see under the enforcing CNI: a pod's for podSelectors, its
 * namespace's for namespaceSelectors. Cilium filters a pod's labels to its identity labels and adds
 * its own (docs/semantics/cilium.md#identity-labels); Calico matches against its endpoint labels
 * and namespace profiles (docs/semantics/calico.md#endpoint-labels).
 */
export interface SelectorLabels {
  pod(pod: PodSide): Readonly<Record<string, string>>;
  namespace(pod: PodSide): Readonly<Record<string, string>>;
}

/** The labels as the manifests give them: what Kubernetes itself (and a plain CNI) matches. */
export const MANIFEST_LABELS: SelectorLabels = { pod: (pod) => pod.labels, namespace: (pod) => pod.namespaceLabels };

/** One rule: peers (undefined: every peer) AND ports (undefined: every port). */
interface RuleMatcher {
  readonly index: number;
  readonly peers?: PeerMatcher[];
  readonly ports?: PortMatcher[];
}

/** A `networking.k8s.io/v1` NetworkPolicy, compiled for evaluation (docs/semantics/kubernetes.md). */
export class KubernetesPolicy {
  /** "namespace/name". */
  public readonly id: string;
  /** The object, as decisions name it. */
  public readonly ref: PolicyRef;
  public readonly namespace: string;
  public readonly name: string;
  /** The object it was compiled from. */
  public readonly source: any;
  /** The directions the policy isolates, after the API server's policyTypes defaulting. */
  public readonly isolates: ReadonlySet<Direction>;
  private readonly selects: LabelMatcher;
  private readonly rules: Record<Direction, RuleMatcher[]>;

  /** Compiles a NetworkPolicy object; throws on what the API server would reject. */
  constructor(obj: any) {
    const namespace = obj?.metadata?.namespace ?? 'default';
    const name = obj?.metadata?.name;
    if (typeof name !== 'string' || name.length === 0) {
      throw new Error('NetworkPolicy without metadata.name');
    }
    this.source = obj;
    this.namespace = namespace;
    this.name = name;
    this.ref = policyRef('networking.k8s.io/v1', 'NetworkPolicy', namespace, name, undefined);
    this.id = this.ref.id;
    const where = `NetworkPolicy ${this.id}`;
    const spec = obj.spec ?? {};
    for (const list of ['ingress', 'egress'] as const) {
      if (spec[list] !== undefined && spec[list] !== null && !Array.isArray(spec[list])) {
        throw new Error(`${where} spec.${list} ${show(spec[list])} is not a list of rules`);
      }
    }
    this.selects = compileLabelSelector(spec.podSelector, `${where} spec.podSelector`);
    this.isolates = new Set(policyTypes(spec, where));
    this.rules = {
      ingress: (spec.ingress ?? []).map((rule: any, i: number) => compileRule(rule?.from, rule?.ports, i, `${where} spec.ingress[${i}]`)),
      egress: (spec.egress ?? []).map((rule: any, i: number) => compileRule(rule?.to, rule?.ports, i, `${where} spec.egress[${i}]`)),
    };
  }

  /**
   * The ports at which its rules' verdicts may change in `direction` (a range `a-b` gives `a` and
   * `b + 1`): the connectivity of a pair is constant between them (named ports aside, which
   * resolve on the destination's container ports).
   */
  public portBounds(direction: Direction): number[] {
    return this.rules[direction].flatMap((rule) => rule.ports ?? [])
      .flatMap((p) => (typeof p.port === 'number' ? [p.port, (p.endPort ?? p.port) + 1] : []));
  }

  /**
   * True when this policy selects `pod` and isolates it in `direction`.
   * @param labels the labels as the CNI's selectors see them (default: the manifests')
   */
  public isolatesPod(pod: PodSide, direction: Direction, labels: SelectorLabels = MANIFEST_LABELS): boolean {
    return !pod.hostNetwork && this.isolates.has(direction) && pod.namespace === this.namespace &&
      this.selects(labels.pod(pod));
  }

  /**
   * The first rule that allows traffic between `self` (a pod this policy isolates) and `other`
   * in `direction`, as text; undefined when none does. `destination` resolves named ports.
   * @param ipBlocksMatchPods whether ipBlock peers match pods by address; Cilium turns ipBlocks
   *   into CIDR rules, which match only peers outside the cluster
   *   (docs/semantics/cilium.md#kubernetes-networkpolicies-under-cilium)
   * @param labels the labels as the CNI's selectors see them (default: the manifests')
   * @param skipPeer peers whose pod selector reads these keys are not applied (the CNI's value of
   *   a key is unknown for `other`): a rule allows only through the others
   */
  public allowingRule(direction: Direction, other: Endpoint, destination: Endpoint, port: number, protocol: string,
    ipBlocksMatchPods: boolean = true, labels: SelectorLabels = MANIFEST_LABELS,
    skipPeer?: (podKeys: readonly string[]) => boolean): string | undefined {
    for (const rule of this.rules[direction]) {
      const peer = rule.peers === undefined ? 'anyone'
        : other.kind === 'name' ? nameAdmitted(rule.peers, other)
          : rule.peers.find((p) => !(p.kind === 'selector' && skipPeer?.(p.podKeys)) &&
            peerMatches(p, other, this.namespace, ipBlocksMatchPods, labels))?.text;
      if (peer === undefined) {
        continue;
      }
      const portText = rule.ports === undefined ? 'every port' : rule.ports.find((p) => portMatches(p, destination, port, protocol))?.text;
      if (portText === undefined) {
        continue;
      }
      return `${this.id} ${direction} rule #${rule.index + 1} (${direction === 'ingress' ? 'from' : 'to'} ${peer} on ${portText})`;
    }
    return undefined;
  }
}

/**
 * policyTypes as the API server defaults them (pkg/apis/networking/v1/defaults.go): when empty,
 * Ingress, plus Egress only if `egress` has a rule; `egress: []` does not count.
 */
function policyTypes(spec: any, where: string): Direction[] {
  const types: unknown[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  if (types.length === 0) {
    return Array.isArray(spec.egress) && spec.egress.length > 0 ? ['ingress', 'egress'] : ['ingress'];
  }
  if (types.length > 2) {
    throw new Error(`${where}: policyTypes ${show(types)} may hold at most 2 entries`);
  }
  return [...new Set(types)].map((t) => {
    if (t === 'Ingress') {
      return 'ingress';
    }
    if (t === 'Egress') {
      return 'egress';
    }
    throw new Error(`${where}: policyTypes entry ${show(t)} is not Ingress or Egress`);
  });
}

function compileRule(peers: unknown, ports: unknown, index: number, where: string): RuleMatcher {
  // Missing or empty `from`/`to`/`ports` match everything
  // (docs/semantics/kubernetes.md#rules-peers-and-ports).
  const peerList = Array.isArray(peers) && peers.length > 0 ? peers.map((p, i) => compilePeer(p, `${where} peer #${i + 1}`)) : undefined;
  // (null, like a missing list, matches everything.)
  const portList = Array.isArray(ports) && ports.length > 0 ? ports.map((p, i) => compilePort(p, `${where} port #${i + 1}`)) : undefined;
  return { index, peers: peerList, ports: portList };
}

function compilePeer(peer: any, where: string): PeerMatcher {
  // A null field is an absent one, as Go decodes JSON (YAML `namespaceSelector:` is null).
  const podSelector = peer?.podSelector ?? undefined;
  const namespaceSelector = peer?.namespaceSelector ?? undefined;
  const ipBlock = peer?.ipBlock ?? undefined;
  if (ipBlock !== undefined) {
    if (podSelector !== undefined || namespaceSelector !== undefined) {
      throw new Error(`${where}: may not specify both ipBlock and another peer`);
    }
    const cidr = checkedCidr(ipBlock.cidr, `${where} ipBlock.cidr`);
    const except = (ipBlock.except ?? []).map((e: string, i: number) => {
      const hole = checkedCidr(e, `${where} ipBlock.except[${i}]`);
      if (!isStrictSubnet(cidr, hole)) {
        throw new Error(`${where} ipBlock.except[${i}] ${show(e)} must be a strict subset of cidr ${show(cidr.text)}`);
      }
      return hole;
    });
    const text = except.length === 0 ? cidr.text : `${cidr.text} except ${except.map((e: Cidr) => e.text).join(', ')}`;
    return { kind: 'ipBlock', cidr, except, text };
  }
  if (podSelector === undefined && namespaceSelector === undefined) {
    throw new Error(`${where}: must specify a peer`);
  }
  // Inside one peer, podSelector and namespaceSelector are ANDed; alone, a podSelector means
  // the policy's own namespace and a namespaceSelector every pod of the selected namespaces.
  const pods = podSelector === undefined ? undefined : compileLabelSelector(podSelector, `${where} podSelector`);
  const namespaces = namespaceSelector === undefined ? undefined : compileLabelSelector(namespaceSelector, `${where} namespaceSelector`);
  const podText = podSelector === undefined ? 'all pods' : `pods ${describeLabelSelector(podSelector)}`;
  const text = namespaceSelector === undefined
    ? `${podText} of the policy's namespace`
    : `${podText} in namespaces ${describeLabelSelector(namespaceSelector)}`;
  return { kind: 'selector', pods, namespaces, podKeys: labelSelectorKeys(podSelector), text };
}

function compilePort(port: any, where: string): PortMatcher {
  const protocol = port?.protocol ?? 'TCP';
  if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) {
    throw new Error(`${where}: protocol ${show(protocol)} is not TCP, UDP or SCTP`);
  }
  const value = port?.port ?? undefined;
  const endPort = port?.endPort ?? undefined;
  if (value === undefined) {
    if (endPort !== undefined) {
      throw new Error(`${where}: endPort requires a numeric port`);
    }
    return { protocol, text: `${protocol}/*` };
  }
  if (typeof value === 'string') {
    if (endPort !== undefined) {
      throw new Error(`${where}: endPort cannot be used with the named port ${show(value)}`);
    }
    const problem = ianaServiceNameProblem(value);
    if (problem) {
      throw new Error(`${where}: port name ${show(value)} is not a valid IANA service name: ${problem}`);
    }
    return { protocol, port: value, text: `${protocol}/${value}` };
  }
  if (!isIntegerInRange(value, 1, 65535)) {
    throw new Error(`${where}: port ${show(value)} is not a port number from 1 to 65535`);
  }
  if (endPort !== undefined && !(isIntegerInRange(endPort, value, 65535))) {
    throw new Error(`${where}: endPort ${show(endPort)} must be from port ${value} to 65535`);
  }
  return { protocol, port: value, endPort, text: endPort === undefined ? `${protocol}/${value}` : `${protocol}/${value}-${endPort}` };
}

/** A CIDR as the default API server accepts it: host bits allowed and masked, as Go's net.ParseCIDR does. */
function checkedCidr(text: unknown, where: string): Cidr {
  const problem = cidrProblem(text as string, true);
  if (problem) {
    throw new Error(`${where} ${show(text)} is not a valid CIDR: ${problem}`);
  }
  return parseCidr(text as string, true);
}

/**
 * The text of the ipBlocks of a rule that admit a DNS name, whose addresses are unknown: together
 * they must admit every address of each family the connection may use (`blocksAdmitName`).
 */
function nameAdmitted(peers: PeerMatcher[], name: Endpoint & { kind: 'name' }): string | undefined {
  const blocks = peers.filter((p): p is PeerMatcher & { kind: 'ipBlock' } => p.kind === 'ipBlock');
  if (!blocksAdmitName(blocks, name)) {
    return undefined;
  }
  return `${blocks.filter((b) => b.cidr.prefix === 0 && b.except.length === 0).map((b) => b.text).join(', ')} (every address)`;
}

function peerMatches(peer: PeerMatcher, other: Endpoint, policyNamespace: string, ipBlocksMatchPods: boolean, labels: SelectorLabels): boolean {
  if (peer.kind === 'ipBlock') {
    if (other.kind === 'name') {
      return false;
    }
    // Under Cilium an ipBlock is a CIDR rule: it matches neither pods nor nodes (an API server on
    // the nodes has a node's identity).
    if (!ipBlocksMatchPods && (other.kind === 'pod' || (other.kind === 'external' && other.onNodes === true))) {
      return false;
    }
    // ipBlock is meant for addresses outside the cluster; a pod is matched by its address when
    // it has one (whether a CNI does so for pods is implementation-defined).
    const ip = addressOf(other);
    return ip !== undefined && cidrContainsIp(peer.cidr, ip) && !peer.except.some((e) => cidrContainsIp(e, ip));
  }
  if (other.kind !== 'pod' || other.hostNetwork) {
    return false;
  }
  const inNamespace = peer.namespaces === undefined ? other.namespace === policyNamespace : peer.namespaces(labels.namespace(other));
  return inNamespace && (peer.pods === undefined || peer.pods(labels.pod(other)));
}

/** Numbers match by range; names resolve on the destination pod's container ports. */
function portMatches(port: PortMatcher, destination: Endpoint, number: number, protocol: string): boolean {
  if (port.protocol !== protocol) {
    return false;
  }
  return port.port === undefined || portCovers(port.port, port.endPort, destination, number, protocol);
}

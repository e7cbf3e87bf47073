import { LabelSelector, checkLabels, checkNamespaceName } from './selector';
import { Cidr, cidrKey, cidrProblem, ipFamily, isStrictSubnet, nat64Image, parseCidr } from '../util/cidr';
import { plainObjectProblem, unknownKey } from '../util/plain-object';
import { unreachable } from '../util/unreachable';
import { invalid, show } from '../util/validation';

/** What kind of endpoint a `Peer` names. */
export enum PeerKind {
  /** Pods selected by labels, in the policy's namespace or in selected namespaces. */
  PODS = 'pods',
  /** An explicit IP block, outside the cluster. */
  IP_BLOCK = 'ipBlock',
  /** Every public address: 0.0.0.0/0 (and ::/0) minus private, link-local and metadata ranges. */
  INTERNET = 'internet',
  /** A DNS name or pattern (Cilium only). */
  FQDN = 'fqdn',
  /** The Kubernetes API server. */
  KUBE_API_SERVER = 'kubeApiServer',
  /** A Cilium entity such as `world` or `cluster` (Cilium only). */
  CILIUM_ENTITY = 'ciliumEntity',
  /** Everything: every pod of every namespace and every address, inside the cluster or out. */
  ANYWHERE = 'anywhere',
}

/**
 * Cilium's entities: classes of endpoints without individual identities
 * (docs/semantics/cilium.md#entities).
 */
export enum CiliumEntity {
  /** Everything outside the cluster (like 0.0.0.0/0 and ::/0, private ranges included). */
  WORLD = 'world',
  /** Every endpoint inside the cluster, nodes included. */
  CLUSTER = 'cluster',
  /** The local node. */
  HOST = 'host',
  /** Other nodes of the cluster. */
  REMOTE_NODE = 'remote-node',
  /** The Kubernetes API server. */
  KUBE_API_SERVER = 'kube-apiserver',
  /** Cilium's health endpoints. */
  HEALTH = 'health',
  /** Endpoints whose identity is not resolved yet. */
  INIT = 'init',
  /** The Cilium ingress proxy. */
  INGRESS = 'ingress',
  /** Pods not managed by Cilium. */
  UNMANAGED = 'unmanaged',
  /** Everything: all of the above. */
  ALL = 'all',
}

/** Where kube-dns runs. */
export interface KubeDnsOptions {
  /**
   * Namespace of the cluster DNS pods.
   * @default "kube-system"
   */
  readonly namespace?: string;
  /**
   * Labels of the cluster DNS pods (CoreDNS keeps the historical `k8s-app: kube-dns`).
   * @default { "k8s-app": "kube-dns" }
   */
  readonly labels?: Record<string, string>;
}

/** Options of `Peer.internet()`. */
export interface InternetOptions {
  /**
   * Also allow public IPv6 (::/0 minus ULA fc00::/7 and link-local fe80::/10).
   * @default true
   */
  readonly ipv6?: boolean;
  /**
   * Further CIDRs to exclude, IPv4 or IPv6 (e.g. a corporate range).
   * @default - none beyond the built-in private, link-local and metadata ranges
   */
  readonly excludeCidrs?: string[];
}

/** Options of `Peer.kubeApiServer()`. */
export interface KubeApiServerOptions {
  /**
   * The API server endpoint addresses (`kubectl get endpoints kubernetes -n default`).
   * Kubernetes NetworkPolicy and Calico can only reach the API server by address, because it
   * runs on the host network; Cilium selects it by identity (`kube-apiserver` entity).
   * @default - none: Kubernetes and Calico engines throw until CIDRs are given
   */
  readonly cidrs?: string[];
}

/**
 * IPv4 ranges that `Peer.internet()` never includes: RFC 1918 private networks, link-local
 * (169.254.0.0/16, which holds the cloud metadata endpoint 169.254.169.254) and RFC 6598 shared
 * address space (100.64.0.0/10: pod networks on some clouds, Alibaba's metadata 100.100.100.200).
 */
export const INTERNET_EXCLUDED_IPV4 = ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'];
/**
 * IPv6 ranges that `Peer.internet()` never includes: unique local fc00::/7 (AWS metadata
 * fd00:ec2::254), link-local fe80::/10, the local-use NAT64 prefix 64:ff9b:1::/48 (RFC 8215), and
 * the NAT64 images (64:ff9b::/96, RFC 6052) of the excluded IPv4 ranges, which a NAT64 gateway
 * would translate back into private or metadata addresses.
 */
export const INTERNET_EXCLUDED_IPV6 = ['fc00::/7', 'fe80::/10', '64:ff9b:1::/48', ...INTERNET_EXCLUDED_IPV4.map((block) => nat64Image(parseCidr(block)))];

const ALL_IPV4 = '0.0.0.0/0';
const ALL_IPV6 = '::/0';
const DEFAULT_DNS_NAMESPACE = 'kube-system';
const DEFAULT_DNS_LABELS = { 'k8s-app': 'kube-dns' };
const FQDN_MAX = 253;
const FQDN_LABEL = /^([-a-zA-Z0-9_]*\*[-a-zA-Z0-9_*]*|[-a-zA-Z0-9_]+)$/;

/** @internal Which namespaces a pod peer covers. */
export type NamespaceScope =
  | { readonly kind: 'same' }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'selector'; readonly selector: LabelSelector };

/** @internal An IP block with exclusions, already validated. */
export interface IpBlockSpec {
  readonly cidr: string;
  readonly except: string[];
}

/** @internal The engine-neutral description of a peer that engines render. */
export type PeerSpec =
  | { readonly kind: PeerKind.PODS; readonly pods: LabelSelector; readonly namespaces: NamespaceScope }
  | { readonly kind: PeerKind.IP_BLOCK | PeerKind.INTERNET; readonly blocks: IpBlockSpec[] }
  | { readonly kind: PeerKind.FQDN; readonly pattern: string }
  | { readonly kind: PeerKind.KUBE_API_SERVER; readonly blocks: IpBlockSpec[] }
  | { readonly kind: PeerKind.CILIUM_ENTITY; readonly entity: CiliumEntity }
  | { readonly kind: PeerKind.ANYWHERE };

/**
 * The other end of a connection: pods, namespaces, IP blocks, the internet, kube-dns,
 * the API server or (Cilium) a DNS name.
 *
 * Value class: create it with the static factories, which validate at the call site.
 * A peer that combines pods and namespaces always means "these pods IN these namespaces" (AND):
 * the OR form, a classic source of over-broad policies, cannot be written by mistake.
 */
export class Peer {
  /** Pods with these labels in the policy's own namespace; `{}` means every pod of it. */
  public static pods(labels: Record<string, string>): Peer {
    requireLabels('Peer.pods()', labels, 'every pod of the namespace');
    return Peer.podPeer(LabelSelector.of(labels), { kind: 'same' });
  }

  /** Pods matching a selector (labels and expressions) in the policy's own namespace. */
  public static podsMatching(selector: LabelSelector): Peer {
    if (!(selector instanceof LabelSelector)) {
      invalid('Peer.podsMatching()', `selector ${show(selector)} is not a LabelSelector; use LabelSelector.of({...}) or LabelSelector.all()`);
    }
    return Peer.podPeer(selector, { kind: 'same' });
  }

  /**
   * Pods with these labels in the named namespace (one peer: pods AND namespace).
   * @param namespace the namespace name
   * @param labels pod labels
   * @default labels - every pod of the namespace
   */
  public static podsInNamespace(namespace: string, labels?: Record<string, string>): Peer {
    checkNamespaceName('Peer.podsInNamespace()', 'namespace', namespace);
    checkLabels('Peer.podsInNamespace()', 'labels', labels);
    return Peer.podPeer(LabelSelector.of(labels ?? {}), { kind: 'name', name: namespace });
  }

  /**
   * Pods matching a selector (labels and expressions) in the named namespace (one peer: pods AND
   * namespace), e.g. a workload's own selector.
   * @param namespace the namespace name
   * @param selector the pods' selector; `LabelSelector.all()` means every pod of the namespace
   */
  public static podsMatchingInNamespace(namespace: string, selector: LabelSelector): Peer {
    checkNamespaceName('Peer.podsMatchingInNamespace()', 'namespace', namespace);
    if (!(selector instanceof LabelSelector)) {
      invalid('Peer.podsMatchingInNamespace()', `selector ${show(selector)} is not a LabelSelector; use LabelSelector.of({...}) or LabelSelector.all()`);
    }
    return Peer.podPeer(selector, { kind: 'name', name: namespace });
  }

  /**
   * Everything: every pod of every namespace and every address, inside the cluster or outside
   * (private, link-local and metadata addresses included). Kubernetes renders it as a rule
   * without `from`/`to`, Cilium as the entity `all`, Calico as a rule without `source`/`destination`.
   *
   * Meant for servers that really take traffic from anyone, such as a public web frontend, and
   * always with ports: `allowFrom(Peer.anywhere(), Port.tcp(8080))`. For egress, prefer
   * `Peer.internet()`, which keeps private and metadata addresses out.
   */
  public static anywhere(): Peer {
    return new Peer({ kind: PeerKind.ANYWHERE });
  }

  /** Every pod of the named namespace, selected through `kubernetes.io/metadata.name`. */
  public static namespace(name: string): Peer {
    checkNamespaceName('Peer.namespace()', 'name', name);
    return Peer.podPeer(LabelSelector.all(), { kind: 'name', name });
  }

  /** Every pod of the namespaces carrying these labels; `{}` means every namespace. */
  public static namespaces(labels: Record<string, string>): Peer {
    requireLabels('Peer.namespaces()', labels, 'every namespace');
    return Peer.podPeer(LabelSelector.all(), { kind: 'selector', selector: LabelSelector.of(labels) });
  }

  /**
   * An IP block outside the cluster, optionally with holes.
   * @param cidr an IPv4 or IPv6 CIDR with host bits zero, e.g. "203.0.113.0/24"
   * @param except CIDRs strictly inside `cidr`, of the same family
   */
  public static ipBlock(cidr: string, except?: string[]): Peer {
    return new Peer({ kind: PeerKind.IP_BLOCK, blocks: [ipBlockSpec('Peer.ipBlock()', 'cidr', cidr, 'except', except ?? [])] });
  }

  /**
   * Every public address: 0.0.0.0/0 (and ::/0) minus RFC 1918, shared address space,
   * link-local (cloud metadata 169.254.169.254 included), IPv6 ULA/link-local ranges and the
   * NAT64 images of the excluded IPv4 ranges.
   *
   * On IPv6 clusters whose pods or nodes have global (public) addresses, ::/0 includes them:
   * list the cluster's own IPv6 CIDRs in `excludeCidrs`.
   */
  public static internet(options?: InternetOptions): Peer {
    return Peer._internet('Peer.internet()', options);
  }

  /**
   * `Peer.internet()` with errors attributed to the construct prop that passed the options.
   * @internal
   */
  public static _internet(where: string, given: InternetOptions | undefined): Peer {
    const options = optionsObject(where, given, INTERNET_OPTION_KEYS);
    if (options.ipv6 !== undefined && typeof options.ipv6 !== 'boolean') {
      invalid(where, `ipv6 ${show(options.ipv6)} is not a boolean; expected true or false`);
    }
    const extra = options.excludeCidrs ?? [];
    if (!Array.isArray(extra)) {
      invalid(where, `excludeCidrs ${show(extra)} is not a list of CIDRs`);
    }
    const seen = new Map<string, number>();
    // Array.from, not map: a hole in the list is checked as undefined, not skipped.
    const extraParsed = Array.from(extra, (text, i) => {
      const parsed = parseOrThrow(where, `excludeCidrs[${i}]`, text);
      if (parsed.prefix === 0) {
        invalid(where, `excludeCidrs[${i}] ${show(text)} would exclude every address; to allow no internet traffic, do not add this peer`);
      }
      const first = seen.get(cidrKey(parsed));
      if (first !== undefined) {
        invalid(where, `excludeCidrs[${i}] ${show(text)} repeats excludeCidrs[${first}]`);
      }
      seen.set(cidrKey(parsed), i);
      return parsed;
    });
    // Exclusions equal to a built-in one are already there, however they are written.
    const holes = (builtIn: string[], family: number) => {
      const builtInKeys = new Set(builtIn.map((text) => cidrKey(parseCidr(text))));
      return [...builtIn, ...extraParsed.filter((c) => c.family === family && !builtInKeys.has(cidrKey(c))).map((c) => c.text)];
    };
    const blocks = [ipBlockSpec(where, 'cidr', ALL_IPV4, 'excludeCidrs', holes(INTERNET_EXCLUDED_IPV4, 4))];
    if (options.ipv6 ?? true) {
      blocks.push(ipBlockSpec(where, 'cidr', ALL_IPV6, 'excludeCidrs', holes(INTERNET_EXCLUDED_IPV6, 6)));
    } else if (extraParsed.some((c) => c.family === 6)) {
      invalid(where, 'excludeCidrs lists an IPv6 CIDR but ipv6 is false; remove it or set ipv6: true');
    }
    return new Peer({ kind: PeerKind.INTERNET, blocks });
  }

  /** The cluster DNS pods (kube-system, `k8s-app: kube-dns` unless told otherwise). */
  public static kubeDns(given?: KubeDnsOptions): Peer {
    const options = optionsObject('Peer.kubeDns()', given, KUBE_DNS_OPTION_KEYS);
    const namespace = options.namespace ?? DEFAULT_DNS_NAMESPACE;
    checkNamespaceName('Peer.kubeDns()', 'namespace', namespace);
    checkLabels('Peer.kubeDns()', 'labels', options.labels);
    const labels = options.labels ?? DEFAULT_DNS_LABELS;
    if (Object.keys(labels).length === 0) {
      invalid('Peer.kubeDns()', 'labels {} would select every pod of the DNS namespace; give the DNS pods\' labels, e.g. { "k8s-app": "kube-dns" }');
    }
    return Peer.podPeer(LabelSelector.of(labels), { kind: 'name', name: namespace });
  }

  /**
   * The Kubernetes API server. Cilium selects it by identity; Kubernetes NetworkPolicy and
   * Calico need its endpoint addresses in `cidrs`.
   */
  public static kubeApiServer(given?: KubeApiServerOptions): Peer {
    const options = optionsObject('Peer.kubeApiServer()', given, KUBE_API_SERVER_OPTION_KEYS);
    const cidrs = options.cidrs ?? [];
    if (!Array.isArray(cidrs)) {
      invalid('Peer.kubeApiServer()', `cidrs ${show(cidrs)} is not a list of CIDRs`);
    }
    const blocks = Array.from(cidrs, (cidr, i) => ipBlockSpec('Peer.kubeApiServer()', `cidrs[${i}]`, cidr, 'except', []));
    return new Peer({ kind: PeerKind.KUBE_API_SERVER, blocks });
  }

  /**
   * A DNS name (`api.example.com`) or pattern (`*.example.com`, `**.example.com`). Cilium only:
   * Kubernetes NetworkPolicy and Calico open source cannot match names and throw.
   *
   * Name-based egress trusts DNS: whatever address the name resolves to is allowed, private
   * ones included. In Cilium patterns `*` also matches within a label: `*example.com` matches
   * `evilexample.com`; write `*.example.com` for subdomains.
   */
  public static fqdn(pattern: string): Peer {
    return Peer._fqdn('Peer.fqdn()', 'pattern', pattern);
  }

  /**
   * `Peer.fqdn()` with errors attributed to the construct prop that passed the pattern.
   * @internal
   */
  public static _fqdn(where: string, prop: string, pattern: string): Peer {
    const problem = fqdnProblem(pattern);
    if (problem) {
      invalid(where, `${prop} ${show(pattern)} is not a valid DNS name or pattern: ${problem}; expected e.g. "api.example.com", "*.example.com" or "**.example.com"`);
    }
    return new Peer({ kind: PeerKind.FQDN, pattern: pattern.toLowerCase().replace(/\.$/, '') });
  }

  /**
   * A Cilium entity, e.g. `CiliumEntity.WORLD` or `CiliumEntity.CLUSTER`. Cilium only: the other
   * engines have no such identities and throw. Prefer `Peer.internet()` over `WORLD`: `world`
   * includes private and metadata addresses outside the cluster.
   */
  public static ciliumEntity(entity: CiliumEntity): Peer {
    if (!Object.values(CiliumEntity).includes(entity)) {
      invalid('Peer.ciliumEntity()', `entity ${show(entity)} is not a Cilium entity; expected one of ${Object.values(CiliumEntity).map((e) => `"${e}"`).join(', ')}`);
    }
    return new Peer({ kind: PeerKind.CILIUM_ENTITY, entity });
  }

  private static podPeer(pods: LabelSelector, namespaces: NamespaceScope): Peer {
    return new Peer({ kind: PeerKind.PODS, pods, namespaces });
  }

  /** What kind of endpoint this is. */
  public readonly kind: PeerKind;

  /** @internal */
  public readonly _spec: PeerSpec;

  private constructor(spec: PeerSpec) {
    this._spec = spec;
    this.kind = spec.kind;
  }

  /** Human-readable description, used in policy annotations and error messages. */
  public toString(): string {
    const spec = this._spec;
    switch (spec.kind) {
      case PeerKind.PODS: {
        const pods = spec.pods.isEmpty ? 'all pods' : `pods ${spec.pods}`;
        switch (spec.namespaces.kind) {
          case 'same': return spec.pods.isEmpty ? 'all pods of the namespace' : pods;
          case 'name': return spec.pods.isEmpty ? `namespace ${spec.namespaces.name}` : `${pods} in namespace ${spec.namespaces.name}`;
          case 'selector': return spec.namespaces.selector.isEmpty ? `${pods} in every namespace` : `${pods} in namespaces ${spec.namespaces.selector}`;
          default: return unreachable(spec.namespaces, 'namespace scope');
        }
      }
      case PeerKind.INTERNET:
        return 'the internet (public addresses only)';
      case PeerKind.IP_BLOCK:
        return spec.blocks.map(describeBlock).join(', ');
      case PeerKind.FQDN:
        return spec.pattern;
      case PeerKind.CILIUM_ENTITY:
        return `the Cilium entity ${spec.entity}`;
      case PeerKind.ANYWHERE:
        return 'anywhere (every pod and every address)';
      case PeerKind.KUBE_API_SERVER:
        return 'the Kubernetes API server';
      default:
        return unreachable(spec, 'peer');
    }
  }
}

/**
 * The options a factory was given, `{}` when none. A Map or an object inheriting its options
 * would read as `{}` (every default), and a misspelt key ("namespce") would be ignored: refused.
 * @param keys the options' keys, as a `Record<keyof T, true>` so the compiler keeps it complete
 */
function optionsObject<T extends object>(where: string, options: T | undefined, keys: Record<keyof T, true>): T {
  if (options === undefined || options === null) {
    return {} as T;
  }
  if (typeof options !== 'object' || Array.isArray(options)) {
    invalid(where, `options ${show(options)} is not an options object`);
  }
  const expected = `{ ${Object.keys(keys).join(', ')} }`;
  const problem = plainObjectProblem(options);
  if (problem !== undefined) {
    invalid(where, `options ${problem}; expected ${expected}`);
  }
  const unknown = unknownKey(options, keys);
  if (unknown !== undefined) {
    invalid(where, `options has an unknown key ${show(unknown)}; the keys are ${Object.keys(keys).join(', ')}`);
  }
  return options;
}

const INTERNET_OPTION_KEYS: Record<keyof InternetOptions, true> = { ipv6: true, excludeCidrs: true };
const KUBE_DNS_OPTION_KEYS: Record<keyof KubeDnsOptions, true> = { namespace: true, labels: true };
const KUBE_API_SERVER_OPTION_KEYS: Record<keyof KubeApiServerOptions, true> = { cidrs: true };

function requireLabels(where: string, labels: Record<string, string>, emptyMeans: string): void {
  if (labels === undefined || labels === null) {
    invalid(where, `labels are required; pass {} to mean ${emptyMeans}`);
  }
  checkLabels(where, 'labels', labels);
}

function describeBlock(block: IpBlockSpec): string {
  return block.except.length === 0 ? block.cidr : `${block.cidr} except ${block.except.join(', ')}`;
}

function parseOrThrow(where: string, prop: string, text: string): Cidr {
  const problem = cidrProblem(text);
  if (problem) {
    invalid(where, `${prop} ${show(text)} is not a valid CIDR: ${problem}; expected e.g. "203.0.113.0/24" or "2001:db8::/32"`);
  }
  return parseCidr(text);
}

function ipBlockSpec(where: string, cidrProp: string, cidrText: string, exceptProp: string, exceptTexts: string[]): IpBlockSpec {
  const cidr = parseOrThrow(where, cidrProp, cidrText);
  if (!Array.isArray(exceptTexts)) {
    invalid(where, `${exceptProp} ${show(exceptTexts)} is not a list of CIDRs`);
  }
  const seen = new Map<string, number>();
  // Array.from: a hole in the list is checked as undefined, not skipped (and then rendered).
  Array.from(exceptTexts).forEach((text, i) => {
    const hole = parseOrThrow(where, `${exceptProp}[${i}]`, text);
    if (hole.family !== cidr.family) {
      invalid(where, `${exceptProp}[${i}] ${show(text)} is IPv${hole.family} but cidr ${show(cidrText)} is IPv${cidr.family}; an exception must be of the same family`);
    }
    // The API server requires each exception to be a strict subset of the block
    // (docs/semantics/kubernetes.md#ipblock-and-except).
    if (!isStrictSubnet(cidr, hole)) {
      invalid(where, `${exceptProp}[${i}] ${show(text)} is not strictly inside cidr ${show(cidrText)}; an exception must lie inside the block and have a longer prefix`);
    }
    const first = seen.get(cidrKey(hole));
    if (first !== undefined) {
      invalid(where, `${exceptProp}[${i}] ${show(text)} repeats ${exceptProp}[${first}]`);
    }
    seen.set(cidrKey(hole), i);
  });
  return { cidr: cidrText, except: [...exceptTexts] };
}

function fqdnProblem(pattern: string): string | undefined {
  if (typeof pattern !== 'string') {
    return 'it is not a string';
  }
  if (pattern.length === 0) {
    return 'it is empty';
  }
  const name = pattern.replace(/\.$/, '');
  if (name.length > FQDN_MAX) {
    return `it is ${name.length} characters long (at most ${FQDN_MAX})`;
  }
  const labels = name.split('.');
  for (const [i, label] of labels.entries()) {
    if (label.length === 0) {
      return 'it has an empty label (two dots in a row, or a leading dot)';
    }
    if (label.length > 63) {
      return `label "${label}" is longer than 63 characters`;
    }
    if (label === '**') {
      if (i !== 0 || labels.length < 2) {
        return '"**" is only valid as the first label of a pattern, as in "**.example.com"';
      }
      continue;
    }
    if (label.includes('**')) {
      return `label "${label}" contains "**"; use "**." as a prefix for any depth, or "*" inside one label`;
    }
    if (!FQDN_LABEL.test(label)) {
      return `label "${label}" may only contain letters, digits, "-", "_" and "*"`;
    }
    if (label.startsWith('-') || label.endsWith('-')) {
      return `label "${label}" starts or ends with "-", which no DNS name does`;
    }
  }
  // An address is not a name: DNS lookups never answer for it, so the rule would match nothing.
  if (ipFamily(name) !== undefined || /^[0-9.]+$/.test(name)) {
    return 'it is an IP address, not a DNS name; use Peer.ipBlock("<address>/32") for one address';
  }
  // A pattern of wildcards only ("*", "*.*", "**.*") matches every name, i.e. every address DNS
  // can return: the internet and private ranges alike.
  if (labels.every((label) => /^\**$/.test(label))) {
    return 'it matches every DNS name; name at least one label, as in "*.example.com"';
  }
  return undefined;
}

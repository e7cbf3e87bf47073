import { NotModelledError } from '../not-modelled';
import { compileCiliumSelector, CiliumSelector } from './selector';
import { Cidr, cidrContainsIp, cidrProblem, isStrictSubnet, parseCidr } from '../../../util/cidr';
import { show } from '../../../util/validation';
import { Direction } from '../../direction';
import { blocksAdmitName, Endpoint, PodSide, portCovers, unknownNameAddresses } from '../../endpoint';
import { compileFqdnSelector, FqdnMatcher } from '../../fqdn';
import { compileCiliumHttpRule, HttpMatcher } from '../../http';
import { PolicyRef, policyRef } from '../decision';
import { SideQuery } from '../side-evaluator';

/** The Cilium entities of the CRD's enum (docs/semantics/cilium.md#entities). */
const ENTITIES = ['all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver'];
/** Protocols of a toPorts entry; ANY (or none) means TCP, UDP and SCTP (docs/semantics/cilium.md#ports). */
const PORT_PROTOCOLS: Record<string, string[]> = { TCP: ['TCP'], UDP: ['UDP'], SCTP: ['SCTP'], ANY: ['TCP', 'UDP', 'SCTP'], VRRP: [], IGMP: [] };
/** A port name as Cilium reads one (cilium pkg/iana IsSvcName): checked after its length, so the pattern reads at most 15 characters. */
const PORT_NAME = /^([a-zA-Z0-9]-?)*[a-zA-Z](-?[a-zA-Z0-9])*$/;
/** The longest port name (an IANA service name, RFC 6335 section 5.1; cilium pkg/iana IsSvcName). */
const PORT_NAME_MAX = 15;

/** The L3 members of one rule, by direction and kind (they are mutually exclusive). */
const L3_FIELDS = {
  ingress: { endpoints: 'fromEndpoints', cidr: 'fromCIDR', cidrSet: 'fromCIDRSet', entities: 'fromEntities', fqdns: undefined },
  egress: { endpoints: 'toEndpoints', cidr: 'toCIDR', cidrSet: 'toCIDRSet', entities: 'toEntities', fqdns: 'toFQDNs' },
} as const;

/** Fields of a rule the model cannot evaluate, and why; refused rather than ignored. */
const REFUSED_FIELDS: Record<string, string> = {
  authentication: 'mutual authentication drops traffic until the peers authenticate, which the model does not simulate',
  fromGroups: 'cloud-provider groups resolve to addresses the model does not know',
  toGroups: 'cloud-provider groups resolve to addresses the model does not know',
  fromNodes: 'node selectors need the cluster\'s nodes, which the model does not have',
  toNodes: 'node selectors need the cluster\'s nodes, which the model does not have',
  toServices: 'Services are not part of the model; select the backing pods with toEndpoints',
  fromRequires: 'deprecated (the CRD allows only an empty list)',
  toRequires: 'deprecated (the CRD allows only an empty list)',
};
const KNOWN_RULE_FIELDS: Record<string, string[]> = {
  ingress: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'toPorts', 'icmps'],
  ingressDeny: ['fromEndpoints', 'fromCIDR', 'fromCIDRSet', 'fromEntities', 'toPorts', 'icmps'],
  egress: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toFQDNs', 'toPorts', 'icmps'],
  egressDeny: ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toPorts', 'icmps'],
};
const SPEC_FIELDS = ['endpointSelector', 'nodeSelector', 'ingress', 'ingressDeny', 'egress', 'egressDeny', 'enableDefaultDeny', 'description', 'labels', 'log'];

/** The peers of one rule. */
type CiliumL3 =
  /** No L3 member but toPorts: every peer (Cilium's wildcard endpoint selector). */
  | { readonly kind: 'wildcard' }
  /** An explicitly empty L3 list, or no L3 member and no toPorts: no peer. */
  | { readonly kind: 'none' }
  | { readonly kind: 'endpoints'; readonly selectors: CiliumSelector[] }
  | { readonly kind: 'cidr'; readonly blocks: { readonly cidr: Cidr; readonly except: Cidr[]; readonly text: string }[] }
  | { readonly kind: 'entities'; readonly entities: string[] }
  | { readonly kind: 'fqdns'; readonly patterns: FqdnMatcher[] };

/** One port of a toPorts entry, with the entry's L7 rules. */
export interface CiliumPort {
  readonly protocols: readonly string[];
  /** A number (0: every port), a name, or undefined (every port). */
  readonly port?: number | string;
  readonly endPort?: number;
  readonly text: string;
  /** The entry's HTTP rules: requests must match one of them. */
  readonly http?: readonly HttpMatcher[];
  /** The entry's DNS rules: lookups go through Cilium's DNS proxy and must match one of them. */
  readonly dns?: readonly FqdnMatcher[];
}

/** One rule of an ingress, ingressDeny, egress or egressDeny section. */
export interface CiliumPeerRule {
  /** The policy, as decisions name it ("CiliumNetworkPolicy prod/x"). */
  readonly policy: PolicyRef;
  /** "CiliumNetworkPolicy prod/x ingress rule #1" (with "specs[i]" for rules of `specs`). */
  readonly text: string;
  readonly direction: Direction;
  readonly deny: boolean;
  readonly l3: CiliumL3;
  /** Undefined: every port and protocol (an L3-only rule). */
  readonly ports?: readonly CiliumPort[];
}

/** How a rule matched a connection. */
export interface CiliumRuleMatch {
  readonly rule: CiliumPeerRule;
  /** "from endpoints {app=web} on TCP/8080". */
  readonly text: string;
  /** The matched port entry; undefined for an L3-only rule. */
  readonly port?: CiliumPort;
  /** Matched through toFQDNs: needs Cilium's DNS proxy to have seen the lookup. */
  readonly fqdn: boolean;
  /**
   * Set when the model cannot tell whether the rule matches (a DNS name's addresses against CIDR
   * rules), with why: a deny rule then fails closed, an allow rule does not allow.
   */
  readonly unknown?: string;
}

/** One rule of `spec`/`specs`: the endpoints it selects and its four sections. */
export interface CiliumSubject {
  readonly policy: PolicyRef;
  /** The policy's manifest (`SideEvaluator.sidePolicies`). */
  readonly manifest: unknown;
  /** "CiliumNetworkPolicy prod/x" or "CiliumNetworkPolicy prod/x specs[1]". */
  readonly text: string;
  readonly selector: CiliumSelector;
  /**
   * The rule selects nodes (`nodeSelector`, a host policy), not pods: its selector matches no pod,
   * and the evaluator cannot decide the traffic of host-network pods, which is the node's.
   */
  readonly selectsNodes: boolean;
  /** Whether the rule puts the endpoints it selects into default deny, per direction. */
  readonly defaultDeny: Readonly<Record<Direction, boolean>>;
  readonly allow: Readonly<Record<Direction, readonly CiliumPeerRule[]>>;
  readonly deny: Readonly<Record<Direction, readonly CiliumPeerRule[]>>;
}

/**
 * A `cilium.io/v2` CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy, compiled for evaluation
 * (docs/semantics/cilium.md). Throws on what the API server or Cilium would reject, and on what
 * the model cannot evaluate (host policies, service accounts, Services, groups, TLS interception,
 * Kafka), naming the object, the field and why.
 */
export class CiliumPolicy {
  /** "CiliumNetworkPolicy prod/x" or "CiliumClusterwideNetworkPolicy x". */
  public readonly id: string;
  /** The object, as decisions name it. */
  public readonly ref: PolicyRef;
  /** The CNP's namespace; undefined for a CCNP. */
  public readonly namespace?: string;
  public readonly source: any;
  public readonly subjects: readonly CiliumSubject[];

  constructor(obj: any) {
    const clusterwide = obj.kind === 'CiliumClusterwideNetworkPolicy';
    const name = obj?.metadata?.name;
    if (typeof name !== 'string' || name.length === 0) {
      throw new Error(`${obj.kind} without metadata.name`);
    }
    this.namespace = clusterwide ? undefined : obj.metadata?.namespace ?? 'default';
    this.ref = policyRef('cilium.io/v2', obj.kind, this.namespace, name, obj.kind);
    this.id = this.ref.id;
    this.source = obj;
    const specs: { spec: any; where: string }[] = [];
    if (obj.spec !== undefined && obj.spec !== null) {
      specs.push({ spec: obj.spec, where: '' });
    }
    if (obj.specs !== undefined && obj.specs !== null) {
      if (!Array.isArray(obj.specs)) {
        throw new Error(`${this.id} specs ${show(obj.specs)} is not a list of rules`);
      }
      obj.specs.forEach((spec: any, i: number) => specs.push({ spec, where: ` specs[${i}]` }));
    }
    if (specs.length === 0) {
      throw new Error(`${this.id} has neither spec nor specs: a Cilium policy needs at least one rule`);
    }
    this.subjects = specs.map(({ spec, where }) => this.compileSubject(spec, `${this.id}${where}`));
  }

  private compileSubject(spec: any, text: string): CiliumSubject {
    if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
      throw new Error(`${text} ${show(spec)} is not a rule object`);
    }
    const unknown = Object.keys(spec).find((k) => !SPEC_FIELDS.includes(k));
    if (unknown !== undefined) {
      throw new Error(`${text}: unknown field ${show(unknown)}; a Cilium rule has ${SPEC_FIELDS.join(', ')}`);
    }
    const selectsNodes = spec.nodeSelector !== undefined && spec.nodeSelector !== null;
    if (selectsNodes && this.namespace !== undefined) {
      throw new Error(`${text}: nodeSelector is only valid in a CiliumClusterwideNetworkPolicy (host policies are cluster-wide); a CiliumNetworkPolicy selects pods ` +
        'with endpointSelector');
    }
    // cilium pkg/policy/api/rule_validation.go Rule.Sanitize: one of the two, never both.
    if (selectsNodes && spec.endpointSelector !== undefined && spec.endpointSelector !== null) {
      throw new Error(`${text}: endpointSelector and nodeSelector together are refused by Cilium (a rule selects pods or nodes, not both); ` +
        'write one rule for the pods and one for the nodes');
    }
    if (!selectsNodes && (spec.endpointSelector === undefined || spec.endpointSelector === null)) {
      throw new Error(`${text}: endpointSelector is required (give {} to select every pod${this.namespace ? ' of the namespace' : ''}` +
        `${this.namespace ? '' : ', or nodeSelector for a host policy'})`);
    }
    // A host policy (docs/semantics/cilium.md#host-policies) selects nodes: its selector is checked
    // like any other, but matches no pod; the evaluator cannot decide the node's own traffic.
    const compiled = compileCiliumSelector(selectsNodes ? spec.nodeSelector : spec.endpointSelector,
      `${text} ${selectsNodes ? 'nodeSelector' : 'endpointSelector'}`, this.namespace, true);
    const selector: CiliumSelector = selectsNodes ? { text: `nodes ${compiled.text}`, namesNamespace: false, matches: () => false } : compiled;
    const sections = ['ingress', 'ingressDeny', 'egress', 'egressDeny'] as const;
    for (const section of sections) {
      if (spec[section] !== undefined && spec[section] !== null && !Array.isArray(spec[section])) {
        throw new Error(`${text} ${section} ${show(spec[section])} is not a list of rules`);
      }
    }
    if (sections.every((s) => spec[s] === undefined || spec[s] === null)) {
      throw new Error(`${text}: needs at least one of ingress, ingressDeny, egress and egressDeny`);
    }
    const enable = spec.enableDefaultDeny ?? {};
    if (typeof enable !== 'object' || Array.isArray(enable) || Object.keys(enable).some((k) => k !== 'ingress' && k !== 'egress')) {
      throw new Error(`${text} enableDefaultDeny ${show(spec.enableDefaultDeny)} is not { ingress?: boolean, egress?: boolean }`);
    }
    for (const d of ['ingress', 'egress'] as const) {
      if (enable[d] !== undefined && typeof enable[d] !== 'boolean') {
        throw new Error(`${text} enableDefaultDeny.${d} ${show(enable[d])} is not a boolean`);
      }
    }
    const compile = (section: typeof sections[number], direction: Direction, deny: boolean) =>
      (spec[section] ?? []).map((rule: any, i: number) => this.compileRule(rule, section, direction, deny, `${text} ${section} rule #${i + 1}`));
    // A direction is in default deny when the rule has a (non-empty) section for it, allow or
    // deny, unless enableDefaultDeny opts out (docs/semantics/cilium.md#default-deny).
    const has = (a: string, b: string) => (spec[a]?.length ?? 0) > 0 || (spec[b]?.length ?? 0) > 0;
    return {
      policy: this.ref,
      manifest: this.source,
      text,
      selector,
      selectsNodes,
      defaultDeny: {
        ingress: has('ingress', 'ingressDeny') && enable.ingress !== false,
        egress: has('egress', 'egressDeny') && enable.egress !== false,
      },
      allow: { ingress: compile('ingress', 'ingress', false), egress: compile('egress', 'egress', false) },
      deny: { ingress: compile('ingressDeny', 'ingress', true), egress: compile('egressDeny', 'egress', true) },
    };
  }

  private compileRule(rule: any, section: string, direction: Direction, deny: boolean, text: string): CiliumPeerRule {
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
      throw new Error(`${text} ${show(rule)} is not a rule object`);
    }
    for (const key of Object.keys(rule)) {
      if (KNOWN_RULE_FIELDS[section].includes(key)) {
        continue;
      }
      if (REFUSED_FIELDS[key] !== undefined && !((key === 'fromRequires' || key === 'toRequires') && Array.isArray(rule[key]) && rule[key].length === 0)) {
        throw new NotModelledError(`${text} ${key} is not modelled: ${REFUSED_FIELDS[key]}`);
      }
      if (REFUSED_FIELDS[key] === undefined) {
        throw new Error(`${text}: unknown field ${show(key)}; ${section} rules have ${KNOWN_RULE_FIELDS[section].join(', ')}`);
      }
    }
    const fields = L3_FIELDS[direction];
    const present = Object.values(fields).filter((f): f is NonNullable<typeof f> => f !== undefined && rule[f] !== undefined && rule[f] !== null);
    if (present.length > 1) {
      throw new Error(`${text}: combining ${present.join(' and ')} in one rule is not supported by Cilium; write one rule per kind of peer`);
    }
    // `toPorts: []` is no toPorts: an L3-only rule on every port (Cilium's mergeIngress/mergeEgress
    // take toPorts.Len() == 0 as L3-only).
    const hasPorts = Array.isArray(rule.toPorts) ? rule.toPorts.length > 0 : rule.toPorts !== undefined && rule.toPorts !== null;
    const hasIcmps = Array.isArray(rule.icmps) && rule.icmps.length > 0;
    let l3: CiliumL3;
    if (present.length === 0) {
      // No L3 member: with toPorts (or icmps) every peer; an empty rule `{}` selects nothing
      // (it only puts the endpoint into default deny).
      l3 = hasPorts || hasIcmps ? { kind: 'wildcard' } : { kind: 'none' };
    } else {
      l3 = this.compileL3(present[0], rule[present[0]], `${text} ${present[0]}`);
    }
    let ports: CiliumPort[] | undefined;
    if (hasPorts) {
      if (!Array.isArray(rule.toPorts)) {
        throw new Error(`${text} toPorts ${show(rule.toPorts)} is not a list`);
      }
      ports = rule.toPorts.flatMap((entry: any, i: number) => compilePortRule(entry, deny, `${text} toPorts[${i}]`));
    } else if (hasIcmps) {
      // ICMP only: no TCP, UDP or SCTP connection matches.
      ports = [];
    }
    return { policy: this.ref, text, direction, deny, l3, ports };
  }

  private compileL3(field: string, value: unknown, where: string): CiliumL3 {
    if (!Array.isArray(value)) {
      throw new Error(`${where} ${show(value)} is not a list`);
    }
    if (value.length === 0) {
      // An explicitly empty list selects nothing (cilium mergeEndpointSelectors).
      return { kind: 'none' };
    }
    switch (field) {
      case 'fromEndpoints':
      case 'toEndpoints':
        return { kind: 'endpoints', selectors: value.map((s, i) => compileCiliumSelector(s, `${where}[${i}]`, this.namespace, false)) };
      case 'fromCIDR':
      case 'toCIDR':
        return { kind: 'cidr', blocks: value.map((c, i) => block(c, [], `${where}[${i}]`)) };
      case 'fromCIDRSet':
      case 'toCIDRSet':
        return {
          kind: 'cidr',
          blocks: value.map((item: any, i: number) => {
            const at = `${where}[${i}]`;
            if (item === null || typeof item !== 'object') {
              throw new Error(`${at} ${show(item)} is not a { cidr, except } object`);
            }
            if (item.cidrGroupRef !== undefined || item.cidrGroupSelector !== undefined) {
              throw new NotModelledError(`${at} cidrGroupRef/cidrGroupSelector is not modelled: CiliumCIDRGroup objects are not part of the model; list the CIDRs`);
            }
            const unknown = Object.keys(item).find((k) => k !== 'cidr' && k !== 'except');
            if (unknown !== undefined) {
              throw new Error(`${at}: unknown field ${show(unknown)}; a CIDR rule has cidr and except`);
            }
            const except = item.except ?? [];
            if (!Array.isArray(except)) {
              throw new Error(`${at}.except ${show(except)} is not a list`);
            }
            return block(item.cidr, except, at);
          }),
        };
      case 'fromEntities':
      case 'toEntities':
        value.forEach((e, i) => {
          if (!ENTITIES.includes(e as string)) {
            throw new Error(`${where}[${i}] ${show(e)} is not a Cilium entity (${ENTITIES.join(', ')})`);
          }
        });
        return { kind: 'entities', entities: value as string[] };
      default:
        return { kind: 'fqdns', patterns: value.map((p, i) => compileFqdnSelector(p, `${where}[${i}]`)) };
    }
  }
}

function block(cidrText: unknown, exceptTexts: unknown[], where: string): { cidr: Cidr; except: Cidr[]; text: string } {
  const cidr = cidrOf(cidrText, `${where} cidr`);
  const except = exceptTexts.map((e, i) => {
    const hole = cidrOf(e, `${where} except[${i}]`);
    if (!isStrictSubnet(cidr, hole)) {
      throw new Error(`${where} except[${i}] ${show(e)} must lie inside ${cidr.text}`);
    }
    return hole;
  });
  return { cidr, except, text: except.length === 0 ? cidr.text : `${cidr.text} except ${except.map((e) => e.text).join(', ')}` };
}

/** A CIDR as Cilium accepts it: a prefix, or a bare address (a host route). */
function cidrOf(text: unknown, where: string): Cidr {
  const withPrefix = typeof text === 'string' && !text.includes('/') ? `${text}/${text.includes(':') ? 128 : 32}` : text;
  const problem = cidrProblem(withPrefix as string, true);
  if (problem) {
    throw new Error(`${where} ${show(text)} is not a valid CIDR: ${problem}`);
  }
  return parseCidr(withPrefix as string, true);
}

function compilePortRule(entry: any, deny: boolean, where: string): CiliumPort[] {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new Error(`${where} ${show(entry)} is not a { ports, rules } object`);
  }
  for (const key of Object.keys(entry)) {
    if (key === 'ports' || (key === 'rules' && !deny)) {
      continue;
    }
    if (['serverNames', 'terminatingTLS', 'originatingTLS', 'listener'].includes(key)) {
      throw new NotModelledError(`${where} ${key} is not modelled: TLS inspection and custom Envoy listeners decide on data the model does not have`);
    }
    throw new Error(`${where}: unknown field ${show(key)}; ${deny ? 'a deny rule\'s toPorts entry has ports only' : 'a toPorts entry has ports and rules'}`);
  }
  if (!Array.isArray(entry.ports) || entry.ports.length === 0) {
    throw new Error(`${where}.ports ${show(entry.ports)} must list at least one port`);
  }
  // Cilium refuses more than 40 ports in one entry (PortProtocol.sanitize, maxPorts).
  if (entry.ports.length > 40) {
    throw new Error(`${where}.ports lists ${entry.ports.length} ports; Cilium takes at most 40 in one toPorts entry: split it`);
  }
  let http: HttpMatcher[] | undefined;
  let dns: FqdnMatcher[] | undefined;
  if (entry.rules !== undefined && entry.rules !== null) {
    const rules = entry.rules;
    const kinds = Object.keys(rules);
    const refused = kinds.find((k) => k !== 'http' && k !== 'dns');
    if (refused !== undefined) {
      throw new NotModelledError(`${where}.rules.${refused} is not modelled: the model evaluates HTTP and DNS L7 rules only`);
    }
    if (kinds.length > 1) {
      throw new Error(`${where}.rules: give one of http and dns`);
    }
    // An empty list is no L7 rule (Cilium's L7Rules.IsEmpty): the entry is a plain L4 allow.
    if (rules.http !== undefined && rules.http !== null) {
      if (!Array.isArray(rules.http)) {
        throw new Error(`${where}.rules.http ${show(rules.http)} is not a list`);
      }
      if (rules.http.length > 0) {
        http = rules.http.map((r: any, i: number) => compileCiliumHttpRule(r, `${where}.rules.http[${i}]`));
      }
    }
    if (rules.dns !== undefined && rules.dns !== null) {
      if (!Array.isArray(rules.dns)) {
        throw new Error(`${where}.rules.dns ${show(rules.dns)} is not a list`);
      }
      if (rules.dns.length > 0) {
        dns = rules.dns.map((r: any, i: number) => compileFqdnSelector(r, `${where}.rules.dns[${i}]`));
      }
    }
  }
  return entry.ports.map((p: any, i: number) => {
    const at = `${where}.ports[${i}]`;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) {
      throw new Error(`${at} ${show(p)} is not a { port, protocol } object`);
    }
    const unknown = Object.keys(p).find((k) => !['port', 'endPort', 'protocol'].includes(k));
    if (unknown !== undefined) {
      throw new Error(`${at}: unknown field ${show(unknown)}; a port has port, endPort and protocol`);
    }
    const protocol = p.protocol === undefined || p.protocol === '' ? 'ANY' : p.protocol;
    // typeof first: a lookup would coerce ["TCP"] (a list written for a scalar) to "TCP".
    if (typeof protocol !== 'string' || !Object.prototype.hasOwnProperty.call(PORT_PROTOCOLS, protocol)) {
      throw new Error(`${at}: protocol ${show(p.protocol)} is not one of ${Object.keys(PORT_PROTOCOLS).join(', ')}`);
    }
    let port: number | string | undefined;
    if (p.port !== undefined && p.port !== null && p.port !== '') {
      if (typeof p.port !== 'string') {
        throw new Error(`${at}: port ${show(p.port)} must be a string such as "8080" (Cilium ports are strings)`);
      }
      if (p.port.length <= PORT_NAME_MAX && PORT_NAME.test(p.port)) {
        port = p.port.toLowerCase();
      } else if (/^[0-9]+$/.test(p.port)) {
        // Cilium parses what is not a name with Go's strconv.ParseUint(port, 0, 16): a leading 0 means octal ("0443" is 291).
        const octal = p.port.length > 1 && p.port.startsWith('0');
        if (octal && !/^[0-7]+$/.test(p.port)) {
          throw new Error(`${at}: port ${show(p.port)} starts with 0, which Cilium reads as octal, and has the digit 8 or 9`);
        }
        port = parseInt(p.port, octal ? 8 : 10);
        if (port > 65535) {
          throw new Error(`${at}: port ${show(p.port)} is not a port number from 0 to 65535${octal ? ' (read as octal, as Cilium does)' : ''}`);
        }
      } else {
        throw new Error(`${at}: port ${show(p.port)} is neither a number nor a port name (at most ${PORT_NAME_MAX} letters, digits and "-", with a letter)`);
      }
    }
    const endPort = p.endPort ?? undefined;
    if (endPort !== undefined) {
      if (typeof port !== 'number' || port === 0) {
        throw new Error(`${at}: endPort needs a numeric port other than "0"`);
      }
      if (!Number.isInteger(endPort) || endPort < port || endPort > 65535) {
        throw new Error(`${at}: endPort ${show(endPort)} must be from port ${port} to 65535`);
      }
      // HTTP rules apply on a whole range (the proxy redirects each port of it); DNS rules do not:
      // Cilium refuses them with a range (PortRule.sanitize, docs/semantics/cilium.md#l7-rules-on-port-ranges).
      if (dns && endPort !== port) {
        throw new Error(`${at}: DNS rules cannot be used with port ranges (endPort): Cilium's DNS proxy takes single ports; list port 53 alone`);
      }
    }
    const portText = port === undefined || port === 0 ? '*' : endPort !== undefined && endPort !== port ? `${port}-${endPort}` : String(port);
    return { protocols: PORT_PROTOCOLS[protocol], port, endPort, text: `${protocol}/${portText}`, http, dns };
  });
}

/** "from" or "to", as reasons say it. */
function word(direction: Direction): string {
  return direction === 'ingress' ? 'from' : 'to';
}

/**
 * The peer part of a rule's match against `other`, as text, or undefined when it does not match;
 * `unknown` when the model cannot tell (a DNS name against CIDR rules).
 */
function matchL3(l3: CiliumL3, other: Endpoint): { text: string; fqdn: boolean; unknown?: string } | undefined {
  switch (l3.kind) {
    case 'wildcard':
      return { text: 'anyone', fqdn: false };
    case 'none':
      return undefined;
    case 'endpoints': {
      if (other.kind !== 'pod' || other.hostNetwork) {
        return undefined;
      }
      const hit = l3.selectors.find((s) => s.matches(other));
      return hit ? { text: `endpoints ${hit.text}`, fqdn: false } : undefined;
    }
    case 'cidr': {
      // CIDR rules match only peers outside the cluster (docs/semantics/cilium.md#cidr-rules). A
      // DNS name's addresses are unknown: blocks admitting every address of the connection's
      // families match it; any other block might hold one of its addresses, so the match is unknown.
      if (other.kind === 'external') {
        // A node's identity is no CIDR's (policy-cidr-match-mode "nodes" is not modelled).
        if (other.onNodes === true) {
          return undefined;
        }
        const hit = l3.blocks.find((b) => cidrContainsIp(b.cidr, other.ip) && !b.except.some((e) => cidrContainsIp(e, other.ip)));
        return hit ? { text: `CIDR ${hit.text}`, fqdn: false } : undefined;
      }
      if (other.kind === 'name') {
        const texts = l3.blocks.map((b) => b.text).join(', ');
        if (blocksAdmitName(l3.blocks, other)) {
          return { text: `CIDR ${texts} (every address)`, fqdn: false };
        }
        return { text: `CIDR ${texts}`, fqdn: false, unknown: unknownNameAddresses(other, `CIDR ${texts}`) };
      }
      return undefined;
    }
    case 'entities': {
      const hit = l3.entities.find((e) => entityMatches(e, other));
      return hit ? { text: `entity ${hit}`, fqdn: false } : undefined;
    }
    case 'fqdns': {
      if (other.kind !== 'name') {
        return undefined;
      }
      const hit = l3.patterns.find((p) => p.matches(other.name));
      return hit ? { text: `FQDN ${hit.text}`, fqdn: true } : undefined;
    }
  }
}

/**
 * Entities (docs/semantics/cilium.md#entities): `world` is everything outside the cluster (IP
 * literals that are no pod's address, and DNS names); `cluster` every pod, host-network ones
 * included; `host` and `remote-node` the nodes, which only host-network pods stand for (the model
 * does not place pods on nodes, so such a pod counts as either); `kube-apiserver` the addresses
 * given with `NetworkModel.addKubeApiServer`; `all` everything. The others (init, ingress,
 * unmanaged, health, none) name endpoints the model does not have.
 */
function entityMatches(entity: string, other: Endpoint): boolean {
  // An API server on the nodes has a node's identity (host or remote-node) beside kube-apiserver.
  const node = other.kind === 'external' && other.onNodes === true;
  switch (entity) {
    case 'all':
      return true;
    case 'world':
      return other.kind !== 'pod' && !node;
    case 'cluster':
      return other.kind === 'pod' || node;
    case 'host':
    case 'remote-node':
      return (other.kind === 'pod' && other.hostNetwork) || node;
    case 'kube-apiserver':
      return other.kind === 'external' && other.apiServer === true;
    default:
      return false;
  }
}

/** Whether a port entry covers the probed port; named ports resolve on the destination pod. */
function portMatches(port: CiliumPort, destination: Endpoint, number: number, protocol: string): boolean {
  if (!port.protocols.includes(protocol)) {
    return false;
  }
  if (port.port === undefined || port.port === 0) {
    return true;
  }
  return portCovers(port.port, port.endPort, destination, number, protocol);
}

/** The bounds of a rule's numbered ports (port 0 and no port: every port, no bound); see `SideEvaluator.portBounds`. */
export function ciliumRuleBounds(rule: CiliumPeerRule): number[] {
  return (rule.ports ?? []).flatMap((p) => (typeof p.port === 'number' && p.port > 0 ? [p.port, (p.endPort ?? p.port) + 1] : []));
}

/** Whether `rule` matches the connection, and how. */
export function matchCiliumRule(rule: CiliumPeerRule, query: SideQuery): CiliumRuleMatch | undefined {
  const peer = matchL3(rule.l3, query.other);
  if (peer === undefined) {
    return undefined;
  }
  const unknown = peer.unknown === undefined ? {} : { unknown: peer.unknown };
  if (rule.ports === undefined) {
    return { rule, text: `${word(rule.direction)} ${peer.text} on every port`, fqdn: peer.fqdn, ...unknown };
  }
  const port = rule.ports.find((p) => portMatches(p, query.destination, query.port, query.protocol));
  if (port === undefined) {
    return undefined;
  }
  return { rule, text: `${word(rule.direction)} ${peer.text} on ${port.text}`, port, fqdn: peer.fqdn, ...unknown };
}

/** The subjects of `policies` that select `pod` (host-network pods are no Cilium endpoints). */
export function selectingSubjects(policies: readonly CiliumPolicy[], pod: PodSide): CiliumSubject[] {
  if (pod.hostNetwork) {
    return [];
  }
  return policies.flatMap((p) => p.subjects.filter((s) => s.selector.matches(pod)));
}

import { DESCRIPTION_ANNOTATION, ManifestObject, policyMetadata } from './manifest';
import type { PolicyRenderer } from './renderer';
import { PolicyEngine } from '../core/engine';
import { GuardrailAction, GuardrailIntent, GuardrailTier } from '../core/guardrail';
import { HttpRule } from '../core/http-rule';
import { PolicyIntent, PolicyRule } from '../core/intent';
import { NamespaceScope, Peer, PeerKind } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector } from '../core/selector';
import { flat } from '../util/flat';
import { unreachable } from '../util/unreachable';

type Json = Record<string, unknown>;
type Direction = 'ingress' | 'egress';
interface Expression { readonly key: string; readonly operator: string; readonly values: string[] }

/** The label Cilium gives every endpoint with its namespace name. */
export const CILIUM_NAMESPACE_LABEL = 'k8s:io.kubernetes.pod.namespace';
/** The prefix under which Cilium exposes the labels of an endpoint's namespace. */
export const CILIUM_NAMESPACE_LABELS_PREFIX = 'k8s:io.cilium.k8s.namespace.labels.';
/**
 * Label keys Cilium reads as its own identity labels (namespace, service account, namespace
 * labels), whatever the source prefix: a pod label with such a key would change a selector's
 * meaning, e.g. lift the own-namespace limit.
 */
const CILIUM_RESERVED_KEY = /^(k8s:|any:|reserved:|container:)?(io\.kubernetes\.pod\.|io\.cilium\.)/;
/** Cilium accepts at most this many ports in one `toPorts` entry (CRD maxItems). */
const MAX_PORTS_PER_RULE = 40;

/** L3 members of a Cilium rule; they are mutually exclusive, so each gets its own rule. */
const L3_KEYS = {
  ingress: { endpoints: 'fromEndpoints', cidrSet: 'fromCIDRSet', entities: 'fromEntities', fqdns: undefined },
  egress: { endpoints: 'toEndpoints', cidrSet: 'toCIDRSet', entities: 'toEntities', fqdns: 'toFQDNs' },
} as const;

/**
 * Renders intents to `cilium.io/v2` CiliumNetworkPolicy (docs/semantics/cilium.md).
 *
 * - A governed direction without rules becomes `[{}]`: an empty rule puts the endpoints into
 *   default deny for that direction and allows nothing.
 * - Endpoint selectors of a namespaced CNP are limited to its namespace unless they name the
 *   namespace label, so other namespaces are selected through `k8s:io.kubernetes.pod.namespace`
 *   (by name) or `k8s:io.cilium.k8s.namespace.labels.*` (by labels).
 * - The L3 members of one rule are mutually exclusive (and `toFQDNs` combines with none), so an
 *   intent rule with several kinds of peers becomes one Cilium rule per kind: separate rules OR.
 * - Ports are strings; `endPort` is kept for ranges, which Cilium honours in toPorts, and refused
 *   with L7 rules, which it does not.
 * - Whenever an egress rule uses `toFQDNs`, the policy also allows DNS to kube-dns through the
 *   DNS proxy (`rules.dns: [{matchPattern: "*"}]`): without it no IP is learned and the traffic
 *   is dropped.
 */
export class CiliumRenderer implements PolicyRenderer {
  public readonly engine = PolicyEngine.CILIUM;

  public render(intent: PolicyIntent, where: string): ManifestObject {
    const spec: Json = { endpointSelector: endpointSelector(intent.selector, where) };
    if (intent.ingress !== undefined) {
      spec.ingress = renderSection(intent.ingress, 'ingress', intent.namespace, where);
    }
    if (intent.egress !== undefined) {
      const egress = renderSection(intent.egress, 'egress', intent.namespace, where);
      if (intent.egress.some((rule) => rule.peers.some((peer) => peer.kind === PeerKind.FQDN))) {
        egress.push(dnsProxyRule(intent.dns ?? Peer.kubeDns(), intent.namespace, where));
      }
      spec.egress = egress;
    }
    return {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: policyMetadata(intent),
      spec,
    };
  }
}

function renderSection(rules: PolicyRule[], direction: Direction, namespace: string, where: string): Json[] {
  if (rules.length === 0) {
    return [{}];
  }
  return rules.flatMap((rule) => renderRule(rule, direction, namespace, where));
}

function renderRule(rule: PolicyRule, direction: Direction, namespace: string, where: string): Json[] {
  const groups = { endpoints: [] as Json[], cidrSet: [] as Json[], entities: [] as string[], fqdns: [] as Json[] };
  for (const peer of rule.peers) {
    const spec = peer._spec;
    switch (spec.kind) {
      case PeerKind.PODS:
        groups.endpoints.push(podSelector(spec.pods, spec.namespaces, namespace, where));
        break;
      case PeerKind.IP_BLOCK:
      case PeerKind.INTERNET:
        groups.cidrSet.push(...spec.blocks.map((b) => (b.except.length > 0 ? { cidr: b.cidr, except: [...b.except] } : { cidr: b.cidr })));
        break;
      case PeerKind.KUBE_API_SERVER:
        // Cilium knows the API server by identity, wherever it runs; its addresses are not needed.
        groups.entities.push('kube-apiserver');
        break;
      case PeerKind.CILIUM_ENTITY:
        groups.entities.push(spec.entity);
        break;
      case PeerKind.ANYWHERE:
        // Every identity, in the cluster and out: the entity `all`.
        groups.entities.push('all');
        break;
      case PeerKind.FQDN:
        if (direction === 'ingress') {
          throw new Error(`${where}: Peer.fqdn(${JSON.stringify(spec.pattern)}) cannot be an ingress source: Cilium matches DNS names on egress only`);
        }
        groups.fqdns.push(spec.pattern.includes('*') ? { matchPattern: spec.pattern } : { matchName: spec.pattern });
        break;
      default:
        unreachable(spec, 'peer');
    }
  }
  const toPorts = renderToPorts(rule.ports ?? [], rule.http, where);
  const out: Json[] = [];
  for (const group of ['endpoints', 'cidrSet', 'entities', 'fqdns'] as const) {
    const key = L3_KEYS[direction][group];
    const members = groups[group];
    if (key !== undefined && members.length > 0) {
      out.push(toPorts ? { [key]: members, toPorts } : { [key]: members });
    }
  }
  return out;
}

function renderToPorts(ports: Port[], http: HttpRule[] | undefined, where: string): Json[] | undefined {
  if (ports.length === 0) {
    return undefined;
  }
  if (http !== undefined) {
    // Cilium's proxy takes HTTP rules on a port or a port range (endPort), not on every port or a name.
    const unbounded = ports.find((p) => p.isAllPorts || p.portNumber === undefined);
    if (unbounded) {
      throw new Error(`${where}: HTTP rules on ${unbounded} cannot be expressed by PolicyEngine.CILIUM: L7 rules apply to numbered ports and port ranges`);
    }
    const notTcp = ports.find((p) => p.protocol !== 'TCP');
    if (notTcp) {
      throw new Error(`${where}: HTTP rules on ${notTcp} cannot be expressed: HTTP runs over TCP`);
    }
  }
  const entries = ports.map(renderPort);
  const out: Json[] = [];
  for (let i = 0; i < entries.length; i += MAX_PORTS_PER_RULE) {
    const chunk = entries.slice(i, i + MAX_PORTS_PER_RULE);
    out.push(http ? { ports: chunk, rules: { http: http.map(renderHttp) } } : { ports: chunk });
  }
  return out;
}

function renderPort(port: Port): Json {
  if (port.name !== undefined) {
    return { port: port.name, protocol: port.protocol };
  }
  if (port.portNumber === undefined) {
    // Port "0" is Cilium's wildcard: every port of the protocol.
    return { port: '0', protocol: port.protocol };
  }
  return port.endPortNumber === undefined
    ? { port: String(port.portNumber), protocol: port.protocol }
    : { port: String(port.portNumber), endPort: port.endPortNumber, protocol: port.protocol };
}

function renderHttp(rule: HttpRule): Json {
  const out: Json = {};
  if (rule.method !== undefined) {
    out.method = rule.method;
  }
  if (rule.path !== undefined) {
    out.path = rule.path;
  }
  if (rule.host !== undefined) {
    out.host = rule.host;
  }
  if (rule.headers !== undefined) {
    out.headers = [...rule.headers];
  }
  return out;
}

function dnsProxyRule(dns: Peer, namespace: string, where: string): Json {
  const spec = dns._spec;
  if (spec.kind !== PeerKind.PODS) {
    throw new Error(`${where}: the DNS peer for FQDN rules must be the DNS pods (e.g. Peer.kubeDns()), not ${dns}`);
  }
  return {
    toEndpoints: [podSelector(spec.pods, spec.namespaces, namespace, where)],
    toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
  };
}

function endpointSelector(selector: LabelSelector, where: string): Json {
  checkKeys(selector, where);
  return labelSelector(selector.labels, selector.expressions.map((e) => ({ key: e.key, operator: e.operator, values: e.values })));
}

function checkKeys(selector: LabelSelector, where: string): void {
  const reserved = [...Object.keys(selector.labels), ...selector.expressions.map((e) => e.key)].find((key) => CILIUM_RESERVED_KEY.test(key));
  if (reserved !== undefined) {
    throw new Error(`${where}: the pod label key ${JSON.stringify(reserved)} cannot be expressed by PolicyEngine.CILIUM: ` +
      'Cilium reads io.kubernetes.pod.* and io.cilium.* keys as its own identity labels (namespace, service account), not as pod labels');
  }
}

function podSelector(pods: LabelSelector, namespaces: NamespaceScope, policyNamespace: string, where: string): Json {
  checkKeys(pods, where);
  const labels: Record<string, string> = { ...pods.labels };
  const expressions: Expression[] = pods.expressions.map((e) => ({ key: e.key, operator: e.operator, values: e.values }));
  switch (namespaces.kind) {
    case 'same':
      // Explicit rather than implicit: Cilium adds the policy's namespace only when a selector
      // names no namespace key, and spelling it out keeps the meaning independent of that rule.
      labels[CILIUM_NAMESPACE_LABEL] = policyNamespace;
      break;
    case 'name':
      labels[CILIUM_NAMESPACE_LABEL] = namespaces.name;
      break;
    case 'selector':
      // A CNP's endpoint selectors are limited to its own namespace unless they name the
      // namespace label (cilium pkg/k8s/apis/cilium.io/utils getEndpointSelector); requiring it
      // to exist lifts that limit, and the namespace-label terms below narrow it again.
      expressions.push({ key: CILIUM_NAMESPACE_LABEL, operator: 'Exists', values: [] });
      for (const [key, value] of Object.entries(namespaces.selector.labels)) {
        labels[`${CILIUM_NAMESPACE_LABELS_PREFIX}${key}`] = value;
      }
      for (const e of namespaces.selector.expressions) {
        expressions.push({ key: `${CILIUM_NAMESPACE_LABELS_PREFIX}${e.key}`, operator: e.operator, values: e.values });
      }
      break;
    default:
      unreachable(namespaces, 'namespace scope');
  }
  return labelSelector(labels, expressions);
}

function labelSelector(labels: Record<string, string>, expressions: Expression[]): Json {
  const out: Json = {};
  if (Object.keys(labels).length > 0) {
    out.matchLabels = labels;
  }
  if (expressions.length > 0) {
    out.matchExpressions = expressions.map((e) =>
      (e.values.length > 0 ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator }));
  }
  return out;
}

/**
 * Renders an admin-tier deny guardrail as a `cilium.io/v2` CiliumClusterwideNetworkPolicy with a
 * deny section: Cilium evaluates deny rules before every allow of every policy, so no namespace's
 * policy can open what it denies (docs/semantics/cilium.md#deny-rules). The client's egress is
 * denied when `from` is pods, else the server's ingress (`to` pods). `enableDefaultDeny` is off in
 * both directions: the guardrail must not put the pods it selects into default deny.
 *
 * Cilium (1.19) has no tier above or below the namespaces' policies and no priorities: an allow
 * there only adds to the allows (a namespace's deny still wins, and a namespace's default deny
 * cannot be overridden by it), so allow and the baseline tier throw, naming the alternative.
 */
export function renderCiliumGuardrail(intent: GuardrailIntent, where: string): ManifestObject[] {
  if (intent.tier === GuardrailTier.BASELINE) {
    throw new Error(`${where}: baseline guardrails cannot be expressed by PolicyEngine.CILIUM: Cilium 1.19 has no tier after the namespaces' ` +
      'policies (a CiliumClusterwideNetworkPolicy deny beats every allow, and its allow cannot be overridden by a namespace). Use deny() for a ' +
      'rule no namespace can override, or the Kubernetes engine (ClusterNetworkPolicy, which Cilium enforces from 1.20 with ' +
      '--enable-k8s-cluster-network-policy)');
  }
  if (intent.action === GuardrailAction.ALLOW) {
    throw new Error(`${where}: allow() cannot be expressed by PolicyEngine.CILIUM: Cilium 1.19 has no admin tier, so a ` +
      'CiliumClusterwideNetworkPolicy allow cannot override a namespace\'s deny rule (deny always wins) and does not say "allowed whatever the ' +
      'namespaces say". Allow the flow in the namespaces\' own policies (ServiceGraph, ZeroTrustNamespace.allowIngress), or use the Kubernetes ' +
      'engine (ClusterNetworkPolicy, which Cilium enforces from 1.20 with --enable-k8s-cluster-network-policy)');
  }
  const { from, to } = intent;
  const rule = (peer: Peer): PolicyRule => ({ peers: [peer], ports: [...intent.ports] });
  const [subject, direction, rules] = from.kind === PeerKind.PODS
    ? [from, 'egressDeny', renderRule(rule(to), 'egress', '', where)] as const
    : [to, 'ingressDeny', renderRule(rule(from), 'ingress', '', where)] as const;
  const spec = subject._spec;
  if (spec.kind !== PeerKind.PODS) {
    throw new Error(`${where}: a guardrail needs pods at one end at least, got ${from} to ${to}`);
  }
  return [{
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumClusterwideNetworkPolicy',
    metadata: { name: intent.name, annotations: { [DESCRIPTION_ANNOTATION]: flat(intent.description) } },
    spec: {
      endpointSelector: podSelector(spec.pods, spec.namespaces, '', where),
      enableDefaultDeny: { ingress: false, egress: false },
      [direction]: rules,
    },
  }];
}

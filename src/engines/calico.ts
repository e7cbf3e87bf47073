import { calicoSelectorOf } from './calico-selector';
import { DESCRIPTION_ANNOTATION, ManifestObject, policyMetadata } from './manifest';
import type { PolicyRenderer } from './renderer';
import { PolicyEngine } from '../core/engine';
import { GuardrailAction, GuardrailIntent, GuardrailTier } from '../core/guardrail';
import { PolicyIntent, PolicyRule } from '../core/intent';
import { Peer, PeerKind } from '../core/peer';
import { Port, Protocol } from '../core/port';
import { flat } from '../util/flat';
import { GENERATED_ANNOTATION, generatedMark } from '../util/mark';
import { unreachable } from '../util/unreachable';

type Json = Record<string, unknown>;
type Direction = 'ingress' | 'egress';

/**
 * The `order` of every allow policy this library renders for Calico: the order at which Calico
 * places Kubernetes NetworkPolicies in the default tier. Allow-only policies are additive, so
 * theirs and ours combine exactly like Kubernetes policies; a Calico deny with a lower order
 * (e.g. `CalicoGlobalDeny`, 100) is evaluated first and wins.
 */
export const CALICO_POLICY_ORDER = 1000;
/** The label Calico gives every namespace with its own name. */
export const CALICO_NAMESPACE_NAME_LABEL = 'projectcalico.org/name';
/** Calico accepts at most this many entries in one ports list. */
const MAX_PORTS_PER_RULE = 50;
/**
 * Prepended to every pod selector of an entity rule, as Calico's own conversion of Kubernetes
 * policies does (libcalico-go conversion.go k8sSelectorToCalico): without it, `all()` or a
 * namespace selector also matches the namespaces' NetworkSets, i.e. arbitrary IP ranges that
 * anyone allowed to create a NetworkSet could add.
 */
export const CALICO_PODS_ONLY = "projectcalico.org/orchestrator == 'k8s'";

/**
 * Renders intents to `projectcalico.org/v3` NetworkPolicy (docs/semantics/calico.md).
 *
 * - `types` and `order` are always explicit (Calico's `types` default differs from Kubernetes').
 * - Every rule is an explicit `action: Allow`. Within the default tier, a policy that selects an
 *   endpoint but matches nothing lets evaluation continue to the next policy; only when no
 *   policy of the tier allows does the tier's default Deny apply: the union of allows, as in
 *   Kubernetes.
 * - Ports need a protocol, so an intent rule becomes one Calico rule per protocol; ranges are
 *   `"a:b"`. Named ports get their protocol too: Calico 3.32 accepts a rule of names without one
 *   (docs/semantics/calico.md#named-ports-without-a-protocol), which means the same as a rule per
 *   protocol, and earlier releases refuse it. A rule holds one IP family, so each IP block becomes
 *   its own rule.
 * - Namespaces are selected by name through `projectcalico.org/name`. In a namespaced policy an
 *   entity rule's `selector` alone means the policy's namespace, `namespaceSelector: all()`
 *   every namespace.
 */
export class CalicoRenderer implements PolicyRenderer {
  public readonly engine = PolicyEngine.CALICO;

  public render(intent: PolicyIntent, where: string): ManifestObject {
    const types: string[] = [];
    const spec: Json = { order: CALICO_POLICY_ORDER, selector: calicoSelectorOf(intent.selector), types };
    if (intent.ingress !== undefined) {
      types.push('Ingress');
      if (intent.ingress.length > 0) {
        spec.ingress = intent.ingress.flatMap((rule) => renderRule(rule, 'ingress', where));
      }
    }
    if (intent.egress !== undefined) {
      types.push('Egress');
      if (intent.egress.length > 0) {
        spec.egress = intent.egress.flatMap((rule) => renderRule(rule, 'egress', where));
      }
    }
    return {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: policyMetadata(intent),
      spec,
    };
  }
}

function renderRule(rule: PolicyRule, direction: Direction, where: string, action: 'Allow' | 'Deny' = 'Allow'): Json[] {
  if (rule.http !== undefined) {
    throw new Error(`${where}: HTTP (L7) rules with path regexes cannot be expressed by PolicyEngine.CALICO ` +
      '(Calico open source matches L3/L4 only). Use engine: PolicyEngine.CILIUM (CiliumL7Rule)');
  }
  // Peer.anywhere() is a rule without source (or destination) selectors, which matches every
  // packet and makes any other peer of the rule redundant.
  const entities = rule.peers.some((peer) => peer.kind === PeerKind.ANYWHERE)
    ? [{}]
    : rule.peers.flatMap((peer) => renderPeer(peer, where));
  const portGroups = groupPorts(rule.ports ?? []);
  const out: Json[] = [];
  // An empty entity (anywhere) is left out rather than written as `{}`.
  const withEntity = (rendered: Json, key: 'source' | 'destination', entity: Json): Json =>
    (Object.keys(entity).length > 0 ? { ...rendered, [key]: entity } : rendered);
  for (const entity of entities) {
    if (portGroups.length === 0) {
      out.push(withEntity({ action }, direction === 'ingress' ? 'source' : 'destination', entity));
      continue;
    }
    for (const { protocol, ports } of portGroups) {
      let rendered: Json = { action, protocol };
      if (direction === 'ingress') {
        rendered = withEntity(rendered, 'source', entity);
        if (ports.length > 0) {
          rendered.destination = { ports };
        }
      } else {
        rendered = withEntity(rendered, 'destination', ports.length > 0 ? { ...entity, ports } : entity);
      }
      out.push(rendered);
    }
  }
  return out;
}

/** Ports per protocol, in order of first appearance; an empty list means every port of it. */
export function groupPorts(ports: Port[]): { protocol: Protocol; ports: (number | string)[] }[] {
  const byProtocol = new Map<Protocol, (number | string)[] | 'all'>();
  for (const port of ports) {
    const current = byProtocol.get(port.protocol) ?? [];
    if (port.isAllPorts || current === 'all') {
      byProtocol.set(port.protocol, 'all');
      continue;
    }
    const value = port.name ?? (port.endPortNumber === undefined ? port.portNumber! : `${port.portNumber}:${port.endPortNumber}`);
    if (!current.includes(value)) {
      current.push(value);
    }
    byProtocol.set(port.protocol, current);
  }
  const out: { protocol: Protocol; ports: (number | string)[] }[] = [];
  for (const [protocol, values] of byProtocol) {
    if (values === 'all') {
      out.push({ protocol, ports: [] });
      continue;
    }
    for (let i = 0; i < values.length; i += MAX_PORTS_PER_RULE) {
      out.push({ protocol, ports: values.slice(i, i + MAX_PORTS_PER_RULE) });
    }
  }
  return out;
}

function renderPeer(peer: Peer, where: string): Json[] {
  const spec = peer._spec;
  switch (spec.kind) {
    case PeerKind.PODS: {
      // Always a pod selector: an entity rule without selectors matches every packet, and one
      // without the orchestrator term also matches NetworkSets.
      const selector = spec.pods.isEmpty ? CALICO_PODS_ONLY : `${CALICO_PODS_ONLY} && ${calicoSelectorOf(spec.pods)}`;
      switch (spec.namespaces.kind) {
        case 'same':
          return [{ selector }];
        case 'name':
          return [{ namespaceSelector: `${CALICO_NAMESPACE_NAME_LABEL} == '${spec.namespaces.name}'`, selector }];
        case 'selector':
          return [{ namespaceSelector: calicoSelectorOf(spec.namespaces.selector), selector }];
        default:
          return unreachable(spec.namespaces, 'namespace scope');
      }
    }
    case PeerKind.IP_BLOCK:
    case PeerKind.INTERNET:
      return spec.blocks.map((b) => (b.except.length > 0 ? { nets: [b.cidr], notNets: [...b.except] } : { nets: [b.cidr] }));
    case PeerKind.KUBE_API_SERVER:
      if (spec.blocks.length === 0) {
        throw new Error(`${where}: Peer.kubeApiServer() without cidrs cannot be expressed by PolicyEngine.CALICO: ` +
          'the API server runs on the host network. Pass Peer.kubeApiServer({ cidrs: [...] }) with the endpoint IPs ' +
          '(kubectl get endpoints kubernetes -n default), or use PolicyEngine.CILIUM');
      }
      return spec.blocks.map((b) => ({ nets: [b.cidr] }));
    case PeerKind.FQDN:
      throw new Error(`${where}: Peer.fqdn(${JSON.stringify(spec.pattern)}) cannot be expressed by PolicyEngine.CALICO: ` +
        'Calico open source matches addresses, not DNS names (domain rules are a Calico Enterprise feature). ' +
        'Use engine: PolicyEngine.CILIUM, or Peer.ipBlock() with the service\'s published ranges');
    case PeerKind.CILIUM_ENTITY:
      throw new Error(`${where}: Peer.ciliumEntity("${spec.entity}") cannot be expressed by PolicyEngine.CALICO: entities are Cilium identities`);
    case PeerKind.ANYWHERE:
      // No selector at all (renderRule handles it before reaching here).
      return [{}];
    default:
      return unreachable(spec, 'peer');
  }
}

/** What a cluster-wide Calico deny says, before rendering (see `CalicoGlobalDeny`). */
export interface CalicoGlobalDenySpec {
  readonly name: string;
  readonly tier: string;
  readonly order: number;
  readonly selector: string;
  readonly nets: string[];
  readonly ports: Port[];
  readonly description: string;
  /**
   * End with `action: Pass`. Needed in a tier whose default action is unknown (not emitted by
   * this library); wrong in a tier of several policies whose default action is Pass, because a
   * Pass rule skips the rest of the tier, later policies included (docs/semantics/calico.md#actions).
   */
  readonly closingPass: boolean;
}

/**
 * A GlobalNetworkPolicy that denies egress to `nets` and passes everything else on: one Deny rule
 * per IP family (a rule holds one) and protocol (ports need one), then `action: Pass`, so that
 * the endpoints it selects are not dropped by the tier for taking no other action.
 */
export function renderCalicoGlobalDeny(spec: CalicoGlobalDenySpec): ManifestObject {
  const families = [4, 6]
    .map((family) => [...new Set(spec.nets)].filter((net) => (net.includes(':') ? 6 : 4) === family))
    .filter((group) => group.length > 0);
  const portGroups = groupPorts(spec.ports);
  const deny: Json[] = [];
  for (const nets of families) {
    if (portGroups.length === 0) {
      deny.push({ action: 'Deny', destination: { nets } });
      continue;
    }
    for (const { protocol, ports } of portGroups) {
      deny.push({ action: 'Deny', protocol, destination: ports.length > 0 ? { nets, ports } : { nets } });
    }
  }
  const manifest: ManifestObject = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: spec.name, annotations: { [DESCRIPTION_ANNOTATION]: spec.description } },
    spec: { tier: spec.tier, order: spec.order, selector: spec.selector, types: ['Egress'], egress: spec.closingPass ? [...deny, { action: 'Pass' }] : deny },
  };
  const annotations = { ...manifest.metadata.annotations, [GENERATED_ANNOTATION]: generatedMark(manifest) };
  return { ...manifest, metadata: { ...manifest.metadata, annotations } };
}

/** A Calico Tier whose default action passes unmatched traffic on to the next tier. */
export function renderCalicoPassTier(name: string, order: number): ManifestObject {
  return { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { order, defaultAction: 'Pass' } };
}

/** Calico's tier for ClusterNetworkPolicy's Admin tier (order 1000, default action Pass), from Calico 3.32. */
export const CALICO_KUBE_ADMIN_TIER = 'kube-admin';
/** Calico's tier for ClusterNetworkPolicy's Baseline tier (order 10,000,000, default action Pass), from Calico 3.32. */
export const CALICO_KUBE_BASELINE_TIER = 'kube-baseline';

/**
 * Renders a guardrail as `projectcalico.org/v3` GlobalNetworkPolicies in Calico's own
 * `kube-admin` (before the default tier, where the namespaces' policies are) or `kube-baseline`
 * (after it) tier at `order = priority`: exactly where Calico 3.32 puts a ClusterNetworkPolicy
 * (docs/semantics/cluster.md#engines). Those tiers' default action is Pass, so traffic the
 * guardrail does not match goes on. A deny needs one side (egress on `from` pods, else ingress
 * on `to` pods); an allow both, where they are pods. One policy per side: `<name>`, or
 * `<name>-egress` and `<name>-ingress`. Subjects select pods only (`projectcalico.org/orchestrator`),
 * never host endpoints.
 */
export function renderCalicoGuardrail(intent: GuardrailIntent, where: string): ManifestObject[] {
  const { from, to } = intent;
  const action = intent.action === GuardrailAction.DENY ? 'Deny' : 'Allow';
  const rule = (peer: Peer): PolicyRule => ({ peers: [peer], ports: [...intent.ports] });
  const sides: { suffix: string; subject: Peer; direction: Direction; rules: Json[] }[] = [];
  if (from.kind === PeerKind.PODS) {
    sides.push({ suffix: 'egress', subject: from, direction: 'egress', rules: renderRule(rule(to), 'egress', where, action) });
  }
  if (to.kind === PeerKind.PODS && (intent.action === GuardrailAction.ALLOW || from.kind !== PeerKind.PODS)) {
    sides.push({ suffix: 'ingress', subject: to, direction: 'ingress', rules: renderRule(rule(from), 'ingress', where, action) });
  } else if (to.kind === PeerKind.ANYWHERE && intent.action === GuardrailAction.ALLOW) {
    // Everything includes every pod: their ingress must allow too.
    sides.push({ suffix: 'ingress', subject: Peer.namespaces({}), direction: 'ingress', rules: renderRule(rule(from), 'ingress', where, action) });
  }
  if (sides.length === 0) {
    throw new Error(`${where}: a guardrail needs pods at one end at least, got ${from} to ${to}`);
  }
  return sides.map((side) => {
    const manifest: ManifestObject = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: sides.length === 1 ? intent.name : `${intent.name}-${side.suffix}`, annotations: { [DESCRIPTION_ANNOTATION]: flat(intent.description) } },
      spec: {
        tier: intent.tier === GuardrailTier.ADMIN ? CALICO_KUBE_ADMIN_TIER : CALICO_KUBE_BASELINE_TIER,
        order: intent.priority,
        ...subjectSelectors(side.subject),
        types: [side.direction === 'ingress' ? 'Ingress' : 'Egress'],
        [side.direction]: side.rules,
      },
    };
    return manifest;
  });
}

/** A GlobalNetworkPolicy's `selector` and `namespaceSelector` for pods of named or selected namespaces. */
function subjectSelectors(peer: Peer): Json {
  const spec = peer._spec;
  if (spec.kind !== PeerKind.PODS || spec.namespaces.kind === 'same') {
    throw new Error(`subjectSelectors(): ${peer} is not pods of named or selected namespaces`);
  }
  const selector = spec.pods.isEmpty ? CALICO_PODS_ONLY : `${CALICO_PODS_ONLY} && ${calicoSelectorOf(spec.pods)}`;
  if (spec.namespaces.kind === 'name') {
    return { selector, namespaceSelector: `${CALICO_NAMESPACE_NAME_LABEL} == '${spec.namespaces.name}'` };
  }
  return spec.namespaces.selector.isEmpty ? { selector } : { selector, namespaceSelector: calicoSelectorOf(spec.namespaces.selector) };
}

import { ManifestObject, policyMetadata } from './manifest';
import type { PolicyRenderer } from './renderer';
import { PolicyEngine } from '../core/engine';
import { PolicyIntent, PolicyRule } from '../core/intent';
import { Peer, PeerKind } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector, NAMESPACE_NAME_LABEL } from '../core/selector';
import { unreachable } from '../util/unreachable';

type Json = Record<string, unknown>;

/**
 * Renders intents to `networking.k8s.io/v1` NetworkPolicy (docs/semantics/kubernetes.md).
 *
 * - `policyTypes` is always explicit, because the server's defaulting adds Egress only when
 *   `egress` has a rule: a deny-all-egress policy would otherwise silently govern ingress only.
 * - `protocol` is always explicit on every port, even the TCP default.
 * - Namespaces are selected by name through `kubernetes.io/metadata.name`, never a custom label.
 * - Pods in a namespace are ONE peer with both selectors (AND); two list items would mean OR.
 * - Directions without rules omit the list: with the type listed, omitted means "allow nothing".
 * - `Peer.anywhere()` omits `from`/`to`: a rule without peers matches everything.
 */
export class KubernetesRenderer implements PolicyRenderer {
  public readonly engine = PolicyEngine.KUBERNETES;

  public render(intent: PolicyIntent, where: string): ManifestObject {
    const policyTypes: string[] = [];
    const spec: Json = { podSelector: labelSelector(intent.selector), policyTypes };
    if (intent.ingress !== undefined) {
      policyTypes.push('Ingress');
      if (intent.ingress.length > 0) {
        spec.ingress = intent.ingress.map((rule) => renderRule(rule, 'from', where));
      }
    }
    if (intent.egress !== undefined) {
      policyTypes.push('Egress');
      if (intent.egress.length > 0) {
        spec.egress = intent.egress.map((rule) => renderRule(rule, 'to', where));
      }
    }
    return {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: policyMetadata(intent),
      spec,
    };
  }
}

function renderRule(rule: PolicyRule, peersKey: 'from' | 'to', where: string): Json {
  if (rule.http !== undefined) {
    throw new Error(`${where}: HTTP (L7) rules cannot be expressed by PolicyEngine.KUBERNETES: NetworkPolicy stops at ports. ` +
      'Use engine: PolicyEngine.CILIUM (CiliumL7Rule), or allow the port without L7 rules');
  }
  // A rule without peers matches every source (or destination), pods and addresses alike:
  // Peer.anywhere() is exactly that, and makes any other peer of the rule redundant.
  const out: Json = rule.peers.some((peer) => peer.kind === PeerKind.ANYWHERE)
    ? {}
    : { [peersKey]: rule.peers.flatMap((peer) => renderPeer(peer, where)) };
  if (rule.ports && rule.ports.length > 0) {
    out.ports = rule.ports.map(renderPort);
  }
  return out;
}

function renderPeer(peer: Peer, where: string): Json[] {
  const spec = peer._spec;
  switch (spec.kind) {
    case PeerKind.PODS: {
      const pods = spec.pods.isEmpty ? {} : { podSelector: labelSelector(spec.pods) };
      switch (spec.namespaces.kind) {
        case 'same':
          return [{ podSelector: labelSelector(spec.pods) }];
        case 'name':
          return [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: spec.namespaces.name } }, ...pods }];
        case 'selector':
          return [{ namespaceSelector: labelSelector(spec.namespaces.selector), ...pods }];
        default:
          return unreachable(spec.namespaces, 'namespace scope');
      }
    }
    case PeerKind.IP_BLOCK:
    case PeerKind.INTERNET:
      return spec.blocks.map((block) => ({
        ipBlock: block.except.length > 0 ? { cidr: block.cidr, except: [...block.except] } : { cidr: block.cidr },
      }));
    case PeerKind.KUBE_API_SERVER:
      if (spec.blocks.length === 0) {
        throw new Error(`${where}: Peer.kubeApiServer() without cidrs cannot be expressed by PolicyEngine.KUBERNETES: ` +
          'the API server runs on the host network, so NetworkPolicy can only reach it by address. ' +
          'Pass Peer.kubeApiServer({ cidrs: [...] }) with the endpoint IPs (kubectl get endpoints kubernetes -n default), or use PolicyEngine.CILIUM');
      }
      return spec.blocks.map((block) => ({ ipBlock: { cidr: block.cidr } }));
    case PeerKind.CILIUM_ENTITY:
      throw new Error(`${where}: Peer.ciliumEntity("${spec.entity}") cannot be expressed by PolicyEngine.KUBERNETES: entities are Cilium identities. ` +
        'Use engine: PolicyEngine.CILIUM, or Peer.internet() / Peer.namespaces({}) for address- or namespace-based rules');
    case PeerKind.FQDN:
      throw new Error(`${where}: Peer.fqdn(${JSON.stringify(spec.pattern)}) cannot be expressed by PolicyEngine.KUBERNETES: ` +
        'NetworkPolicy matches IP addresses, not DNS names. Use engine: PolicyEngine.CILIUM, or Peer.ipBlock() with the service\'s published ranges');
    case PeerKind.ANYWHERE:
      // renderRule writes a rule with Peer.anywhere() without peers before reaching here.
      return [];
    default:
      return unreachable(spec, 'peer');
  }
}

function renderPort(port: Port): Json {
  if (port.name !== undefined) {
    return { protocol: port.protocol, port: port.name };
  }
  if (port.portNumber === undefined) {
    return { protocol: port.protocol };
  }
  return port.endPortNumber === undefined
    ? { protocol: port.protocol, port: port.portNumber }
    : { protocol: port.protocol, port: port.portNumber, endPort: port.endPortNumber };
}

/** A LabelSelector as `metav1.LabelSelector` JSON (`{}` selects everything). */
export function labelSelector(selector: LabelSelector): Json {
  const out: Json = {};
  if (Object.keys(selector.labels).length > 0) {
    out.matchLabels = { ...selector.labels };
  }
  if (selector.expressions.length > 0) {
    out.matchExpressions = selector.expressions.map((e) =>
      (e.values.length > 0 ? { key: e.key, operator: e.operator, values: [...e.values] } : { key: e.key, operator: e.operator }));
  }
  return out;
}

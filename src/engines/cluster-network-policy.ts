import { labelSelector } from './kubernetes';
import { DESCRIPTION_ANNOTATION, ManifestObject } from './manifest';
import { GuardrailAction, GuardrailIntent, GuardrailTier } from '../core/guardrail';
import { IpBlockSpec, Peer, PeerKind } from '../core/peer';
import { Port } from '../core/port';
import { NAMESPACE_NAME_LABEL } from '../core/selector';
import { cidrDifference, parseCidr } from '../util/cidr';
import { flat } from '../util/flat';

type Json = Record<string, unknown>;

/** The API version the guardrails are rendered for: network-policy-api v0.2.0. */
export const CLUSTER_NETWORK_POLICY_API_VERSION = 'policy.networking.k8s.io/v1alpha2';
/** The CRD's limit on networks per peer (and on peers per rule). */
const MAX_LIST = 25;
const EVERY_ADDRESS = ['0.0.0.0/0', '::/0'];

/**
 * Renders a guardrail as `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy objects
 * (docs/semantics/cluster.md), valid against the v0.2.0 standard CRD:
 *
 * - A side of a connection is decided at the pod: a deny needs one side (the client's egress, on
 *   the `from` pods); an allow needs both (egress on `from`, ingress on `to` when `to` is pods),
 *   as either side's namespace policy could otherwise deny. One object per side, since an object
 *   has one subject: `<name>` for one, `<name>-egress` and `<name>-ingress` for two.
 * - Ingress rules cannot name addresses outside the cluster (no `networks` on ingress): a
 *   guardrail whose `from` is not pods throws.
 * - `networks` has no `except`: an IP block minus its exceptions is written as the CIDRs that
 *   cover exactly the rest, 25 per peer.
 * - `tcp: {}` is invalid: every port of a protocol is the range 1-65535; a one-port range is a number.
 * - A `pods` peer without `namespaceSelector` means every namespace: namespaces are always named.
 */
export function renderClusterNetworkPolicies(intent: GuardrailIntent, where: string): ManifestObject[] {
  const { from, to } = intent;
  if (from.kind !== PeerKind.PODS) {
    throw new Error(`${where}: ${from} cannot be the source of a ClusterNetworkPolicy guardrail (PolicyEngine.KUBERNETES): ` +
      'ingress rules name pods and namespaces only, never addresses outside the cluster. Name pods or namespaces ' +
      `(Peer.namespaces({}) for every pod), and ${intent.action === GuardrailAction.DENY ? 'deny' : 'allow'} traffic from outside in the ` +
      'namespaces\' own policies (ZeroTrustNamespace)');
  }
  const action = intent.action === GuardrailAction.DENY ? 'Deny' : 'Accept';
  const protocols = renderProtocols(intent.ports);
  if (protocols !== undefined && protocols.length > MAX_LIST) {
    throw new Error(`${where}: ${protocols.length} ports; a ClusterNetworkPolicy rule holds at most ${MAX_LIST}: use ranges, or split the guardrail`);
  }
  const sides: { suffix: string; subject: Peer; direction: 'ingress' | 'egress'; peers: Json[] }[] = [
    { suffix: 'egress', subject: from, direction: 'egress', peers: egressPeers(to) },
  ];
  if (intent.action === GuardrailAction.ALLOW && (to.kind === PeerKind.PODS || to.kind === PeerKind.ANYWHERE)) {
    // Everything includes every pod: their ingress must accept too.
    sides.push({ suffix: 'ingress', subject: to.kind === PeerKind.PODS ? to : Peer.namespaces({}), direction: 'ingress', peers: [selection(from)] });
  }
  for (const side of sides) {
    if (side.peers.length > MAX_LIST) {
      throw new Error(`${where}: ${to} needs ${side.peers.length} networks peers of ${MAX_LIST} CIDRs (networks have no except); ` +
        `a ClusterNetworkPolicy rule holds at most ${MAX_LIST} peers: give fewer exceptions`);
    }
  }
  return sides.map((side) => ({
    apiVersion: CLUSTER_NETWORK_POLICY_API_VERSION,
    kind: 'ClusterNetworkPolicy',
    metadata: {
      name: sides.length === 1 ? intent.name : `${intent.name}-${side.suffix}`,
      annotations: { [DESCRIPTION_ANNOTATION]: flat(intent.description) },
    },
    spec: {
      tier: intent.tier === GuardrailTier.ADMIN ? 'Admin' : 'Baseline',
      priority: intent.priority,
      subject: selection(side.subject),
      [side.direction]: [{
        name: `${intent.action}-${side.direction === 'egress' ? 'to' : 'from'}`,
        action,
        [side.direction === 'egress' ? 'to' : 'from']: side.peers,
        ...(protocols ? { protocols } : {}),
      }],
    },
  }));
}

/** Pods (of a named or selected namespace) as a subject or a `namespaces`/`pods` peer. */
function selection(peer: Peer): Json {
  const spec = peer._spec;
  if (spec.kind !== PeerKind.PODS) {
    throw new Error(`selection(): ${peer} is not pods`);
  }
  const namespaces = spec.namespaces.kind === 'name'
    ? { matchLabels: { [NAMESPACE_NAME_LABEL]: spec.namespaces.name } }
    : spec.namespaces.kind === 'selector' ? labelSelector(spec.namespaces.selector) : undefined;
  if (namespaces === undefined) {
    // The construct refuses same-namespace peers before rendering.
    throw new Error(`selection(): ${peer} names no namespace`);
  }
  return spec.pods.isEmpty ? { namespaces } : { pods: { namespaceSelector: namespaces, podSelector: labelSelector(spec.pods) } };
}

function egressPeers(to: Peer): Json[] {
  const spec = to._spec;
  switch (spec.kind) {
    case PeerKind.PODS:
      return [selection(to)];
    case PeerKind.IP_BLOCK:
    case PeerKind.INTERNET:
      return networksPeers(spec.blocks);
    case PeerKind.ANYWHERE:
      // Networks match pods' addresses too: every address is every pod and everything outside.
      return [{ networks: EVERY_ADDRESS }];
    default:
      // The construct refuses the other peers before rendering.
      throw new Error(`egressPeers(): ${to} is not rendered`);
  }
}

/** IP blocks minus their exceptions, as `networks` peers of at most 25 CIDRs. */
function networksPeers(blocks: readonly IpBlockSpec[]): Json[] {
  const cidrs = [...new Set(blocks.flatMap((b) => (b.except.length === 0 ? [b.cidr]
    : cidrDifference(parseCidr(b.cidr), b.except.map((e) => parseCidr(e))))))];
  const peers: Json[] = [];
  for (let i = 0; i < cidrs.length; i += MAX_LIST) {
    peers.push({ networks: cidrs.slice(i, i + MAX_LIST) });
  }
  return peers;
}

function renderProtocols(ports: readonly Port[]): Json[] | undefined {
  if (ports.length === 0) {
    return undefined;
  }
  const seen = new Set<string>();
  const out: Json[] = [];
  for (const port of ports) {
    const entry: Json = port.name !== undefined ? { destinationNamedPort: port.name }
      : { [port.protocol.toLowerCase()]: { destinationPort: destinationPort(port) } };
    const key = JSON.stringify(entry);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(entry);
    }
  }
  return out;
}

function destinationPort(port: Port): Json {
  if (port.portNumber === undefined) {
    return { range: { start: 1, end: 65535 } };
  }
  const end = port.endPortNumber ?? port.portNumber;
  return end > port.portNumber ? { range: { start: port.portNumber, end } } : { number: port.portNumber };
}

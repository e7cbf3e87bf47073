import { CiliumEntity, Peer, PeerKind } from '../../core/peer';
import { selectorMatches } from '../../core/selector';
import { cidrContainsIp, parseCidr } from '../../util/cidr';
import { unreachable } from '../../util/unreachable';

/** What the graph itself can say of a flow: allowed, denied, or unknown (a peer whose reach it cannot tell). */
export type Tri = boolean | 'unknown';

/** One end of a flow in the graph's own reckoning: pods of known labels in a namespace, or an address outside the cluster. */
export type FlowEnd =
  | { readonly kind: 'pods'; readonly namespace: string; readonly labels: Record<string, string> }
  | { readonly kind: 'address'; readonly address: string };

/**
 * Whether a peer, in a policy of `namespace`, takes in an end of a flow, as far as the graph can
 * tell without the cluster: a namespace's labels other than its name are unknown ('unknown'),
 * and pods stand in without addresses, so address rules never take them in (the NetworkModel
 * agrees: a pod without an address matches no ipBlock).
 */
export function peerCovers(peer: Peer, end: FlowEnd, namespace: string): Tri {
  const spec = peer._spec;
  switch (spec.kind) {
    case PeerKind.ANYWHERE:
      return true;
    case PeerKind.CILIUM_ENTITY:
      if (spec.entity === CiliumEntity.ALL) {
        return true;
      }
      return end.kind === 'address' ? spec.entity === CiliumEntity.WORLD : spec.entity === CiliumEntity.CLUSTER;
    case PeerKind.PODS: {
      if (end.kind === 'address' || !selectorMatches(spec.pods, end.labels)) {
        return false;
      }
      switch (spec.namespaces.kind) {
        case 'same': return end.namespace === namespace;
        case 'name': return end.namespace === spec.namespaces.name;
        case 'selector': return spec.namespaces.selector.isEmpty ? true : 'unknown';
        default: return unreachable(spec.namespaces, 'namespace scope');
      }
    }
    case PeerKind.IP_BLOCK:
    case PeerKind.INTERNET:
    case PeerKind.KUBE_API_SERVER:
      if (end.kind !== 'address') {
        return false;
      }
      return spec.blocks.some((block) => cidrContainsIp(parseCidr(block.cidr), end.address) &&
        !block.except.some((hole) => cidrContainsIp(parseCidr(hole), end.address)));
    case PeerKind.FQDN:
      // A DNS name never covers a pod, and the graph's stand-in addresses are not names.
      return false;
    default:
      return unreachable(spec, 'peer');
  }
}

export function or(a: Tri, b: Tri): Tri {
  return a === true || b === true ? true : a === 'unknown' || b === 'unknown' ? 'unknown' : false;
}

export function and(a: Tri, b: Tri): Tri {
  return a === false || b === false ? false : a === 'unknown' || b === 'unknown' ? 'unknown' : true;
}

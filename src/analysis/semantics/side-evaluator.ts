import { SideDecision } from './decision';
import { Direction } from '../direction';
import { Endpoint, PodSide } from '../endpoint';
import { L7Request } from '../http';

/** One side to decide: the pod's policies for `direction`, against the other end. */
export interface SideQuery {
  readonly pod: PodSide;
  readonly direction: Direction;
  /** The other end of the connection. */
  readonly other: Endpoint;
  /** The server, on which named ports resolve. */
  readonly destination: Endpoint;
  readonly port: number;
  readonly protocol: string;
  /** The probe's HTTP request, if it gave one. */
  readonly http?: L7Request;
}

/**
 * Decides one side of a connection (the client's egress, or the server's ingress) with one
 * engine's semantics; a connection is allowed when both sides are. The `NetworkModel` facade
 * resolves the probe's ends and asks the evaluator of the model's CNI:
 *
 * - `KubernetesEvaluator` (`semantics/kubernetes/evaluator.ts`): `networking.k8s.io/v1`
 *   NetworkPolicies alone, per the Kubernetes spec (docs/semantics/kubernetes.md);
 * - `CiliumEvaluator` (`semantics/cilium/evaluator.ts`): Cilium's policies with the Kubernetes
 *   ones as Cilium enforces them (docs/semantics/cilium.md);
 * - `CalicoEvaluator` (`semantics/calico/evaluator.ts`): Calico's tiers, with the Kubernetes
 *   policies in the default tier (docs/semantics/calico.md).
 *
 * An evaluator is built once per state of the model (by the builder in its folder) and caches what
 * does not depend on the peer (the policies that select a pod, per direction); it never changes
 * the model.
 */
export interface SideEvaluator {
  /** The decision of one side, with its cause, the policies involved and the reason in words. */
  decide(query: SideQuery): SideDecision;
  /**
   * The ports at which the side's decision may change, whatever the peer: the bounds of the
   * numbered ports and ranges of every rule that can decide it (a range `a-b` gives `a` and
   * `b + 1`). Between two bounds every port of a protocol gets the same decision, except where
   * a named port resolves on the destination's container ports (the caller adds those). More
   * bounds than needed only cost time; a missing one would make the matrix wrong.
   */
  portBounds(pod: PodSide, direction: Direction): readonly number[];
  /**
   * The manifests of the policies that can decide the side, whatever the peer and the port: those
   * that select the pod for the direction (for Calico, that apply to it). A peer matters to the
   * side only through their rules, so an estate groups peers by what these policies name
   * (connectivity/equivalence.ts). More than needed only splits groups; a missing one would make
   * the matrix wrong.
   */
  sidePolicies(pod: PodSide, direction: Direction): readonly unknown[];
}

/** "TCP/8080 to prod/api", "UDP/53 from 10.0.0.1". */
export function describeFlow(query: SideQuery): string {
  return `${query.protocol}/${query.port} ${query.direction === 'ingress' ? 'from' : 'to'} ${query.other.id}`;
}

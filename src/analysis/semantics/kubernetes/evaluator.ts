import { KubernetesPolicy, MANIFEST_LABELS, SelectorLabels } from './policy';
import { Direction } from '../../direction';
import { Endpoint, PodSide } from '../../endpoint';
import { DecisionCause, PolicyRef, SideDecision, decision } from '../decision';
import { SideEvaluator, SideQuery } from '../side-evaluator';

/** The policies that isolate one pod in one direction, with what decisions name of them. */
interface Isolation {
  readonly policies: readonly KubernetesPolicy[];
  readonly refs: readonly PolicyRef[];
  /** "prod/a, prod/b". */
  readonly names: string;
}

/**
 * Decides one side with the Kubernetes spec's semantics (docs/semantics/kubernetes.md): a pod is
 * isolated in a direction when a policy of its namespace selects it for that direction, and then
 * only what a rule of one of those policies allows passes (allows are additive).
 *
 * It is the evaluator of models that hold only Kubernetes NetworkPolicies, which decide estates of
 * thousands of pods: `decideSide` takes the query's parts as arguments, so no query object is
 * built per side, and the policies that isolate a pod, with their references and names, are found
 * once per pod and direction. Under Cilium it also answers which Kubernetes policies isolate a pod, with the
 * labels Cilium's selectors see (`isolating`).
 */
export class KubernetesEvaluator implements SideEvaluator {
  /** Per direction and pod id, the policies that isolate the pod (computed on first use). */
  private readonly isolations = new Map<string, Isolation>();

  /**
   * @param policiesIn the NetworkPolicies of a namespace (a policy only ever selects pods of its own)
   * @param labels the labels as the CNI's selectors see them (default: the manifests')
   */
  constructor(private readonly policiesIn: (namespace: string) => readonly KubernetesPolicy[],
    private readonly labels: SelectorLabels = MANIFEST_LABELS) {}

  public decide(query: SideQuery): SideDecision {
    return this.decideSide(query.pod, query.direction, query.other, query.destination, query.port, query.protocol);
  }

  /** `decide`, with the query's parts as arguments. */
  public decideSide(pod: PodSide, direction: Direction, other: Endpoint, destination: Endpoint, port: number, protocol: string): SideDecision {
    if (pod.hostNetwork) {
      return decision(direction, pod.id, DecisionCause.HOST_NETWORK, {}, ', the pod uses the node\'s network, where NetworkPolicy does not apply');
    }
    const isolation = this.isolation(pod, direction);
    if (isolation.policies.length === 0) {
      return decision(direction, pod.id, DecisionCause.NOT_ISOLATED, {},
        `, not isolated (no policy selects it for ${direction === 'ingress' ? 'Ingress' : 'Egress'})`);
    }
    for (const policy of isolation.policies) {
      const rule = policy.allowingRule(direction, other, destination, port, protocol, true, this.labels);
      if (rule !== undefined) {
        return decision(direction, pod.id, DecisionCause.ALLOWED, { isolatedBy: isolation.refs, allowedBy: policy.ref },
          ` by ${rule}; isolated by ${isolation.names}`);
      }
    }
    const hint = other.kind === 'name'
      ? '; a DNS name\'s addresses are unknown: only ipBlocks admitting every address of the connection\'s family (0.0.0.0/0 without except; ' +
        'for a client with an IPv6 address also ::/0) admit it' : '';
    return decision(direction, pod.id, DecisionCause.NO_RULE_ALLOWS, { isolatedBy: isolation.refs },
      `, isolated by ${isolation.names} and no rule of these allows ${protocol}/${port} ${direction === 'ingress' ? 'from' : 'to'} ${other.id}${hint}`);
  }

  public sidePolicies(pod: PodSide, direction: Direction): unknown[] {
    return pod.hostNetwork ? [] : this.isolation(pod, direction).policies.map((p) => p.source);
  }

  public portBounds(pod: PodSide, direction: Direction): number[] {
    return pod.hostNetwork ? [] : this.isolation(pod, direction).policies.flatMap((p) => p.portBounds(direction));
  }

  /** The policies that select `pod` and isolate it in `direction`. */
  public isolating(pod: PodSide, direction: Direction): readonly KubernetesPolicy[] {
    return this.isolation(pod, direction).policies;
  }

  private isolation(pod: PodSide, direction: Direction): Isolation {
    const key = `${direction} ${pod.id}`;
    let found = this.isolations.get(key);
    if (!found) {
      const policies = this.policiesIn(pod.namespace).filter((p) => p.isolatesPod(pod, direction, this.labels));
      found = { policies, refs: policies.map((p) => p.ref), names: policies.map((p) => p.id).join(', ') };
      this.isolations.set(key, found);
    }
    return found;
  }
}

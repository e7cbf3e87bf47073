import { ClusterPolicy, ClusterTier } from './policy';
import { Direction } from '../../direction';
import { PodSide } from '../../endpoint';
import { DecisionCause, SideDecision, decision, distinctRefs } from '../decision';
import { MANIFEST_LABELS } from '../kubernetes/policy';
import { SideEvaluator, SideQuery } from '../side-evaluator';

/** What a tier of ClusterNetworkPolicies did with one side. */
type TierResult =
  | { readonly decided: SideDecision }
  /** No rule decided: evaluation goes on to the next tier; `passed` says which rule passed it on, if one did. */
  | { readonly decided?: undefined; readonly passed?: string };

/**
 * Decides one side with ClusterNetworkPolicies around the NetworkPolicies
 * (docs/semantics/cluster.md#evaluation-order): the Admin tier first (its policies whose subject
 * selects the pod, by priority, then name; their rules in order: the first that matches decides,
 * Accept and Deny finally, Pass skipping to the NetworkPolicy tier); then the NetworkPolicies
 * (`inner`), which decide for a pod they isolate in the direction; then the Baseline tier (Pass
 * skips the rest of it); then the default: allowed.
 *
 * It wraps the evaluator of a model whose CNI is any conforming plugin (Kubernetes semantics);
 * under Calico the same objects are members of Calico's kube-admin and kube-baseline tiers
 * (semantics/calico/evaluator.ts).
 */
export class ClusterTiersEvaluator implements SideEvaluator {
  /** Per tier, direction and pod id, the policies whose rules apply (computed on first use). */
  private readonly applying = new Map<string, readonly ClusterPolicy[]>();
  private readonly byTier: Record<ClusterTier, readonly ClusterPolicy[]>;

  /**
   * @param inner the NetworkPolicy tier
   * @param policies the ClusterNetworkPolicies, in any order
   */
  constructor(private readonly inner: SideEvaluator, policies: readonly ClusterPolicy[]) {
    const ordered = [...policies].sort(byPriorityThenName);
    this.byTier = { Admin: ordered.filter((p) => p.tier === 'Admin'), Baseline: ordered.filter((p) => p.tier === 'Baseline') };
  }

  public decide(query: SideQuery): SideDecision {
    const { pod } = query;
    if (pod.hostNetwork) {
      // Host-network pods are never selected by a subject: only the NetworkPolicy tier's answer (allowed) stands.
      return this.inner.decide(query);
    }
    const notes: string[] = [];
    const admin = this.decideTier('Admin', query, notes);
    if (admin.decided) {
      return admin.decided;
    }
    const inner = this.inner.decide(query);
    const after = admin.passed !== undefined ? ` (after ${admin.passed})` : '';
    if (inner.cause !== DecisionCause.NOT_ISOLATED) {
      return after === '' && notes.length === 0 ? inner : { ...inner, reason: `${inner.reason}${after}${noted(notes)}` };
    }
    const baseline = this.decideTier('Baseline', query, notes, admin.passed);
    if (baseline.decided) {
      return baseline.decided;
    }
    if (!this.applies(pod, query.direction)) {
      // No ClusterNetworkPolicy has rules for this pod and direction: the NetworkPolicy tier's answer, whatever the port.
      return inner;
    }
    const passed = [admin.passed, baseline.passed].filter((p) => p !== undefined);
    return decision(query.direction, pod.id, DecisionCause.PASSED_TO_DEFAULT, {},
      `, not isolated (no NetworkPolicy selects it for ${query.direction === 'ingress' ? 'Ingress' : 'Egress'}) and no ClusterNetworkPolicy rule ` +
      `decided${passed.length > 0 ? ` (${passed.join('; ')})` : ''}: the default allows${noted(notes)}`);
  }

  public sidePolicies(pod: PodSide, direction: Direction): unknown[] {
    return [...this.inner.sidePolicies(pod, direction), ...this.policiesOf('Admin', pod, direction).map((p) => p.source),
      ...this.policiesOf('Baseline', pod, direction).map((p) => p.source)];
  }

  public portBounds(pod: PodSide, direction: Direction): number[] {
    return [...this.inner.portBounds(pod, direction), ...this.policiesOf('Admin', pod, direction).flatMap((p) => p.portBounds(direction)),
      ...this.policiesOf('Baseline', pod, direction).flatMap((p) => p.portBounds(direction))];
  }

  private applies(pod: PodSide, direction: Direction): boolean {
    return this.policiesOf('Admin', pod, direction).length > 0 || this.policiesOf('Baseline', pod, direction).length > 0;
  }

  private decideTier(tier: ClusterTier, query: SideQuery, notes: string[], before?: string): TierResult {
    const { pod, direction } = query;
    const after = before !== undefined ? ` (after ${before})` : '';
    for (const policy of this.policiesOf(tier, pod, direction)) {
      const outcome = policy.evaluate(query, MANIFEST_LABELS, notes);
      if (outcome === undefined) {
        continue;
      }
      if (outcome.action === 'Accept') {
        return { decided: decision(direction, pod.id, DecisionCause.ALLOWED, { allowedBy: policy.ref }, ` by ${outcome.text}${after}${noted(notes)}`) };
      }
      if (outcome.action === 'Deny') {
        const unknown = outcome.unknown;
        return {
          decided: decision(direction, pod.id, unknown !== undefined ? DecisionCause.FAIL_CLOSED : DecisionCause.DENY_RULE,
            { isolatedBy: distinctRefs([policy.ref]), deniedBy: policy.ref, ...(unknown !== undefined ? { undecided: unknown } : {}) },
            ` by ${outcome.text}${unknown !== undefined ? ` (failing closed: ${unknown})` : ''}${after}${noted(notes)}`),
        };
      }
      if (outcome.unknown !== undefined) {
        // A Pass that might match: whether the next tier or the rest of this one decides cannot be told.
        return {
          decided: decision(direction, pod.id, DecisionCause.FAIL_CLOSED,
            { isolatedBy: [policy.ref], deniedBy: policy.ref, undecided: outcome.unknown },
            `, failing closed: ${outcome.text} might pass it on: ${outcome.unknown}${after}${noted(notes)}`),
        };
      }
      return { passed: `passed ${tier === 'Admin' ? 'to the NetworkPolicy tier' : 'beyond the Baseline tier'} by ${outcome.text}` };
    }
    return {};
  }

  private policiesOf(tier: ClusterTier, pod: PodSide, direction: Direction): readonly ClusterPolicy[] {
    const key = `${tier} ${direction} ${pod.id}`;
    let found = this.applying.get(key);
    if (!found) {
      found = pod.hostNetwork ? [] : this.byTier[tier].filter((p) => p.appliesTo(pod, direction, MANIFEST_LABELS));
      this.applying.set(key, found);
    }
    return found;
  }
}

/**
 * Lower priority first; policies of one priority by name. The CRD leaves their order to the
 * implementation; kube-network-policies and Calico (by its kcnp.<tier>.<name> policy names)
 * both order them by name.
 */
export function byPriorityThenName(a: ClusterPolicy, b: ClusterPolicy): number {
  if (a.priority !== b.priority) {
    return a.priority - b.priority;
  }
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function noted(notes: readonly string[]): string {
  return notes.map((n) => `; ${n}`).join('');
}

import { BUILT_IN_TIERS, CalicoPolicy, CalicoTier, TierMember, clusterMember, kubernetesMember } from './policy';
import { CalicoSemantics, NEWEST_CALICO } from './rule';
import { groupBy } from '../../../util/group-by';
import { show } from '../../../util/validation';
import { Direction } from '../../direction';
import { PodSide } from '../../endpoint';
import { ClusterPolicy } from '../cluster/policy';

import { DecisionCause, PolicyRef, SideDecision, decision, distinctRefs } from '../decision';
import { KubernetesPolicy } from '../kubernetes/policy';
import { SideEvaluator, SideQuery, describeFlow } from '../side-evaluator';

/** Calico's tiers for ClusterNetworkPolicy, built in from 3.32. */
const KUBE_TIERS = ['kube-admin', 'kube-baseline'];

/** Where the model's policies and tiers come from; indexed by the model. */
export interface CalicoSources {
  /** Every GlobalNetworkPolicy. */
  readonly global: readonly TierMember[];
  /** The Calico NetworkPolicies and Kubernetes NetworkPolicies of a namespace. */
  membersIn(namespace: string): readonly TierMember[];
  /** A tier by name (built in or from a Tier object); the model refuses policies of unknown tiers. */
  tier(name: string): CalicoTier;
}

/** The policies of one tier that apply to a pod in one direction, in evaluation order. */
interface AppliedTier {
  readonly tier: CalicoTier;
  readonly members: readonly TierMember[];
  /** Their ids, joined for reasons. */
  readonly applying: string;
}

/** The tiers that apply to a pod in one direction: computed once per pod and direction. */
interface Applied {
  readonly tiers: readonly AppliedTier[];
  readonly isolatedBy: readonly PolicyRef[];
  /** A policy the model cannot tell applies or not, and why. */
  readonly undecided?: { readonly ref: PolicyRef; readonly display: string; readonly why: string };
}

/**
 * Decides one side of a connection with Calico's tiered semantics
 * (docs/semantics/calico.md#tiers-and-orders): tiers in order (then name), and in each tier that
 * has a policy applying to the pod in this direction, the policies by order (then name) and their
 * rules in order. The first Allow or Deny decides; Pass skips the rest of the tier; Log goes on.
 * When no rule of a tier's applying policies matched, the tier's defaultAction decides (Deny) or
 * passes (docs/semantics/calico.md#tier-default-action). A pod no policy applies to, or that every
 * tier passed on, is allowed by its namespace's profile.
 */
export class CalicoEvaluator implements SideEvaluator {
  private readonly applied = new Map<string, Applied>();

  constructor(private readonly sources: CalicoSources) {}

  public decide(query: SideQuery): SideDecision {
    const { pod, direction } = query;
    const typeName = direction === 'ingress' ? 'Ingress' : 'Egress';
    if (pod.hostNetwork) {
      return decision(direction, pod.id, DecisionCause.HOST_NETWORK, {}, ', the pod uses the node\'s network: it is no Calico ' +
        'workload endpoint (host endpoints are not modelled)');
    }
    const { tiers, isolatedBy, undecided } = this.tiersOf(pod, direction);
    if (undecided !== undefined) {
      // The model cannot tell whether a policy applies: failing closed (docs/semantics/calico.md#service-accounts).
      return decision(direction, pod.id, DecisionCause.FAIL_CLOSED,
        { isolatedBy: distinctRefs([undecided.ref], isolatedBy), undecided: undecided.why }, `, failing closed: whether ${undecided.display} applies to it cannot be told: ${undecided.why}`);
    }
    if (tiers.length === 0) {
      return decision(direction, pod.id, DecisionCause.NOT_ISOLATED, { isolatedBy }, `, no Calico or Kubernetes policy applies to it for ${typeName} ` +
        '(its namespace\'s profile allows)');
    }
    const passed: string[] = [];
    const notes: string[] = [];
    const noted = () => notes.map((n) => `; ${n}`).join('');
    for (const { tier, members, applying } of tiers) {
      let passedOn = false;
      for (const member of members) {
        const outcome = member.evaluate(query, notes);
        if (outcome === undefined) {
          continue;
        }
        const before = passed.length > 0 ? ` after ${passed.join(', ')}` : '';
        if (outcome.action === 'Allow') {
          const l7 = outcome.unchecked !== undefined
            ? `; its HTTP match (${outcome.unchecked}) restricts the requests (give the probe an http request to check one)` : '';
          return decision(direction, pod.id, DecisionCause.ALLOWED,
            { isolatedBy, allowedBy: member.ref, ...(outcome.unchecked !== undefined ? { l7: 'HTTP' } : {}) },
            ` by ${outcome.text}${before}${l7}${nameNote(query, notes)}`);
        }
        if (outcome.action === 'Deny') {
          const unknown = outcome.unknown;
          const failClosed = unknown !== undefined ? ` (failing closed: ${unknown})` : '';
          return decision(direction, pod.id, unknown !== undefined ? DecisionCause.FAIL_CLOSED : DecisionCause.DENY_RULE,
            { isolatedBy: distinctRefs([member.ref], isolatedBy), deniedBy: member.ref, ...(unknown !== undefined ? { undecided: unknown } : {}) },
            ` by ${outcome.text}${failClosed}${before}${noted()}`);
        }
        passed.push(`passed to the next tier by ${outcome.text}`);
        passedOn = true;
        break;
      }
      if (passedOn) {
        continue;
      }
      if (tier.defaultAction === 'Deny') {
        const before = passed.length > 0 ? ` after ${passed.join(', ')}` : '';
        return decision(direction, pod.id, DecisionCause.TIER_DEFAULT, { isolatedBy, tier: tier.name }, ` by the default action (Deny) of tier ${tier.name}: ` +
          `${applying} ${members.length === 1 ? 'applies and none of its rules matches' : 'apply and no rule of these matches'} ${describeFlow(query)}${before}${noted()}`);
      }
      passed.push(`passed on by the default action (Pass) of tier ${tier.name} (no rule of ${applying} matched)`);
    }
    return decision(direction, pod.id, DecisionCause.PASSED_TO_PROFILE, { isolatedBy }, `, every tier passed it on (${passed.join('; ')}); ` +
      `Calico's namespace profile allows what no tier decides${nameNote(query, notes)}`);
  }

  public sidePolicies(pod: PodSide, direction: Direction): unknown[] {
    return pod.hostNetwork ? [] : this.tiersOf(pod, direction).tiers.flatMap((t) => t.members.map((m) => m.source));
  }

  public portBounds(pod: PodSide, direction: Direction): number[] {
    return pod.hostNetwork ? [] : this.tiersOf(pod, direction).tiers.flatMap((t) => t.members.flatMap((m) => m.portBounds(direction)));
  }

  private tiersOf(pod: PodSide, direction: Direction): Applied {
    const key = `${direction} ${pod.id}`;
    let found = this.applied.get(key);
    if (!found) {
      const byTier = new Map<string, TierMember[]>();
      let undecided: Applied['undecided'];
      for (const member of [...this.sources.membersIn(pod.namespace), ...this.sources.global]) {
        const why = member.undecided?.(pod, direction);
        if (why !== undefined && undecided === undefined) {
          undecided = { ref: member.ref, display: member.display, why };
        }
        if (member.applies(pod, direction)) {
          const list = byTier.get(member.tier);
          if (list) {
            list.push(member);
          } else {
            byTier.set(member.tier, [member]);
          }
        }
      }
      const tiers = [...byTier.entries()]
        .map(([name, members]) => ({ tier: this.sources.tier(name), members: members.sort(byOrderThenName), applying: members.map((m) => m.id).join(', ') }))
        .sort((a, b) => byOrderThenName({ order: a.tier.order, sortKey: a.tier.name }, { order: b.tier.order, sortKey: b.tier.name }));
      found = { tiers, isolatedBy: distinctRefs(...tiers.map((t) => t.members.map((m) => m.ref))), ...(undecided ? { undecided } : {}) };
      this.applied.set(key, found);
    }
    return found;
  }
}

/**
 * The evaluator of a model that holds Calico objects: the Kubernetes NetworkPolicies join the
 * default tier (docs/semantics/calico.md#kubernetes-networkpolicies-under-calico), the
 * ClusterNetworkPolicies the kube-admin and kube-baseline tiers (`clusterMember`), and every
 * policy's tier must exist, built in or given as a Tier object. Throws, naming the policy, when a
 * tier is missing: its order and default action decide.
 * @param tierObjects the Tier objects of the model, by name
 */
export function buildCalicoEvaluator(kubernetes: readonly KubernetesPolicy[], calico: readonly CalicoPolicy[],
  tierObjects: ReadonlyMap<string, CalicoTier>, cluster: readonly ClusterPolicy[] = [], semantics: CalicoSemantics = NEWEST_CALICO): CalicoEvaluator {
  // kube-admin and kube-baseline exist from Calico 3.32 (earlier releases had adminnetworkpolicy instead).
  const builtIn = Object.entries(BUILT_IN_TIERS).filter(([name]) => semantics.clusterNetworkPolicy || !KUBE_TIERS.includes(name));
  const tiers = new Map<string, CalicoTier>(builtIn);
  tierObjects.forEach((tier, name) => tiers.set(name, tier));
  for (const policy of calico) {
    if (!tiers.has(policy.tier)) {
      if (KUBE_TIERS.includes(policy.tier)) {
        throw new Error(`${policy.id} is in tier ${show(policy.tier)}, but the model has no Tier ${show(policy.tier)}; Calico creates ` +
          `${show(policy.tier)} from 3.32 on, and the model follows Calico ${semantics.release}: give the cluster's release ` +
          '(NetworkModelOptions.calicoVersion; for synth-time proofs the context key cdk8s-netpol/calico-version) when it is 3.32 or later');
      }
      throw new Error(`${policy.id} is in tier ${show(policy.tier)}, but the model has no Tier ${show(policy.tier)}: ` +
        'add the Tier object (projectcalico.org/v3 Tier; its order and defaultAction decide how the tier is evaluated)');
    }
  }
  const members = [
    ...kubernetes.map((p) => ({ namespace: p.namespace, member: kubernetesMember(p) })),
    ...calico.filter((p) => p.namespace !== undefined).map((p) => ({ namespace: p.namespace!, member: p as TierMember })),
  ];
  const byNamespace = new Map([...groupBy(members, (m) => m.namespace)].map(([namespace, list]) => [namespace, list.map((m) => m.member)]));
  return new CalicoEvaluator({
    membersIn: (namespace) => byNamespace.get(namespace) ?? [],
    global: [...calico.filter((p) => p.namespace === undefined), ...cluster.map(clusterMember)],
    tier: (name) => tiers.get(name)!,
  });
}

/**
 * Lower order first, a missing order (Infinity) last, ties by name
 * (docs/semantics/calico.md#tiers-and-orders).
 */
function byOrderThenName(a: { order: number; sortKey: string }, b: { order: number; sortKey: string }): number {
  if (a.order !== b.order) {
    return a.order < b.order ? -1 : 1;
  }
  return a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0;
}

/** Allow rules the model could not apply to a DNS name, whose addresses are unknown. */
function nameNote(query: SideQuery, notes: string[]): string {
  return query.other.kind === 'name' && notes.length > 0 ? notes.map((n) => `; ${n}`).join('') : '';
}

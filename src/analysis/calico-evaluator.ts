import { CalicoTier, TierMember } from './calico';
import { decided, describeFlow, SideDecision, SideQuery, sideName } from './decision';
import { PodSide } from './endpoint';
import { Direction } from './kubernetes';

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
  readonly isolatedBy: string[];
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
export class CalicoEvaluator {
  private readonly applied = new Map<string, Applied>();

  constructor(private readonly sources: CalicoSources) {}

  public decide(query: SideQuery): SideDecision {
    const { pod, direction } = query;
    const side = sideName(query);
    const typeName = direction === 'ingress' ? 'Ingress' : 'Egress';
    if (pod.hostNetwork) {
      return decided(query, true, [], `${side}: allowed, the pod uses the node's network: it is no Calico ` +
        'workload endpoint (host endpoints are not modelled)');
    }
    const { tiers, isolatedBy } = this.tiersOf(pod, direction);
    if (tiers.length === 0) {
      return decided(query, true, isolatedBy, `${side}: allowed, no Calico or Kubernetes policy applies to it for ${typeName} ` +
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
          return decided(query, true, isolatedBy, `${side}: allowed by ${outcome.text}${before}${l7}${nameNote(query, notes)}`, member.id, undefined,
            outcome.unchecked !== undefined ? 'HTTP' : undefined);
        }
        if (outcome.action === 'Deny') {
          const failClosed = outcome.unknown !== undefined ? ` (failing closed: ${outcome.unknown})` : '';
          return decided(query, false, [...new Set([member.id, ...isolatedBy])], `${side}: denied by ${outcome.text}${failClosed}${before}${noted()}`,
            undefined, outcome.unknown);
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
        return decided(query, false, isolatedBy, `${side}: denied by the default action (Deny) of tier ${tier.name}: ` +
          `${applying} apply and no rule of these matches ${describeFlow(query)}${before}${noted()}`);
      }
      passed.push(`passed on by the default action (Pass) of tier ${tier.name} (no rule of ${applying} matched)`);
    }
    return decided(query, true, isolatedBy, `${side}: allowed, every tier passed it on (${passed.join('; ')}); ` +
      `Calico's namespace profile allows what no tier decides${nameNote(query, notes)}`);
  }

  private tiersOf(pod: PodSide, direction: Direction): Applied {
    const key = `${direction} ${pod.id}`;
    let found = this.applied.get(key);
    if (!found) {
      const byTier = new Map<string, TierMember[]>();
      for (const member of [...this.sources.membersIn(pod.namespace), ...this.sources.global]) {
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
      found = { tiers, isolatedBy: [...new Set(tiers.flatMap((t) => t.members.map((m) => m.id)))] };
      this.applied.set(key, found);
    }
    return found;
  }
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

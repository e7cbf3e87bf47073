import { markdownCode, markdownText } from './markdown';
import { MatrixPlan, canonicalGroups, estateOf, hasCell, modelStandIns, planMatrix, sourceAddress } from './matrix';
import { groupBy } from '../../util/group-by';
import { Segment } from '../connectivity/pair-connectivity';
import { PORT_PROTOCOLS, PortRange, compareRanges, formatRange, normalizeRanges, subtractRanges } from '../connectivity/port-ranges';
import { NetworkModel } from '../model';
import { DecisionCause, PolicyRef, SideDecision } from '../semantics/decision';

/** Ports of one pair that a change opened or closed, for one cause. */
export interface FlowChange {
  /** The source endpoint's id ("namespace/pod" or "internet"). */
  readonly from: string;
  /** The destination endpoint's id ("namespace/pod", "dns", "internet" or "metadata"). */
  readonly to: string;
  /** The ranges opened or closed: "TCP/8080", "TCP/1-65535", "TCP/8080 (HTTP rules)". */
  readonly ports: string[];
  /** What made the change, as a reviewer groups it: "NetworkPolicy shop/api-in", "no policy isolates shop/web for egress". */
  readonly cause: string;
  /** The deciding side's reason after the change (before it, for a pod that is gone), naming the rule. */
  readonly reason: string;
}

/** What a policy change does to connectivity. */
export interface PolicyDiff {
  readonly opened: FlowChange[];
  readonly closed: FlowChange[];
  /** How the comparison was made (stand-ins, a side without workloads). */
  readonly notes: string[];
}

/** "NetworkPolicy shop/api", "GlobalNetworkPolicy deny-metadata". */
export function refName(ref: PolicyRef): string {
  // A Calico NetworkPolicy is not a Kubernetes one: say whose.
  const kind = ref.apiVersion.startsWith('projectcalico.org/') && !ref.kind.startsWith('Global') ? `Calico ${ref.kind}` : ref.kind;
  return `${kind} ${ref.namespace !== undefined ? `${ref.namespace}/` : ''}${ref.name}`;
}

/** Why a side allows, as a group of changes: the policy that allows, or why nothing isolates. */
function allowCause(side: SideDecision): string {
  switch (side.cause) {
    case DecisionCause.ALLOWED:
      return side.allowedBy !== undefined ? refName(side.allowedBy) : `a rule allowing ${side.direction} of ${side.pod}`;
    case DecisionCause.PASSED_TO_PROFILE:
      return `the namespace profile of ${side.pod.split('/')[0]} (every Calico tier passed)`;
    case DecisionCause.PASSED_TO_DEFAULT:
      return `the cluster default for ${side.pod} (no ClusterNetworkPolicy rule decided ${side.direction})`;
    case DecisionCause.HOST_NETWORK:
      return `${side.pod} uses the node's network`;
    default:
      return `no policy isolates ${side.pod} for ${side.direction}`;
  }
}

/** Why a side denies, as a group of changes: the deny's policy, the tier, or the isolating policies. */
function denyCause(side: SideDecision): string {
  if (side.deniedBy !== undefined) {
    return refName(side.deniedBy);
  }
  if (side.cause === DecisionCause.TIER_DEFAULT && side.tier !== undefined) {
    return `the default action of Calico tier ${side.tier}`;
  }
  return side.isolatedBy.length > 0 ? `isolated by ${side.isolatedBy.map(refName).join(', ')}` : `${side.direction} of ${side.pod}`;
}

function allowedRanges(segments: readonly Segment[] | undefined): PortRange[] {
  const allowed = (segments ?? []).filter((s) => s.allowed);
  return normalizeRanges(allowed.map((s) => ({ protocol: s.protocol, from: s.from, to: s.to, ...(s.l7 ? { l7: s.l7 } : {}) })));
}

/** The policies of `after` not among `before`'s, or all of `after`'s when none is new. */
function newRefs(before: readonly PolicyRef[], after: readonly PolicyRef[]): readonly PolicyRef[] {
  const old = new Set(before.map((r) => r.id));
  const added = after.filter((r) => !old.has(r.id));
  return added.length > 0 ? added : after;
}

/** Why one side now allows what it denied: the deny that no longer decides, else what allows now. */
function sideOpened(was: SideDecision, is: SideDecision): string {
  const denied = was.cause === DecisionCause.DENY_RULE || was.cause === DecisionCause.FAIL_CLOSED;
  if (denied && was.deniedBy !== undefined && is.deniedBy?.id !== was.deniedBy.id) {
    return `${refName(was.deniedBy)} (no longer denies)`;
  }
  return allowCause(is);
}

/** Why one side now denies (or restricts to L7 rules) what it allowed. */
function sideClosed(was: SideDecision, is: SideDecision): string {
  if (is.allowed) {
    return allowCause(is);
  }
  if (is.cause === DecisionCause.NO_RULE_ALLOWS || is.cause === DecisionCause.L7_DENIED) {
    if (was.cause === DecisionCause.ALLOWED && was.allowedBy !== undefined) {
      return `${refName(was.allowedBy)} (no longer allows)`;
    }
    return `isolated by ${newRefs(was.isolatedBy, is.isolatedBy).map(refName).join(', ')}`;
  }
  return denyCause(is);
}

/**
 * The cause of an opened range, from the decisions of both sides at its first port before and
 * after: every side that went from denied to allowed (a deny that no longer decides, the policy
 * that now allows, the isolation that went away), both when both did; when both allowed before,
 * the side whose L7 restriction was lifted. Undefined `was`: an endpoint the change adds.
 */
function openedBy(was: readonly SideDecision[] | undefined, is: readonly SideDecision[], added: string): { cause: string; reason: string } {
  if (was === undefined) {
    return { cause: added, reason: is.map((s) => s.reason).join('; ') };
  }
  let changed = is.map((side, k) => ({ side, k })).filter(({ side, k }) => side.allowed && !(was[k]?.allowed ?? false));
  if (changed.length === 0) {
    changed = is.map((side, k) => ({ side, k })).filter(({ side, k }) => side.l7 !== was[k]?.l7);
  }
  if (changed.length === 0) {
    return { cause: 'a pod can always reach itself', reason: '' };
  }
  const causes = changed.map(({ side, k }) => (was[k] ? sideOpened(was[k], side) : allowCause(side)));
  return { cause: [...new Set(causes)].join(' + '), reason: changed.map(({ side }) => side.reason).join('; ') };
}

/**
 * The cause of a closed range: every side that went from allowed to denied (or to L7 rules only):
 * the rule that no longer allows, the deny rule or tier that now decides, the policies that newly
 * isolate. Undefined `is`: an endpoint the change removes.
 */
function closedBy(was: readonly SideDecision[], is: readonly SideDecision[] | undefined, removed: string): { cause: string; reason: string } {
  if (is === undefined) {
    return { cause: removed, reason: was.map((s) => s.reason).join('; ') };
  }
  let changed = is.map((side, k) => ({ side, k })).filter(({ side, k }) => !side.allowed && (was[k]?.allowed ?? true));
  if (changed.length === 0) {
    changed = is.map((side, k) => ({ side, k })).filter(({ side, k }) => side.l7 !== undefined && side.l7 !== was[k]?.l7);
  }
  if (changed.length === 0) {
    return { cause: 'a pod can always reach itself', reason: '' };
  }
  const causes = changed.map(({ side, k }) => (was[k] ? sideClosed(was[k], side) : denyCause(side)));
  return { cause: [...new Set(causes)].join(' + '), reason: changed.map(({ side }) => side.reason).join('; ') };
}

/** A range that changed, and how a reader sees it. */
interface ChangedRange {
  /** The ports, without an L7 restriction. */
  readonly range: PortRange;
  /** "TCP/8080", "TCP/8080 (HTTP rules)", "TCP/8080 (HTTP rules lifted)", "TCP/8080 (now HTTP rules only)". */
  readonly text: string;
}

const bare = (ranges: readonly PortRange[]) => normalizeRanges(ranges.map(({ protocol, from, to }) => ({ protocol, from, to })));
const intersect = (a: PortRange[], b: PortRange[]) => subtractRanges(a, subtractRanges(a, b));

/**
 * What changed between two allowed sets, a port being denied, allowed with L7 rules deciding
 * (HTTP or DNS), or allowed: opened where it went up (denied to allowed, or L7 rules lifted),
 * closed where it went down (allowed to denied, or now restricted by L7 rules).
 */
function changedRanges(was: readonly PortRange[], is: readonly PortRange[]): { opened: ChangedRange[]; closed: ChangedRange[] } {
  const split = (ranges: readonly PortRange[]) => ({
    any: bare(ranges),
    plain: bare(ranges.filter((r) => r.l7 === undefined)),
    http: bare(ranges.filter((r) => r.l7 === 'HTTP')),
    dns: bare(ranges.filter((r) => r.l7 === 'DNS')),
  });
  const a = split(was);
  const b = split(is);
  const items = (ranges: PortRange[], suffix: string) => ranges.map((range) => ({ range, text: `${formatRange(range)}${suffix}` }));
  const allowedNow = subtractRanges(b.any, a.any);
  const deniedNow = subtractRanges(a.any, b.any);
  const order = (list: ChangedRange[]) => list.sort((x, y) => compareRanges(x.range, y.range));
  return {
    opened: order([
      ...items(intersect(allowedNow, b.plain), ''),
      ...items(intersect(allowedNow, b.http), ' (HTTP rules)'),
      ...items(intersect(allowedNow, b.dns), ' (DNS rules)'),
      ...items(intersect(b.plain, [...a.http, ...a.dns]), ' (L7 rules lifted)'),
    ]),
    closed: order([
      ...items(deniedNow, ''),
      ...items(intersect(a.plain, b.http), ' (now HTTP rules only)'),
      ...items(intersect(a.plain, b.dns), ' (now DNS rules only)'),
    ]),
  };
}

/** Changes of one pair, grouped by cause (ranges of one cause together). */
function pairChanges(from: string, to: string, ranges: ChangedRange[], explain: (r: PortRange) => { cause: string; reason: string }): FlowChange[] {
  const groups = new Map<string, { ports: string[]; reason: string }>();
  for (const { range, text } of ranges) {
    const { cause, reason } = explain(range);
    const group = groups.get(cause);
    if (group) {
      group.ports.push(text);
    } else {
      groups.set(cause, { ports: [text], reason });
    }
  }
  return [...groups.entries()].map(([cause, { ports, reason }]) => ({ from, to, ports: ports.join(', ') === EVERY_PORT_TEXT ? ['all ports'] : ports, cause, reason }));
}

/** Every port of the three protocols, as a change lists it: shown as "all ports", as the matrix does. */
const EVERY_PORT_TEXT = PORT_PROTOCOLS.map((p) => `${p}/1-65535`).join(', ');

/**
 * Plans of two models on the same endpoints: each side's workloads; without workloads on one
 * side, the other side's pods; without workloads on either, the same stand-ins (the groups both
 * sides' policies select), so that only verdicts differ.
 */
function comparablePlans(before: NetworkModel, after: NetworkModel): { plans: [MatrixPlan, MatrixPlan]; notes: string[] } {
  // The ranges both sides' policies name, each its own row and column: a change to one range shows as that range's.
  const ranges = { addressesOf: [...before._policyObjects(), ...after._policyObjects()], mergeRanges: false };
  const beforeHas = before.podIds.length > 0;
  const afterHas = after.podIds.length > 0;
  if (beforeHas && afterHas) {
    return { plans: [planMatrix(before, ranges), planMatrix(after, ranges)], notes: [] };
  }
  if (beforeHas !== afterHas) {
    const [withPods, without] = beforeHas ? [before, after] : [after, before];
    const filled = without._withPodsOf(withPods);
    const note = `The ${beforeHas ? 'new' : 'old'} side holds no workloads: its policies were evaluated on the ${beforeHas ? 'old' : 'new'} side's ` +
      `${withPods.podIds.length} pod(s), so that only the policies differ.`;
    const plans: [MatrixPlan, MatrixPlan] = beforeHas ? [planMatrix(before, ranges), planMatrix(filled, ranges)]
      : [planMatrix(filled, ranges), planMatrix(after, ranges)];
    return { plans, notes: [note] };
  }
  const standIns = canonicalGroups([...modelStandIns(before), ...modelStandIns(after)]);
  const plans: [MatrixPlan, MatrixPlan] = [planMatrix(before, { ...ranges, standIns }), planMatrix(after, { ...ranges, standIns })];
  if (standIns.length === 0) {
    return { plans, notes: ['Neither side holds workloads or policies that select pods: there is nothing to compare.'] };
  }
  const note = 'Neither side holds workloads: both were evaluated on the same stand-in pods (one per group of pods either side\'s policies ' +
    'select or name, named after its labels); add the workloads to compare real pods.';
  return { plans, notes: [note] };
}

/**
 * What a change from `before` to `after` opens and closes: for every pair of endpoints, the ports
 * allowed after and not before (opened) and before and not after (closed), each with the policy
 * that caused it. A pod present on one side only has all its ports closed (or opened) on the other.
 */
export function diffModels(before: NetworkModel, after: NetworkModel): PolicyDiff {
  const { plans: [old, now], notes: planNotes } = comparablePlans(before, after);
  // The engine semantics named for both sides (a Calico release, a Cilium cluster name), once.
  const semantics = [...new Set([before._semanticsNote(), after._semanticsNote()].filter((n): n is string => n !== undefined))];
  const notes = [...semantics, ...planNotes];
  // Both sides estate-wide (each side decided once per group of alike endpoints); only the pairs
  // whose answers differ are computed again, alone, to name what changed and why.
  const estates = [estateOf(old), estateOf(now)];
  const keyIds = new Map<string, number>();
  const keyId = (key: string) => {
    let id = keyIds.get(key);
    if (id === undefined) {
      id = keyIds.size;
      keyIds.set(key, id);
    }
    return id;
  };
  const answerKeys = estates.map((estate) => {
    let known = 0;
    let ids: number[] = [];
    return (result: number) => {
      if (known < estate.results.length) {
        ids = [...ids, ...estate.results.slice(known).map((r) => keyId(r.key))];
        known = estate.results.length;
      }
      return result < 0 ? -1 : ids[result];
    };
  });
  const sourceIds = [...new Map([...old.sources, ...now.sources].map((e) => [e.id, e])).values()];
  const targetIds = [...new Map([...old.targets, ...now.targets].map((t) => [t.endpoint.id, t])).values()];
  const positions = (plan: MatrixPlan) => {
    const sourceAt = new Map(plan.sources.map((e, i) => [e.id, i]));
    const targetAt = new Map(plan.targets.map((t, j) => [t.endpoint.id, j]));
    const targetColumns = Int32Array.from(targetIds, (t) => targetAt.get(t.endpoint.id) ?? -1);
    return { sourceAt, targetColumns, targets: new Map(plan.targets.map((t) => [t.endpoint.id, t])) };
  };
  const at = [positions(old), positions(now)];
  const opened: FlowChange[] = [];
  const closed: FlowChange[] = [];
  for (const from of sourceIds) {
    const rows = at.map((p, side) => {
      const i = p.sourceAt.get(from.id);
      return i === undefined ? undefined : estates[side].row(i);
    });
    targetIds.forEach((target, k) => {
      if (from.id === target.endpoint.id || !hasCell(from, target.endpoint)) {
        return;
      }
      const answer = (side: number) => {
        const column = at[side].targetColumns[k];
        const row = rows[side];
        return row === undefined || column < 0 ? -2 : answerKeys[side](row[column]);
      };
      if (answer(0) === answer(1)) {
        return;
      }
      const segmentsOf = (side: number) => {
        const to = at[side].targets.get(target.endpoint.id);
        return rows[side] !== undefined && to !== undefined ? [old, now][side].model._segments(sourceAddress(from), to.address) : undefined;
      };
      const was = segmentsOf(0);
      const is = segmentsOf(1);
      const { opened: gained, closed: lost } = changedRanges(allowedRanges(was), allowedRanges(is));
      // The reasons at the first port that changed (a segment's own are those of its first port).
      const sidesAt = (side: number, r: PortRange) => [old, now][side].model._explain({
        from: sourceAddress(from), to: at[side].targets.get(target.endpoint.id)!.address, port: r.from, protocol: r.protocol,
      }).sides;
      // An endpoint on one side only: the change adds (or removes) it; said once per namespace, not per pod.
      const lone = [from, target.endpoint].find((e) => !(was ? at[1] : at[0]).targets.has(e.id) && !(was ? at[1] : at[0]).sourceAt.has(e.id));
      const where = lone?.namespace !== undefined ? `pods of ${lone.namespace}` : lone?.id ?? '';
      for (const change of pairChanges(from.id, target.endpoint.id, gained, (r) => openedBy(was ? sidesAt(0, r) : undefined, sidesAt(1, r), `new ${where}`))) {
        opened.push(change);
      }
      for (const change of pairChanges(from.id, target.endpoint.id, lost, (r) => closedBy(sidesAt(0, r), is ? sidesAt(1, r) : undefined, `removed ${where}`))) {
        closed.push(change);
      }
    });
  }
  return { opened, closed, notes };
}

/** Above this many changes, a group's list is folded in a details block. */
export const FOLD_ABOVE = 10;
/** At most this many flows are listed per cause, and in all; the rest are counted. */
export const MAX_LISTED_PER_CAUSE = 50;
export const MAX_LISTED = 300;
/** The rule that decided is quoted for the first few flows of a cause (the others' read alike). */
export const REASONS_PER_CAUSE = 3;
/** At most this many causes in the table; the rest are counted. */
export const MAX_CAUSES = 50;

/** The number of pairs (from, to) among the changes. */
export function pairCount(changes: readonly FlowChange[]): number {
  return new Set(changes.map((c) => `${c.from}\u0000${c.to}`)).size;
}

/** Changes grouped by cause, the largest group first (then by name). */
function groupedByCause(changes: readonly FlowChange[]): [string, FlowChange[]][] {
  return [...groupBy(changes, (change) => change.cause).entries()].sort(([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Markdown for a pull request (GitHub-flavoured): the totals, a table of causes, then the opened
 * and closed flows grouped by the policy that caused them, each flow with the rule that decided;
 * groups of more than FOLD_ABOVE flows folded in a details block, so 200 changes stay readable.
 */
export function diffMarkdown(diff: PolicyDiff, notEvaluated: string[] = []): string {
  const { opened, closed } = diff;
  const lines = ['# Network policy change', '', `**${pairCount(opened)}** flow(s) opened, **${pairCount(closed)}** closed.`, ''];
  const push = (...more: string[]) => more.forEach((line) => lines.push(line));
  if (notEvaluated.length > 0) {
    push('> **Incomplete verdicts:** the flows below ignore these objects, which the model does not evaluate and which may ' +
      `allow or deny traffic (not evaluated): ${notEvaluated.map(markdownText).join(', ')}`, '');
  }
  for (const note of diff.notes) {
    push(`> ${markdownText(note)}`, '');
  }
  const causes = new Map<string, { opened: number; closed: number }>();
  for (const [list, key] of [[opened, 'opened'], [closed, 'closed']] as const) {
    for (const change of list) {
      const counts = causes.get(change.cause) ?? { opened: 0, closed: 0 };
      counts[key]++;
      causes.set(change.cause, counts);
    }
  }
  if (causes.size > 0) {
    push('| cause | opened | closed |', '|---|---|---|');
    const sorted = [...causes.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [cause, counts] of sorted.slice(0, MAX_CAUSES)) {
      push(`| ${markdownText(cause)} | ${counts.opened} | ${counts.closed} |`);
    }
    if (sorted.length > MAX_CAUSES) {
      push(`| … ${sorted.length - MAX_CAUSES} more causes | | |`);
    }
    push('');
  }
  // Bounded, so that a change to thousands of pairs still makes a comment a pull request takes.
  let listed = 0;
  const section = (title: string, changes: FlowChange[]) => {
    push(`## ${title}`, '');
    if (changes.length === 0) {
      push('None.', '');
      return;
    }
    for (const [cause, group] of groupedByCause(changes)) {
      push(`### ${markdownText(cause)} (${group.length})`, '');
      const shown = group.slice(0, Math.max(0, Math.min(MAX_LISTED_PER_CAUSE, MAX_LISTED - listed)));
      listed += shown.length;
      const items = shown.map((c, k) => `- ${markdownCode(c.from)} → ${markdownCode(c.to)} on ${markdownText(c.ports.join(', '))}` +
        (c.reason && k < REASONS_PER_CAUSE ? `\n  - ${markdownText(c.reason)}` : ''));
      const rest = group.length - shown.length;
      const more = rest > 0 ? [`- … ${rest} more flow(s) of this cause, not listed`] : [];
      if (group.length > FOLD_ABOVE) {
        push('<details>', `<summary>${group.length} flows</summary>`, '');
        items.forEach((item) => push(item));
        push(...more, '', '</details>', '');
      } else {
        items.forEach((item) => push(item));
        push(...more, '');
      }
    }
  };
  section('Opened', opened);
  section('Closed', closed);
  return lines.join('\n');
}

import {
  CALICO_SELECTOR_LABELS, CalicoAction, CalicoRule, CalicoSemantics, CompiledSelector, NEWEST_CALICO, calicoLabels, calicoNamespaceLabels,
  calicoRuleBounds,
  calicoServiceAccountSelectorLabels,
  compileCalicoRule, isServiceAccountLabelKey, unknownAccountLabels,
  compileSelector, compileSelectorOf,
} from './rule';
import { CalicoSelectorMatcher } from '../../../util/calico-selector';
import { dns1123SubdomainProblem } from '../../../util/names';
import { show } from '../../../util/validation';
import { Direction } from '../../direction';
import { PodSide } from '../../endpoint';
import { describeRequest } from '../../http';
import { compileLabelSelector, labelSelectorKeys } from '../../labels';
import { ClusterPolicy } from '../cluster/policy';
import { PolicyRef, policyRef } from '../decision';
import { KubernetesPolicy } from '../kubernetes/policy';
import { NotModelledError } from '../not-modelled';
import { SideQuery } from '../side-evaluator';

/** The tier Kubernetes NetworkPolicies and untiered Calico policies live in. */
export const DEFAULT_TIER = 'default';
/**
 * Where Calico places Kubernetes NetworkPolicies in the default tier
 * (docs/semantics/calico.md#kubernetes-policies-in-the-default-tier).
 */
export const KUBERNETES_POLICY_ORDER = 1000;

/** A tier: its order among tiers and what happens when a policy of it applies but no rule matches. */
export interface CalicoTier {
  readonly name: string;
  /** Infinity when the Tier has no order: evaluated last. */
  readonly order: number;
  readonly defaultAction: 'Deny' | 'Pass';
}

/**
 * The tiers Calico creates itself, with the order and default action it fixes (the Tier CRD's
 * validation rules): `default` for Kubernetes and untiered policies, and `kube-admin` and
 * `kube-baseline` for ClusterNetworkPolicies (and the Calico policies placed with them).
 */
const KUBE_ADMIN_TIER = 'kube-admin';
const KUBE_BASELINE_TIER = 'kube-baseline';
export const BUILT_IN_TIERS: Readonly<Record<string, CalicoTier>> = {
  'default': { name: 'default', order: 1_000_000, defaultAction: 'Deny' },
  'kube-admin': { name: 'kube-admin', order: 1000, defaultAction: 'Pass' },
  'kube-baseline': { name: 'kube-baseline', order: 10_000_000, defaultAction: 'Pass' },
};

/** What the first terminal rule of a policy did. */
export interface RuleOutcome {
  readonly action: Exclude<CalicoAction, 'Log'>;
  /** "GlobalNetworkPolicy x (tier t) egress rule #1 (Deny to nets 169.254.169.254/32)". */
  readonly text: string;
  /** Set when the rule's HTTP match was not checked because the probe gave no request. */
  readonly unchecked?: string;
  /**
   * Set when a Deny or Pass rule might match but the model cannot tell (an unknown address against
   * nets/notNets), with why: the outcome is then Deny, failing closed.
   */
  readonly unknown?: string;
}

/** A policy as a tier evaluates it: a Calico policy, or a Kubernetes NetworkPolicy converted by Calico. */
export interface TierMember {
  /** The id reasons use: "GlobalNetworkPolicy x", "Calico NetworkPolicy prod/x", or "prod/x" for Kubernetes. */
  readonly id: string;
  /** The object, as decisions name it. */
  readonly ref: PolicyRef;
  /** What reasons call it. */
  readonly display: string;
  readonly tier: string;
  /** Infinity when unset: evaluated last in its tier. */
  readonly order: number;
  /** Ties in order are broken by this name. */
  readonly sortKey: string;
  /** The manifest (`SideEvaluator.sidePolicies`). */
  readonly source: unknown;
  applies(pod: PodSide, direction: Direction): boolean;
  /**
   * Why the model cannot tell whether it applies to `pod` in `direction` (its selector reads
   * labels of the pod's ServiceAccount, which the model does not know); undefined when it can.
   */
  undecided?(pod: PodSide, direction: Direction): string | undefined;
  /**
   * The first rule with a terminal action (Allow, Deny, Pass) that matches, or undefined.
   * @param notes collects the Allow rules skipped because the model cannot tell whether they match
   */
  evaluate(query: SideQuery, notes?: string[]): RuleOutcome | undefined;
  /** The bounds of its rules' numbered ports and ranges in `direction` (`SideEvaluator.portBounds`). */
  portBounds(direction: Direction): number[];
}

/** Compiles a Tier object; throws on what Calico rejects. */
export function compileTier(obj: any): CalicoTier {
  const name = obj?.metadata?.name;
  const problem = dns1123SubdomainProblem(name);
  if (problem) {
    throw new Error(`Tier ${show(name)}: metadata.name is not a valid tier name: ${problem}`);
  }
  const spec = obj.spec ?? {};
  const unknown = Object.keys(spec).find((k) => k !== 'order' && k !== 'defaultAction');
  if (unknown !== undefined) {
    throw new Error(`Tier ${name}: unknown field spec.${unknown}; a Tier has order and defaultAction`);
  }
  if (spec.order !== undefined && spec.order !== null && (typeof spec.order !== 'number' || !Number.isFinite(spec.order))) {
    throw new Error(`Tier ${name}: spec.order ${show(spec.order)} is not a number`);
  }
  const defaultAction = spec.defaultAction ?? 'Deny';
  if (defaultAction !== 'Deny' && defaultAction !== 'Pass') {
    throw new Error(`Tier ${name}: spec.defaultAction ${show(spec.defaultAction)} is not Deny or Pass`);
  }
  const tier: CalicoTier = { name, order: spec.order ?? Infinity, defaultAction };
  const fixed = BUILT_IN_TIERS[name];
  if (fixed && (fixed.order !== tier.order || fixed.defaultAction !== tier.defaultAction)) {
    throw new Error(`Tier ${name}: Calico fixes this tier at order ${fixed.order} with defaultAction ${fixed.defaultAction}`);
  }
  return tier;
}

const SPEC_FIELDS: Record<string, string[]> = {
  NetworkPolicy: ['tier', 'order', 'selector', 'types', 'ingress', 'egress', 'serviceAccountSelector', 'performanceHints'],
  GlobalNetworkPolicy: ['tier', 'order', 'selector', 'namespaceSelector', 'types', 'ingress', 'egress', 'serviceAccountSelector', 'performanceHints',
    'applyOnForward', 'preDNAT', 'doNotTrack'],
};

/**
 * A `projectcalico.org/v3` NetworkPolicy or GlobalNetworkPolicy, compiled for evaluation
 * (docs/semantics/calico.md). Throws on what Calico rejects and on what the model cannot evaluate
 * (service accounts, Services, source ports), naming the object, the field and why.
 */
export class CalicoPolicy implements TierMember {
  public readonly id: string;
  public readonly ref: PolicyRef;
  public readonly display: string;
  public readonly kind: 'NetworkPolicy' | 'GlobalNetworkPolicy';
  /** The NetworkPolicy's namespace; undefined for a GlobalNetworkPolicy. */
  public readonly namespace?: string;
  public readonly source: any;
  public readonly tier: string;
  public readonly order: number;
  public readonly sortKey: string;
  /** The directions it applies in, after Calico's `types` defaulting. */
  public readonly types: ReadonlySet<Direction>;
  /** Host-endpoint-only policies (preDNAT, doNotTrack) never apply to pods. */
  public readonly hostEndpointsOnly: boolean;
  /**
   * Some selector of it (serviceAccountSelector, a rule's serviceAccounts.selector, a `pcsa.` key)
   * reads ServiceAccount labels beyond the account's name: the model must know every pod's account.
   */
  public readonly readsServiceAccountLabels: boolean;
  /** Its selector, which may read ServiceAccount labels beyond the name (a pcsa. key). */
  private readonly compiledSelector: CompiledSelector;
  /** Its serviceAccountSelector, if any. */
  private readonly compiledAccountSelector?: CompiledSelector;
  private readonly selector: CalicoSelectorMatcher;
  private readonly namespaceSelector?: CalicoSelectorMatcher;
  private readonly accountSelector?: CalicoSelectorMatcher;
  private readonly rules: Record<Direction, CalicoRule[]>;

  /** @param semantics what the cluster's Calico release decides (`calicoSemantics`) */
  constructor(obj: any, semantics: CalicoSemantics = NEWEST_CALICO) {
    this.kind = obj.kind;
    const global = this.kind === 'GlobalNetworkPolicy';
    const name = obj?.metadata?.name;
    if (typeof name !== 'string' || name.length === 0) {
      throw new Error(`${this.kind} without metadata.name`);
    }
    this.namespace = global ? undefined : obj.metadata?.namespace ?? 'default';
    this.ref = policyRef('projectcalico.org/v3', this.kind, this.namespace, name, global ? 'GlobalNetworkPolicy' : 'Calico NetworkPolicy');
    this.id = this.ref.id;
    this.sortKey = global ? name : `${this.namespace}/${name}`;
    this.source = obj;
    const spec = obj.spec ?? {};
    if (typeof spec !== 'object' || Array.isArray(spec)) {
      throw new Error(`${this.id}: spec ${show(spec)} is not an object`);
    }
    const unknown = Object.keys(spec).find((k) => !SPEC_FIELDS[this.kind].includes(k));
    if (unknown !== undefined) {
      throw new Error(`${this.id}: unknown field spec.${unknown}; a ${this.kind} has ${SPEC_FIELDS[this.kind].join(', ')}`);
    }
    this.tier = spec.tier ?? DEFAULT_TIER;
    if (typeof this.tier !== 'string' || dns1123SubdomainProblem(this.tier)) {
      throw new Error(`${this.id}: spec.tier ${show(spec.tier)} is not a tier name`);
    }
    this.display = `${this.id} (tier ${this.tier})`;
    if (spec.order !== undefined && spec.order !== null && (typeof spec.order !== 'number' || !Number.isFinite(spec.order))) {
      throw new Error(`${this.id}: spec.order ${show(spec.order)} is not a number`);
    }
    this.order = spec.order ?? Infinity;
    const selector = compileSelectorOf(spec.selector ?? '', `${this.id} spec.selector`);
    this.selector = selector.matches;
    // serviceAccountSelector: the pods whose ServiceAccount's labels it matches, ANDed with selector
    // (libcalico-go ANDs it, prefixed with pcsa., into the policy's selector).
    this.compiledSelector = selector;
    if (spec.serviceAccountSelector !== undefined && spec.serviceAccountSelector !== null && String(spec.serviceAccountSelector).trim() !== '') {
      const accounts = compileSelectorOf(spec.serviceAccountSelector, `${this.id} spec.serviceAccountSelector`, false, true);
      this.accountSelector = accounts.matches;
      this.compiledAccountSelector = accounts;
    }
    const readsAccounts = selector.readsServiceAccountLabels || (this.compiledAccountSelector?.readsServiceAccountLabels ?? false);
    if (global && spec.namespaceSelector !== undefined && spec.namespaceSelector !== null && String(spec.namespaceSelector).trim() !== '') {
      this.namespaceSelector = compileSelector(spec.namespaceSelector, `${this.id} spec.namespaceSelector`);
    }
    for (const flag of ['applyOnForward', 'preDNAT', 'doNotTrack']) {
      if (spec[flag] !== undefined && typeof spec[flag] !== 'boolean') {
        throw new Error(`${this.id}: spec.${flag} ${show(spec[flag])} is not a boolean`);
      }
    }
    if ((spec.preDNAT || spec.doNotTrack) && !spec.applyOnForward) {
      throw new Error(`${this.id}: preDNAT and doNotTrack need applyOnForward: true`);
    }
    // preDNAT and doNotTrack policies apply to host endpoints only
    // (docs/semantics/calico.md#host-endpoint-flags); the model has no host endpoints, so they
    // change no pod's verdict.
    this.hostEndpointsOnly = spec.preDNAT === true || spec.doNotTrack === true;
    for (const list of ['ingress', 'egress'] as const) {
      if (spec[list] !== undefined && spec[list] !== null && !Array.isArray(spec[list])) {
        throw new Error(`${this.id}: spec.${list} ${show(spec[list])} is not a list of rules`);
      }
    }
    this.types = new Set(calicoTypes(spec, this.id));
    this.rules = {
      ingress: (spec.ingress ?? []).map((r: any, i: number) => compileCalicoRule(r, i, 'ingress', this.namespace, `${this.id} spec.ingress[${i}]`, semantics)),
      egress: (spec.egress ?? []).map((r: any, i: number) => compileCalicoRule(r, i, 'egress', this.namespace, `${this.id} spec.egress[${i}]`, semantics)),
    };
    this.readsServiceAccountLabels = readsAccounts || [...this.rules.ingress, ...this.rules.egress].some((r) => r.readsServiceAccountLabels);
    // A policy with an HTTP match has its pods' requests checked by Dikastes, which before 3.33.0
    // never matched a named port (projectcalico/calico#13174): its named-port rules do nothing there.
    if (!semantics.httpNamedPorts && this.rules.ingress.some((r) => r.http !== undefined)) {
      const named = (spec.ingress as any[]).findIndex((r) => ['source', 'destination'].some((side) => ['ports', 'notPorts']
        .some((field) => Array.isArray(r?.[side]?.[field]) && r[side][field].some((p: unknown) => typeof p === 'string' && !/^[0-9]+(:[0-9]+)?$/.test(p)))));
      if (named >= 0) {
        throw new NotModelledError(`${this.id} spec.ingress[${named}]: a named port beside an HTTP match is not modelled for Calico ${semantics.release}: ` +
          'application layer policy (Dikastes) never matched named ports before projectcalico/calico#13668 (3.33.0; backported to the 3.31 ' +
          'and 3.32 lines in patches the model cannot name, projectcalico/calico#13174), while the dataplane does; use port numbers, or ' +
          'name release 3.33 if the cluster runs it');
      }
    }
  }

  /**
   * Whether it selects `pod` in `direction`: its types, its namespace (or namespaceSelector) and
   * selector. False when the model cannot tell (`undecided`).
   */
  public applies(pod: PodSide, direction: Direction): boolean {
    if (!this.scopes(pod, direction) || this.undecided(pod, direction) !== undefined) {
      return false;
    }
    return this.selector(calicoLabels(pod)) &&
      (this.accountSelector === undefined || this.accountSelector(calicoServiceAccountSelectorLabels(pod)));
  }

  /**
   * Why the model cannot tell whether it selects `pod`: its selector or serviceAccountSelector reads
   * labels of the pod's ServiceAccount, which the model does not know.
   */
  public undecided(pod: PodSide, direction: Direction): string | undefined {
    const accounts = this.compiledAccountSelector;
    const readsAccounts = this.compiledSelector.readsServiceAccountLabels || (accounts?.readsServiceAccountLabels ?? false);
    if (pod.serviceAccountLabels !== undefined || !readsAccounts || !this.scopes(pod, direction)) {
      return undefined;
    }
    // What the known labels decide (three-valued: a term on the account's labels is unknown).
    const bySelector = this.compiledSelector.decidesWithoutAccountLabels(calicoLabels(pod));
    const byAccounts = accounts === undefined ? true : accounts.decidesWithoutAccountLabels(calicoServiceAccountSelectorLabels(pod));
    if (bySelector === false || byAccounts === false || (bySelector === true && byAccounts === true)) {
      return undefined;
    }
    return unknownAccountLabels(pod, this.id);
  }

  /** Its types, host-endpoint flags, namespace and namespaceSelector admit `pod` in `direction`. */
  private scopes(pod: PodSide, direction: Direction): boolean {
    if (!this.types.has(direction) || pod.hostNetwork || this.hostEndpointsOnly) {
      return false;
    }
    if (this.namespace !== undefined && pod.namespace !== this.namespace) {
      return false;
    }
    return this.namespaceSelector === undefined || this.namespaceSelector(calicoNamespaceLabels(pod));
  }

  /**
   * The first rule that matches with Allow, Deny or Pass; Log rules log and go on
   * (docs/semantics/calico.md#actions). An Allow rule with an HTTP match matches only requests it
   * admits; without a request in the probe it matches at L3/L4, and the outcome says so.
   */
  public evaluate(query: SideQuery, notes?: string[]): RuleOutcome | undefined {
    for (const rule of this.rules[query.direction]) {
      if (rule.action === 'Log') {
        continue;
      }
      const match = rule.matches(query);
      if (match === false) {
        continue;
      }
      const text = `${this.display} ${query.direction} rule #${rule.index + 1} (${rule.text})`;
      if (match !== true) {
        // The model cannot tell whether the rule matches: an Allow must not allow on a guess, and
        // a Deny or Pass that might match fails closed.
        if (rule.action === 'Allow') {
          notes?.push(`${text} was not applied: ${match.unknown}`);
          continue;
        }
        return { action: 'Deny', text, unknown: `it might match (${rule.action}) and the model cannot tell: ${match.unknown}` };
      }
      if (rule.http !== undefined && query.protocol === 'TCP') {
        if (query.http === undefined) {
          return { action: rule.action, text, unchecked: rule.http.text };
        }
        if (!rule.http.matches(query.http)) {
          notes?.push(`${text} matches at L4, but its HTTP match rejects the request ${describeRequest(query.http)} (application layer policy answers 403)`);
          continue;
        }
      }
      return { action: rule.action as RuleOutcome['action'], text };
    }
    return undefined;
  }

  public portBounds(direction: Direction): number[] {
    const rules = this.source.spec?.[direction];
    return (Array.isArray(rules) ? rules : []).flatMap(calicoRuleBounds);
  }

}

/**
 * `types` as Calico defaults them (api/pkg/defaults/networkpolicy.go;
 * docs/semantics/calico.md#policy-types): unset means [Ingress] when there are no egress rules
 * (even without ingress rules), [Egress] when there are egress rules but no ingress rules, and both
 * when both are present.
 */
function calicoTypes(spec: any, id: string): Direction[] {
  const types: unknown = spec.types;
  if (types === undefined || types === null || (Array.isArray(types) && types.length === 0)) {
    const ingress = (spec.ingress?.length ?? 0) > 0;
    const egress = (spec.egress?.length ?? 0) > 0;
    return egress ? (ingress ? ['ingress', 'egress'] : ['egress']) : ['ingress'];
  }
  if (!Array.isArray(types) || types.length > 2) {
    throw new Error(`${id}: spec.types ${show(types)} must list Ingress and/or Egress`);
  }
  return types.map((t) => {
    if (t === 'Ingress' || t === 'Egress') {
      return t === 'Ingress' ? 'ingress' : 'egress';
    }
    throw new Error(`${id}: spec.types entry ${show(t)} is not Ingress or Egress`);
  });
}

/**
 * A Kubernetes NetworkPolicy as Calico runs it: in the default tier at order 1000, its rules
 * Allow rules (libcalico-go conversion.go;
 * docs/semantics/calico.md#kubernetes-policies-in-the-default-tier).
 */
export function kubernetesMember(policy: KubernetesPolicy): TierMember {
  const spec = policy.source?.spec ?? {};
  // Selectors reading a ServiceAccount's own labels (pcsa.*): undecided for a pod whose account's
  // labels the model does not know (docs/semantics/calico.md#service-accounts).
  const subject = accountLabelSelector(spec.podSelector);
  const accountPeers = (['ingress', 'egress'] as const).flatMap((d) => (Array.isArray(spec[d]) ? spec[d] : [])
    .flatMap((r: any) => (Array.isArray(r?.[d === 'ingress' ? 'from' : 'to']) ? r[d === 'ingress' ? 'from' : 'to'] : [])
      .map((peer: any) => accountLabelSelector(peer?.podSelector))
      .filter((known: ReturnType<typeof accountLabelSelector>): known is NonNullable<typeof known> => known !== undefined)));
  return {
    id: policy.id,
    ref: policy.ref,
    display: `NetworkPolicy ${policy.id} (tier default, order ${KUBERNETES_POLICY_ORDER})`,
    tier: DEFAULT_TIER,
    order: KUBERNETES_POLICY_ORDER,
    sortKey: `${policy.namespace}/knp.default.${policy.name}`,
    applies: (pod, direction) => policy.isolatesPod(pod, direction, CALICO_SELECTOR_LABELS) &&
      (subject === undefined || pod.serviceAccountLabels !== undefined || subject(calicoLabels(pod)) === true),
    undecided: (pod, direction) => {
      if (subject === undefined || pod.serviceAccountLabels !== undefined || pod.hostNetwork || !policy.isolates.has(direction) ||
        pod.namespace !== policy.namespace) {
        return undefined;
      }
      return subject(calicoLabels(pod)) === undefined ? unknownAccountLabels(pod, `NetworkPolicy ${policy.id}`) : undefined;
    },
    portBounds: (direction) => policy.portBounds(direction),
    source: policy.source,
    evaluate: (query, notes) => {
      const other = query.other;
      // A peer reading the labels of an account the model does not know is not applied: its rules
      // allow only, so an Allow never rests on a guess (failing closed).
      const unknownAccount = accountPeers.length > 0 && other.kind === 'pod' && other.serviceAccountLabels === undefined;
      const rule = policy.allowingRule(query.direction, other, query.destination, query.port, query.protocol, true, CALICO_SELECTOR_LABELS,
        unknownAccount ? (keys) => keys.some(isServiceAccountLabelKey) : undefined);
      if (rule === undefined && unknownAccount && other.kind === 'pod' && accountPeers.some((known) => known(calicoLabels(other)) === undefined)) {
        notes?.push(`the peers of NetworkPolicy ${policy.id} that read ServiceAccount labels were not applied to ${other.id}: ` +
          unknownAccountLabels(other, `NetworkPolicy ${policy.id}`));
      }
      return rule === undefined ? undefined : { action: 'Allow', text: `NetworkPolicy ${rule} (tier default, order ${KUBERNETES_POLICY_ORDER})` };
    },
  };
}

/**
 * A ClusterNetworkPolicy as Calico 3.32 enforces it (libcalico-go's ClusterNetworkPolicy
 * conversion; docs/semantics/calico.md#clusternetworkpolicy): a GlobalNetworkPolicy named
 * kcnp.kube-admin.<name> (tier Admin) or kcnp.kube-baseline.<name> (Baseline) in that built-in tier,
 * at order = priority, with types only for the directions that have rules (those tiers' default
 * action is Pass), Accept as Allow. Its selectors match Calico's labels of pods and namespaces.
 */
export function clusterMember(policy: ClusterPolicy): TierMember {
  const tier = policy.tier === 'Admin' ? KUBE_ADMIN_TIER : KUBE_BASELINE_TIER;
  return {
    id: policy.id,
    ref: policy.ref,
    display: `${policy.display} (in Calico tier ${tier})`,
    tier,
    order: policy.priority,
    sortKey: `kcnp.${tier}.${policy.name}`,
    source: policy.source,
    applies: (pod, direction) => policy.appliesTo(pod, direction, CALICO_SELECTOR_LABELS),
    portBounds: (direction) => policy.portBounds(direction),
    evaluate: (query, notes) => {
      const outcome = policy.evaluate(query, CALICO_SELECTOR_LABELS, notes);
      if (outcome === undefined) {
        return undefined;
      }
      const text = `${outcome.text} (in Calico tier ${tier})`;
      return { action: outcome.action === 'Accept' ? 'Allow' : outcome.action, text, ...(outcome.unknown !== undefined ? { unknown: outcome.unknown } : {}) };
    },
  };
}

/**
 * A Kubernetes label selector that reads a ServiceAccount's own labels (`pcsa.` keys other than the
 * account's name), as a three-valued matcher over a pod's Calico labels: false when a term on known
 * labels fails, undefined when the rest depends on the account's labels, true otherwise. Undefined
 * when the selector reads no such key.
 */
function accountLabelSelector(selector: any): ((labels: Readonly<Record<string, string>>) => boolean | undefined) | undefined {
  if (selector === null || typeof selector !== 'object') {
    return undefined;
  }
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions: any[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  if (!labelSelectorKeys(selector).some(isServiceAccountLabelKey)) {
    return undefined;
  }
  // The terms on known labels, as a selector of their own (the API server validated the shape).
  const known = compileLabelSelector({
    matchLabels: Object.fromEntries(labels.filter(([k]) => !isServiceAccountLabelKey(k))),
    matchExpressions: expressions.filter((e) => !isServiceAccountLabelKey(e?.key)),
  }, 'podSelector');
  return (podLabels) => (known(podLabels) ? undefined : false);
}

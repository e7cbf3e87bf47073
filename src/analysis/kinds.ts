/**
 * The catalog of kinds: which manifest objects the analysis reads, which it refuses and why,
 * and where workloads keep their pods. Every consumer (the NetworkModel, the Report, the CLI, the
 * linter's inventory, the synth-time proofs, the workload reader of the constructs) asks it, so
 * that they cannot disagree about a kind: before, five lists drifted apart, and `matrix` silently
 * ignored a CiliumLocalRedirectPolicy that `explain` refused.
 *
 * Ask `classify(obj)`; the helpers below it answer the common questions.
 */
import { show } from '../util/validation';

/** The network plugin that enforces the manifests: its semantics decide the verdicts, and some lint rules depend on it. */
export enum ClusterCni {
  /** Any conforming plugin; only Kubernetes semantics are assumed. */
  KUBERNETES = 'kubernetes',
  /** Cilium. */
  CILIUM = 'cilium',
  /** Calico. */
  CALICO = 'calico',
}

/**
 * Whose policy language an evaluated kind is: "Kubernetes" (networking.k8s.io NetworkPolicy) and
 * "NetworkPolicyApi" (kubernetes-sigs/network-policy-api's ClusterNetworkPolicy) combine with
 * any CNI that enforces them; a model holds Cilium or Calico objects, never both (a cluster runs
 * one CNI).
 */
export type PolicyCni = 'Kubernetes' | 'NetworkPolicyApi' | 'Cilium' | 'Calico';

/** A kind the NetworkModel evaluates, under exactly one apiVersion. */
interface EvaluatedKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly cni: PolicyCni;
  readonly clusterScoped: boolean;
  /** A Calico Tier orders the policies that name it; it carries no rules of its own. */
  readonly tier?: true;
}

/** The kinds the model evaluates. The same kind under another apiVersion (crd.projectcalico.org/v1, ...) is refused. */
const EVALUATED: readonly EvaluatedKind[] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', cni: 'Kubernetes', clusterScoped: false },
  { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', cni: 'NetworkPolicyApi', clusterScoped: true },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', cni: 'Cilium', clusterScoped: false },
  { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', cni: 'Cilium', clusterScoped: true },
  { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', cni: 'Calico', clusterScoped: false },
  { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', cni: 'Calico', clusterScoped: true },
  { apiVersion: 'projectcalico.org/v3', kind: 'Tier', cni: 'Calico', clusterScoped: true, tier: true },
];
const EVALUATED_BY_KEY = new Map(EVALUATED.map((e) => [`${e.apiVersion} ${e.kind}`, e]));

const NETWORK_SETS = 'Calico network sets give labels to address ranges, which selectors then match; they are not modelled';
const ENVOY_CONFIGS = 'Envoy configurations apply L7 rules of their own to the traffic they intercept; they are not modelled';

/**
 * Kinds that change which traffic is allowed but that the model does not evaluate, whatever
 * their apiVersion: refused clearly, with the reason, rather than ignored (a verdict without them
 * could be wrong either way).
 */
const REFUSED: ReadonlyMap<string, { readonly reason: string; readonly clusterScoped: boolean }> = new Map([
  // v1alpha1, replaced by ClusterNetworkPolicy v1alpha2 (tiers Admin and Baseline) in network-policy-api v0.2.0.
  ['AdminNetworkPolicy', { reason: 'admin network policies (policy.networking.k8s.io) are not modelled', clusterScoped: true }],
  ['BaselineAdminNetworkPolicy', { reason: 'baseline admin network policies (policy.networking.k8s.io) are not modelled', clusterScoped: true }],
  ['NetworkSet', { reason: NETWORK_SETS, clusterScoped: false }],
  ['GlobalNetworkSet', { reason: NETWORK_SETS, clusterScoped: true }],
  ['HostEndpoint', { reason: 'Calico host endpoints put policy on nodes, which the model does not have', clusterScoped: true }],
  ['CiliumCIDRGroup', { reason: 'CIDR groups are not modelled; list the CIDRs in the policy', clusterScoped: true }],
  ['CiliumLocalRedirectPolicy', {
    reason: 'local redirect policies send traffic for an address or service to other pods (e.g. a node-local DNS cache), ' +
      'whose policies then decide; the redirect is not modelled',
    clusterScoped: false,
  }],
  ['CiliumEnvoyConfig', { reason: ENVOY_CONFIGS, clusterScoped: false }],
  ['CiliumClusterwideEnvoyConfig', { reason: ENVOY_CONFIGS, clusterScoped: true }],
]);

/** Calico's staged policies: previews Calico evaluates but never enforces, so the model skips them (whatever their apiVersion). */
const STAGED: ReadonlyMap<string, { readonly clusterScoped: boolean }> = new Map([
  ['StagedNetworkPolicy', { clusterScoped: false }],
  ['StagedGlobalNetworkPolicy', { clusterScoped: true }],
  ['StagedKubernetesNetworkPolicy', { clusterScoped: false }],
]);

/**
 * Names of kinds that shape network policy under any apiVersion, beyond those listed above:
 * admin and cluster network policies of later API versions, policies of other CNIs, network sets,
 * host endpoints, CIDR groups. Matching by name catches the kinds no list foresaw.
 */
const POLICY_LIKE_NAME = /(NetworkPolicy|Tier|NetworkSet|HostEndpoint|CIDRGroup)$/;
/** A Calico Profile applies rules to the endpoints that name it; "Profile" alone is too common a name to match outside Calico's groups. */
const CALICO_PROFILE = 'Profile';

/** The apiVersion of ServiceAccount objects. */
const SERVICE_ACCOUNT_API_VERSION = 'v1';
/** The apiVersion of Namespace objects (the model reads a Namespace by its kind alone). */
const NAMESPACE_API_VERSION = 'v1';

/** Where a workload kind keeps its pods' template and its pod selector. */
export interface WorkloadKind {
  readonly kind: string;
  /** The apiVersion the CLI reads it under (the model reads workloads by kind alone). */
  readonly apiVersion: string;
  /** The path to the pod template: empty for a Pod, which is its own template. */
  readonly templatePath: readonly string[];
  /**
   * The controller's pod selector: its path, its form (`labelSelector`: matchLabels and
   * matchExpressions; `labelMap`: a ReplicationController's plain map of labels) and whether the
   * API server requires it (a Job's or CronJob's is generated when missing, a ReplicationController's
   * defaults to its template's labels). Undefined for a Pod, which is selected by its own labels.
   */
  readonly selector?: { readonly path: readonly string[]; readonly form: 'labelSelector' | 'labelMap'; readonly required: boolean };
}

const TEMPLATE = ['spec', 'template'];
const SELECTOR = ['spec', 'selector'];
/** The workload kinds whose pods the analysis reads (a CronJob's template is two levels down, in its job template). */
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { kind: 'Deployment', apiVersion: 'apps/v1', templatePath: TEMPLATE, selector: { path: SELECTOR, form: 'labelSelector', required: true } },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', templatePath: TEMPLATE, selector: { path: SELECTOR, form: 'labelSelector', required: true } },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', templatePath: TEMPLATE, selector: { path: SELECTOR, form: 'labelSelector', required: true } },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', templatePath: TEMPLATE, selector: { path: SELECTOR, form: 'labelSelector', required: true } },
  { kind: 'ReplicationController', apiVersion: 'v1', templatePath: TEMPLATE, selector: { path: SELECTOR, form: 'labelMap', required: false } },
  { kind: 'Job', apiVersion: 'batch/v1', templatePath: TEMPLATE, selector: { path: SELECTOR, form: 'labelSelector', required: false } },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    templatePath: ['spec', 'jobTemplate', 'spec', 'template'],
    selector: { path: ['spec', 'jobTemplate', 'spec', 'selector'], form: 'labelSelector', required: false },
  },
  { kind: 'Pod', apiVersion: 'v1', templatePath: [] },
];
const WORKLOAD_BY_KIND = new Map(WORKLOAD_KINDS.map((w) => [w.kind, w]));

/**
 * What an object is to the analysis. Every class says whether the object is cluster-scoped
 * (unknown kinds are taken as namespaced).
 */
export type KindClass =
  /** A policy the model evaluates, with its policy language. */
  | { readonly category: 'policy'; readonly cni: PolicyCni; readonly clusterScoped: boolean }
  /** A Calico Tier: evaluated (its order and default action decide for the policies naming it). */
  | { readonly category: 'tier'; readonly cni: 'Calico'; readonly clusterScoped: true }
  /** A Namespace (by kind alone), with the apiVersion the CLI reads it under. */
  | { readonly category: 'namespace'; readonly apiVersion: string; readonly clusterScoped: true }
  /** A workload (by kind alone): the model reads one representative pod of it. */
  | { readonly category: 'workload'; readonly workload: WorkloadKind; readonly clusterScoped: false }
  /**
   * A kind that can change which traffic is allowed and that the model refuses, with why:
   * `kind`, a kind it does not model; `apiVersion`, an evaluated kind under another apiVersion;
   * `policyLike`, any other kind named like a policy (or a Calico Profile).
   */
  | { readonly category: 'refused'; readonly refusal: 'kind' | 'apiVersion' | 'policyLike'; readonly reason: string; readonly clusterScoped: boolean }
  /** A ServiceAccount (`v1`): its labels are what Calico's service-account selectors match. */
  | { readonly category: 'serviceAccount'; readonly clusterScoped: false }
  /** A Calico staged policy: never enforced, so skipped by the model. */
  | { readonly category: 'staged'; readonly clusterScoped: boolean }
  /** Anything else (a Service, a ConfigMap, a malformed object): no effect on connectivity. */
  | { readonly category: 'other'; readonly clusterScoped: false };

/** The classes the model evaluates. */
export type EvaluatedClass = Extract<KindClass, { category: 'policy' | 'tier' }>;

/** The reason given for a policy-like kind the catalog does not know by name. */
const UNKNOWN_POLICY_LIKE = 'this kind can change which traffic is allowed, and the model does not evaluate it';
const OTHER: KindClass = { category: 'other', clusterScoped: false };

/** Classifies a manifest object by its apiVersion and kind; anything that is not an object with a string kind is "other". */
export function classify(obj: any): KindClass {
  if (obj === null || typeof obj !== 'object' || typeof obj.kind !== 'string') {
    return OTHER;
  }
  const kind: string = obj.kind;
  const apiVersion: unknown = obj.apiVersion;
  const evaluated = typeof apiVersion === 'string' ? EVALUATED_BY_KEY.get(`${apiVersion} ${kind}`) : undefined;
  if (evaluated !== undefined) {
    return evaluated.tier
      ? { category: 'tier', cni: 'Calico', clusterScoped: true }
      : { category: 'policy', cni: evaluated.cni, clusterScoped: evaluated.clusterScoped };
  }
  // Refused and staged kinds are known by name alone: a CiliumEnvoyConfig under any apiVersion
  // is still one, and still not modelled.
  const refused = REFUSED.get(kind);
  if (refused !== undefined) {
    return { category: 'refused', refusal: 'kind', reason: refused.reason, clusterScoped: refused.clusterScoped };
  }
  const staged = STAGED.get(kind);
  if (staged !== undefined) {
    return { category: 'staged', clusterScoped: staged.clusterScoped };
  }
  if (kind === 'ServiceAccount' && apiVersion === SERVICE_ACCOUNT_API_VERSION) {
    return { category: 'serviceAccount', clusterScoped: false };
  }
  // The model reads Namespaces and workloads by kind alone (the CLI checks their apiVersion).
  if (kind === 'Namespace') {
    return { category: 'namespace', apiVersion: NAMESPACE_API_VERSION, clusterScoped: true };
  }
  const workload = WORKLOAD_BY_KIND.get(kind);
  if (workload !== undefined) {
    return { category: 'workload', workload, clusterScoped: false };
  }
  // An evaluated kind under another apiVersion (crd.projectcalico.org/v1, an old Cilium version):
  // its rules would be silently left out, so it is refused, naming the apiVersion that works.
  const sameKind = EVALUATED.filter((e) => e.kind === kind);
  if (sameKind.length > 0) {
    const expected = sameKind.length === 1 ? sameKind[0].apiVersion : sameKind.map((e) => `${e.apiVersion} (${e.cni})`).join(' or ');
    return {
      category: 'refused',
      refusal: 'apiVersion',
      reason: `the model evaluates ${kind} under apiVersion ${expected} only, so this object's rules would be left out (${show(apiVersion)} is not evaluated)`,
      clusterScoped: sameKind[0].clusterScoped,
    };
  }
  // Anything else named like a policy, and a Calico Profile: refused with the general reason.
  const profile = kind === CALICO_PROFILE && typeof apiVersion === 'string' && apiVersion.includes('projectcalico.org');
  if (profile || POLICY_LIKE_NAME.test(kind)) {
    return { category: 'refused', refusal: 'policyLike', reason: UNKNOWN_POLICY_LIKE, clusterScoped: profile };
  }
  return OTHER;
}

/** Whether the model evaluates the object (a policy or a Calico Tier). */
export function isEvaluated(c: KindClass): c is EvaluatedClass {
  return c.category === 'policy' || c.category === 'tier';
}

/**
 * Whether an object is a policy-like kind that can change which traffic is allowed: the kinds the
 * model evaluates, those it refuses (admin network policies, network sets, host endpoints, CIDR
 * groups, Cilium local redirect policies and Envoy configurations, Calico profiles, the evaluated
 * kinds under another apiVersion, any kind named like a policy) and Calico's staged policies.
 */
export function isPolicyLike(obj: any): boolean {
  const c = classify(obj);
  return isEvaluated(c) || c.category === 'refused' || c.category === 'staged';
}

/**
 * Whether an object is a policy-like kind the model does not evaluate: one it refuses, or a
 * staged policy it skips. Every tool lists these, so that no verdict silently ignores one.
 */
export function isNotEvaluatedPolicy(obj: any): boolean {
  const c = classify(obj);
  return c.category === 'refused' || c.category === 'staged';
}

/** The policy language of an object the model evaluates; undefined for any other object. */
export function evaluatedPolicyCni(obj: any): PolicyCni | undefined {
  const c = classify(obj);
  return isEvaluated(c) ? c.cni : undefined;
}

/** The workload kind of that name (by kind alone, as the model reads workloads), or undefined. */
export function workloadKind(kind: unknown): WorkloadKind | undefined {
  return typeof kind === 'string' ? WORKLOAD_BY_KIND.get(kind) : undefined;
}

/** The kinds the model evaluates, as its refusals name them: grouped by apiVersion, in the catalog's order. */
function evaluatedSummary(): string {
  const groups = new Map<string, string[]>();
  EVALUATED.forEach((e) => groups.set(e.apiVersion, [...(groups.get(e.apiVersion) ?? []), e.kind]));
  const and = (items: string[], comma: string) => (items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')}${comma} and ${items[items.length - 1]}`);
  return `the model evaluates ${and([...groups].map(([apiVersion, kinds]) => `${apiVersion} ${and(kinds, '')}`), ',')}`;
}
const EVALUATED_SUMMARY = evaluatedSummary();

/**
 * Why the model does not take an object, as `NetworkModel.addManifest()` says it:
 * "<named> is not supported: <reason>" (and, for kinds the catalog does not refuse by name, which
 * kinds it does evaluate).
 * @param named the object as the message names it, e.g. "cilium.io/v2 CiliumEnvoyConfig envoy"
 */
export function notSupportedMessage(named: string, c: Exclude<KindClass, EvaluatedClass>): string {
  switch (c.category) {
    case 'refused':
      return c.refusal === 'kind' ? `${named} is not supported: ${c.reason}`
        : `${named} is not supported${c.refusal === 'apiVersion' ? ';' : ':'} ${c.reason}; ${EVALUATED_SUMMARY}`;
    case 'staged':
      return `${named} is not supported: staged policies are previews Calico never enforces; leave them out of the model`;
    default:
      return `${named} is not supported; ${EVALUATED_SUMMARY}`;
  }
}

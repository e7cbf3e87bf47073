import { show } from '../../../util/validation';
import { DEFAULT_CLUSTER_NAME, DEFAULT_SERVICE_ACCOUNT, PodSide } from '../../endpoint';
import { describeLabelSelector } from '../../labels';
import { SelectorLabels } from '../kubernetes/policy';
import { NotModelledError } from '../not-modelled';

/** The identity label holding a pod's namespace name (without its `k8s:` source). */
export const POD_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** The identity label holding the cluster's name (`k8s:` source; Cilium's `cluster-name`). */
export const POLICY_CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';
/** The identity label holding the pod's ServiceAccount name (`k8s:` source). */
export const POLICY_SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
/** The prefix under which Cilium exposes the labels of a pod's namespace (without `k8s:`). */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/**
 * The prefix of the labels Cilium owns: it drops a pod's own labels under it before adding its
 * own (cilium pkg/k8s/utils filterPodLabels, `k8sConst.LabelPrefix`), so a pod cannot claim
 * another namespace's labels, cluster or ServiceAccount.
 */
export const CILIUM_OWNED_PREFIX = 'io.cilium.k8s';

/** A compiled Cilium EndpointSelector over a pod's identity labels. */
export interface CiliumSelector {
  /** "{app=api, k8s:io.kubernetes.pod.namespace=prod}" plus any implicit namespace limit. */
  readonly text: string;
  /** The selector names a namespace label itself, so no implicit namespace limit applies. */
  readonly namesNamespace: boolean;
  matches(pod: PodSide): boolean;
}

const LABELS = new WeakMap<PodSide, Record<string, string>>();
const POD_LABELS = new WeakMap<PodSide, Record<string, string>>();

/**
 * Cilium's default identity-label filter (cilium pkg/labelsfilter/filter.go `defaultLabelPrefixCfg`;
 * Documentation/operations/performance/scalability/identity-relevant-labels.rst): regular
 * expressions matched at the start of a label key; `!` marks an exclusion. A label is kept unless an
 * exclusion matches, or when an inclusion matches a longer part of the key than the shortest
 * matching exclusion (so `io.kubernetes.pod.namespace` survives `!io.kubernetes`).
 */
const DEFAULT_LABEL_FILTER: readonly { readonly ignore: boolean; readonly expr: RegExp }[] = [
  'io\\.kubernetes\\.pod\\.namespace',
  'io\\.cilium\\.k8s\\.namespace\\.labels',
  'app\\.kubernetes\\.io',
  'io\\.cilium\\.k8s\\.policy\\.cluster',
  '!io\\.kubernetes',
  '!kubernetes\\.io',
  '!statefulset\\.kubernetes\\.io/pod-name',
  '!apps\\.kubernetes\\.io/pod-index',
  '!batch\\.kubernetes\\.io/job-completion-index',
  '!.*beta\\.kubernetes\\.io',
  '!k8s\\.io',
  '!pod-template-generation',
  '!pod-template-hash',
  '!controller-revision-hash',
  '!annotation.*',
  '!etcd_node',
].map((p) => ({ ignore: p.startsWith('!'), expr: new RegExp(`^(?:${p.replace(/^!/, '')})`) }));

/**
 * Whether Cilium's default label filter keeps a pod label key in the pod's security identity. Pod
 * labels it leaves out (pod-template-hash, controller-revision-hash, statefulset.kubernetes.io/pod-name,
 * kubernetes.io/*, k8s.io/*, ...) are invisible to every Cilium selector: a selector requiring one
 * matches nothing, and DoesNotExist/NotIn on one always match.
 */
export function isIdentityRelevantLabel(key: string): boolean {
  let included = 0;
  let ignored = 0;
  for (const { ignore, expr } of DEFAULT_LABEL_FILTER) {
    const m = expr.exec(key);
    if (m === null) {
      continue;
    }
    const length = m[0].length;
    if (ignore) {
      ignored = ignored === 0 || length < ignored ? length : ignored;
    } else if (length > included) {
      included = length;
    }
  }
  return ignored === 0 || included > ignored;
}

/**
 * A pod's labels in its Cilium identity, as a Kubernetes NetworkPolicy's podSelector sees them
 * under Cilium: its own labels that the label filter keeps (`isIdentityRelevantLabel`) except
 * those under `io.cilium.k8s` (`CILIUM_OWNED_PREFIX`), and the
 * two Cilium adds to every endpoint, `io.cilium.k8s.policy.cluster` (the cluster's name,
 * `NetworkModelOptions.clusterName`) and `io.cilium.k8s.policy.serviceaccount` (its ServiceAccount)
 * (cilium pkg/k8s/utils GetPodMetadata; docs/semantics/cilium.md#identity-labels).
 */
export function ciliumPodLabels(pod: PodSide): Readonly<Record<string, string>> {
  let labels = POD_LABELS.get(pod);
  if (!labels) {
    labels = {};
    for (const [key, value] of Object.entries(pod.labels)) {
      if (!key.startsWith(CILIUM_OWNED_PREFIX) && isIdentityRelevantLabel(key)) {
        labels[key] = value;
      }
    }
    labels[POLICY_CLUSTER_KEY] = pod.cluster ?? DEFAULT_CLUSTER_NAME;
    labels[POLICY_SERVICE_ACCOUNT_KEY] = pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
    POD_LABELS.set(pod, labels);
  }
  return labels;
}

/**
 * The labels a Kubernetes NetworkPolicy's selectors see under Cilium, which turns them into
 * endpoint selectors over the identity (cilium pkg/k8s/network_policy.go parseNetworkPolicyPeer):
 * a pod selector reads the whole identity (`ciliumLabels`: the namespace name and the namespace's
 * labels under io.cilium.k8s.namespace.labels included, a pod's own copies of them replaced), a
 * namespace selector the namespace's labels, which Cilium keeps whole.
 */
export const CILIUM_SELECTOR_LABELS: SelectorLabels = { pod: (pod) => ciliumLabels(pod), namespace: (pod) => pod.namespaceLabels };

/**
 * A pod's identity labels as Cilium's selectors see them, keyed without the `k8s:` source: the
 * pod's labels that Cilium's default label filter keeps (`isIdentityRelevantLabel`: not
 * pod-template-hash, kubernetes.io/*, ...), the cluster and service-account labels
 * (`ciliumPodLabels`), `io.kubernetes.pod.namespace` and one
 * `io.cilium.k8s.namespace.labels.<key>` per namespace label (docs/semantics/cilium.md#namespaces),
 * which the filter keeps (docs/semantics/cilium.md#identity-labels). A cluster configured with
 * other identity-relevant labels (`--labels`, `--label-prefix-file`) is not modelled.
 */
export function ciliumLabels(pod: PodSide): Readonly<Record<string, string>> {
  let labels = LABELS.get(pod);
  if (!labels) {
    labels = { ...ciliumPodLabels(pod) };
    for (const [key, value] of Object.entries(pod.namespaceLabels)) {
      labels[`${NAMESPACE_LABELS_PREFIX}${key}`] = value;
    }
    labels[POD_NAMESPACE_KEY] = pod.namespace;
    LABELS.set(pod, labels);
  }
  return labels;
}

/**
 * A selector key without its source prefix. Pods carry `k8s:` labels, and a key without a source
 * (or `any:`) matches any source. Other sources cannot be evaluated against pods and are refused.
 * `io.cilium.k8s.policy.*` keys other than the cluster and the service account are valid keys that
 * no endpoint carries (they label policies; Cilium drops pods' own `io.cilium.k8s*` labels): they
 * select nothing, and DoesNotExist / NotIn on them match every pod.
 */
function labelKey(key: unknown, where: string): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new Error(`${where}: key ${show(key)} is not a label key`);
  }
  const colon = key.indexOf(':');
  let bare = key;
  if (colon >= 0) {
    const source = key.slice(0, colon);
    bare = key.slice(colon + 1);
    if (source === 'reserved') {
      throw new NotModelledError(`${where}: key ${show(key)} selects a reserved identity, which the model does not evaluate in endpoint selectors; ` +
        'use fromEntities/toEntities (e.g. "world", "cluster", "kube-apiserver")');
    }
    if (source !== 'k8s' && source !== 'any') {
      throw new Error(`${where}: key ${show(key)} has the label source "${source}:", which pods do not carry; ` +
        'the model knows pods\' Kubernetes labels ("k8s:" or no source)');
    }
  }
  return bare;
}

/**
 * Compiles an EndpointSelector (matchLabels AND matchExpressions, In/NotIn/Exists/DoesNotExist).
 * @param namespaceLimit the namespace a CNP limits the selector to
 *   (docs/semantics/cilium.md#namespaces): for a peer selector only when it names no namespace
 *   label; for an endpointSelector always. Undefined for a CCNP, whose selectors are not
 *   namespace-limited.
 * @param alwaysLimit limit even when the selector names a namespace label (a CNP's endpointSelector)
 */
export function compileCiliumSelector(selector: any, where: string, namespaceLimit: string | undefined, alwaysLimit: boolean): CiliumSelector {
  if (selector === null || typeof selector !== 'object' || Array.isArray(selector)) {
    throw new Error(`${where} ${show(selector)} is not an endpoint selector { matchLabels, matchExpressions }`);
  }
  const unknown = Object.keys(selector).find((k) => k !== 'matchLabels' && k !== 'matchExpressions');
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${show(unknown)}; an endpoint selector has matchLabels and matchExpressions`);
  }
  const tests: ((labels: Readonly<Record<string, string>>) => boolean)[] = [];
  const keys: string[] = [];
  const matchLabels = selector.matchLabels ?? {};
  if (typeof matchLabels !== 'object' || Array.isArray(matchLabels)) {
    throw new Error(`${where}.matchLabels ${show(matchLabels)} is not a label map`);
  }
  for (const [rawKey, value] of Object.entries(matchLabels)) {
    const key = labelKey(rawKey, `${where}.matchLabels`);
    if (typeof value !== 'string') {
      throw new Error(`${where}.matchLabels ${show(rawKey)}: value ${show(value)} is not a string`);
    }
    keys.push(key);
    tests.push((labels) => labels[key] === value);
  }
  const expressions = selector.matchExpressions ?? [];
  if (!Array.isArray(expressions)) {
    throw new Error(`${where}.matchExpressions ${show(expressions)} is not a list`);
  }
  expressions.forEach((e: any, i: number) => {
    const at = `${where}.matchExpressions[${i}]`;
    const key = labelKey(e?.key, at);
    const values: unknown[] = e?.values ?? [];
    if (!Array.isArray(values) || values.some((v) => typeof v !== 'string')) {
      throw new Error(`${at}: values ${show(e?.values)} is not a list of strings`);
    }
    const set = new Set(values as string[]);
    const has = (labels: Readonly<Record<string, string>>) => Object.prototype.hasOwnProperty.call(labels, key);
    keys.push(key);
    switch (e?.operator) {
      case 'In':
      case 'NotIn':
        if (set.size === 0) {
          throw new Error(`${at}: operator ${e.operator} needs at least one value`);
        }
        tests.push(e.operator === 'In' ? (l) => has(l) && set.has(l[key]) : (l) => !has(l) || !set.has(l[key]));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (set.size > 0) {
          throw new Error(`${at}: operator ${e.operator} takes no values`);
        }
        tests.push(e.operator === 'Exists' ? has : (l) => !has(l));
        break;
      default:
        throw new Error(`${at}: operator ${show(e?.operator)} is not In, NotIn, Exists or DoesNotExist`);
    }
  });
  const namesNamespace = keys.some((k) => k === POD_NAMESPACE_KEY || k.startsWith(NAMESPACE_LABELS_PREFIX));
  const limit = namespaceLimit !== undefined && (alwaysLimit || !namesNamespace) ? namespaceLimit : undefined;
  const described = describeLabelSelector(selector);
  return {
    text: limit === undefined ? described : `${described} in namespace ${limit}`,
    namesNamespace,
    matches: (pod) => {
      if (limit !== undefined && pod.namespace !== limit) {
        return false;
      }
      const labels = ciliumLabels(pod);
      return tests.every((t) => t(labels));
    },
  };
}

import { CalicoSelectorNode, calicoSelectorExample, parseCalicoSelector } from '../../util/calico-selector';
import { classify } from '../kinds';
import { exampleLabels } from '../labels';

/** A group of pods a policy selects or names as a peer: where they run and labels they carry. */
export interface StandInGroup {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

const NAME_LABEL = 'kubernetes.io/metadata.name';
const CILIUM_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
const CALICO_NAMESPACE_NAME = 'projectcalico.org/name';

/** The value a stand-in gets for a key its selector only requires to exist. */
const ANY_VALUE = 'present';
const labelsSatisfying = (selector: any) => exampleLabels(selector, ANY_VALUE);

function pinnedNamespace(selector: any): string | undefined {
  const labels = selector?.matchLabels ?? {};
  return Object.keys(labels).length === 1 && typeof labels[NAME_LABEL] === 'string' && !(selector?.matchExpressions?.length > 0) ? labels[NAME_LABEL] : undefined;
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The groups of pods the policy selects and names as peers, for stand-in pods of a matrix without
 * workloads: Kubernetes podSelectors and peers; Cilium endpoint selectors (namespace pinned by
 * `k8s:io.kubernetes.pod.namespace`); Calico selectors made of `==`, `in` and `has()` terms
 * (namespace pinned by `projectcalico.org/name`). Selectors it cannot satisfy simply are left out.
 */
export function standInGroups(policy: any): StandInGroup[] {
  const namespace: string = policy?.metadata?.namespace ?? 'default';
  const c = classify(policy);
  // A cluster-wide Cilium or global Calico policy has no namespace of its own.
  const own = c.clusterScoped ? undefined : namespace;
  switch (c.category === 'policy' ? c.cni : undefined) {
    case 'Cilium':
      return ciliumGroups(policy, own);
    case 'Calico':
      return calicoGroups(policy, own);
    default:
      return kubernetesGroups(policy, namespace);
  }
}

function kubernetesGroups(policy: any, namespace: string): StandInGroup[] {
  const out: StandInGroup[] = [{ namespace, labels: labelsSatisfying(policy.spec?.podSelector) }];
  for (const rule of [...list(policy.spec?.ingress).map((r: any) => r?.from), ...list(policy.spec?.egress).map((r: any) => r?.to)]) {
    for (const peer of list(rule)) {
      const pinned = peer?.namespaceSelector ? pinnedNamespace(peer.namespaceSelector) : namespace;
      if (pinned && !peer?.ipBlock) {
        out.push({ namespace: pinned, labels: labelsSatisfying(peer?.podSelector ?? {}) });
      }
    }
  }
  return out;
}

/** A Cilium selector as pod labels, and the namespace it pins (or the policy's, when it names none). */
function ciliumGroup(selector: any, policyNamespace: string | undefined): StandInGroup | undefined {
  const raw = labelsSatisfying(selector);
  const labels: Record<string, string> = {};
  let pinned: string | undefined;
  let namesNamespace = false;
  for (const [key, value] of Object.entries(raw)) {
    const bare = key.replace(/^(k8s|any):/, '');
    if (bare === CILIUM_NAMESPACE_KEY) {
      pinned = value;
      namesNamespace = true;
    } else if (bare.startsWith('io.cilium.') || bare.includes(':')) {
      namesNamespace ||= bare.startsWith('io.cilium.k8s.namespace.labels.');
    } else {
      labels[bare] = value;
    }
  }
  const namespace = pinned ?? (namesNamespace ? undefined : policyNamespace);
  return namespace === undefined ? undefined : { namespace, labels };
}

function ciliumGroups(policy: any, namespace: string | undefined): StandInGroup[] {
  const out: (StandInGroup | undefined)[] = [];
  for (const spec of [policy.spec, ...list(policy.specs)].filter((s) => s && typeof s === 'object')) {
    out.push(spec.endpointSelector ? ciliumGroup(spec.endpointSelector, namespace) : undefined);
    for (const rule of [...list(spec.ingress), ...list(spec.egress)]) {
      for (const selector of [...list(rule?.fromEndpoints), ...list(rule?.toEndpoints)]) {
        out.push(ciliumGroup(selector, namespace));
      }
    }
  }
  return out.filter((g): g is StandInGroup => g !== undefined);
}

function parsed(text: unknown): CalicoSelectorNode | undefined {
  try {
    return typeof text === 'string' ? parseCalicoSelector(text, true) : undefined;
  } catch {
    return undefined;
  }
}

/** Labels satisfying a Calico selector, without Calico's own labels (which the model adds). */
function calicoLabels(text: unknown): Record<string, string> | undefined {
  const node = text === undefined ? parsed('all()') : parsed(text);
  const example = node ? calicoSelectorExample(node) : undefined;
  if (example === undefined) {
    return undefined;
  }
  return Object.fromEntries(Object.entries(example).filter(([k]) => !k.startsWith('projectcalico.org/') && !k.startsWith('pcns.')));
}

function calicoNamespace(text: unknown): string | undefined {
  const node = parsed(text);
  const example = node ? calicoSelectorExample(node) : undefined;
  return example?.[CALICO_NAMESPACE_NAME] ?? example?.[NAME_LABEL];
}

function calicoGroups(policy: any, namespace: string | undefined): StandInGroup[] {
  const out: StandInGroup[] = [];
  const subjectNamespace = namespace ?? calicoNamespace(policy.spec?.namespaceSelector);
  const subject = calicoLabels(policy.spec?.selector);
  if (subjectNamespace !== undefined && subject !== undefined) {
    out.push({ namespace: subjectNamespace, labels: subject });
  }
  for (const rule of [...list(policy.spec?.ingress), ...list(policy.spec?.egress)]) {
    for (const entity of [rule?.source, rule?.destination]) {
      if (!entity?.selector && !entity?.namespaceSelector) {
        continue;
      }
      const peerNamespace = entity.namespaceSelector ? calicoNamespace(entity.namespaceSelector) : namespace;
      const labels = calicoLabels(entity.selector ?? 'all()');
      if (peerNamespace !== undefined && labels !== undefined) {
        out.push({ namespace: peerNamespace, labels });
      }
    }
  }
  return out;
}

import { PodSide } from '../../endpoint';
import { ClusterCni } from '../../kinds';
import { compileLabelSelector, labelSelectorKeys } from '../../labels';
import { CALICO_SELECTOR_LABELS, isServiceAccountLabelKey } from '../../semantics/calico/rule';
import { CILIUM_SELECTOR_LABELS, POLICY_CLUSTER_KEY, isIdentityRelevantLabel } from '../../semantics/cilium/selector';
import { MANIFEST_LABELS, SelectorLabels } from '../../semantics/kubernetes/policy';
import { PodEndpoint } from '../../types';
import { Severity, asObject, defineRule, describeItem, isEmptySelector, kubernetesPolicies, pinnedNamespaces, policyRules } from '../rule';

/** Pod selectors that match none of the workloads of the input: label typos. */
export const selectorMatchesNothing = defineRule({
  id: 'selector-matches-nothing',
  severity: Severity.WARNING,
  title: 'A pod selector matches no workload of the input (a label typo?)',
  explanation: 'A selector with a typo (`app: fronted`) is valid and silently selects nothing: the policy protects no pod, or ' +
    'the rule allows no peer. When the input holds the workloads of a namespace, a non-empty pod selector aimed at that ' +
    'namespace (its own, or namespaces named by kubernetes.io/metadata.name) should match at least one of them. Selectors ' +
    'aimed at namespaces the input does not show (kube-dns in every namespace, say) are not checked. Selectors see the labels the ' +
    'CNI matches: under Cilium a pod\'s identity labels (io.cilium.k8s.policy.serviceaccount added, pod-template-hash and ' +
    'kubernetes.io/* left out; selectors reading io.cilium.k8s.policy.cluster are not checked), under Calico its endpoint labels ' +
    '(projectcalico.org/serviceaccount and pcns.* added; selectors reading a ServiceAccount\'s own labels, pcsa.*, are not checked).',
}, (inventory) => {
  if (inventory.pods.length === 0) {
    return [];
  }
  const podsIn = (namespace: string) => inventory.pods.filter((p) => p.namespace === namespace);
  const cilium = inventory.cni === ClusterCni.CILIUM;
  const calico = inventory.cni === ClusterCni.CALICO;
  // The labels the cluster's CNI matches a podSelector against, as the model sees them
  // (docs/semantics/cilium.md#identity-labels, docs/semantics/calico.md#endpoint-labels).
  const view: SelectorLabels = cilium ? CILIUM_SELECTOR_LABELS : calico ? CALICO_SELECTOR_LABELS : MANIFEST_LABELS;
  // Each pod's labels once, not once per selector that reads them.
  const seen = new Map<PodEndpoint, Readonly<Record<string, string>>>();
  const labelsOf = (p: PodEndpoint) => {
    let labels = seen.get(p);
    if (labels === undefined) {
      labels = view.pod(podSide(p, inventory.namespaces.get(p.namespace) ?? {}));
      seen.set(p, labels);
    }
    return labels;
  };
  // Labels the input does not give: the cluster's name (Cilium), a ServiceAccount's own labels (Calico).
  const unchecked = (key: string) => (cilium && key === POLICY_CLUSTER_KEY) ||
    (calico && isServiceAccountLabelKey(key));
  const matchesSome = (selector: any, namespaces: string[]) => {
    if (labelSelectorKeys(selector).some(unchecked)) {
      return true;
    }
    try {
      const matches = compileLabelSelector(selector, 'podSelector');
      return namespaces.some((ns) => podsIn(ns).some((p) => matches(labelsOf(p))));
    } catch {
      return true; // invalid selectors are api-server-rejects' business
    }
  };
  const hint = (selector: any) => {
    const keys = labelSelectorKeys(selector);
    if (!cilium && keys.some((k) => k.startsWith('io.cilium.k8s.'))) {
      return ' (Cilium gives endpoints the io.cilium.k8s.policy.* labels: if the cluster runs Cilium, lint with --cni cilium)';
    }
    if (!calico && keys.some((k) => k.startsWith('projectcalico.org/') || k.startsWith('pcns.') || k.startsWith('pcsa.'))) {
      return ' (Calico gives endpoints the projectcalico.org/* and pcns.* labels: if the cluster runs Calico, lint with --cni calico)';
    }
    const ignored = cilium ? keys.filter((k) => !k.startsWith('io.cilium.k8s.') && !isIdentityRelevantLabel(k)) : [];
    return ignored.length > 0
      ? ` (Cilium leaves ${ignored.join(', ')} out of pod identities, so no selector sees ${ignored.length === 1 ? 'it' : 'them'}: select on a label of the app)`
      : '';
  };
  return kubernetesPolicies(inventory).flatMap((item) => {
    const namespace = item.namespace!;
    const spec = asObject(item.obj.spec);
    const messages: string[] = [];
    if (podsIn(namespace).length > 0 && !isEmptySelector(spec.podSelector) && !matchesSome(spec.podSelector, [namespace])) {
      messages.push(`spec.podSelector ${JSON.stringify(spec.podSelector)} matches none of the workloads of namespace ${namespace}, so the policy protects nothing; ` +
        `check the labels${hint(spec.podSelector)}`);
    }
    for (const { direction, peersKey, index, peers } of policyRules(item.obj)) {
      peers.forEach((peer: any, j: number) => {
        if (!peer?.podSelector || isEmptySelector(peer.podSelector)) {
          return;
        }
        const namespaces = peer.namespaceSelector ? pinnedNamespaces(peer.namespaceSelector) : [namespace];
        // Only namespaces whose workloads the input shows, all of them: otherwise the pods may be elsewhere.
        if (!namespaces || namespaces.length === 0 || !namespaces.every((ns) => podsIn(ns).length > 0)) {
          return;
        }
        if (!matchesSome(peer.podSelector, namespaces)) {
          messages.push(`${direction} rule #${index + 1} ${peersKey}[${j}].podSelector ${JSON.stringify(peer.podSelector)} matches none of the workloads of ` +
            `${namespaces.join(', ')}; check the labels${hint(peer.podSelector)}`);
        }
      });
    }
    return messages.map((message) => ({ item, message: `${describeItem(item)}: ${message}` }));
  });
});

/** A workload's representative pod as the model's label views take it. */
function podSide(p: PodEndpoint, namespaceLabels: Readonly<Record<string, string>>): PodSide {
  return {
    kind: 'pod',
    id: `${p.namespace}/${p.name}`,
    namespace: p.namespace,
    name: p.name,
    labels: p.labels ?? {},
    namespaceLabels,
    ports: [],
    hostNetwork: false,
    ...(p.serviceAccount !== undefined ? { serviceAccount: p.serviceAccount } : {}),
  };
}

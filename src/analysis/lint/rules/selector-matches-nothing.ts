import { DEFAULT_SERVICE_ACCOUNT } from '../../endpoint';
import { ClusterCni } from '../../kinds';
import { compileLabelSelector } from '../../labels';
import { POLICY_CLUSTER_KEY, POLICY_SERVICE_ACCOUNT_KEY } from '../../semantics/cilium/selector';
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
    'aimed at namespaces the input does not show (kube-dns in every namespace, say) are not checked. Under Cilium, selectors ' +
    'see the io.cilium.k8s.policy.serviceaccount label too; those reading io.cilium.k8s.policy.cluster are not checked.',
}, (inventory) => {
  if (inventory.pods.length === 0) {
    return [];
  }
  const podsIn = (namespace: string) => inventory.pods.filter((p) => p.namespace === namespace);
  const cilium = inventory.cni === ClusterCni.CILIUM;
  // Under Cilium a podSelector also sees the identity labels Cilium adds: the pod's ServiceAccount,
  // and the cluster's name, which the input does not give (a selector on it is not checked).
  const labelsOf = (p: PodEndpoint) => (cilium
    ? { ...p.labels, [POLICY_SERVICE_ACCOUNT_KEY]: p.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT } : p.labels ?? {});
  const matchesSome = (selector: any, namespaces: string[]) => {
    if (cilium && selectorKeys(selector).includes(POLICY_CLUSTER_KEY)) {
      return true;
    }
    try {
      const matches = compileLabelSelector(selector, 'podSelector');
      return namespaces.some((ns) => podsIn(ns).some((p) => matches(labelsOf(p))));
    } catch {
      return true; // invalid selectors are api-server-rejects' business
    }
  };
  const hint = (selector: any) => (!cilium && selectorKeys(selector).some((k) => k.startsWith('io.cilium.k8s.policy.'))
    ? ' (Cilium gives endpoints the io.cilium.k8s.policy.* labels: if the cluster runs Cilium, lint with cni cilium)' : '');
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

/** The label keys a LabelSelector reads (matchLabels and matchExpressions). */
function selectorKeys(selector: any): string[] {
  const labels = asObject(selector?.matchLabels);
  const expressions = Array.isArray(selector?.matchExpressions) ? selector.matchExpressions : [];
  return [...Object.keys(labels), ...expressions.map((e: any) => String(e?.key))];
}

import { compileLabelSelector } from '../../labels';
import { Severity, asObject, defineRule, describeItem, isEmptySelector, kubernetesPolicies, pinnedNamespaces, policyRules } from '../rule';

/** Pod selectors that match none of the workloads of the input: label typos. */
export const selectorMatchesNothing = defineRule({
  id: 'selector-matches-nothing',
  severity: Severity.WARNING,
  title: 'A pod selector matches no workload of the input (a label typo?)',
  explanation: 'A selector with a typo (`app: fronted`) is valid and silently selects nothing: the policy protects no pod, or ' +
    'the rule allows no peer. When the input holds the workloads of a namespace, a non-empty pod selector aimed at that ' +
    'namespace (its own, or namespaces named by kubernetes.io/metadata.name) should match at least one of them. Selectors ' +
    'aimed at namespaces the input does not show (kube-dns in every namespace, say) are not checked.',
}, (inventory) => {
  if (inventory.pods.length === 0) {
    return [];
  }
  const podsIn = (namespace: string) => inventory.pods.filter((p) => p.namespace === namespace);
  const matchesSome = (selector: any, namespaces: string[]) => {
    try {
      const matches = compileLabelSelector(selector, 'podSelector');
      return namespaces.some((ns) => podsIn(ns).some((p) => matches(p.labels ?? {})));
    } catch {
      return true; // invalid selectors are api-server-rejects' business
    }
  };
  return kubernetesPolicies(inventory).flatMap((item) => {
    const namespace = item.namespace!;
    const spec = asObject(item.obj.spec);
    const messages: string[] = [];
    if (podsIn(namespace).length > 0 && !isEmptySelector(spec.podSelector) && !matchesSome(spec.podSelector, [namespace])) {
      messages.push(`spec.podSelector ${JSON.stringify(spec.podSelector)} matches none of the workloads of namespace ${namespace}, so the policy protects nothing; check the labels`);
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
          messages.push(`${direction} rule #${index + 1} ${peersKey}[${j}].podSelector ${JSON.stringify(peer.podSelector)} matches none of the workloads of ${namespaces.join(', ')}; check the labels`);
        }
      });
    }
    return messages.map((message) => ({ item, message: `${describeItem(item)}: ${message}` }));
  });
});

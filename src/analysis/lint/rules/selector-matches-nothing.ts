import { compileLabelSelector } from '../../labels';
import { Severity, defineRule, describeItem, isEmptySelector, kubernetesPolicies } from '../rule';

/** Pod selectors that match none of the workloads of the input: label typos. */
export const selectorMatchesNothing = defineRule({
  id: 'selector-matches-nothing',
  severity: Severity.WARNING,
  title: 'A pod selector matches no workload of the input (a label typo?)',
  explanation: 'A selector with a typo (`app: fronted`) is valid and silently selects nothing: the policy protects no pod, or ' +
    'the rule allows no peer. When the input holds workloads of a namespace, every non-empty pod selector aimed at that ' +
    'namespace should match at least one of them. Only namespaces with workloads in the input are checked.',
}, (inventory) => {
  if (inventory.pods.length === 0) {
    return [];
  }
  const podsIn = (namespace: string) => inventory.pods.filter((p) => p.namespace === namespace);
  const matchesSome = (selector: any, namespaces: string[], where: string) => {
    try {
      const matches = compileLabelSelector(selector, where);
      return namespaces.some((ns) => podsIn(ns).some((p) => matches(p.labels ?? {})));
    } catch {
      return true; // invalid selectors are api-server-rejects' business
    }
  };
  return kubernetesPolicies(inventory).flatMap((item) => {
    const namespace = item.namespace!;
    const spec = item.obj.spec ?? {};
    const messages: string[] = [];
    if (podsIn(namespace).length > 0 && !isEmptySelector(spec.podSelector) && !matchesSome(spec.podSelector, [namespace], 'podSelector')) {
      messages.push(`spec.podSelector ${JSON.stringify(spec.podSelector)} matches none of the workloads of namespace ${namespace}, so the policy protects nothing; check the labels`);
    }
    for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
      (Array.isArray(spec[direction]) ? spec[direction] : []).forEach((rule: any, i: number) => {
        (Array.isArray(rule?.[peersKey]) ? rule[peersKey] : []).forEach((peer: any, j: number) => {
          if (!peer?.podSelector || isEmptySelector(peer.podSelector)) {
            return;
          }
          let namespaces = [namespace];
          if (peer.namespaceSelector) {
            try {
              const nsMatches = compileLabelSelector(peer.namespaceSelector, 'namespaceSelector');
              namespaces = [...inventory.namespaces.entries()].filter(([, labels]) => nsMatches(labels)).map(([name]) => name);
            } catch {
              return;
            }
          }
          namespaces = namespaces.filter((ns) => podsIn(ns).length > 0);
          if (namespaces.length > 0 && !matchesSome(peer.podSelector, namespaces, 'podSelector')) {
            messages.push(`${direction} rule #${i + 1} ${peersKey}[${j}].podSelector ${JSON.stringify(peer.podSelector)} matches none of the workloads of ${namespaces.join(', ')}; check the labels`);
          }
        });
      });
    }
    return messages.map((message) => ({ item, message: `${describeItem(item)}: ${message}` }));
  });
});

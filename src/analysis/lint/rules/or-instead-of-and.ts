import { Severity, defineRule, describeItem, isEmptySelector, kubernetesPolicies, policyRules } from '../rule';

/** A namespace-only peer next to a pod-only peer: OR, where "these pods in that namespace" was likely meant. */
export const orInsteadOfAnd = defineRule({
  id: 'or-instead-of-and',
  severity: Severity.WARNING,
  title: 'Namespace-only and pod-only peers in one rule are ORed; AND was likely meant',
  explanation: 'Items of `from`/`to` are ORed; inside one item `podSelector` and `namespaceSelector` are ANDed. ' +
    '`- namespaceSelector: ...` followed by `- podSelector: ...` (two dashes) allows every pod of those namespaces OR those ' +
    'pods of the policy\'s own namespace, which is much more than "those pods in those namespaces" (one dash, both selectors ' +
    'in one item). One misplaced `-` opens the whole namespace.',
}, (inventory) => kubernetesPolicies(inventory).flatMap((item) => policyRules(item.obj).flatMap(({ direction, peersKey, index, peers }) => {
  const nsOnly = peers.findIndex((p) => p?.namespaceSelector && !p.podSelector && !p.ipBlock);
  // `podSelector: {}` next to a namespace is the deliberate "own namespace OR that one".
  const podOnly = peers.findIndex((p) => p?.podSelector && !isEmptySelector(p.podSelector) && !p.namespaceSelector && !p.ipBlock);
  if (nsOnly < 0 || podOnly < 0) {
    return [];
  }
  return [{
    item,
    message: `${describeItem(item)}: ${direction} rule #${index + 1} ORs ${peersKey}[${nsOnly}] (every pod of the selected namespaces) with ` +
      `${peersKey}[${podOnly}] (pods of this namespace); to allow those pods in those namespaces, put both selectors in one ${peersKey} item`,
  }];
})));

import { Severity, asList, asObject, defineRule, describeItem, kubernetesPolicies, policyRules } from '../rule';

/** Label keys people set by hand on namespaces, which a namespace may well lack. */
const HAND_MADE_KEYS = ['name', 'namespace', 'ns', 'team'];

/** namespaceSelector on a hand-made label instead of kubernetes.io/metadata.name. */
export const namespaceSelectorByCustomLabel = defineRule({
  id: 'namespace-selector-by-custom-label',
  severity: Severity.WARNING,
  title: 'Namespaces selected by a hand-made label instead of kubernetes.io/metadata.name',
  explanation: 'A namespaceSelector on a label such as `name` or `team` matches only namespaces someone remembered to label; ' +
    'when the label is missing the rule silently matches nothing and traffic is denied (or, for an exception, never ' +
    'allowed). Every namespace carries `kubernetes.io/metadata.name` with its own name (set by the API server since 1.21): ' +
    'select by it.',
}, (inventory) => kubernetesPolicies(inventory).flatMap((item) => policyRules(item.obj).flatMap(({ direction, peersKey, index, peers }) =>
  peers.flatMap((peer: any, j: number) => {
    const selector = asObject(peer?.namespaceSelector);
    const keys = [...Object.keys(asObject(selector.matchLabels)), ...asList(selector.matchExpressions).map((e: any) => e?.key)];
    const key = keys.find((k) => HAND_MADE_KEYS.includes(k));
    return key === undefined ? [] : [{
      item,
      message: `${describeItem(item)}: ${direction} rule #${index + 1} ${peersKey}[${j}] selects namespaces by the label "${key}", which a namespace may lack; ` +
        'select them by kubernetes.io/metadata.name',
    }];
  }),
)));

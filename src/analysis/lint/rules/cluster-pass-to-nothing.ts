import { Severity, defineRule, describeItem } from '../rule';
import { clusterItems, ruleName } from './cluster-rules';

/** Pass rules after which nothing in the input decides: the connection is simply allowed. */
export const clusterPassToNothing = defineRule({
  id: 'cluster-pass-to-nothing',
  severity: Severity.WARNING,
  title: 'A ClusterNetworkPolicy Pass that nothing after it decides',
  explanation: 'Pass hands a connection to the next tier: from the Admin tier to the NetworkPolicies, then the Baseline tier; from the Baseline ' +
    'tier to the default, which allows. A Pass in the Baseline tier therefore allows; so does an Admin Pass when the input holds no ' +
    'NetworkPolicy and no Baseline rule for that direction. Write Accept when allowing is meant, or add the policy that should decide.',
}, (inventory) => {
  const policies = clusterItems(inventory.items);
  const anyNetworkPolicy = inventory.items.some((i) => i.flavour !== undefined && i.flavour !== 'cluster');
  return policies.flatMap((policy) => (['ingress', 'egress'] as const).flatMap((direction) => {
    const passes = policy.rules[direction].filter((r) => r.action === 'Pass');
    if (passes.length === 0) {
      return [];
    }
    const baselineDecides = policies.some((p) => p.tier === 'Baseline' && p.rules[direction].some((r) => r.action !== 'Pass'));
    const why = policy.tier === 'Baseline'
      ? 'a Pass in the Baseline tier skips to the default, which allows'
      : !anyNetworkPolicy && !baselineDecides ? `no NetworkPolicy and no Baseline ${direction} rule in the input decides after it, so the default allows` : undefined;
    return why === undefined ? [] : passes.map((rule) => ({
      item: policy.item,
      message: `${describeItem(policy.item)}: ${direction} rule ${ruleName(rule)} passes, and ${why}; write Accept if that is meant`,
    }));
  }));
});

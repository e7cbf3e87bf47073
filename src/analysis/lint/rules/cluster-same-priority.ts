import { Severity, defineRule, describeItem } from '../rule';
import { clusterItems, subjectsDisjoint } from './cluster-rules';

/** ClusterNetworkPolicies of one tier and priority whose order would change a verdict. */
export const clusterSamePriority = defineRule({
  id: 'cluster-same-priority',
  severity: Severity.WARNING,
  title: 'Two ClusterNetworkPolicies of one tier and priority disagree',
  explanation: 'ClusterNetworkPolicies of one tier are evaluated by priority, lowest first, and the first matching rule decides. For two ' +
    'policies of one tier and priority the API leaves the order to the implementation ("no way for the user to reliably determine which"): ' +
    'when their rules for a direction differ in action (Accept, Deny, Pass), a connection both match may be accepted on one cluster and denied ' +
    'on another. Give them different priorities (ClusterGuardrails refuses a collision at the call).',
}, (inventory) => {
  const policies = clusterItems(inventory.items);
  const findings = [];
  for (let i = 0; i < policies.length; i++) {
    for (let j = i + 1; j < policies.length; j++) {
      const [a, b] = [policies[i], policies[j]];
      if (a.tier !== b.tier || a.priority !== b.priority || subjectsDisjoint(a.subject, b.subject)) {
        continue;
      }
      const directions = (['ingress', 'egress'] as const).filter((d) => {
        const actions = new Set([...a.rules[d], ...b.rules[d]].map((r) => r.action));
        return a.rules[d].length > 0 && b.rules[d].length > 0 && actions.size > 1;
      });
      if (directions.length > 0) {
        findings.push({
          item: b.item,
          message: `${describeItem(b.item)}: has the tier and priority of ${describeItem(a.item)} (${a.tier}, ${a.priority}), and their ` +
            `${directions.join(' and ')} rules differ in action, so which decides a connection both match is up to the implementation; give them different priorities`,
        });
      }
    }
  }
  return findings;
});

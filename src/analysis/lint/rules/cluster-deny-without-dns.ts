import { Severity, defineRule, describeItem } from '../rule';
import { clusterItems, coversDns, coversUdp53, ruleName, subjectCovers } from './cluster-rules';

/** Cluster-wide egress denies that also deny DNS to kube-dns. */
export const clusterDenyWithoutDns = defineRule({
  id: 'cluster-deny-without-dns',
  severity: Severity.ERROR,
  title: 'A ClusterNetworkPolicy denies DNS to the cluster DNS pods',
  explanation: 'An egress Deny in the Admin tier whose peers include the cluster DNS pods (kube-system, k8s-app=kube-dns: a namespaces ' +
    'selector that matches kube-system, or a 0.0.0.0/0 network) on UDP/53, with no Accept or Pass for DNS before it in its tier ' +
    '(before a Baseline deny, an Admin Accept; an Admin Pass still reaches it), takes name resolution ' +
    'away from every pod it selects, and no namespace policy can give it back. In the Baseline tier the same rule cuts DNS for every pod ' +
    'whose namespace has no egress policy of its own (a warning). Put an Accept (or Pass) to kube-dns on UDP and TCP 53 first.',
}, (inventory) => {
  const policies = clusterItems(inventory.items);
  // Evaluated in priority order, rules in list order: a DNS Accept or Pass before the deny lets DNS
  // through, when its policy applies to (at least) the same pods. Across tiers only an Admin Accept
  // does: an Admin Pass hands the connection to the NetworkPolicies and then to the Baseline tier,
  // where the deny still waits.
  const lets = (r: { action: string; peers: readonly any[]; protocols?: readonly any[] }, actions: readonly string[]) =>
    actions.includes(r.action) && coversDns(r.peers) && coversUdp53(r.protocols);
  return policies.flatMap((policy) => {
    const rules = policy.rules.egress;
    const denyIndex = rules.findIndex((r) => r.action === 'Deny' && coversDns(r.peers) && coversUdp53(r.protocols));
    if (denyIndex < 0) {
      return [];
    }
    const earlier = rules.slice(0, denyIndex).some((r) => lets(r, ['Accept', 'Pass'])) ||
      policies.some((p) => subjectCovers(p.subject, policy.subject) && (
        (p.tier === policy.tier && p.priority < policy.priority && p.rules.egress.some((r) => lets(r, ['Accept', 'Pass']))) ||
        (p.tier === 'Admin' && policy.tier === 'Baseline' && p.rules.egress.some((r) => lets(r, ['Accept'])))));
    if (earlier) {
      return [];
    }
    const deny = rules[denyIndex];
    return [{
      item: policy.item,
      ...(policy.tier === 'Baseline' ? { severity: Severity.WARNING } : {}),
      message: `${describeItem(policy.item)}: egress rule ${ruleName(deny)} denies UDP/53 to the cluster DNS pods ${policy.tier === 'Admin'
        ? 'for every pod it selects, and no namespace policy can open it'
        : 'for every selected pod whose namespace has no egress policy'}; accept DNS (kube-system, k8s-app=kube-dns, UDP and TCP 53) in an earlier rule`,
    }];
  });
});

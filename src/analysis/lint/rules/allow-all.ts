import { Severity, asList, defineRule, describeItem, isEmptySelector, kubernetesPolicies, policyRules } from '../rule';

/** Rules that allow everyone (or every pod of every namespace). */
export const allowAll = defineRule({
  id: 'allow-all',
  severity: Severity.WARNING,
  title: 'A rule allows all traffic, or all pods of every namespace',
  explanation: 'An empty rule (`ingress: [{}]`, `egress: [{}]`, or a rule with neither peers nor ports) matches every peer on ' +
    'every port, including addresses outside the cluster; a peer `{namespaceSelector: {}}` matches every pod of every ' +
    'namespace. Either undoes a default deny for the selected pods. Name the peers and ports that are needed.',
}, (inventory) => kubernetesPolicies(inventory).flatMap((item) => {
  const at = describeItem(item);
  const messages: string[] = [];
  for (const { direction, peersKey, rule, index: i, peers } of policyRules(item.obj)) {
    const ports = asList(rule?.ports);
    if (peers.length === 0 && ports.length === 0) {
      messages.push(`${at}: ${direction} rule #${i + 1} has no ${peersKey} and no ports, so it allows all ${direction} ` +
        `(every ${direction === 'ingress' ? 'source' : 'destination'}, every port); list the peers and ports needed, or, if everyone is meant ` +
        '(a public service), name its ports at least, or suppress this finding with the reason (annotation cdk8s-netpol.io/suppress: "allow-all: <why>")');
      continue;
    }
    peers.forEach((peer: any, j: number) => {
      const ns = peer?.namespaceSelector;
      const pods = peer?.podSelector;
      if (ns !== undefined && ns !== null && isEmptySelector(ns) && (pods === undefined || pods === null || isEmptySelector(pods))) {
        messages.push(`${at}: ${direction} rule #${i + 1} ${peersKey}[${j}] {namespaceSelector: {}} matches every pod of every namespace; ` +
          'name the namespaces meant (namespaceSelector on kubernetes.io/metadata.name, or their pods), or, if every namespace is meant, ' +
          'suppress this finding with the reason (annotation cdk8s-netpol.io/suppress: "allow-all: <why>")');
      }
    });
  }
  return messages.map((message) => ({ item, message }));
}));

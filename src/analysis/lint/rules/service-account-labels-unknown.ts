import { DEFAULT_SERVICE_ACCOUNT } from '../../endpoint';
import { ClusterCni } from '../../kinds';
import { labelSelectorKeys } from '../../labels';
import { CalicoPolicy } from '../../semantics/calico/policy';
import { isServiceAccountLabelKey } from '../../semantics/calico/rule';
import { Severity, asObject, defineRule, describeItem, policyRules } from '../rule';

/** How many unknown accounts a finding names before it counts the rest. */
const NAMED = 5;

/**
 * Calico policies reading ServiceAccount labels while the input lacks the ServiceAccounts that
 * workloads run as: the model cannot decide their flows (docs/semantics/calico.md#service-accounts).
 */
export const serviceAccountLabelsUnknown = defineRule({
  id: 'service-account-labels-unknown',
  severity: Severity.WARNING,
  title: 'A Calico policy reads ServiceAccount labels the input does not give',
  explanation: 'Calico matches `serviceAccountSelector`, `serviceAccounts.selector` and `pcsa.` selector keys against the labels of the ' +
    'ServiceAccount object a pod runs as, not the pod\'s. When the input holds a workload but not the ServiceAccount it runs as ' +
    '(a namespace\'s `default` account is known: Kubernetes creates it without labels), no tool can tell whether such a selector ' +
    'matches it: the verdicts on its flows fail closed, and the promises about them cannot be proven. Add the ServiceAccount ' +
    'manifests (with their labels) to the input, or select by account name (`serviceAccounts.names`), which needs no labels.',
}, (inventory) => {
  const known = new Set(inventory.items.filter((i) => i.category === 'serviceAccount').map((i) => `${i.namespace}/${i.name}`));
  // Kubernetes NetworkPolicies read Calico's labels too when Calico enforces them (pcsa. keys).
  const calicoCni = inventory.cni === ClusterCni.CALICO;
  return inventory.items.filter((i) => i.flavour === 'calico' || (calicoCni && i.flavour === 'kubernetes')).flatMap((item) => {
    let reads: boolean;
    let namespace: string | undefined;
    if (item.flavour === 'calico') {
      try {
        const policy = new CalicoPolicy(item.obj, inventory.calico);
        reads = policy.readsServiceAccountLabels;
        namespace = policy.namespace;
      } catch {
        return []; // refused objects are api-server-rejects' business; unmodelled ones say why elsewhere
      }
    } else {
      const found = kubernetesReadsAccountLabels(item.obj);
      reads = found.subject || found.peers;
      // Its peers may be pods of any namespace; its subject, pods of its own.
      namespace = found.peers ? undefined : item.namespace;
    }
    if (!reads) {
      return [];
    }
    const missing = new Map<string, string>();
    for (const pod of inventory.pods) {
      const account = pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
      const id = `${pod.namespace}/${account}`;
      const scoped = namespace === undefined || namespace === pod.namespace;
      if (scoped && !pod.hostNetwork && account !== DEFAULT_SERVICE_ACCOUNT && !known.has(id) && !missing.has(id)) {
        missing.set(id, `${pod.namespace}/${pod.name}`);
      }
    }
    if (missing.size === 0) {
      return [];
    }
    const listed = [...missing.entries()].slice(0, NAMED).map(([account, pod]) => `${account} (run by ${pod})`);
    const more = missing.size > NAMED ? ` and ${missing.size - NAMED} more` : '';
    return [{
      item,
      message: `${describeItem(item)}: reads the labels of ServiceAccounts (serviceAccountSelector, serviceAccounts.selector or a pcsa. key), and the ` +
        `input has no ServiceAccount ${listed.join(', ')}${more}: where a verdict on these workloads' flows depends on those labels, it cannot be ` +
        'decided and fails closed; ' +
        'add the ServiceAccount manifests, or select by account name (serviceAccounts.names)',
    }];
  });
});

/**
 * Whether a NetworkPolicy's pod selectors (its own, its peers') read `pcsa.` keys (a ServiceAccount's
 * labels under Calico) other than the account's name.
 */
function kubernetesReadsAccountLabels(obj: any): { subject: boolean; peers: boolean } {
  const reads = (selector: unknown) => labelSelectorKeys(selector).some(isServiceAccountLabelKey);
  return {
    subject: reads(asObject(obj?.spec).podSelector),
    peers: policyRules(obj).some((r) => r.peers.some((p: any) => reads(p?.podSelector))),
  };
}

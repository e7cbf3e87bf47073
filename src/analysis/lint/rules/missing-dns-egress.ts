import { NetworkModel } from '../../model';
import { Item } from '../inventory';
import { Severity, defineRule, describeItem, isEmptySelector, kubernetesPolicies } from '../rule';

const PROBE_POD = 'netpol-lint-probe';
const DNS_NAMESPACE = 'kube-system';

/** Does the policy select every pod of its namespace and isolate egress? */
function deniesAllEgress(item: Item): boolean {
  const spec = item.obj.spec ?? {};
  const everyPod = isEmptySelector(spec.podSelector);
  const types: string[] = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0
    ? spec.policyTypes
    : ['Ingress', ...(Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Egress'] : [])];
  return everyPod && types.includes('Egress');
}

/** A namespace-wide egress default deny that also cuts DNS. */
export const missingDnsEgress = defineRule({
  id: 'missing-dns-egress',
  severity: Severity.ERROR,
  title: 'Default-deny egress without DNS egress (UDP and TCP 53) to kube-dns',
  explanation: 'A policy that selects every pod of a namespace and isolates egress also blocks DNS, so every name lookup in ' +
    'the namespace fails and the applications go down. Allow egress to kube-dns (namespace kube-system, pods ' +
    'k8s-app=kube-dns) on UDP 53 and TCP 53 (large answers fall back to TCP), as ZeroTrustNamespace does by default.',
}, (inventory) => {
  const byNamespace = new Map<string, Item[]>();
  for (const item of kubernetesPolicies(inventory)) {
    byNamespace.set(item.namespace!, [...(byNamespace.get(item.namespace!) ?? []), item]);
  }
  const findings = [];
  for (const [namespace, policies] of byNamespace) {
    const denying = policies.find(deniesAllEgress);
    if (!denying) {
      continue;
    }
    // Ask the model whether a pod with no labels may reach kube-dns: only its egress side
    // matters here (kube-system's own policies are another namespace's business).
    const model = new NetworkModel();
    for (const item of policies) {
      try {
        model.addManifest(item.obj);
      } catch {
        // Invalid policies are reported by api-server-rejects; the rest still decides DNS.
      }
    }
    model.addPod({ namespace, name: PROBE_POD });
    model.addPod({ namespace: DNS_NAMESPACE, name: `${PROBE_POD}-dns`, labels: { 'k8s-app': 'kube-dns' } });
    const missing = ['UDP', 'TCP'].filter((protocol) => {
      const verdict = model._explain({ from: `${namespace}/${PROBE_POD}`, to: `${DNS_NAMESPACE}/${PROBE_POD}-dns`, port: 53, protocol });
      return !verdict.sides.find((side) => side.direction === 'egress')?.allowed;
    });
    if (missing.length > 0) {
      findings.push({
        item: denying,
        message: `${describeItem(denying)}: denies all egress in namespace ${namespace}, and no policy there allows DNS (${missing.join(' and ')} 53) to kube-dns, ` +
          'so every name lookup fails; allow egress to namespace kube-system pods k8s-app=kube-dns on UDP and TCP 53',
      });
    }
  }
  return findings;
});

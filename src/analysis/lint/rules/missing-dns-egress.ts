import { NetworkModel } from '../../model';
import { Item } from '../inventory';
import { Severity, asList, asObject, defineRule, describeItem, isEmptySelector, kubernetesPolicies } from '../rule';

const PROBE_POD = 'netpol-lint-probe';
const DNS_NAMESPACE = 'kube-system';

/** The policy's directions, as the API server defaults them. */
function types(item: Item): string[] {
  const spec = asObject(item.obj.spec);
  const given = asList(spec.policyTypes);
  return given.length > 0 ? given : ['Ingress', ...(asList(spec.egress).length > 0 ? ['Egress'] : [])];
}

/** Does the policy select every pod of its namespace and isolate egress? */
function deniesAllEgress(item: Item): boolean {
  return isEmptySelector(asObject(item.obj.spec).podSelector) && types(item).includes('Egress');
}

/** A namespace-wide egress default deny that also cuts DNS. */
export const missingDnsEgress = defineRule({
  id: 'missing-dns-egress',
  severity: Severity.ERROR,
  title: 'Default-deny egress without DNS egress (UDP and TCP 53) to kube-dns',
  explanation: 'A policy that selects every pod of a namespace and isolates egress also blocks DNS, so every name lookup in ' +
    'the namespace fails and the applications go down. Allow egress to kube-dns (namespace kube-system, pods ' +
    'k8s-app=kube-dns) on UDP 53 and TCP 53 (large answers fall back to TCP), as ZeroTrustNamespace does by default. ' +
    'Checked for Kubernetes NetworkPolicy.',
}, (inventory) => {
  const byNamespace = new Map<string, Item[]>();
  for (const item of kubernetesPolicies(inventory)) {
    const list = byNamespace.get(item.namespace!);
    if (list) {
      list.push(item);
    } else {
      byNamespace.set(item.namespace!, [item]);
    }
  }
  const findings = [];
  for (const [namespace, policies] of byNamespace) {
    const denying = policies.filter(deniesAllEgress);
    if (denying.length === 0) {
      continue;
    }
    // Ask the model whether a pod with no labels may reach kube-dns; only its egress matters
    // here (kube-system's own policies are another namespace's business).
    // Only the two namespaces of the probe: adding every namespace of the input here made the
    // rule quadratic in namespaces (the lint of 1,000 namespaces took seconds).
    const model = new NetworkModel();
    for (const name of new Set([namespace, DNS_NAMESPACE])) {
      try {
        model.addNamespace(name, inventory.namespaces.get(name));
      } catch {
        // an invalid namespace name is api-server-rejects' business
      }
    }
    for (const item of policies) {
      try {
        model.addManifest(item.obj);
      } catch {
        // Invalid policies are reported by api-server-rejects; the rest still decides DNS.
      }
    }
    try {
      model.addPod({ namespace, name: PROBE_POD });
      model.addPod({
        namespace: DNS_NAMESPACE,
        name: `${PROBE_POD}-dns`,
        labels: { 'k8s-app': 'kube-dns' },
        // CoreDNS's own port names, for rules that name them.
        ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }],
      });
    } catch {
      continue; // an invalid namespace name: api-server-rejects reports it
    }
    const missing = ['UDP', 'TCP'].filter((protocol) => {
      const verdict = model._explain({ from: `${namespace}/${PROBE_POD}`, to: `${DNS_NAMESPACE}/${PROBE_POD}-dns`, port: 53, protocol });
      return !verdict.sides.find((side) => side.direction === 'egress')?.allowed;
    });
    if (missing.length > 0) {
      // Anchor on the deny itself (a policy without egress rules) when there is one.
      const anchor = denying.find((p) => asList(asObject(p.obj.spec).egress).length === 0) ?? denying[0];
      findings.push({
        item: anchor,
        involves: policies,
        message: `${describeItem(anchor)}: denies all egress in namespace ${namespace}, and no policy there allows DNS (${missing.join(' and ')} 53) to kube-dns, ` +
          'so every name lookup fails; allow egress to namespace kube-system pods k8s-app=kube-dns on UDP and TCP 53',
      });
    }
  }
  return findings;
});

import { Item } from '../inventory';
import { Severity, defineRule, isEmptySelector } from '../rule';

/** A policy that selects every pod of its namespace and allows no ingress. */
function isDefaultDeny(item: Item): boolean {
  const spec = item.obj.spec ?? {};
  switch (item.flavour) {
    case 'kubernetes': {
      const types: string[] = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0 ? spec.policyTypes : ['Ingress'];
      return isEmptySelector(spec.podSelector) && types.includes('Ingress') && (spec.ingress ?? []).length === 0;
    }
    case 'cilium':
      return item.kind === 'CiliumNetworkPolicy' && isEmptySelector(spec.endpointSelector) && Array.isArray(spec.ingress) &&
        spec.ingress.every((rule: any) => Object.keys(rule ?? {}).length === 0);
    case 'calico':
      return item.kind === 'NetworkPolicy' && (spec.selector === undefined || spec.selector.trim() === '' || spec.selector.trim() === 'all()') &&
        (spec.types ?? ['Ingress']).includes('Ingress') && (spec.ingress ?? []).length === 0;
    default:
      return false;
  }
}

/** Namespaces whose workloads run without a default deny. */
export const namespaceWithoutDefaultDeny = defineRule({
  id: 'namespace-without-default-deny',
  severity: Severity.WARNING,
  title: 'A namespace with workloads has no default-deny policy',
  explanation: 'Pods not selected by any policy accept traffic from everywhere. Without a policy that selects every pod of the ' +
    'namespace and allows nothing (`podSelector: {}` with policyTypes [Ingress, Egress] and no rules), every new workload starts ' +
    'open. Add a default deny (ZeroTrustNamespace) and allow what is needed.',
}, (inventory) => {
  const withWorkloads = [...new Set(inventory.pods.map((p) => p.namespace))];
  return withWorkloads
    .filter((namespace) => !inventory.items.some((item) => item.namespace === namespace && isDefaultDeny(item)))
    .map((namespace) => {
      const item: Item = inventory.items.find((i) => i.kind === 'Namespace' && i.name === namespace)
        ?? { obj: {}, kind: 'Namespace', name: namespace, fromLibrary: false, suppressions: new Map() };
      return { item, message: `Namespace ${namespace}: has workloads but no default-deny policy, so every pod not selected by a policy accepts all traffic; add one (e.g. ZeroTrustNamespace)` };
    });
});

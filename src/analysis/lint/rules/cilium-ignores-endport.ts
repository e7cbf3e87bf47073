import { ClusterCni } from '../../kinds';
import { Severity, asList, asObject, defineRule, describeItem, kubernetesPolicies } from '../rule';

/** Kubernetes NetworkPolicy port ranges under Cilium. */
export const ciliumIgnoresEndPort = defineRule({
  id: 'cilium-ignores-endport',
  severity: Severity.WARNING,
  title: 'Cilium may ignore endPort in Kubernetes NetworkPolicy (only with --cni cilium)',
  explanation: 'Cilium versions before its endPort support for Kubernetes NetworkPolicy silently drop `endPort` and enforce ' +
    'only `port`, so a range allows a single port. Check the Cilium version of the cluster, or express the range in a ' +
    'CiliumNetworkPolicy (`toPorts` with `endPort`), which Cilium honours.',
}, (inventory) => {
  if (inventory.cni !== ClusterCni.CILIUM) {
    return [];
  }
  return kubernetesPolicies(inventory).flatMap((item) => {
    const spec = asObject(item.obj.spec);
    const rules = ['ingress', 'egress'].flatMap((direction) => asList(spec[direction]));
    const ranges = rules.flatMap((rule) => asList(rule?.ports).filter((p: any) => p?.endPort !== undefined && p?.endPort !== null));
    return ranges.map((port: any) => ({
      item,
      message: `${describeItem(item)}: port range ${port.port}-${port.endPort} uses endPort, which Cilium may ignore in NetworkPolicy (allowing port ${port.port} only); ` +
        'check the Cilium version or use a CiliumNetworkPolicy',
    }));
  });
});

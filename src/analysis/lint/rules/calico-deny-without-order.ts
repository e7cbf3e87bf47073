import { Severity, asList, asObject, defineRule, describeItem } from '../rule';

/** Calico deny rules in a policy without `order`. */
export const calicoDenyWithoutOrder = defineRule({
  id: 'calico-deny-without-order',
  severity: Severity.WARNING,
  title: 'A Calico policy with Deny rules has no order',
  explanation: 'Calico evaluates the policies of a tier by `order`, lowest first, and a missing order sorts last. ' +
    'Kubernetes NetworkPolicies sit at order 1000 of the default tier, so an allow there decides before a Deny without order ' +
    'is ever reached: the deny loses. Give deny policies an explicit order below 1000 (CalicoGlobalDeny uses its own tier).',
}, (inventory) => inventory.items.filter((i) => i.flavour === 'calico').flatMap((item) => {
  const spec = asObject(item.obj.spec);
  const denies = ['ingress', 'egress'].some((d) => asList(spec[d]).some((r: any) => r?.action === 'Deny'));
  // In a tier of its own the policy is evaluated before the default tier whatever its order.
  const ownTier = typeof spec.tier === 'string' && spec.tier !== 'default';
  if (!denies || ownTier || (typeof spec.order === 'number' && Number.isFinite(spec.order))) {
    return [];
  }
  return [{ item, message: `${describeItem(item)}: has Deny rules but no order, so it is evaluated after Kubernetes policies (order 1000) and any allow there wins; set order below 1000` }];
}));

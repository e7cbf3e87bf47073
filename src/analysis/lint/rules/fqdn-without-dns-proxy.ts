import { Item } from '../inventory';
import { Severity, defineRule, describeItem } from '../rule';

function hasDnsProxyRule(item: Item): boolean {
  const dnsRules = (toPorts: any) => Array.isArray(toPorts?.rules?.dns) && toPorts.rules.dns.length > 0;
  return (item.obj.spec?.egress ?? []).some((rule: any) => (rule?.toPorts ?? []).some(dnsRules));
}

function selectorKey(item: Item): string {
  return JSON.stringify(item.obj.spec?.endpointSelector ?? {});
}

/** Cilium toFQDNs without a DNS rule that lets the proxy see the lookups. */
export const fqdnWithoutDnsProxy = defineRule({
  id: 'fqdn-without-dns-proxy',
  severity: Severity.ERROR,
  title: 'Cilium toFQDNs without a DNS-proxy rule for the same endpoints',
  explanation: 'Cilium learns which addresses a DNS name stands for by proxying the endpoints\' DNS lookups; that needs an egress ' +
    'rule to the DNS server with `rules.dns` (e.g. `matchPattern: "*"`) for the same endpoints (SEMANTICS.md §2). Without ' +
    'it no address is learned and the FQDN traffic is dropped. Add the rule to the policy (ExternalHttpsEgress does).',
}, (inventory) => {
  const cilium = inventory.items.filter((i) => i.obj?.apiVersion === 'cilium.io/v2' && i.kind === 'CiliumNetworkPolicy');
  return cilium.filter((item) => (item.obj.spec?.egress ?? []).some((r: any) => Array.isArray(r?.toFQDNs) && r.toFQDNs.length > 0))
    .filter((item) => !cilium.some((other) => other.namespace === item.namespace && hasDnsProxyRule(other) &&
      (selectorKey(other) === selectorKey(item) || selectorKey(other) === '{}')))
    .map((item) => ({
      item,
      message: `${describeItem(item)}: uses toFQDNs, but no policy gives the same endpoints a DNS rule (rules.dns) to kube-dns, so Cilium learns ` +
        'no addresses and drops the traffic; add an egress rule to kube-dns on port 53 with rules: {dns: [{matchPattern: "*"}]}',
    }));
});

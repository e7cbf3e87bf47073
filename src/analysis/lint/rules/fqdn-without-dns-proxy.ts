import { Item } from '../inventory';
import { Severity, asList, asObject, canonicalSelector, defineRule, describeItem, isEmptySelector } from '../rule';

/** The rules of a Cilium policy: `spec` and every entry of `specs`. */
function rulesOf(item: Item): any[] {
  return [asObject(item.obj.spec), ...asList(item.obj.specs).map(asObject)].filter((r) => Object.keys(r).length > 0);
}

function hasDnsProxyRule(rule: any): boolean {
  return asList(rule.egress).some((egress: any) => asList(egress?.toPorts).some((p: any) => asList(asObject(p?.rules).dns).length > 0));
}

/** Cilium toFQDNs without a DNS rule that lets the proxy see the lookups. */
export const fqdnWithoutDnsProxy = defineRule({
  id: 'fqdn-without-dns-proxy',
  severity: Severity.ERROR,
  title: 'Cilium toFQDNs without a DNS-proxy rule for the same endpoints',
  explanation: 'Cilium learns which addresses a DNS name stands for by proxying the endpoints\' DNS lookups; that needs an egress ' +
    'rule to the DNS server with `rules.dns` (e.g. `matchPattern: "*"`) for the same endpoints, in this policy, another policy ' +
    'of the namespace, or a cluster-wide one. Without it no address is learned and the FQDN traffic is dropped. Add the rule ' +
    '(ExternalHttpsEgress does).',
}, (inventory) => {
  const cilium = inventory.items.filter((i) => i.flavour === 'cilium');
  // Who gives DNS visibility: per namespace (and selector), or cluster-wide for every endpoint.
  const providers = cilium.flatMap((item) => rulesOf(item).filter(hasDnsProxyRule).map((rule) => ({
    clusterWide: item.clusterScoped,
    namespace: item.namespace,
    everyEndpoint: isEmptySelector(rule.endpointSelector),
    selector: canonicalSelector(rule.endpointSelector),
  })));
  const covered = (item: Item, rule: any) => providers.some((p) => (p.clusterWide ? p.everyEndpoint : p.namespace === item.namespace &&
    (p.everyEndpoint || p.selector === canonicalSelector(rule.endpointSelector))));
  return cilium.flatMap((item) => rulesOf(item)
    .filter((rule) => asList(rule.egress).some((egress: any) => asList(egress?.toFQDNs).length > 0) && !covered(item, rule))
    .map(() => ({
      item,
      message: `${describeItem(item)}: uses toFQDNs, but no policy gives the same endpoints a DNS rule (rules.dns) to kube-dns, so Cilium learns ` +
        'no addresses and drops the traffic; add an egress rule to kube-dns on port 53 with rules: {dns: [{matchPattern: "*"}]}',
    })));
});

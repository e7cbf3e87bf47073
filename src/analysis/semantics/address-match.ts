import { Cidr, cidrContains, cidrContainsIp, ipFamily, parseCidr } from '../../util/cidr';
import { blocksAdmitName, Endpoint, nameFamilies, PodSide, unknownNameAddresses } from '../endpoint';
import { SideQuery } from './side-evaluator';

/**
 * Whether a criterion matches a connection: true, false, or unknown with why (an address the
 * model does not know against a list of networks). Shared by the engines whose address rules
 * match pods by their addresses (Calico `nets`, ClusterNetworkPolicy `networks`).
 */
export type RuleMatch = boolean | { readonly unknown: string };

/**
 * Ranges no workload address lies in: CNIs refuse IP pools that overlap link-local, loopback or
 * multicast ranges (Calico says so in its IP pool validation), and the unspecified and reserved
 * ranges are no unicast addresses.
 */
const NO_POD_ADDRESS = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '240.0.0.0/4', '::/127', 'fe80::/10', 'ff00::/8']
  .map((text) => parseCidr(text));

/**
 * The IP families a connection may use: the family of an end's known address; for a DNS name the
 * families the model gives it; otherwise those of the ends' pod ranges (NetworkModelOptions.podCidrs),
 * IPv4 when none are given (the model's assumption). Rules restricted to one family (Calico's
 * ipVersion) decide only when every family answers alike.
 */
export function connectionFamilies(query: SideQuery): readonly (4 | 6)[] {
  const ip = query.other.ip ?? query.pod.ip;
  if (ip !== undefined) {
    return [ipFamily(ip) === 6 ? 6 : 4];
  }
  if (query.other.kind === 'name') {
    return nameFamilies(query.other);
  }
  const ranges = [...(query.other.kind === 'pod' ? query.other.addressRanges ?? [] : []), ...(query.pod.addressRanges ?? [])];
  const families = [...new Set(ranges.map((r) => r.family))].sort();
  return families.length > 0 ? families : [4];
}

/**
 * Whether a rule restricted to IP family `version` (Calico's ipVersion) matches the connection:
 * unknown when the connection may use that family or another (a pod without an address on a
 * dual-stack cluster).
 */
export function familyMatches(version: 4 | 6, query: SideQuery): RuleMatch {
  const families = connectionFamilies(query);
  if (families.every((f) => f === version)) {
    return true;
  }
  if (families.every((f) => f !== version)) {
    return false;
  }
  return {
    unknown: `the rule matches IPv${version} only and the connection may use ${families.map((f) => `IPv${f}`).join(' or ')} ` +
      '(no end has a known address and the pod ranges are dual-stack); add the pods with their ips (NetworkModel.addPod) to decide',
  };
}

/** Why a pod's address leaves a networks criterion undecided. */
function unknownPodAddress(pod: PodSide, what: string): string {
  return `the address of pod ${pod.id} is unknown (pods built from manifests have none) and might lie in ${what}; ` +
    'add the pod with its ip (NetworkModel.addPod), or give the cluster\'s pod ranges (NetworkModelOptions.podCidrs; ' +
    'for synth-time proofs the context key cdk8s-netpol/pod-cidrs), to decide';
}

/**
 * Whether an endpoint's address lies in one of `nets`. An endpoint without a known address (a
 * DNS name, a pod built from manifests) certainly has one: nets holding every address of the
 * connection's family (for a name, of each family it may use) contain it; otherwise it is unknown.
 * @param what the networks as reasons name them ("nets 10.0.0.0/8")
 */
export function inNets(nets: readonly Cidr[], endpoint: Endpoint, query: SideQuery, what: string): RuleMatch {
  if (endpoint.ip !== undefined) {
    return nets.some((n) => cidrContainsIp(n, endpoint.ip!));
  }
  if (endpoint.kind === 'name') {
    return blocksAdmitName(nets.map((cidr) => ({ cidr })), endpoint) ? true : { unknown: unknownNameAddresses(endpoint, what) };
  }
  // A pod without a known address: its address is of the connection's family, which is known when
  // an end has an address; otherwise it may be of any family of the cluster's pod ranges (IPv4
  // when none are given, the model's assumption). The answer must hold for each of them.
  const families = connectionFamilies(query);
  const answers = families.map((family) => inNetsOfFamily(nets, endpoint, family));
  if (answers.every((a) => a === true)) {
    return true;
  }
  if (answers.every((a) => a === false)) {
    return false;
  }
  return { unknown: unknownPodAddress(endpoint, what) };
}

/** Whether a pod without a known address, whose address is of `family`, lies in `nets`: undefined when it cannot be told. */
function inNetsOfFamily(nets: readonly Cidr[], endpoint: PodSide, family: 4 | 6): boolean | undefined {
  // Nets of the other family cannot hold it.
  const relevant = nets.filter((n) => n.family === family);
  if (relevant.some((n) => n.prefix === 0)) {
    return true;
  }
  if (relevant.every((n) => !endpoint.hostNetwork && NO_POD_ADDRESS.some((r) => cidrContains(r, n)))) {
    // No such net, or only ranges a workload never has (the metadata endpoint 169.254.169.254).
    return false;
  }
  // The cluster's pod ranges, when given (NetworkModelOptions.podCidrs): the address lies in one.
  const ranges = endpoint.addressRanges?.filter((r) => r.family === family);
  if (ranges !== undefined && ranges.length > 0) {
    if (ranges.every((r) => relevant.some((n) => cidrContains(n, r)))) {
      return true;
    }
    if (ranges.every((r) => relevant.every((n) => !cidrContains(n, r) && !cidrContains(r, n)))) {
      return false;
    }
  }
  return undefined;
}

import { Construct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { PolicyEmitter } from './policy-emitter';
import { FlowPromise, PolicyProofs, RepresentativePod, dnsPromises, labelsSatisfying } from './proofs';
import { checkBoolean, checkDnsPeer, checkPolicyName, checkPorts, requireProps } from './prop-checks';
import { PolicyEngine } from '../core/engine';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector, checkLabels, checkNamespaceName } from '../core/selector';
import { cidrContainsIp, parseCidr } from '../util/cidr';
import { toDnsLabel } from '../util/names';
import { invalid, show } from '../util/validation';

/**
 * Addresses that stand for the internet in proofs, in order of preference (documentation ranges
 * first, then well-known public resolvers): the first one the user's `excludeCidrs` leaves open.
 */
const PUBLIC_IPV4 = ['203.0.113.10', '198.51.100.10', '192.0.2.10', '1.1.1.1', '8.8.8.8', '9.9.9.9'];
const PUBLIC_IPV6 = ['2001:db8::10', '2606:4700:4700::1111', '2001:4860:4860::8888', '2620:fe::fe'];
const METADATA_IPV4 = '169.254.169.254';
const METADATA_IPV6 = 'fd00:ec2::254';
const HTTPS_PORT = 443;
/** Cloud metadata services answer on plain HTTP. */
const METADATA_HTTP_PORT = 80;

/** Props of `ExternalHttpsEgress`. */
export interface ExternalHttpsEgressProps {
  /** The namespace of the pods that call out. */
  readonly namespace: string;
  /**
   * Labels of the pods that may call out; `{}` means every pod of the namespace.
   * @default {} - every pod of the namespace
   */
  readonly selector?: Record<string, string>;
  /**
   * The destination ports.
   * @default [Port.HTTPS]
   */
  readonly ports?: Port[];
  /**
   * Restrict the destinations to these DNS names or patterns (`api.example.com`,
   * `*.example.com`). Cilium only: Kubernetes NetworkPolicy and Calico cannot match names.
   * Name-based egress trusts DNS: the private-range exclusions do not apply to the addresses
   * the names resolve to.
   * @default - every public address
   */
  readonly fqdns?: string[];
  /**
   * Let the selected pods resolve names through the cluster DNS (UDP and TCP 53). The policy
   * isolates their egress, so without this they would lose DNS wherever no other policy (such
   * as a `ZeroTrustNamespace`'s `allow-dns`) allows it. With `fqdns` DNS is always allowed,
   * through Cilium's DNS proxy, which must see the lookups.
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * Where the cluster DNS runs, for `allowDns` (and, with `fqdns`, Cilium's DNS proxy rule).
   * @default Peer.kubeDns()
   */
  readonly dnsPeer?: Peer;
  /**
   * Also allow public IPv6 destinations.
   * @default true
   */
  readonly ipv6?: boolean;
  /**
   * Further CIDRs to exclude from the destinations.
   * @default - only the built-in private, link-local and metadata ranges
   */
  readonly excludeCidrs?: string[];
  /**
   * The policy name.
   * @default - the construct id as a DNS label (two constructs never share a name by default)
   */
  readonly name?: string;
  /**
   * The engine to render for.
   * @default - context key "cdk8s-netpol/engine", else PolicyEngine.KUBERNETES
   */
  readonly engine?: PolicyEngine;
}

/** The keys of ExternalHttpsEgressProps: unknown keys are refused (a misspelt one would be ignored). */
const PROPS_KEYS: Record<keyof ExternalHttpsEgressProps, true> = {
  namespace: true,
  selector: true,
  ports: true,
  fqdns: true,
  allowDns: true,
  dnsPeer: true,
  ipv6: true,
  excludeCidrs: true,
  name: true,
  engine: true,
};

/**
 * Lets the selected pods reach public HTTPS endpoints, and never the private side: RFC 1918,
 * shared address space, link-local (cloud metadata 169.254.169.254 included) and IPv6
 * ULA/link-local ranges stay closed. See `Peer.internet()`.
 *
 * The policy governs egress of the selected pods: they lose every egress it does not allow
 * unless other policies allow it. DNS stays allowed (`allowDns`).
 */
export class ExternalHttpsEgress extends Construct {
  /** The engine the policy is rendered for. */
  public readonly engine: PolicyEngine;

  constructor(scope: Construct, id: string, props: ExternalHttpsEgressProps) {
    super(scope, id);
    const where = describeConstruct('ExternalHttpsEgress', this);
    requireProps(where, props, '{ namespace: "production" }', PROPS_KEYS);
    checkNamespaceName(where, 'namespace', props.namespace);
    checkLabels(where, 'selector', props.selector);
    checkPorts(where, 'ports', props.ports);
    checkPolicyName(where, 'name', props.name);
    checkBoolean(where, 'ipv6', props.ipv6);
    checkBoolean(where, 'allowDns', props.allowDns);
    checkDnsPeer(where, props.dnsPeer, props.fqdns !== undefined);
    this.engine = chooseEngine(this, props.engine, where);

    let destinations: Peer[];
    if (props.fqdns !== undefined) {
      if (!Array.isArray(props.fqdns) || props.fqdns.length === 0) {
        invalid(where, `fqdns ${show(props.fqdns)} must list at least one name (omit it for every public address)`);
      }
      if (this.engine !== PolicyEngine.CILIUM) {
        invalid(where, `fqdns needs engine PolicyEngine.CILIUM; PolicyEngine.${this.engine.toUpperCase()} matches IP addresses, not DNS names. ` +
          'Remove fqdns to allow every public address, or set engine: PolicyEngine.CILIUM');
      }
      if (props.ipv6 !== undefined || props.excludeCidrs !== undefined) {
        invalid(where, 'ipv6 and excludeCidrs apply to address-based egress; they cannot be combined with fqdns');
      }
      if (props.allowDns === false) {
        invalid(where, 'allowDns cannot be false with fqdns: Cilium learns the addresses of the names from the DNS lookups its proxy sees, ' +
          'so the policy must allow DNS through it; remove allowDns');
      }
      // Array.from, not map: a hole in the list is refused as undefined rather than kept as a hole.
      destinations = Array.from(props.fqdns, (name, i) => Peer._fqdn(where, `fqdns[${i}]`, name));
    } else if (props.dnsPeer !== undefined && props.allowDns === false) {
      invalid(where, 'dnsPeer is set but allowDns is false; remove one of them');
    } else {
      destinations = [Peer._internet(where, { ipv6: props.ipv6, excludeCidrs: props.excludeCidrs })];
    }

    const selector = LabelSelector.of(props.selector ?? {});
    const ports = props.ports ?? [Port.HTTPS];
    const dnsPeer = props.dnsPeer ?? Peer.kubeDns();
    // Address-based egress allows DNS with its own rule; name-based egress gets Cilium's
    // DNS-proxy rule from the renderer (`dns` of the intent).
    const dnsRules = props.fqdns === undefined && (props.allowDns ?? true) ? [{ peers: [dnsPeer], ports: [Port.DNS_UDP, Port.DNS_TCP] }] : [];
    new PolicyEmitter(this, this.engine, where).emit('Policy', {
      name: props.name ?? toDnsLabel(id),
      namespace: props.namespace,
      selector,
      egress: [{ peers: destinations, ports }, ...dnsRules],
      dns: props.dnsPeer,
      description: `${selector.isEmpty ? 'Every pod' : `Pods ${selector}`} may reach ${destinations.join(', ')} on ${ports.join(', ')}` +
        `${dnsRules.length > 0 ? `, and resolve names through ${dnsPeer}` : ''}.`,
    });

    // Proof (address-based egress): a public address is reachable on each numbered port, the
    // cloud metadata endpoints never (on those ports and on HTTP 80, where metadata services
    // listen), whatever else the chart allows these pods; and the pods still resolve names.
    if (props.fqdns === undefined) {
      // Made when proven, from copies taken now: the caller's props may change after this line.
      const namespace = props.namespace;
      const promisedPorts = [...ports];
      const ipv6 = props.ipv6 ?? true;
      const excludeCidrs = props.excludeCidrs === undefined ? undefined : [...props.excludeCidrs];
      const allowDns = props.allowDns ?? true;
      PolicyProofs._promise(this, 'ExternalHttpsEgress', where, () => {
        const client: RepresentativePod = { namespace, role: 'client', labels: labelsSatisfying(selector) };
        // Every-port entries are tried on 443; named ports cannot reach addresses outside the cluster.
        const numbered = promisedPorts.filter((port) => port.name === undefined)
          .map((port) => ({ protocol: port.protocol, portNumber: port.portNumber ?? HTTPS_PORT }));
        const publicIpv4 = openAddress(PUBLIC_IPV4, excludeCidrs);
        const publicIpv6 = openAddress(PUBLIC_IPV6, excludeCidrs);
        const flow = (promise: string, to: string, protocol: string, portNumber: number, allowed: boolean): FlowPromise => ({
          id: `${promise}-${protocol.toLowerCase()}-${portNumber}`,
          description: `the selected pods ${allowed ? 'reach' : 'cannot reach'} ${to} on ${protocol}/${portNumber}`,
          from: client,
          to,
          port: portNumber,
          protocol,
          allowed,
        });
        const metadata = (protocol: string, portNumber: number) => [
          flow('no-metadata', METADATA_IPV4, protocol, portNumber, false),
          ...(ipv6 ? [flow('no-metadata-ipv6', METADATA_IPV6, protocol, portNumber, false)] : []),
        ];
        const promises = numbered.flatMap(({ protocol, portNumber }) => [
          ...(publicIpv4 ? [flow('internet', publicIpv4, protocol, portNumber!, true)] : []),
          ...(ipv6 && publicIpv6 ? [flow('internet-ipv6', publicIpv6, protocol, portNumber!, true)] : []),
          ...metadata(protocol, portNumber!),
        ]);
        if (!numbered.some((port) => port.protocol === 'TCP' && port.portNumber === METADATA_HTTP_PORT)) {
          promises.push(...metadata('TCP', METADATA_HTTP_PORT));
        }
        if (allowDns) {
          promises.push(...dnsPromises(client, dnsPeer, 'client'));
        }
        return promises;
      });
    }
  }
}

/**
 * The first candidate address outside every excluded block: the internet promise is only
 * made for an address the user did not exclude (none left: no such promise).
 */
function openAddress(candidates: string[], excluded: string[] | undefined): string | undefined {
  const blocks = (excluded ?? []).map((text) => parseCidr(text));
  return candidates.find((ip) => !blocks.some((block) => cidrContainsIp(block, ip)));
}

import { Construct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { PolicyEmitter } from './policy-emitter';
import { PolicyProofs, RepresentativePod, labelsSatisfying } from './proofs';
import { checkBoolean, checkDnsPeer, checkPolicyName, checkPorts, requireProps } from './prop-checks';
import { PolicyEngine } from '../core/engine';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector, checkLabels, checkNamespaceName } from '../core/selector';
import { invalid, show } from '../util/validation';

/** Addresses that stand for the internet and the metadata endpoints in proofs (documentation ranges for the public side). */
const PUBLIC_IPV4 = '203.0.113.10';
const PUBLIC_IPV6 = '2001:db8::10';
const METADATA_IPV4 = '169.254.169.254';
const METADATA_IPV6 = 'fd00:ec2::254';
const HTTPS_PORT = 443;

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
   * @default [Port.tcp(443)]
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
   * Where the cluster DNS runs: with `fqdns`, Cilium's DNS proxy must see the lookups, so the
   * policy also allows DNS to it through the proxy.
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
   * @default "allow-external-https"
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
 * The policy governs egress of the selected pods: used without a `ZeroTrustNamespace` (which
 * allows DNS), those pods lose every other egress, DNS included.
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
      destinations = props.fqdns.map((name, i) => Peer._fqdn(where, `fqdns[${i}]`, name));
    } else if (props.dnsPeer !== undefined) {
      invalid(where, 'dnsPeer only applies with fqdns (it opens DNS for Cilium\'s DNS proxy); remove it');
    } else {
      destinations = [Peer._internet(where, { ipv6: props.ipv6, excludeCidrs: props.excludeCidrs })];
    }

    const selector = LabelSelector.of(props.selector ?? {});
    const ports = props.ports ?? [Port.tcp(443)];
    new PolicyEmitter(this, this.engine, where).emit('Policy', {
      name: props.name ?? 'allow-external-https',
      namespace: props.namespace,
      selector,
      egress: [{ peers: destinations, ports }],
      dns: props.dnsPeer,
      description: `${selector.isEmpty ? 'Every pod' : `Pods ${selector}`} may reach ${destinations.join(', ')} on ${ports.join(', ')}.`,
    });

    // Proof (address-based egress): a public address is reachable on each numbered port, the
    // cloud metadata endpoints never, whatever else the chart allows these pods.
    if (props.fqdns === undefined) {
      const client: RepresentativePod = { namespace: props.namespace, role: 'client', labels: labelsSatisfying(selector) };
      // Every-port entries are tried on 443; named ports cannot reach addresses outside the cluster.
      const numbered = ports.filter((port) => port.name === undefined)
        .map((port) => ({ protocol: port.protocol, portNumber: port.portNumber ?? HTTPS_PORT }));
      const ipv6 = props.ipv6 ?? true;
      PolicyProofs._promise(this, where, this.engine, numbered.flatMap((port) => {
        const flow = (promise: string, to: string, allowed: boolean) => ({
          id: `${promise}-${port.protocol.toLowerCase()}-${port.portNumber}`,
          description: `the selected pods ${allowed ? 'reach' : 'cannot reach'} ${to} on ${port.protocol}/${port.portNumber}`,
          from: client,
          to,
          port: port.portNumber!,
          protocol: port.protocol,
          allowed,
        });
        return [
          flow('internet', PUBLIC_IPV4, true),
          flow('no-metadata', METADATA_IPV4, false),
          ...(ipv6 ? [flow('internet-ipv6', PUBLIC_IPV6, true), flow('no-metadata-ipv6', METADATA_IPV6, false)] : []),
        ];
      }));
    }
  }
}

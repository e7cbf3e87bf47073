import { Construct } from 'constructs';
import { describeConstruct } from './describe';
import { httpProbes } from './http-promises';
import { PolicyEmitter } from './policy-emitter';
import { FlowPromise, PolicyProofs, RepresentativePod, labelsSatisfying } from './proofs';
import { checkPolicyName, requireProps } from './prop-checks';
import { HttpRequest } from '../analysis/types';
import { PolicyEngine } from '../core/engine';
import { HttpRule, validateHttpRules } from '../core/http-rule';
import { Peer, PeerKind } from '../core/peer';
import { Port, Protocol } from '../core/port';
import { LabelSelector, checkLabels, checkNamespaceName } from '../core/selector';
import { toDnsLabel } from '../util/names';
import { invalid, show } from '../util/validation';

/** Props of `CiliumL7Rule`. */
export interface CiliumL7RuleProps {
  /** The namespace of the pods that serve HTTP. */
  readonly namespace: string;
  /** Labels of the pods that serve HTTP; at least one label. */
  readonly selector: Record<string, string>;
  /** Who may send the requests; at least one peer. */
  readonly from: Peer[];
  /** The TCP port (or port range) the pods serve HTTP on, e.g. `Port.tcp(8080)` or `Port.tcpRange(8080, 8089)`. */
  readonly port: Port;
  /** The requests allowed; anything else on the port is refused with 403 by Cilium's proxy. */
  readonly http: HttpRule[];
  /**
   * The policy name.
   * @default - the construct id as a DNS label
   */
  readonly name?: string;
}

/** The keys of CiliumL7RuleProps: unknown keys are refused (a misspelt one would be ignored). */
const PROPS_KEYS: Record<keyof CiliumL7RuleProps, true> = { namespace: true, selector: true, from: true, port: true, http: true, name: true };

/**
 * A CiliumNetworkPolicy that lets the `from` peers reach the selected pods on one TCP port (or range) for
 * the listed HTTP requests only (method, path regex, host, headers).
 *
 * Cilium unions all policies of an endpoint: another policy that allows the same peers on the
 * same port without HTTP rules (an L4 allowance) makes these rules moot. Give such tiers their
 * HTTP rules here, or through `ThreeTierApp`'s tier `http` option, not both ways. The synth-time
 * proofs check it: a request that no rule admits must be refused by the selected pods.
 */
export class CiliumL7Rule extends Construct {
  /** Always `PolicyEngine.CILIUM`. */
  public readonly engine: PolicyEngine = PolicyEngine.CILIUM;

  constructor(scope: Construct, id: string, props: CiliumL7RuleProps) {
    super(scope, id);
    const where = describeConstruct('CiliumL7Rule', this);
    requireProps(where, props, '{ namespace, selector, from, port, http }', PROPS_KEYS);
    checkNamespaceName(where, 'namespace', props.namespace);
    if (props.selector === undefined || props.selector === null) {
      invalid(where, 'selector is required: the labels of the pods that serve HTTP, e.g. { app: "api" }');
    }
    checkLabels(where, 'selector', props.selector);
    if (Object.keys(props.selector).length === 0) {
      invalid(where, 'selector {} would put every pod of the namespace behind these HTTP rules; give the serving pods\' labels');
    }
    if (!Array.isArray(props.from) || props.from.length === 0) {
      invalid(where, `from ${show(props.from)} must list at least one Peer, e.g. [Peer.pods({ app: "frontend" })]`);
    }
    // Array.from: a hole in the list is refused as undefined rather than skipped.
    Array.from(props.from).forEach((peer, i) => {
      if (!(peer instanceof Peer)) {
        invalid(where, `from[${i}] ${show(peer)} is not a Peer`);
      }
      const spec = peer._spec;
      if (spec.kind === PeerKind.FQDN) {
        invalid(where, `from[${i}] Peer.fqdn(${JSON.stringify(spec.pattern)}) is a DNS name; Cilium matches DNS names on egress only, so it cannot be a source. ` +
          'Use the clients\' pods or addresses, e.g. Peer.pods({ app: "frontend" })');
      }
    });
    checkL7Port(where, props.port);
    validateHttpRules(where, 'http', props.http);
    checkPolicyName(where, 'name', props.name);

    const selector = LabelSelector.of(props.selector);
    new PolicyEmitter(this, this.engine, where).emit('Policy', {
      name: props.name ?? toDnsLabel(id),
      namespace: props.namespace,
      selector,
      ingress: [{ peers: [...props.from], ports: [props.port], http: [...props.http] }],
      description: `Pods ${selector} accept from ${props.from.join(', ')} on ${props.port} only: ` +
        `${props.http.map(describeHttp).join('; ')}.`,
    });

    // Proof, on the serving pods' ingress: a request that no rule admits is refused, whatever
    // else the app allows these clients on this port (an L4 allowance of the same port by
    // another policy cancels the HTTP rules: docs/semantics/cilium.md#l4-allow-overrides-l7-rules,
    // the trap this promise catches); and a request the first rule admits is admitted, when that
    // rule is plain enough to write one down. Made when proven, from copies taken now: the
    // caller's props may change after this line.
    const namespace = props.namespace;
    const clients = [...props.from];
    const port = props.port.portNumber!;
    const rules = props.http.map((rule) => ({ ...rule }));
    PolicyProofs._promise(this, 'CiliumL7Rule', where, () => l7Promises(namespace, selector, clients, port, rules));
  }
}

/**
 * The promises, one pair per client: every `from` peer that names pods (of the policy's
 * namespace or of a named one) gets a representative pod, since an L4 allowance may open the
 * port to one peer and not another.
 */
function l7Promises(namespace: string, selector: LabelSelector, from: Peer[], port: number, rules: HttpRule[]): FlowPromise[] {
  const found = from.map((peer) => ({ peer, pod: clientPod(peer, namespace) }))
    .filter((c): c is { peer: Peer; pod: RepresentativePod } => c.pod !== undefined);
  // Each client a pod of its own: the proofs name representative pods by role.
  const clients = found.map(({ peer, pod }, i) => ({ peer, pod: found.length > 1 ? { ...pod, role: `client-${i + 1}` } : pod }));
  const server: RepresentativePod = { namespace, role: 'server', labels: labelsSatisfying(selector), ports: [{ port, protocol: 'TCP' }] };
  const { refused, admitted } = httpProbes(rules);
  return clients.flatMap(({ peer, pod }, i) => {
    const suffix = clients.length > 1 ? `-from-${i + 1}` : '';
    const promise = (id: string, request: HttpRequest, allowed: boolean): FlowPromise => ({
      id: `${id}${suffix}`,
      description: allowed
        ? `the pods ${selector} admit ${request.method} ${request.path} on TCP/${port} from ${peer}`
        : `the pods ${selector} refuse ${request.method} ${request.path} on TCP/${port} from ${peer}, as no HTTP rule admits it ` +
          '(an allowance of the port without HTTP rules would cancel them)',
      from: pod,
      to: server,
      port,
      protocol: 'TCP',
      http: request,
      // What the server admits; whether the client may send (its own egress) is another policy's business.
      ingressOnly: true,
      allowed,
    });
    return [
      ...(refused ? [promise('unlisted-request-refused', refused, false)] : []),
      ...(admitted ? [promise('first-rule-admitted', admitted, true)] : []),
    ];
  });
}

/** The pod that stands for a client peer: pods of the policy's namespace or of a named one. */
function clientPod(peer: Peer, namespace: string): RepresentativePod | undefined {
  const spec = peer._spec;
  if (spec.kind !== PeerKind.PODS || spec.namespaces.kind === 'selector') {
    return undefined;
  }
  return { namespace: spec.namespaces.kind === 'name' ? spec.namespaces.name : namespace, role: 'client', labels: labelsSatisfying(spec.pods) };
}

function checkL7Port(where: string, port: Port): void {
  if (!(port instanceof Port)) {
    invalid(where, `port ${show(port)} is not a Port; use e.g. Port.tcp(8080)`);
  }
  if (port.protocol !== Protocol.TCP) {
    invalid(where, `port ${port} is not TCP; HTTP rules apply to TCP ports only`);
  }
  if (port.portNumber === undefined) {
    invalid(where, `port ${port} must be a numbered TCP port or range such as Port.tcp(8080) or Port.tcpRange(8080, 8090), not a name or every port`);
  }
}

/** "GET /api/v1/products" style summary of one HTTP rule. */
export function describeHttp(rule: HttpRule): string {
  const parts = [rule.method ?? 'any method', rule.path ?? 'any path'];
  if (rule.host !== undefined) {
    parts.push(`host ${rule.host}`);
  }
  if (rule.headers !== undefined) {
    parts.push(`with ${rule.headers.join(', ')}`);
  }
  return parts.join(' ');
}

import { DNS_PORTS, GraphCall, GraphExternal, GraphMember, GraphSettings } from './graph-state';
import { HttpRequest } from '../../analysis/types';
import { HttpRule } from '../../core/http-rule';
import { CiliumEntity, Peer, PeerKind } from '../../core/peer';
import { Port } from '../../core/port';
import { selectorMatches } from '../../core/selector';
import { cidrContainsIp, hostAddressIn, parseCidr } from '../../util/cidr';
import { httpProbes } from '../http-promises';
import { FlowPromise, RepresentativePod, dnsPromises, labelsSatisfying } from '../proofs';

/** Addresses standing for the public internet in proofs (documentation ranges first). */
const PUBLIC_ADDRESSES = ['203.0.113.10', '198.51.100.10', '192.0.2.10', '1.1.1.1'];
/** The port tried for "every port" and for the internet. */
const HTTPS_PORT = 443;
/** The port tried for a workload that serves every port of a protocol. */
const EVERY_PORT_PROBE = 1;
/** Where numbers for named ports without a known container port start. */
const SYNTHETIC_PORT_BASE = 49152;

/** One port tried against a workload: a protocol and a number (a named port resolved on the workload). */
interface Probe {
  readonly protocol: string;
  readonly port: number;
}

/** The other end of a flow in the graph's own reckoning. */
type End =
  | { readonly kind: 'member'; readonly member: GraphMember }
  | { readonly kind: 'pod'; readonly namespace: string; readonly labels: Record<string, string> }
  | { readonly kind: 'address'; readonly address: string };

/** What the graph itself says of a flow: allowed, denied, or unknown (a peer whose reach the graph cannot tell). */
type Tri = boolean | 'unknown';

/**
 * The flows a graph promises, over one representative pod per workload (its pods' labels and
 * ports):
 * - every call is allowed, on each port called (with HTTP rules: a request the rules refuse is
 *   refused, and the first rule's request admitted);
 * - every ordered pair of workloads is denied on the destination's ports wherever the graph does
 *   not allow it (no call, no allowance covering the caller);
 * - every peer of `allowFrom` reaches its workload, and (pods and addresses the graph can stand
 *   for) no other workload of the graph that does not allow it;
 * - every destination of `allowTo` is reachable from its workload;
 * - with `restrictEgress`, no workload reaches the public internet unless an `allowTo` says so,
 *   and every workload with DNS resolves names.
 * A promise the graph cannot decide itself (a peer selecting namespaces by labels) is not made.
 */
export function graphPromises(settings: GraphSettings, members: readonly GraphMember[]): FlowPromise[] {
  return new PromiseBuilder(settings, members).build();
}

class PromiseBuilder {
  private readonly out: FlowPromise[] = [];
  private readonly ids = new Set<string>();
  private readonly pods = new Map<GraphMember, RepresentativePod>();
  private readonly replicas = new Map<GraphMember, RepresentativePod>();
  /** Numbers given to named ports that no known container port carries, per workload. */
  private readonly synthetic = new Map<GraphMember, Map<string, number>>();
  private readonly publicAddress: string;
  private readonly standIns = new Map<string, RepresentativePod | string | undefined>();

  constructor(private readonly settings: GraphSettings, private readonly members: readonly GraphMember[]) {
    this.publicAddress = PUBLIC_ADDRESSES[0];
  }

  /** Allowed flows first (peers in, calls, destinations out), then denied ones, then DNS. */
  public build(): FlowPromise[] {
    for (const member of this.members) {
      member.allowedFrom.forEach((external) => this.allowFromPromises(external));
    }
    for (const member of this.members) {
      member.callsOut.forEach((call) => this.callPromises(call));
    }
    for (const member of this.members) {
      member.allowedTo.forEach((external) => this.allowToPromises(external));
    }
    this.pairPromises();
    for (const member of this.members) {
      member.allowedFrom.forEach((external) => this.outsiderPromises(external));
    }
    if (this.settings.restrictEgress) {
      const noInternet = this.settings.noInternetFor;
      for (const member of this.members.filter((m) => noInternet === undefined || noInternet.includes(m.name))) {
        const internet: End = { kind: 'address', address: this.publicAddress };
        if (this.egressAdmits(member, internet, { protocol: 'TCP', port: HTTPS_PORT }) === false) {
          this.add({
            id: `no-${member.name}-to-internet`,
            description: `${member.name} cannot reach the internet (${this.publicAddress}) on TCP/${HTTPS_PORT}`,
            from: this.pod(member),
            to: this.publicAddress,
            port: HTTPS_PORT,
            protocol: 'TCP',
            remedy: `or, if ${member.name} needs the internet, declare it with ${member.name}.allowTo(Peer.internet(), Port.tcp(${HTTPS_PORT}))`,
            allowed: false,
          });
        }
      }
      for (const member of this.members.filter((m) => m.dns)) {
        dnsPromises(this.pod(member), this.settings.dnsPeer, member.name).forEach((p) => this.add(p));
      }
    }
    return this.out;
  }

  private callPromises(call: GraphCall): void {
    const self = call.from === call.to;
    const from = this.pod(call.from);
    const to = self ? this.replica(call.to) : this.pod(call.to);
    const probes = uniqueProbes(call.ports.map((port) => this.probe(call.to, port)));
    for (const probe of probes) {
      this.add({
        id: `${call.from.name}-to-${call.to.name}${probes.length > 1 ? suffix(probe) : ''}`,
        description: `${call.from.name} reaches ${self ? 'another pod of its own' : call.to.name} on ${probe.protocol}/${probe.port}`,
        from,
        to,
        port: probe.port,
        protocol: probe.protocol,
        allowed: true,
      });
    }
    if (call.http) {
      this.httpPromises(`${call.from.name}-to-${call.to.name}`, call.from.name, from, call.to, to, probes[0], call.http);
    }
  }

  /** Every ordered pair of distinct workloads, on each of the destination's ports the graph does not open to the source. */
  private pairPromises(): void {
    const probesOf = new Map(this.members.map((m) => [m, this.probesOf(m)]));
    for (const from of this.members) {
      for (const to of this.members) {
        if (from === to) {
          continue;
        }
        const probes = probesOf.get(to)!;
        for (const probe of probes) {
          if (this.graphAllows({ kind: 'member', member: from }, to, probe) !== false) {
            continue;
          }
          this.add({
            id: `no-${from.name}-to-${to.name}${probes.length > 1 ? suffix(probe) : ''}`,
            description: `${from.name} cannot reach ${to.name} on ${probe.protocol}/${probe.port}`,
            from: this.pod(from),
            to: this.pod(to),
            port: probe.port,
            protocol: probe.protocol,
            remedy: `or, if ${from.name} calls ${to.name}, declare it with ${from.name}.calls(${to.name})`,
            allowed: false,
          });
        }
      }
    }
  }

  private allowFromPromises(external: GraphExternal): void {
    const member = external.member;
    const stand = this.standIn(external.peer, member.namespace, external.role);
    if (stand === undefined) {
      return;
    }
    const probes = uniqueProbes(external.ports.map((port) => this.probe(member, port)));
    // A stand-in that is also a workload of the graph sends only what the graph lets it: the
    // promise is then about what this workload admits.
    const insider = typeof stand !== 'string' && this.isInsider(stand);
    for (const probe of probes) {
      this.add({
        id: `${external.role}-to-${member.name}${probes.length > 1 ? suffix(probe) : ''}`,
        description: `${external.peer} reaches ${member.name} on ${probe.protocol}/${probe.port}`,
        from: stand,
        to: this.pod(member),
        port: probe.port,
        protocol: probe.protocol,
        ...(insider ? { ingressOnly: true } : {}),
        allowed: true,
      });
    }
    if (external.http) {
      this.httpPromises(`${external.role}-to-${member.name}`, String(external.peer), stand, member, this.pod(member), probes[0], external.http);
    }
  }

  /** Peers of `allowFrom` reach no workload of the graph on a port it does not open to them. */
  private outsiderPromises(external: GraphExternal): void {
    const member = external.member;
    const stand = this.standIn(external.peer, member.namespace, external.role);
    if (stand === undefined || (typeof stand !== 'string' && this.isInsider(stand))) {
      return;
    }
    const end: End = typeof stand === 'string' ? { kind: 'address', address: stand } : { kind: 'pod', namespace: stand.namespace, labels: stand.labels };
    // Every workload, this one included: on the ports it does not open to the peer.
    for (const other of this.members) {
      const otherProbes = this.probesOf(other);
      for (const probe of otherProbes) {
        if (this.ingressAdmits(other, end, probe) !== false) {
          continue;
        }
        this.add({
          id: `no-${external.role}-to-${other.name}${otherProbes.length > 1 ? suffix(probe) : ''}`,
          description: `${external.peer} cannot reach ${other.name} on ${probe.protocol}/${probe.port}`,
          from: stand,
          to: this.pod(other),
          port: probe.port,
          protocol: probe.protocol,
          allowed: false,
        });
      }
    }
  }

  /** A stand-in pod that a workload of the graph selects. */
  private isInsider(pod: RepresentativePod): boolean {
    return this.members.some((m) => m.namespace === pod.namespace && selectorMatches(m.selector, pod.labels));
  }

  private allowToPromises(external: GraphExternal): void {
    const member = external.member;
    const numbered = external.ports.filter((port) => port.name === undefined);
    const probes = uniqueProbes(external.ports.length === 0
      ? [{ protocol: 'TCP', port: HTTPS_PORT }]
      : numbered.map((port) => ({ protocol: port.protocol, port: port.isAllPorts ? HTTPS_PORT : port.portNumber! })));
    const target = this.destinationStandIn(external.peer, member.namespace, external.role, probes);
    if (target === undefined) {
      return;
    }
    for (const probe of probes) {
      this.add({
        id: `${member.name}-to-${external.role}${probes.length > 1 ? suffix(probe) : ''}`,
        description: `${member.name} may send to ${external.peer} on ${probe.protocol}/${probe.port}`,
        from: this.pod(member),
        to: target,
        port: probe.port,
        protocol: probe.protocol,
        // What the workload may send; whether a pod destination admits it is its own policies' business.
        ...(typeof target === 'string' ? {} : { egressOnly: true }),
        allowed: true,
      });
    }
  }

  private httpPromises(base: string, client: string, from: RepresentativePod | string, member: GraphMember, to: RepresentativePod,
    probe: Probe, rules: HttpRule[]): void {
    const { refused, admitted } = httpProbes(rules);
    const promise = (id: string, request: HttpRequest, allowed: boolean): FlowPromise => ({
      id: `${base}-${id}`,
      description: allowed
        ? `${member.name} admits ${request.method} ${request.path} on TCP/${probe.port} from ${client}`
        : `${member.name} refuses ${request.method} ${request.path} on TCP/${probe.port} from ${client}, as no HTTP rule admits it ` +
          '(an allowance of the port without HTTP rules would cancel them)',
      from,
      to,
      port: probe.port,
      protocol: 'TCP',
      http: request,
      ingressOnly: true,
      allowed,
    });
    if (refused) {
      this.add(promise('unlisted-request-refused', refused, false));
    }
    if (admitted) {
      this.add(promise('first-rule-admitted', admitted, true));
    }
  }

  /** The graph's own verdict on a flow from `from` to a workload: both ends must allow it. */
  private graphAllows(from: End, to: GraphMember, probe: Probe): Tri {
    const ingress = this.ingressAdmits(to, from, probe);
    if (ingress === false || from.kind !== 'member') {
      return ingress;
    }
    return and(ingress, this.egressAdmits(from.member, { kind: 'member', member: to }, probe));
  }

  private ingressAdmits(member: GraphMember, from: End, probe: Probe): Tri {
    let result: Tri = false;
    if (from.kind === 'member' && member.callsIn.some((c) => c.from === from.member && this.covers(c.ports, member, probe))) {
      return true;
    }
    for (const external of member.allowedFrom) {
      if (this.covers(external.ports, member, probe)) {
        result = or(result, peerCovers(external.peer, from, member.namespace));
      }
    }
    return result;
  }

  private egressAdmits(member: GraphMember, to: End, probe: Probe): Tri {
    if (!this.settings.restrictEgress) {
      return true;
    }
    if (to.kind === 'member' && member.callsOut.some((c) => c.to === to.member && this.covers(c.ports, to.member, probe))) {
      return true;
    }
    let result: Tri = false;
    const destination = to.kind === 'member' ? to.member : undefined;
    for (const external of member.allowedTo) {
      if (external.ports.length === 0 || this.covers(external.ports, destination, probe)) {
        result = or(result, peerCovers(external.peer, to, member.namespace));
      }
    }
    if (member.dns && this.covers(DNS_PORTS, destination, probe)) {
      result = or(result, peerCovers(this.settings.dnsPeer, to, member.namespace));
    }
    return result;
  }

  /** True when one of `ports` matches the probe (named ports resolve on the destination workload, when it is one). */
  private covers(ports: readonly Port[], destination: GraphMember | undefined, probe: Probe): boolean {
    return ports.some((port) => {
      if (port.protocol !== probe.protocol) {
        return false;
      }
      if (port.isAllPorts) {
        return true;
      }
      if (port.name !== undefined) {
        return destination !== undefined && this.probe(destination, port).port === probe.port;
      }
      return port.portNumber! <= probe.port && probe.port <= (port.endPortNumber ?? port.portNumber!);
    });
  }

  /** The ports tried against a workload: those it serves, and those it is called or allowed on. */
  private probesOf(member: GraphMember): Probe[] {
    return uniqueProbes([
      ...member.ports,
      ...member.callsIn.flatMap((c) => c.ports),
      ...member.allowedFrom.flatMap((a) => a.ports),
    ].map((port) => this.probe(member, port)));
  }

  private probe(member: GraphMember, port: Port): Probe {
    if (port.name !== undefined) {
      const known = member.containerPorts.find((c) => c.name === port.name && (c.protocol ?? 'TCP') === port.protocol);
      return { protocol: port.protocol, port: known?.port ?? this.syntheticPort(member, port) };
    }
    return { protocol: port.protocol, port: port.portNumber ?? EVERY_PORT_PROBE };
  }

  /** A number for a named port no known container port carries, clear of the workload's numbered ports. */
  private syntheticPort(member: GraphMember, port: Port): number {
    let byName = this.synthetic.get(member);
    if (!byName) {
      byName = new Map();
      this.synthetic.set(member, byName);
    }
    const key = port.toString();
    let number = byName.get(key);
    if (number === undefined) {
      const taken = (n: number) => [...byName!.values()].includes(n) || member.containerPorts.some((c) => c.port === n) ||
        member.ports.some((p) => p.portNumber !== undefined && p.portNumber <= n && n <= (p.endPortNumber ?? p.portNumber));
      number = SYNTHETIC_PORT_BASE;
      while (taken(number)) {
        number++;
      }
      byName.set(key, number);
    }
    return number;
  }

  /** The representative pod of a workload: its labels, and its container ports (named ports resolved). */
  private pod(member: GraphMember): RepresentativePod {
    let pod = this.pods.get(member);
    if (!pod) {
      // Named ports are resolved first, so that their numbers are on the pod.
      [...member.ports, ...member.callsIn.flatMap((c) => c.ports), ...member.allowedFrom.flatMap((a) => a.ports)]
        .filter((port) => port.name !== undefined)
        .forEach((port) => this.probe(member, port));
      const synthetic = [...(this.synthetic.get(member)?.entries() ?? [])].map(([key, port]) => {
        const [protocol, name] = key.split('/');
        return { port, name, protocol };
      });
      pod = { namespace: member.namespace, role: member.name, labels: member.podLabels, ports: [...member.containerPorts, ...synthetic] };
      this.pods.set(member, pod);
    }
    return pod;
  }

  /** A second pod of a workload, for calls of a workload to its own replicas. */
  private replica(member: GraphMember): RepresentativePod {
    let pod = this.replicas.get(member);
    if (!pod) {
      pod = { ...this.pod(member), role: `${member.name}.replica` };
      this.replicas.set(member, pod);
    }
    return pod;
  }

  /**
   * What stands for a source peer: a pod of a named (or the policy's) namespace, or an address;
   * undefined when none can. One object per role: the proofs add each stand-in pod once.
   */
  private standIn(peer: Peer, namespace: string, role: string): RepresentativePod | string | undefined {
    if (!this.standIns.has(role)) {
      this.standIns.set(role, this.makeStandIn(peer, namespace, role));
    }
    return this.standIns.get(role);
  }

  private makeStandIn(peer: Peer, namespace: string, role: string): RepresentativePod | string | undefined {
    const spec = peer._spec;
    switch (spec.kind) {
      case PeerKind.PODS:
        if (spec.namespaces.kind === 'selector') {
          return undefined;
        }
        // Named "<role>.peer": a workload's name has no dot, so the two never share a pod.
        return { namespace: spec.namespaces.kind === 'name' ? spec.namespaces.name : namespace, role: `${role}.peer`, labels: labelsSatisfying(spec.pods) };
      case PeerKind.ANYWHERE:
      case PeerKind.INTERNET:
      case PeerKind.IP_BLOCK:
      case PeerKind.KUBE_API_SERVER:
        return PUBLIC_ADDRESSES.concat(blockAddresses(peer)).find((address) => peerCovers(peer, { kind: 'address', address }, namespace) === true);
      default:
        return undefined;
    }
  }

  /** What stands for a destination peer; pods carry the probed ports as container ports. */
  private destinationStandIn(peer: Peer, namespace: string, role: string, probes: Probe[]): RepresentativePod | string | undefined {
    const spec = peer._spec;
    if (spec.kind === PeerKind.PODS) {
      const key = `${role} ${probes.map((p) => `${p.protocol}/${p.port}`).join(',')}`;
      if (!this.standIns.has(key)) {
        const pod = this.makeStandIn(peer, namespace, role);
        this.standIns.set(key, pod === undefined || typeof pod === 'string' ? pod : { ...pod, ports: probes.map((p) => ({ port: p.port, protocol: p.protocol })) });
      }
      return this.standIns.get(key);
    }
    if (spec.kind === PeerKind.FQDN) {
      // A name the pattern matches: "*" and "**" stand for one label.
      return spec.pattern.replace(/\*\*/g, 'netpol-proof').replace(/\*/g, 'netpol-proof');
    }
    return this.standIn(peer, namespace, role);
  }

  private add(promise: FlowPromise): void {
    let id = promise.id;
    for (let n = 2; this.ids.has(id); n++) {
      id = `${promise.id}-${n}`;
    }
    this.ids.add(id);
    this.out.push(id === promise.id ? promise : { ...promise, id });
  }
}

/** Whether a peer (of a policy in `namespace`) takes in an end of a flow, as far as the graph can tell. */
function peerCovers(peer: Peer, end: End, namespace: string): Tri {
  const spec = peer._spec;
  switch (spec.kind) {
    case PeerKind.ANYWHERE:
      return true;
    case PeerKind.CILIUM_ENTITY:
      if (spec.entity === CiliumEntity.ALL) {
        return true;
      }
      return end.kind === 'address' ? spec.entity === CiliumEntity.WORLD : spec.entity === CiliumEntity.CLUSTER;
    case PeerKind.PODS: {
      if (end.kind === 'address') {
        return false;
      }
      const [podNamespace, labels] = end.kind === 'member' ? [end.member.namespace, end.member.podLabels] : [end.namespace, end.labels];
      if (!selectorMatches(spec.pods, labels)) {
        return false;
      }
      switch (spec.namespaces.kind) {
        case 'same': return podNamespace === namespace;
        case 'name': return podNamespace === spec.namespaces.name;
        // A namespace's labels other than its name are not known here.
        default: return spec.namespaces.selector.isEmpty ? true : 'unknown';
      }
    }
    case PeerKind.IP_BLOCK:
    case PeerKind.INTERNET:
    case PeerKind.KUBE_API_SERVER:
      // Pods stand in without addresses: address rules never take them in (the model agrees).
      if (end.kind !== 'address') {
        return false;
      }
      return spec.blocks.some((block) => cidrContainsIp(parseCidr(block.cidr), end.address) &&
        !block.except.some((hole) => cidrContainsIp(parseCidr(hole), end.address)));
    default:
      return false;
  }
}

/** An address inside each of a peer's blocks, as stand-in candidates. */
function blockAddresses(peer: Peer): string[] {
  const spec = peer._spec;
  if (spec.kind !== PeerKind.IP_BLOCK && spec.kind !== PeerKind.KUBE_API_SERVER) {
    return [];
  }
  return spec.blocks.map((block) => hostAddressIn(parseCidr(block.cidr)));
}

function uniqueProbes(probes: Probe[]): Probe[] {
  const seen = new Set<string>();
  return probes.filter((p) => {
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) {
      return false;
    }
    seen.add(key);
    return true;
  });
}

/** "-tcp-8080", for ids of promises about one of several ports. */
function suffix(probe: Probe): string {
  return `-${probe.protocol.toLowerCase()}-${probe.port}`;
}

function or(a: Tri, b: Tri): Tri {
  return a === true || b === true ? true : a === 'unknown' || b === 'unknown' ? 'unknown' : false;
}

function and(a: Tri, b: Tri): Tri {
  return a === false || b === false ? false : a === 'unknown' || b === 'unknown' ? 'unknown' : true;
}

import { DNS_PORTS, GraphCall, GraphExternal, GraphMember, GraphSettings } from './graph-state';
import { FlowEnd, Tri, and, or, peerCovers } from './peer-coverage';
import { HttpRequest } from '../../analysis/types';
import { HttpRule } from '../../core/http-rule';
import { Peer, PeerKind } from '../../core/peer';
import { Port } from '../../core/port';
import { selectorMatches } from '../../core/selector';
import { hostAddressIn, parseCidr } from '../../util/cidr';
import { unreachable } from '../../util/unreachable';
import { httpProbes } from '../http-promises';
import { FlowPromise, RepresentativePod, dnsPromises, labelsSatisfying } from '../proofs';

/** Addresses standing for the public internet in proofs (documentation ranges first). */
const PUBLIC_ADDRESSES = ['203.0.113.10', '198.51.100.10', '192.0.2.10', '1.1.1.1', '8.8.8.8', '9.9.9.9'];
/** The ports on which a workload is promised to reach no public address: HTTPS, HTTP, DNS. */
const INTERNET_PROBES: readonly Probe[] = [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 80 }, { protocol: 'UDP', port: 53 }];
/** The port tried for an `allowTo` on every port. */
const HTTPS_PORT = 443;
/** The port tried for a workload that serves every port of a protocol. */
const EVERY_PORT_PROBE = 1;
/** The port tried against a workload that declares none and is called on none. */
const UNDECLARED_PORT_PROBE: Probe = { protocol: 'TCP', port: 80 };
/** Where numbers for named ports without a known container port start. */
const SYNTHETIC_PORT_BASE = 49152;
/** A namespace no policy of the app names: its pods stand for "pods of other namespaces". */
const OUTSIDE_NAMESPACE = 'netpol-proof-outside';

/** One port tried against a workload: a protocol and a number (a named port resolved on the workload). */
interface Probe {
  readonly protocol: string;
  readonly port: number;
}

/** One end of a flow; a workload of the graph is named, so that its calls count. */
type End = FlowEnd & { readonly member?: GraphMember };

/**
 * The flows a graph promises, over one representative pod per workload (its pods' labels and
 * ports). Allowed:
 * - every call, on each port called (with HTTP rules: a request the rules refuse is refused, and
 *   the first rule's request admitted), both ends;
 * - every `allowFrom` peer that pods of a named namespace or an address can stand for, on the
 *   workload's ingress (what the peer's own egress says is its policies' business);
 * - every `allowTo` destination, on the workload's egress.
 * Denied, wherever the graph itself does not allow the flow (a promise the graph cannot decide,
 * such as a peer selecting namespaces by labels, is not made):
 * - every ordered pair of workloads, on the destination's ports (TCP/80 when it declares none);
 * - every `allowFrom` peer, on every other port of every workload;
 * - pods of other namespaces and public addresses, on every workload's ports;
 * - with `restrictEgress`: pods of other namespaces, and public addresses on TCP/443, TCP/80 and
 *   UDP/53, from every workload. Workloads with DNS resolve names.
 * Ports the graph never names cannot be tried: a policy elsewhere that opens only such a port
 * between two workloads is not caught.
 */
export function graphPromises(settings: GraphSettings, members: readonly GraphMember[]): FlowPromise[] {
  return new PromiseBuilder(settings, members).build();
}

class PromiseBuilder {
  private readonly out: FlowPromise[] = [];
  private readonly ids = new Set<string>();
  private readonly flows = new Set<string>();
  private readonly pods = new Map<GraphMember, RepresentativePod>();
  private readonly replicas = new Map<GraphMember, RepresentativePod>();
  private readonly probes = new Map<GraphMember, Probe[]>();
  /** Numbers given to named ports that no known container port carries, per workload. */
  private readonly synthetic = new Map<GraphMember, Map<string, number>>();
  private readonly standIns = new Map<string, RepresentativePod | string | undefined>();
  private readonly names: ReadonlySet<string>;
  /** A pod of a namespace no policy names, serving the probe port. */
  private readonly outsider: RepresentativePod = {
    namespace: OUTSIDE_NAMESPACE,
    role: 'outsider.peer',
    labels: {},
    ports: [{ port: UNDECLARED_PORT_PROBE.port, protocol: UNDECLARED_PORT_PROBE.protocol }],
  };

  constructor(private readonly settings: GraphSettings, private readonly members: readonly GraphMember[]) {
    this.names = new Set(members.map((m) => m.name));
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
    this.strangerPromises();
    if (this.settings.restrictEgress) {
      this.egressPromises();
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
    // Without restrictEgress the graph writes only the callee's end: the caller's egress is
    // another policy's (a default deny beside the graph must let it out).
    const remedy = this.settings.restrictEgress ? undefined
      : `or, as the graph leaves ${call.from.name}'s egress to other policies (restrictEgress: false), allow it there, or set restrictEgress: true`;
    for (const probe of probes) {
      this.add({
        id: `${call.from.name}-to-${call.to.name}${probes.length > 1 ? suffix(probe) : ''}`,
        description: `${call.from.name} reaches ${self ? 'another pod of its own' : call.to.name} on ${probe.protocol}/${probe.port}`,
        from,
        to,
        port: probe.port,
        protocol: probe.protocol,
        ...(remedy ? { remedy } : {}),
        allowed: true,
      });
    }
    if (call.http) {
      this.httpPromises(`${call.from.name}-to-${call.to.name}`, call.from.name, from, call.to, to, probes[0], call.http);
    }
  }

  /** Every ordered pair of distinct workloads, on each of the destination's ports the graph does not open to the source. */
  private pairPromises(): void {
    for (const from of this.members) {
      for (const to of this.members) {
        if (from === to) {
          continue;
        }
        const probes = this.probesOf(to);
        for (const probe of probes) {
          if (this.graphAllows(this.end(from), to, probe) !== false) {
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
    const role = this.roleOf(external);
    const stand = this.standIn(external.peer, member.namespace, role);
    if (stand === undefined) {
      return;
    }
    const probes = uniqueProbes(external.ports.map((port) => this.probe(member, port)));
    for (const probe of probes) {
      this.add({
        id: `${role}-to-${member.name}${probes.length > 1 ? suffix(probe) : ''}`,
        description: `${external.peer} reaches ${member.name} on ${probe.protocol}/${probe.port}`,
        from: stand,
        to: this.pod(member),
        port: probe.port,
        protocol: probe.protocol,
        // What the workload admits; what the peer may send is its own policies' business.
        ingressOnly: true,
        allowed: true,
      });
    }
    if (external.http) {
      this.httpPromises(`${role}-to-${member.name}`, String(external.peer), stand, member, this.pod(member), probes[0], external.http);
    }
  }

  /** Peers of `allowFrom` reach no workload of the graph on a port it does not open to them. */
  private outsiderPromises(external: GraphExternal): void {
    const member = external.member;
    const role = this.roleOf(external);
    const stand = this.standIn(external.peer, member.namespace, role);
    if (stand === undefined || (typeof stand !== 'string' && this.isInsider(stand))) {
      return;
    }
    const end: End = typeof stand === 'string' ? { kind: 'address', address: stand } : { kind: 'pods', namespace: stand.namespace, labels: stand.labels };
    // Every workload, this one included: on the ports it does not open to the peer.
    for (const other of this.members) {
      this.deniedInto(`no-${role}-to-${other.name}`, `${external.peer}`, stand, end, other);
    }
  }

  /** Pods of other namespaces and public addresses reach no workload on a port the graph does not open to them. */
  private strangerPromises(): void {
    const address = PUBLIC_ADDRESSES[0];
    for (const member of this.members) {
      this.deniedInto(`no-other-namespaces-to-${member.name}`, `pods of other namespaces (${OUTSIDE_NAMESPACE} tried)`, this.outsider,
        { kind: 'pods', namespace: OUTSIDE_NAMESPACE, labels: {} }, member);
      this.deniedInto(`no-internet-to-${member.name}`, `the internet (${address})`, address, { kind: 'address', address }, member);
    }
  }

  /** Denied promises from one source into a workload, on each of its ports the graph does not open to that source. */
  private deniedInto(base: string, source: string, from: RepresentativePod | string, end: End, member: GraphMember): void {
    const probes = this.probesOf(member);
    for (const probe of probes) {
      if (this.ingressAdmits(member, end, probe) !== false) {
        continue;
      }
      this.add({
        id: `${base}${probes.length > 1 ? suffix(probe) : ''}`,
        description: `${source} cannot reach ${member.name} on ${probe.protocol}/${probe.port}`,
        from,
        to: this.pod(member),
        port: probe.port,
        protocol: probe.protocol,
        remedy: `or, if ${member.name} serves them, declare it with ${member.name}.allowFrom(<the peer>)`,
        allowed: false,
      });
    }
  }

  /** With restrictEgress: no workload reaches pods of other namespaces, nor the internet, unless the graph says so. */
  private egressPromises(): void {
    for (const member of this.members) {
      const outside: End = { kind: 'pods', namespace: OUTSIDE_NAMESPACE, labels: {} };
      if (this.egressAdmits(member, outside, UNDECLARED_PORT_PROBE) === false) {
        this.add({
          id: `no-${member.name}-to-other-namespaces`,
          description: `${member.name} cannot reach pods of other namespaces (${OUTSIDE_NAMESPACE} tried) on ` +
            `${UNDECLARED_PORT_PROBE.protocol}/${UNDECLARED_PORT_PROBE.port}`,
          from: this.pod(member),
          to: this.outsider,
          port: UNDECLARED_PORT_PROBE.port,
          protocol: UNDECLARED_PORT_PROBE.protocol,
          remedy: `or, if ${member.name} calls them, declare it with ${member.name}.allowTo(<their peer>)`,
          allowed: false,
        });
      }
      if (this.settings.noInternetFor !== undefined && !this.settings.noInternetFor.includes(member.name)) {
        continue;
      }
      // A public address none of the workload's own allowances covers: the promise is about the others.
      const address = PUBLIC_ADDRESSES.find((a) => INTERNET_PROBES.every((p) => this.egressAdmits(member, { kind: 'address', address: a }, p) === false));
      if (address === undefined) {
        continue;
      }
      INTERNET_PROBES.forEach((probe, i) => this.add({
        id: `no-${member.name}-to-internet${i === 0 ? '' : suffix(probe)}`,
        description: `${member.name} cannot reach the internet (${address}) on ${probe.protocol}/${probe.port}`,
        from: this.pod(member),
        to: address,
        port: probe.port,
        protocol: probe.protocol,
        remedy: `or, if ${member.name} needs the internet, declare it with ${member.name}.allowTo(Peer.internet(), Port.${probe.protocol.toLowerCase()}(${probe.port}))`,
        allowed: false,
      }));
    }
  }

  private allowToPromises(external: GraphExternal): void {
    const member = external.member;
    const numbered = external.ports.filter((port) => port.name === undefined);
    const probes = uniqueProbes(external.ports.length === 0
      ? [{ protocol: 'TCP', port: HTTPS_PORT }]
      : numbered.map((port) => ({ protocol: port.protocol, port: port.isAllPorts ? HTTPS_PORT : port.portNumber! })));
    const role = this.roleOf(external);
    const target = this.destinationStandIn(external.peer, member.namespace, role, probes);
    if (target === undefined) {
      return;
    }
    for (const probe of probes) {
      this.add({
        id: `${member.name}-to-${role}${probes.length > 1 ? suffix(probe) : ''}`,
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

  /** A workload as one end of a flow. */
  private end(member: GraphMember): End {
    return { kind: 'pods', namespace: member.namespace, labels: member.podLabels, member };
  }

  /** The graph's own verdict on a flow from `from` to a workload: both ends must allow it. */
  private graphAllows(from: End, to: GraphMember, probe: Probe): Tri {
    const ingress = this.ingressAdmits(to, from, probe);
    if (ingress === false || from.member === undefined) {
      return ingress;
    }
    return and(ingress, this.egressAdmits(from.member, this.end(to), probe));
  }

  private ingressAdmits(member: GraphMember, from: End, probe: Probe): Tri {
    if (from.member !== undefined && member.callsIn.some((c) => c.from === from.member && this.covers(c.ports, member, probe))) {
      return true;
    }
    let result: Tri = false;
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
    if (to.member !== undefined && member.callsOut.some((c) => c.to === to.member && this.covers(c.ports, to.member, probe))) {
      return true;
    }
    let result: Tri = false;
    for (const external of member.allowedTo) {
      if (external.ports.length === 0 || this.covers(external.ports, to.member, probe)) {
        result = or(result, peerCovers(external.peer, to, member.namespace));
      }
    }
    if (member.dns && this.covers(DNS_PORTS, to.member, probe)) {
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
        // A named port on a destination that is not a workload of the graph: it might be any port.
        return destination === undefined || this.probe(destination, port).port === probe.port;
      }
      return port.portNumber! <= probe.port && probe.port <= (port.endPortNumber ?? port.portNumber!);
    });
  }

  /** The ports tried against a workload: those it serves, and those it is called or allowed on; TCP/80 when none. */
  private probesOf(member: GraphMember): Probe[] {
    let probes = this.probes.get(member);
    if (!probes) {
      probes = uniqueProbes([
        ...member.ports,
        ...member.callsIn.flatMap((c) => c.ports),
        ...member.allowedFrom.flatMap((a) => a.ports),
      ].map((port) => this.probe(member, port)));
      if (probes.length === 0) {
        probes = [UNDECLARED_PORT_PROBE];
      }
      this.probes.set(member, probes);
    }
    return probes;
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
      // Named "<name>.replica": a workload's name has no dot, so no workload's pod shares it.
      pod = { ...this.pod(member), role: `${member.name}.replica` };
      this.replicas.set(member, pod);
    }
    return pod;
  }

  /** The name of an external peer in promise ids, clear of the workloads' names ("frontend" the peer is not frontend the workload). */
  private roleOf(external: GraphExternal): string {
    return this.names.has(external.role) ? `${external.role}-peer` : external.role;
  }

  /** A stand-in pod that a workload of the graph selects. */
  private isInsider(pod: RepresentativePod): boolean {
    return this.members.some((m) => m.namespace === pod.namespace && selectorMatches(m.selector, pod.labels));
  }

  /**
   * What stands for a source peer: a pod of a named (or the policy's) namespace, or an address;
   * undefined when none can (namespaces selected by labels; the API server, whose addresses the
   * model cannot tell from the entity Cilium selects it by). One object per role: the proofs add
   * each stand-in pod once.
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
        return PUBLIC_ADDRESSES.concat(blockAddresses(peer)).find((address) => peerCovers(peer, { kind: 'address', address }, namespace) === true);
      case PeerKind.FQDN:
      case PeerKind.KUBE_API_SERVER:
      case PeerKind.CILIUM_ENTITY:
        // No stand-in: a name is no source, the API server is never probed, an entity has no one address.
        return undefined;
      default:
        return unreachable(spec, 'peer');
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
    // The same flow promised twice (an allowFrom peer that stands in as a public address, and the
    // internet itself) is proven once, under its first id.
    const side = (end: RepresentativePod | string) => (typeof end === 'string' ? end : `${end.namespace}/${end.role}`);
    const flow = `${side(promise.from)}>${side(promise.to)} ${promise.protocol}/${promise.port} ${promise.allowed} ${promise.http ? JSON.stringify(promise.http) : ''}` +
      `${promise.ingressOnly ? ' in' : ''}${promise.egressOnly ? ' out' : ''}`;
    if (this.flows.has(flow)) {
      return;
    }
    this.flows.add(flow);
    let id = promise.id;
    for (let n = 2; this.ids.has(id); n++) {
      id = `${promise.id}-${n}`;
    }
    this.ids.add(id);
    this.out.push(id === promise.id ? promise : { ...promise, id });
  }
}

/** An address inside each of a peer's blocks, as stand-in candidates. */
function blockAddresses(peer: Peer): string[] {
  const spec = peer._spec;
  if (spec.kind !== PeerKind.IP_BLOCK) {
    return [];
  }
  return spec.blocks.map((block) => hostAddressIn(parseCidr(block.cidr)));
}

function uniqueProbes(probes: Probe[]): Probe[] {
  const out: Probe[] = [];
  for (const p of probes) {
    if (!out.some((q) => q.protocol === p.protocol && q.port === p.port)) {
      out.push(p);
    }
  }
  return out;
}

/** "-tcp-8080", for ids of promises about one of several ports. */
function suffix(probe: Probe): string {
  return `-${probe.protocol.toLowerCase()}-${probe.port}`;
}

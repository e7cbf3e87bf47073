import { IConstruct } from 'constructs';
import { FlowEnd, peerCovers } from './peer-coverage';
import { portServes, portSetKey, portsOfContainers, uniquePorts } from './served-ports';
import { readWorkload } from './workload-source';
import { ContainerPort } from '../../analysis/types';
import { PolicyEngine } from '../../core/engine';
import { HttpRule, validateHttpRules } from '../../core/http-rule';
import { PolicyIntent, PolicyRule } from '../../core/intent';
import { Peer, PeerKind } from '../../core/peer';
import { Port, Protocol } from '../../core/port';
import { LabelSelector, checkLabels, checkNamespaceName, selectorMatches, selectorsDisjoint } from '../../core/selector';
import { ManifestObject } from '../../engines/manifest';
import { hostAddressIn, parseCidr } from '../../util/cidr';
import { flat } from '../../util/flat';
import { dns1123LabelProblem } from '../../util/names';
import { unreachable } from '../../util/unreachable';
import { checkOptionsObject, invalid, show } from '../../util/validation';
import { PolicyEmitter } from '../policy-emitter';
import { labelsSatisfying } from '../proofs';
import { ServiceWorkload, WorkloadHost } from '../service-workload';

/** How a graph renders its workloads' policies. */
export interface GraphSettings {
  /** The construct whose children the policies are. */
  readonly owner: IConstruct;
  /** The graph as named in errors, e.g. `ServiceGraph "prod/shop"`. */
  readonly where: string;
  /** The default namespace of the workloads. */
  readonly namespace: string;
  readonly engine: PolicyEngine;
  /** The prefix of the policy names: `<name>-<workload>`. */
  readonly name: string;
  /** Govern egress too: calls, `allowTo` and DNS only. */
  readonly restrictEgress: boolean;
  /** Let workloads resolve names (with `restrictEgress`) unless their own option says otherwise. */
  readonly allowDns: boolean;
  /** Where the cluster DNS runs. */
  readonly dnsPeer: Peer;
  /** The user gave `dnsPeer` (so it is also the DNS of Cilium's FQDN rules). */
  readonly dnsPeerGiven: boolean;
  /**
   * How errors name a workload, as the user reaches it.
   * @default - `<where>.workload("<name>")`
   */
  readonly memberWhere?: (name: string) => string;
  /**
   * The workloads promised never to reach the internet (with `restrictEgress`) unless `allowTo`
   * says so.
   * @default - every workload
   */
  readonly noInternetFor?: readonly string[];
}

/** The options of one workload, as `graph.workload()` takes them. */
export interface WorkloadOptionsInput {
  readonly labels?: Record<string, string>;
  readonly namespace?: string;
  readonly ports?: Port[];
  readonly workload?: IConstruct;
  readonly allowDns?: boolean;
}

const WORKLOAD_OPTION_KEYS: Record<keyof WorkloadOptionsInput, true> = { labels: true, namespace: true, ports: true, workload: true, allowDns: true };
/** The ports of a workload's DNS egress. */
export const DNS_PORTS = [Port.DNS_UDP, Port.DNS_TCP];
/**
 * cdk8s-plus labels each workload's pods with a value unique to that workload and selects them by
 * it: a selector holding it selects exactly that workload's pods.
 */
const CDK8S_PLUS_ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

/** A client of a workload: another workload of the graph, or a peer outside it. */
interface Party {
  readonly member?: GraphMember;
  readonly peer?: Peer;
}

/** One allowed connection between two workloads of the graph. */
export interface GraphCall {
  readonly from: GraphMember;
  readonly to: GraphMember;
  /** The ports called; one port when `http` is set. */
  ports: Port[];
  /** Only these requests (Cilium). */
  readonly http?: HttpRule[];
}

/** One allowed connection with a peer outside the graph. */
export interface GraphExternal {
  readonly member: GraphMember;
  readonly direction: 'ingress' | 'egress';
  readonly peer: Peer;
  /** The ports; empty means every port. */
  readonly ports: Port[];
  readonly http?: HttpRule[];
  /** The peer's name in promise ids, e.g. "ingress" in "ingress-to-frontend". */
  readonly role: string;
}

/** A workload of the graph and everything declared about it. */
export interface GraphMember {
  readonly handle: ServiceWorkload;
  readonly name: string;
  readonly namespace: string;
  readonly selector: LabelSelector;
  /** The labels of the workload's pods: its template's when given a workload, else what the selector demands. */
  readonly podLabels: Record<string, string>;
  /** The pods' labels are known: read from a workload object. */
  readonly knownPods: boolean;
  /**
   * The selector selects exactly the workload's pods, whose labels are then `podLabels`: it
   * holds cdk8s-plus's address label, which no other pod carries.
   */
  readonly uniqueSelector: boolean;
  /** The ports it serves, as declared or read from its containers. */
  readonly ports: Port[];
  readonly containerPorts: ContainerPort[];
  /** Its policy allows DNS. */
  readonly dns: boolean;
  readonly callsOut: GraphCall[];
  readonly callsIn: GraphCall[];
  readonly allowedFrom: GraphExternal[];
  readonly allowedTo: GraphExternal[];
  readonly policyName: string;
  /** Bumped at every change of the policy's content. */
  revision: number;
  rendered?: { readonly revision: number; readonly manifest: ManifestObject };
  /** The policy as rendered for this revision (a `RevisablePolicy`). */
  readonly current: () => ManifestObject;
}

/**
 * The state of a service graph: its workloads, the calls between them and their allowances
 * with the outside, and one policy per workload rendered from them. Every change is validated,
 * and rendered for the engine, at the user's call; the policies are rendered in full once per
 * synthesis, when cdk8s asks for them.
 */
export class GraphState implements WorkloadHost {
  public readonly where: string;
  /** The workloads by name, in the order they were declared. */
  private readonly byName = new Map<string, GraphMember>();
  private readonly emitter: PolicyEmitter;
  /** The peer behind each role name. */
  private roles?: Map<string, string>;

  constructor(public readonly settings: GraphSettings) {
    this.where = settings.where;
    this.emitter = new PolicyEmitter(settings.owner as any, settings.engine, settings.where);
  }

  /** The workloads in the order they were declared. */
  public get workloads(): GraphMember[] {
    return [...this.byName.values()];
  }

  /** The member behind a handle of this graph. */
  public memberOf(handle: ServiceWorkload): GraphMember {
    const member = handle._host === this ? this.byName.get(handle.name) : undefined;
    if (member === undefined || member.handle !== handle) {
      throw new Error(`${this.where}: ${String(handle)} is not a workload of this graph`);
    }
    return member;
  }

  /** Declares a workload and emits its policy (it accepts nothing until calls or allowances are added). */
  public addWorkload(name: string, given: WorkloadOptionsInput | undefined): ServiceWorkload {
    const where = `${this.where}.workload()`;
    const nameProblem = dns1123LabelProblem(name);
    if (nameProblem) {
      invalid(where, `name ${show(name)} is not a valid workload name: ${nameProblem} (e.g. "checkoutservice")`);
    }
    // The workload's policy is a construct of that id, and constructs take the names of a plain
    // object's own properties ("constructor", ...) as taken.
    if (name in Object.prototype) {
      invalid(where, `name ${show(name)} cannot be a workload name: it is a property of every JavaScript object, which constructs refuses as ` +
        `a construct id; call it e.g. "${name}-workload"`);
    }
    const at = this.memberWhere(name);
    if (this.byName.has(name)) {
      invalid(at, `a workload named ${show(name)} is already declared in this graph; give each workload its own name`);
    }
    const options: WorkloadOptionsInput = given ?? {};
    checkOptionsObject(at, 'options', options, WORKLOAD_OPTION_KEYS);
    if (options.labels !== undefined && options.workload !== undefined) {
      invalid(at, 'options set both labels and workload; give one of them (a workload\'s labels are read from its pod template)');
    }
    if (options.namespace !== undefined) {
      checkNamespaceName(at, 'namespace', options.namespace);
    }
    if (options.allowDns !== undefined && typeof options.allowDns !== 'boolean') {
      invalid(at, `allowDns ${show(options.allowDns)} is not a boolean; expected true or false`);
    }
    if (options.allowDns !== undefined && !this.settings.restrictEgress) {
      invalid(at, 'allowDns is set but the graph does not restrict egress (restrictEgress: false), so DNS is not blocked by it; remove allowDns');
    }

    let namespace: string;
    let selector: LabelSelector;
    let podLabels: Record<string, string>;
    let containerPorts: ContainerPort[] = [];
    let uniqueSelector = false;
    if (options.workload !== undefined) {
      const source = readWorkload(at, 'workload', options.workload);
      if (source.namespace === undefined) {
        invalid(at, `workload ${source.path} has no namespace, so it would deploy wherever kubectl points while its policy selects pods in ` +
          `${show(options.namespace ?? this.settings.namespace)}; set its metadata.namespace (or its chart's namespace) to ` +
          `${show(options.namespace ?? this.settings.namespace)}`);
      }
      if (options.namespace !== undefined && options.namespace !== source.namespace) {
        invalid(at, `workload ${source.path} is in namespace ${show(source.namespace)}, but the namespace given for it is ${show(options.namespace)}; ` +
          'a policy selects pods of its own namespace only');
      }
      namespace = source.namespace;
      selector = source.selector;
      podLabels = source.podLabels;
      containerPorts = source.containerPorts;
      uniqueSelector = selector.labels[CDK8S_PLUS_ADDRESS_LABEL] !== undefined;
    } else {
      namespace = options.namespace ?? this.settings.namespace;
      checkLabels(at, 'labels', options.labels);
      const labels = options.labels ?? { app: name };
      if (Object.keys(labels).length === 0) {
        invalid(at, `labels {} would select every pod of namespace ${show(namespace)} as ${show(name)}; give the workload's labels, e.g. { app: "${name}" }`);
      }
      selector = LabelSelector.of(labels);
      podLabels = labelsSatisfying(selector);
    }
    let ports: Port[];
    if (options.ports !== undefined) {
      checkPortList(at, 'ports', options.ports);
      ports = uniquePorts(options.ports);
      if (containerPorts.length > 0) {
        // The containers say what the pods serve: a port none of them declares is a typo or a drift.
        const declared = portsOfContainers(containerPorts);
        ports.forEach((port, i) => {
          if (!declared.some((c) => portServes(port, c, containerPorts) || portServes(c, port, containerPorts))) {
            invalid(at, `ports[${i}] ${port} is not a port of the containers of workload ${options.workload!.node.path} ` +
              `(they declare ${containerPorts.map((c) => `${c.protocol ?? 'TCP'}/${c.port}${c.name ? ` (${c.name})` : ''}`).join(', ')}); ` +
              'declare it on the container, or use one of those');
          }
        });
      }
    } else {
      ports = portsOfContainers(containerPorts);
    }

    const newcomer = { name, namespace, selector, podLabels, knownPods: options.workload !== undefined, uniqueSelector };
    for (const other of this.byName.values()) {
      if (other.namespace === namespace && overlap(newcomer, other)) {
        invalid(at, `${other.name} ${other.selector} and ${name} ${selector} can select the same pods in namespace ${show(namespace)}, ` +
          'which would get both workloads\' allowances; give each workload its own value of a label key they share, ' +
          `e.g. { app: "${other.name}" } and { app: "${name}" }, or pass the workload objects (workload:), whose pods are known`);
      }
    }
    const policyName = flat(`${this.settings.name}-${name}`);
    const handle = ServiceWorkload._create(this, { name, namespace, selector, policyName });
    const member: GraphMember = {
      handle,
      name,
      namespace,
      selector,
      podLabels,
      knownPods: options.workload !== undefined,
      uniqueSelector,
      ports,
      containerPorts,
      dns: this.settings.restrictEgress && (options.allowDns ?? this.settings.allowDns),
      callsOut: [],
      callsIn: [],
      allowedFrom: [],
      allowedTo: [],
      policyName,
      revision: 0,
      current: () => this.render(member),
    };
    this.byName.set(name, member);
    // The frame (kind, name, namespace) from the policy as it starts, isolated and empty: a
    // full rendering now would be stale at the first call.
    const frame = this.emitter.check({ name: policyName, namespace, selector, ingress: [] }, at);
    this.emitter.emitRevisable(name, frame, member, at);
    return handle;
  }

  public servedPorts(handle: ServiceWorkload): Port[] {
    return [...this.memberOf(handle).ports];
  }

  public call(fromHandle: ServiceWorkload, method: string, target: ServiceWorkload, given: Port[], http?: HttpRule[], l7: boolean = false): void {
    const from = this.memberOf(fromHandle);
    const where = `${this.memberWhere(from.name)}.${method}`;
    if (!(target instanceof ServiceWorkload)) {
      invalid(where, `target ${show(target)} is not a ServiceWorkload; pass what graph.workload() returned`);
    }
    if (target._host !== this) {
      invalid(where, `target ${target.name} belongs to ${target._host.where}, not to this graph; a graph writes both ends of its calls, ` +
        `so declare ${show(target.name)} in this graph too, or allow the other graph's pods with allowTo(${target.name}.peer) here and ` +
        'allowFrom() there');
    }
    const to = this.memberOf(target);
    let ports: Port[];
    if (l7) {
      this.checkHttp(where, given[0], http);
      ports = [given[0]];
    } else {
      checkPortArgs(where, given);
      ports = given.length > 0 ? uniquePorts(given) : [...to.ports];
      if (ports.length === 0) {
        invalid(where, `${to.name} declares no ports${to.knownPods ? ' (its containers declared none when graph.workload() read them)' : ''}, ` +
          `so there is nothing to call by default; name the ports, e.g. ${from.name}.calls(${to.name}, Port.tcp(8080)), ` +
          `or declare them: graph.workload("${to.name}", { ports: [...] })`);
      }
    }
    checkServed(where, to, ports);
    this.checkL7Conflicts(where, to, { member: from }, from.name, ports, l7);

    const existing = from.callsOut.filter((c) => c.to === to);
    // Rendered now, so an engine's refusal stops this call and nothing else.
    this.emitter.check(this.oneRuleIntent(to, 'ingress', { peers: [this.peerFrom(from, to.namespace)], ports, http }), where, true);
    if (this.settings.restrictEgress) {
      this.emitter.check(this.oneRuleIntent(from, 'egress', { peers: [this.peerFrom(to, from.namespace)], ports }), where, true);
    }

    const same = existing.find((c) => (http === undefined
      ? c.http === undefined
      : c.http !== undefined && c.ports[0].toString() === ports[0].toString()));
    if (same && http === undefined) {
      same.ports = uniquePorts([...same.ports, ...ports]);
    } else if (same && http !== undefined) {
      (same.http as HttpRule[]).push(...http.map((rule) => ({ ...rule })));
    } else {
      const created: GraphCall = { from, to, ports, ...(http ? { http: http.map((rule) => ({ ...rule })) } : {}) };
      from.callsOut.push(created);
      to.callsIn.push(created);
    }
    this.revised(from);
    this.revised(to);
  }

  public allow(handle: ServiceWorkload, method: string, direction: 'ingress' | 'egress', peer: Peer, given: Port[], http?: HttpRule[], role?: string,
    l7: boolean = false): void {
    const member = this.memberOf(handle);
    const where = `${this.memberWhere(member.name)}.${method}`;
    if (!(peer instanceof Peer)) {
      invalid(where, `peer ${show(peer)} is not a Peer; use e.g. ${direction === 'ingress' ? 'Peer.namespace("ingress-nginx")' : 'Peer.internet()'}`);
    }
    if (direction === 'egress' && !this.settings.restrictEgress) {
      invalid(where, 'the graph does not restrict egress (restrictEgress: false), so its pods may already reach every destination; remove this call, ' +
        'or set restrictEgress: true to limit egress to the calls, allowTo and DNS');
    }
    if (direction === 'ingress' && peer.kind === PeerKind.FQDN) {
      invalid(where, `peer ${peer} is a DNS name; engines match DNS names on egress only, so it cannot be a source. Use the clients' pods or addresses`);
    }
    const sibling = this.siblingNamed(peer, member.namespace);
    if (sibling !== undefined) {
      const [a, b] = direction === 'ingress' ? [sibling.name, member.name] : [member.name, sibling.name];
      invalid(where, `peer ${peer} selects the pods of the workload ${show(sibling.name)} of this graph, and would allow one end only; ` +
        `write ${a}.calls(${b}), which allows both ends`);
    }
    if (direction === 'egress' && peer.kind === PeerKind.FQDN && !member.dns && this.settings.restrictEgress) {
      invalid(where, `peer ${peer} is a DNS name, which Cilium learns through its DNS proxy: the policy must let ${member.name} query the cluster ` +
        'DNS, but the workload has allowDns: false; remove allowDns: false, or allow an address range instead');
    }
    let ports: Port[];
    if (l7) {
      this.checkHttp(where, given[0], http);
      ports = [given[0]];
    } else {
      checkPortArgs(where, given);
      ports = uniquePorts(given);
      if (direction === 'ingress' && ports.length === 0) {
        ports = [...member.ports];
        if (ports.length === 0) {
          invalid(where, `${member.name} declares no ports${member.knownPods ? ' (its containers declared none when graph.workload() read them)' : ''}, ` +
            'so there is nothing to allow by default; name the ports, e.g. Port.tcp(8080) (Port.allTcp() for every TCP port), or declare the workload\'s ports');
        }
      }
    }
    if (direction === 'ingress') {
      checkServed(where, member, ports);
      this.checkL7Conflicts(where, member, { peer }, String(peer), ports, l7);
    }
    const list = direction === 'ingress' ? member.allowedFrom : member.allowedTo;
    const duplicate = list.find((a) => String(a.peer) === String(peer) && portSetKey(a.ports) === portSetKey(ports) && a.http === undefined && !l7);
    if (duplicate) {
      // The same allowance again: nothing to add.
      return;
    }
    this.emitter.check(this.oneRuleIntent(member, direction, { peers: [peer], ports: ports.length > 0 ? ports : undefined, http }), where, true);
    list.push({
      member,
      direction,
      peer,
      ports,
      ...(http ? { http: http.map((rule) => ({ ...rule })) } : {}),
      role: this.uniqueRole(role ?? roleOf(peer), peer, member.namespace),
    });
    this.revised(member);
  }

  /**
   * The workload of this graph that a pod peer names, however it is spelt (`Peer.pods`,
   * `podsMatching`, `podsInNamespace`, `workload.peer`): the peer's pods and the workload's
   * select each other's pods in the same namespace. Broader peers (every pod of the namespace,
   * several workloads) are allowances in their own right.
   */
  private siblingNamed(peer: Peer, policyNamespace: string): GraphMember | undefined {
    const spec = peer._spec;
    if (spec.kind !== PeerKind.PODS || spec.namespaces.kind === 'selector' || spec.pods.isEmpty) {
      return undefined;
    }
    const namespace = spec.namespaces.kind === 'name' ? spec.namespaces.name : policyNamespace;
    return this.workloads.find((m) => m.namespace === namespace && selectorMatches(spec.pods, m.podLabels) &&
      selectorMatches(m.selector, labelsSatisfying(spec.pods)));
  }

  /**
   * On Cilium, an allowance of a port without HTTP rules admits every request on it from the
   * peers it covers, HTTP rules of other allowances of that port for those peers included: an
   * allowance with rules and one without them, for overlapping clients and one port, are refused
   * together, in either order. Named ports whose number the graph cannot tell count as the same
   * port, and clients the graph cannot tell apart as overlapping (fail closed).
   */
  private checkL7Conflicts(where: string, target: GraphMember, client: Party, clientName: string, ports: Port[], l7: boolean): void {
    const inbound: { party: Party; ports: Port[]; http?: HttpRule[]; what: string }[] = [
      ...target.callsIn.map((c) => ({ party: { member: c.from }, ports: c.ports, http: c.http, what: `${c.from.name}.calls(${target.name})` })),
      ...target.allowedFrom.map((a) => ({ party: { peer: a.peer }, ports: a.ports, http: a.http, what: `${target.name}.allowFrom(${a.peer})` })),
    ];
    for (const other of inbound) {
      if ((other.http !== undefined) === l7 || !this.partiesOverlap(client, other.party, target.namespace)) {
        continue;
      }
      const port = ports.find((p) => other.ports.length === 0 || other.ports.some((q) => portsMayOverlap(p, q, target.containerPorts)));
      if (port !== undefined) {
        invalid(where, l7
          ? `${other.what} admits every request from ${clientName} on ${port} (no HTTP rules), which would cancel these HTTP rules (Cilium); ` +
            'give that allowance HTTP rules too, or use another port'
          : `${other.what} admits ${clientName} on ${port} for some HTTP requests only; an allowance of that port without HTTP rules would ` +
            'admit every request and cancel those rules (Cilium); allow other ports only, or give this allowance HTTP rules');
      }
    }
  }

  /** Whether two clients of a workload may be the same pods: either takes in a pod that stands for the other. */
  private partiesOverlap(a: Party, b: Party, namespace: string): boolean {
    const standIn = (x: Party): FlowEnd | undefined => (x.member ? this.end(x.member) : standInEnd(x.peer!, namespace));
    const takesIn = (x: Party, end: FlowEnd | undefined): boolean => {
      if (end === undefined) {
        return false;
      }
      if (x.member) {
        return end.kind === 'pods' && end.namespace === x.member.namespace && selectorMatches(x.member.selector, end.labels);
      }
      return peerCovers(x.peer!, end, namespace) !== false;
    };
    const [endA, endB] = [standIn(a), standIn(b)];
    // A peer nothing can stand for (namespaces by labels) may be anyone.
    if ((endA === undefined && a.peer) || (endB === undefined && b.peer)) {
      return true;
    }
    return takesIn(a, endB) || takesIn(b, endA);
  }

  /** A workload as one end of a flow. */
  private end(member: GraphMember): FlowEnd {
    return { kind: 'pods', namespace: member.namespace, labels: member.podLabels };
  }

  /** The policy of a workload as rendered for its revision (rendered once per revision). */
  public render(member: GraphMember): ManifestObject {
    if (member.rendered?.revision !== member.revision) {
      member.rendered = { revision: member.revision, manifest: this.emitter.check(this.intentOf(member), this.where, true) };
    }
    return member.rendered.manifest;
  }

  /** The peer that stands for `member`'s pods in a policy of `namespace`. */
  public peerFrom(member: GraphMember, namespace: string): Peer {
    return member.namespace === namespace ? Peer.podsMatching(member.selector) : member.handle.peer;
  }

  /**
   * A role name no other peer has (promise ids and stand-in pods are named after it): the same
   * peer, seen from the same namespace, keeps its role.
   */
  private uniqueRole(base: string, peer: Peer, namespace: string): string {
    const key = `${peer} seen from ${namespace}`;
    let role = base;
    const roles = (this.roles ??= new Map());
    for (let n = 2; roles.has(role) && roles.get(role) !== key; n++) {
      role = `${base}-${n}`;
    }
    roles.set(role, key);
    return role;
  }

  private memberWhere(name: string): string {
    return this.settings.memberWhere ? this.settings.memberWhere(name) : `${this.where}.workload(${show(name)})`;
  }

  private revised(member: GraphMember): void {
    member.revision++;
    // The stale rendering is not kept until the next synthesis.
    member.rendered = undefined;
    this.emitter.revised();
  }

  private checkHttp(where: string, port: Port, rules: HttpRule[] | undefined): asserts rules is HttpRule[] {
    if (this.settings.engine !== PolicyEngine.CILIUM) {
      invalid(where, `HTTP rules need engine PolicyEngine.CILIUM; PolicyEngine.${this.settings.engine.toUpperCase()} cannot express HTTP (L7) rules. ` +
        'Allow the port without them (calls() / allowFrom()), or render the graph for Cilium');
    }
    if (!(port instanceof Port)) {
      invalid(where, `port ${show(port)} is not a Port; use e.g. Port.tcp(8080)`);
    }
    if (port.protocol !== Protocol.TCP || port.portNumber === undefined) {
      invalid(where, `port ${port} must be a numbered TCP port or range such as Port.tcp(8080) or Port.tcpRange(8080, 8090): HTTP runs over TCP, ` +
        'and Cilium\'s L7 rules apply to numbered ports');
    }
    validateHttpRules(where, 'rules', rules as HttpRule[]);
  }

  private oneRuleIntent(member: GraphMember, direction: 'ingress' | 'egress', rule: PolicyRule): PolicyIntent {
    return { name: member.policyName, namespace: member.namespace, selector: member.selector, [direction]: [rule], dns: this.fqdnDns() };
  }

  /** The DNS that Cilium's FQDN rules open through its proxy: the graph's, when given. */
  private fqdnDns(): Peer | undefined {
    return this.settings.dnsPeerGiven ? this.settings.dnsPeer : undefined;
  }

  private intentOf(member: GraphMember): PolicyIntent {
    const ingress: PolicyRule[] = [
      ...groupedByPorts(member.callsIn.filter((c) => c.http === undefined), (c) => this.peerFrom(c.from, member.namespace)),
      ...member.callsIn.filter((c) => c.http !== undefined)
        .map((c) => ({ peers: [this.peerFrom(c.from, member.namespace)], ports: c.ports, http: c.http })),
      ...member.allowedFrom.map((a) => ({ peers: [a.peer], ...(a.ports.length > 0 ? { ports: a.ports } : {}), ...(a.http ? { http: a.http } : {}) })),
    ];
    const egress: PolicyRule[] | undefined = this.settings.restrictEgress ? [
      // The caller's side of an HTTP call is L4: the callee's proxy enforces the requests.
      ...groupedByPorts(member.callsOut, (c) => this.peerFrom(c.to, member.namespace)),
      ...member.allowedTo.map((a) => ({ peers: [a.peer], ...(a.ports.length > 0 ? { ports: a.ports } : {}) })),
      ...(member.dns ? [{ peers: [this.settings.dnsPeer], ports: DNS_PORTS }] : []),
    ] : undefined;
    return {
      name: member.policyName,
      namespace: member.namespace,
      selector: member.selector,
      ingress,
      ...(egress ? { egress } : {}),
      dns: this.fqdnDns(),
      description: this.describe(member),
    };
  }

  private describe(member: GraphMember): string {
    const who = (other: GraphMember) => (other.namespace === member.namespace ? other.name : `${other.namespace}/${other.name}`);
    const on = (ports: Port[]) => (ports.length > 0 ? ports.join(', ') : 'every port');
    const http = (rules: HttpRule[] | undefined) => (rules ? ` (HTTP: ${rules.map(describeHttpRule).join('; ')})` : '');
    const accepts = [
      ...member.callsIn.map((c) => `${who(c.from)} on ${on(c.ports)}${http(c.http)}`),
      ...member.allowedFrom.map((a) => `${a.peer} on ${on(a.ports)}${http(a.http)}`),
    ];
    const sends = [
      ...member.callsOut.map((c) => `calls ${who(c.to)} on ${on(c.ports)}`),
      ...member.allowedTo.map((a) => `reaches ${a.peer} on ${on(a.ports)}`),
      ...(member.dns ? [`resolves names through ${this.settings.dnsPeer}`] : []),
    ];
    const ingress = accepts.length > 0 ? `accepts ${accepts.join('; ')}` : 'accepts nothing';
    const egress = !this.settings.restrictEgress ? 'its egress is not restricted by this graph'
      : sends.length > 0 ? sends.join('; ') : 'initiates nothing';
    return `${member.name} (pods ${member.selector}) ${ingress}; ${egress}.`;
  }
}

/**
 * The rules for a list of connections: those on the same ports become one rule with several peers
 * (OR), in order of first appearance, as a person would write them.
 */
function groupedByPorts<T extends { readonly ports: Port[] }>(connections: readonly T[], peerOf: (c: T) => Peer): PolicyRule[] {
  const groups = new Map<string, { peers: Peer[]; ports: Port[] }>();
  for (const c of connections) {
    const key = portSetKey(c.ports);
    const group = groups.get(key);
    const peer = peerOf(c);
    if (group === undefined) {
      groups.set(key, { peers: [peer], ports: c.ports });
    } else if (!group.peers.some((p) => p.toString() === peer.toString())) {
      group.peers.push(peer);
    }
  }
  return [...groups.values()].map((g) => ({ peers: g.peers, ...(g.ports.length > 0 ? { ports: g.ports } : {}) }));
}

/** What the overlap check needs of a workload. */
interface Selecting {
  readonly selector: LabelSelector;
  readonly podLabels: Record<string, string>;
  /** Its pods' labels are known (read from a workload object). */
  readonly knownPods: boolean;
  readonly uniqueSelector: boolean;
}

/**
 * Whether two workloads of one namespace can select the same pod (it would get both workloads'
 * allowances): whether either selector selects the other's pods. A workload object's pods are
 * known; a workload given by labels is any pod its selector selects, so two such selectors on a
 * common label key must be provably disjoint ("different labels" is not enough: `{app: shop}`
 * and `{app: shop, tier: api}` both select an api pod). Selectors on no common key are taken as
 * two labelling conventions (`{app: web}`, `{app.kubernetes.io/name: redis}`): a pod carrying both
 * would get both allowances. A unique selector (cdk8s-plus's address label) selects its own pods only.
 */
function overlap(a: Selecting, b: Selecting): boolean {
  const keys = (x: LabelSelector) => [...Object.keys(x.labels), ...x.expressions.map((e) => e.key)];
  const selects = (x: Selecting, y: Selecting): boolean => {
    if (y.knownPods) {
      return selectorMatches(x.selector, y.podLabels);
    }
    if (x.uniqueSelector) {
      return false;
    }
    const shared = keys(x.selector).some((key) => keys(y.selector).includes(key));
    return (shared || x.selector.isEmpty || y.selector.isEmpty) && !selectorsDisjoint(x.selector, y.selector);
  };
  return selects(a, b) || selects(b, a);
}

function checkPortList(where: string, prop: string, ports: Port[]): void {
  if (!Array.isArray(ports) || ports.length === 0) {
    invalid(where, `${prop} ${show(ports)} must list at least one Port (omit it to read the ports from the workload's containers, or to declare none)`);
  }
  // Array.from: a hole in the list is refused as undefined rather than skipped.
  Array.from(ports).forEach((port, i) => {
    if (!(port instanceof Port)) {
      invalid(where, `${prop}[${i}] ${show(port)} is not a Port; use e.g. Port.tcp(8080)`);
    }
  });
}

function checkPortArgs(where: string, ports: Port[]): void {
  ports.forEach((port, i) => {
    if (!(port instanceof Port)) {
      invalid(where, `ports[${i}] ${show(port)} is not a Port; use e.g. Port.tcp(8080)`);
    }
  });
}

/** Each port must be one the workload serves, when it declares any. */
function checkServed(where: string, member: GraphMember, ports: Port[]): void {
  if (member.ports.length === 0) {
    return;
  }
  for (const port of ports) {
    if (!member.ports.some((served) => portServes(served, port, member.containerPorts))) {
      invalid(where, `port ${port} is not served by ${member.name}, which serves ${member.ports.join(', ')}; ` +
        `use one of those, or declare ${port} in its ports`);
    }
  }
}

/** "POST /v1/request-landing". */
function describeHttpRule(rule: HttpRule): string {
  const parts = [rule.method ?? 'any method', rule.path ?? 'any path'];
  if (rule.host !== undefined) {
    parts.push(`host ${rule.host}`);
  }
  if (rule.headers !== undefined) {
    parts.push(`with ${rule.headers.join(', ')}`);
  }
  return parts.join(' ');
}

/** A short name for a peer in promise ids: "ingress-nginx", "anywhere", "internet", "ipblock-10-0-0-0-8". */
export function roleOf(peer: Peer): string {
  const spec = peer._spec;
  const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
  switch (spec.kind) {
    case PeerKind.PODS: {
      const labels = Object.values(spec.pods.labels).join('-');
      const namespaces = spec.namespaces.kind === 'name' ? spec.namespaces.name
        : spec.namespaces.kind === 'selector' ? `namespaces-${Object.values(spec.namespaces.selector.labels).join('-') || 'all'}` : '';
      return slug([namespaces, labels].filter((s) => s.length > 0).join('-')) || 'pods';
    }
    case PeerKind.ANYWHERE: return 'anywhere';
    case PeerKind.INTERNET: return 'internet';
    case PeerKind.IP_BLOCK: return slug(`ipblock-${spec.blocks[0].cidr}`);
    case PeerKind.FQDN: return slug(`fqdn-${spec.pattern.replace(/\*/g, 'any')}`);
    case PeerKind.KUBE_API_SERVER: return 'kube-apiserver';
    case PeerKind.CILIUM_ENTITY: return slug(`entity-${spec.entity}`);
    default: return unreachable(spec, 'peer');
  }
}

/**
 * A flow end that stands for a peer: a pod of its namespace with the labels its selector asks
 * for, or a public address; undefined for peers nothing can stand for (namespaces selected by
 * labels, DNS names).
 */
function standInEnd(peer: Peer, namespace: string): FlowEnd | undefined {
  const spec = peer._spec;
  switch (spec.kind) {
    case PeerKind.PODS:
      return spec.namespaces.kind === 'selector' ? undefined
        : { kind: 'pods', namespace: spec.namespaces.kind === 'name' ? spec.namespaces.name : namespace, labels: labelsSatisfying(spec.pods) };
    case PeerKind.ANYWHERE:
    case PeerKind.INTERNET:
      return { kind: 'address', address: '203.0.113.10' };
    case PeerKind.IP_BLOCK:
    case PeerKind.KUBE_API_SERVER:
      return spec.blocks.length > 0 ? { kind: 'address', address: hostAddressIn(parseCidr(spec.blocks[0].cidr)) } : undefined;
    case PeerKind.FQDN:
    case PeerKind.CILIUM_ENTITY:
      // A DNS name or an entity has no one pod or address to stand for it.
      return undefined;
    default:
      return unreachable(spec, 'peer');
  }
}

/**
 * Whether two ports of one workload may be the same port: the same protocol and overlapping
 * numbers; a named port whose number the workload's containers do not tell may be any.
 */
function portsMayOverlap(a: Port, b: Port, containerPorts: readonly ContainerPort[]): boolean {
  if (a.protocol !== b.protocol) {
    return false;
  }
  const range = (port: Port): [number, number] | undefined => {
    if (port.isAllPorts) {
      return [1, 65535];
    }
    if (port.name !== undefined) {
      const named = containerPorts.find((c) => c.name === port.name && (c.protocol ?? 'TCP') === port.protocol);
      return named === undefined ? undefined : [named.port, named.port];
    }
    return [port.portNumber!, port.endPortNumber ?? port.portNumber!];
  };
  const [ra, rb] = [range(a), range(b)];
  return ra === undefined || rb === undefined || (ra[0] <= rb[1] && rb[0] <= ra[1]);
}

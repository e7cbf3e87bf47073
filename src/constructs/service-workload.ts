import { HttpRule } from '../core/http-rule';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector } from '../core/selector';

/**
 * What a workload's graph does for it (internal): the graph writes both ends of every call and
 * validates each at the user's call. Not exported from the package.
 */
export interface WorkloadHost {
  /** The graph as named in errors, e.g. `ServiceGraph "prod/shop"`. */
  readonly where: string;
  /** @param l7 an HTTP call: `http` must then hold the rules */
  call(from: ServiceWorkload, method: string, target: ServiceWorkload, ports: Port[], http?: HttpRule[], l7?: boolean): void;
  /** @param role names the peer in promise ids ("ingress-to-frontend"); derived from the peer when absent */
  allow(workload: ServiceWorkload, method: string, direction: 'ingress' | 'egress', peer: Peer, ports: Port[], http?: HttpRule[], role?: string,
    l7?: boolean): void;
  servedPorts(workload: ServiceWorkload): Port[];
}

/** What a graph knows of a workload when it creates its handle. */
export interface ServiceWorkloadSpec {
  readonly name: string;
  readonly namespace: string;
  readonly selector: LabelSelector;
  readonly policyName: string;
}

/**
 * One workload of a `ServiceGraph` (create it with `graph.workload()`): its pods, the ports they
 * serve, and the connections they make and accept. Calls between workloads of one graph are
 * written on both ends: `a.calls(b)` allows the egress of `a` and the ingress of `b`.
 */
export class ServiceWorkload {
  /**
   * Creates the handle of a workload (graphs call it).
   * @internal
   */
  public static _create(host: WorkloadHost, spec: ServiceWorkloadSpec): ServiceWorkload {
    return new ServiceWorkload(host, spec);
  }

  /** The workload's name in its graph, e.g. "checkoutservice". */
  public readonly name: string;
  /** The namespace of its pods (and of its policy). */
  public readonly namespace: string;
  /** The selector of its pods. */
  public readonly selector: LabelSelector;
  /** The name of the policy that governs its pods. */
  public readonly policyName: string;
  /** @internal */
  public readonly _host: WorkloadHost;
  private peerOfPods?: Peer;

  private constructor(host: WorkloadHost, spec: ServiceWorkloadSpec) {
    this._host = host;
    this.name = spec.name;
    this.namespace = spec.namespace;
    this.selector = spec.selector;
    this.policyName = spec.policyName;
  }

  /**
   * These pods, as a peer for other constructs (pods AND namespace, one peer), e.g.
   * `zeroTrust.allowEgress(graphWorkload.peer, Port.tcp(8080))` from another namespace.
   */
  public get peer(): Peer {
    // Made on first use: most workloads are only ever referred to by their graph.
    this.peerOfPods ??= Peer.podsMatchingInNamespace(this.namespace, this.selector);
    return this.peerOfPods;
  }

  /** The ports the workload serves, as declared (or read from its containers); empty when none were. */
  public get ports(): Port[] {
    return this._host.servedPorts(this);
  }

  /**
   * Lets this workload call `target` (a workload of the same graph) on `ports`: the egress of
   * these pods and the ingress of the target's pods, across namespaces too.
   * @param target the workload called
   * @param ports the ports called; each must be one the target serves when it declares ports
   * @default ports - every port the target serves
   */
  public calls(target: ServiceWorkload, ...ports: Port[]): void {
    this._host.call(this, 'calls()', target, ports);
  }

  /**
   * Lets this workload send `target` only the listed HTTP requests on one TCP port or range (Cilium's
   * proxy refuses every other request with 403). Cilium only: other engines throw here.
   * @param target the workload called
   * @param port a numbered TCP port or range the target serves, e.g. `Port.tcp(8080)` or `Port.tcpRange(8080, 8089)`
   * @param rules the requests allowed (method, path regex, host, headers)
   */
  public callsHttp(target: ServiceWorkload, port: Port, rules: HttpRule[]): void {
    this._host.call(this, 'callsHttp()', target, [port], rules, true);
  }

  /**
   * Lets `peer`, from outside the graph, reach these pods on `ports`: an ingress controller,
   * Prometheus, `Peer.anywhere()` for a public frontend.
   * @param peer who may connect
   * @param ports the ports; each must be one the workload serves when it declares ports
   * @default ports - every port the workload serves
   */
  public allowFrom(peer: Peer, ...ports: Port[]): void {
    this._host.allow(this, 'allowFrom()', 'ingress', peer, ports);
  }

  /**
   * Lets `peer`, from outside the graph, send these pods only the listed HTTP requests on one
   * TCP port or range. Cilium only: other engines throw here.
   * @param peer who may send the requests
   * @param port a numbered TCP port or range the workload serves
   * @param rules the requests allowed
   */
  public allowFromHttp(peer: Peer, port: Port, rules: HttpRule[]): void {
    this._host.allow(this, 'allowFromHttp()', 'ingress', peer, [port], rules, undefined, true);
  }

  /**
   * Lets these pods reach `peer`, outside the graph, on `ports`: `Peer.internet()`,
   * `Peer.fqdn()` (Cilium), `Peer.kubeApiServer()`, another team's pods. Only for graphs that
   * restrict egress (the default).
   * @param peer the destination
   * @param ports the destination ports
   * @default ports - every port
   */
  public allowTo(peer: Peer, ...ports: Port[]): void {
    this._host.allow(this, 'allowTo()', 'egress', peer, ports);
  }

  /** "checkoutservice (pods {app=checkoutservice} in namespace shop)". */
  public toString(): string {
    return `${this.name} (pods ${this.selector} in namespace ${this.namespace})`;
  }
}

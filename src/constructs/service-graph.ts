import { Construct, IConstruct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { graphPromises } from './graph/graph-promises';
import { GraphState } from './graph/graph-state';
import { PolicyProofs } from './proofs';
import { checkBoolean, checkDnsPeer, checkPolicyName, requireProps } from './prop-checks';
import { ServiceWorkload } from './service-workload';
import { PolicyEngine } from '../core/engine';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { checkNamespaceName } from '../core/selector';
import { toDnsLabel } from '../util/names';
import { invalid } from '../util/validation';

/** Props of `ServiceGraph`. */
export interface ServiceGraphProps {
  /** The namespace of the workloads, unless a workload says otherwise. */
  readonly namespace: string;
  /**
   * Prefix of the policy names: `<name>-<workload>`.
   * @default - the construct id as a DNS label, e.g. "boutique"
   */
  readonly name?: string;
  /**
   * Limit each workload's egress to its calls, its `allowTo` destinations and DNS. With `false`
   * the graph isolates ingress only and leaves egress to other policies (or open).
   * @default true
   */
  readonly restrictEgress?: boolean;
  /**
   * Let every workload resolve names through the cluster DNS (UDP and TCP 53); only with
   * `restrictEgress`. A workload's own `allowDns` option overrides it.
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * Where the cluster DNS runs, for `allowDns` (and for Cilium's DNS proxy with `Peer.fqdn()`).
   * @default Peer.kubeDns()
   */
  readonly dnsPeer?: Peer;
  /**
   * The engine to render for.
   * @default - context key "cdk8s-netpol/engine", else PolicyEngine.KUBERNETES
   */
  readonly engine?: PolicyEngine;
}

/** Options of `ServiceGraph.workload()`. */
export interface ServiceWorkloadOptions {
  /**
   * Labels of the workload's pods. Give `labels` or `workload`, not both.
   * @default - { app: <name> }, or the selector of `workload`
   */
  readonly labels?: Record<string, string>;
  /**
   * The workload's namespace.
   * @default - the namespace of `workload`, else the graph's
   */
  readonly namespace?: string;
  /**
   * The ports its pods serve: the default of the calls made to it and of `allowFrom`; a call on
   * another port is refused.
   * @default - the container ports of `workload`, else none (calls must name their ports)
   */
  readonly ports?: Port[];
  /**
   * The workload object: a cdk8s-plus Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod of
   * any major (28, 33, ...), or a `KubeDeployment`, `KubeStatefulSet`, `KubeDaemonSet`,
   * `KubeReplicaSet`, `KubeJob`, `KubeCronJob` or `KubePod`. The policy selects its pods with the
   * object's own pod selector, and its ports default to the containers' ports, read when this is
   * called: declare the containers first.
   * @default - select by `labels`
   */
  readonly workload?: IConstruct;
  /**
   * Let this workload resolve names through the cluster DNS (only with `restrictEgress`).
   * @default - the graph's `allowDns`
   */
  readonly allowDns?: boolean;
}

/** The keys of ServiceGraphProps: unknown keys are refused (a misspelt one would be ignored). */
const PROPS_KEYS: Record<keyof ServiceGraphProps, true> = {
  namespace: true,
  name: true,
  restrictEgress: true,
  allowDns: true,
  dnsPeer: true,
  engine: true,
};

/** The longest workload name: a DNS label. */
const WORKLOAD_NAME_MAX = 63;

/**
 * Any application's network policy, written as who calls whom: declare the workloads, then
 * `a.calls(b)` for each call. Every call is written on both ends (egress of `a`, ingress of `b`,
 * across namespaces too), every workload gets one policy holding both directions
 * (`<name>-<workload>`), and everything not declared is denied: other workloads, the internet
 * (unless `allowTo` says so), every port not called. DNS stays open unless `allowDns: false`.
 *
 * Renders for Kubernetes, Cilium and Calico, which allow the same L3/L4 traffic; `callsHttp`
 * (Cilium) narrows a call to HTTP requests. At synth the proofs check that every call is allowed
 * and every undeclared pair denied, whatever else the app emits: a hand-written policy that opens
 * an undeclared call fails `cdk8s synth`, naming both workloads and the policy.
 */
export class ServiceGraph extends Construct {
  /** The default namespace of the workloads. */
  public readonly namespace: string;
  /** The engine the policies are rendered for. */
  public readonly engine: PolicyEngine;
  /** Whether workloads' egress is limited to their calls, `allowTo` and DNS. */
  public readonly restrictEgress: boolean;

  private readonly state: GraphState;

  constructor(scope: Construct, id: string, props: ServiceGraphProps) {
    super(scope, id);
    const where = describeConstruct('ServiceGraph', this);
    requireProps(where, props, '{ namespace: "production" }', PROPS_KEYS);
    checkNamespaceName(where, 'namespace', props.namespace);
    checkPolicyName(where, 'name', props.name, 1 + WORKLOAD_NAME_MAX);
    checkBoolean(where, 'restrictEgress', props.restrictEgress);
    checkBoolean(where, 'allowDns', props.allowDns);
    checkDnsPeer(where, props.dnsPeer);
    const restrictEgress = props.restrictEgress ?? true;
    if (!restrictEgress && (props.allowDns !== undefined || props.dnsPeer !== undefined)) {
      invalid(where, `${props.allowDns !== undefined ? 'allowDns' : 'dnsPeer'} is set but restrictEgress is false: the graph does not govern egress, ` +
        'so DNS is not blocked by it; remove it');
    }
    if (props.dnsPeer !== undefined && props.allowDns === false) {
      invalid(where, 'dnsPeer is set but allowDns is false; remove one of them');
    }
    this.namespace = props.namespace;
    this.engine = chooseEngine(this, props.engine, where);
    this.restrictEgress = restrictEgress;
    this.state = new GraphState({
      owner: this,
      where,
      namespace: props.namespace,
      engine: this.engine,
      name: props.name ?? toDnsLabel(id),
      restrictEgress,
      allowDns: props.allowDns ?? true,
      dnsPeer: props.dnsPeer ?? Peer.kubeDns(),
      dnsPeerGiven: props.dnsPeer !== undefined,
    });
    const state = this.state;
    PolicyProofs._promise(this, 'ServiceGraph', where, () => graphPromises(state.settings, state.workloads));
  }

  /**
   * Declares a workload of the graph and emits its policy, which admits nothing until calls or
   * `allowFrom` say otherwise.
   * @param name the workload's name (a DNS label, unique in the graph), e.g. "checkoutservice";
   * its policy is `<graph name>-<name>`
   * @param options its labels (default `{ app: name }`) or workload object, namespace and ports
   */
  public workload(name: string, options?: ServiceWorkloadOptions): ServiceWorkload {
    return this.state.addWorkload(name, options);
  }

  /** The workloads, in the order they were declared. */
  public get workloads(): ServiceWorkload[] {
    return this.state.workloads.map((member) => member.handle);
  }
}

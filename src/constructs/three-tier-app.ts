import { Construct, IConstruct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { graphPromises } from './graph/graph-promises';
import { GraphState } from './graph/graph-state';
import { readWorkload } from './graph/workload-source';
import { PolicyProofs } from './proofs';
import { checkBoolean, checkDnsPeer, checkPolicyName, checkPortNumber, requireProps } from './prop-checks';
import { ServiceWorkload } from './service-workload';
import { PolicyEngine } from '../core/engine';
import { HttpRule, validateHttpRules } from '../core/http-rule';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { LabelSelector, checkLabels, checkNamespaceName } from '../core/selector';
import { toDnsLabel } from '../util/names';
import { checkOptionsObject, invalid, show } from '../util/validation';

/** How one tier of a `ThreeTierApp` is selected and which TCP port it serves. */
export interface TierOptions {
  /**
   * Labels of the tier's pods. Give `labels` or `workload`, not both.
   * @default - frontend { app: "frontend" }, api { app: "api" }, database { app: "postgres" }
   */
  readonly labels?: Record<string, string>;
  /**
   * The TCP port the tier's pods listen on.
   * @default - the only TCP container port of `workload`; else frontend 80, api 8080, database 5432
   */
  readonly port?: number;
  /**
   * The tier's workload object, whose own pod selector then selects the tier: a cdk8s-plus
   * Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod of any major (28, 33, ...), or a
   * `KubeDeployment`, `KubeStatefulSet`, `KubeDaemonSet`, `KubeReplicaSet`, `KubeJob`,
   * `KubeCronJob` or `KubePod`. Its containers' ports must include the tier's `port`.
   * @default - select by `labels`
   */
  readonly workload?: IConstruct;
  /**
   * Cilium only: accept only these HTTP requests on the tier's port (L7). Other engines throw.
   * @default - any traffic on the port (L4)
   */
  readonly http?: HttpRule[];
}

/** Props of `ThreeTierApp`. */
export interface ThreeTierAppProps {
  /** The namespace of all three tiers. */
  readonly namespace: string;
  /**
   * Prefix of the policy names: `<name>-frontend`, `<name>-api`, `<name>-database`.
   * @default - the construct id as a DNS label, e.g. "shop"
   */
  readonly name?: string;
  /**
   * The frontend tier, reachable from the ingress controller.
   * @default { labels: { app: "frontend" }, port: 80 }
   */
  readonly frontend?: TierOptions;
  /**
   * The api tier, reachable from the frontend.
   * @default { labels: { app: "api" }, port: 8080 }
   */
  readonly api?: TierOptions;
  /**
   * The database tier, reachable from the api; it initiates nothing.
   * @default { labels: { app: "postgres" }, port: 5432 }
   */
  readonly database?: TierOptions;
  /**
   * The namespace of the ingress controller that may reach the frontend.
   * @default "ingress-nginx"
   */
  readonly ingressNamespace?: string;
  /**
   * Labels of the ingress controller pods in `ingressNamespace` (pods AND namespace).
   * @default - every pod of `ingressNamespace`
   */
  readonly ingressLabels?: Record<string, string>;
  /**
   * Let the frontend and api resolve names through the cluster DNS (UDP and TCP 53).
   * @default true
   */
  readonly allowDns?: boolean;
  /**
   * Where the cluster DNS runs, for `allowDns`.
   * @default Peer.kubeDns()
   */
  readonly dnsPeer?: Peer;
  /**
   * The engine to render for.
   * @default - context key "cdk8s-netpol/engine", else PolicyEngine.KUBERNETES
   */
  readonly engine?: PolicyEngine;
}

/** The keys of TierOptions: unknown keys are refused (a misspelt one would be ignored). */
const TIER_KEYS: Record<keyof TierOptions, true> = { labels: true, port: true, workload: true, http: true };
/** The keys of ThreeTierAppProps. */
const PROPS_KEYS: Record<keyof ThreeTierAppProps, true> = {
  namespace: true,
  name: true,
  frontend: true,
  api: true,
  database: true,
  ingressNamespace: true,
  ingressLabels: true,
  allowDns: true,
  dnsPeer: true,
  engine: true,
};

type TierKey = 'frontend' | 'api' | 'database';

/** A tier's options, checked. */
interface Tier {
  readonly key: TierKey;
  readonly port: Port;
  readonly labels?: Record<string, string>;
  readonly workload?: IConstruct;
  readonly http?: HttpRule[];
}

const DEFAULTS = {
  frontend: { labels: { app: 'frontend' }, port: 80 },
  api: { labels: { app: 'api' }, port: 8080 },
  database: { labels: { app: 'postgres' }, port: 5432 },
};

/**
 * The classic web application chain, and nothing else: ingress controller -> frontend -> api ->
 * database, each hop only on the next tier's port. Frontend and api may resolve names; the
 * database initiates nothing. Every tier is isolated in both directions by its own policy,
 * so the chain holds even without a namespace-wide default deny.
 *
 * A three-workload `ServiceGraph` with a preset: the tiers are its workloads (`frontend`, `api`,
 * `database`), so the chain can grow like any graph, e.g.
 * `app.api.allowTo(Peer.internet(), Port.tcp(443))`, and the same synth-time proofs hold for it.
 *
 * The ingress rule selects the controller's pods; a controller on the host network sends from
 * node addresses instead and needs an IP-based allowance.
 */
export class ThreeTierApp extends Construct {
  /** The namespace of the tiers. */
  public readonly namespace: string;
  /** The engine the policies are rendered for. */
  public readonly engine: PolicyEngine;
  /** The frontend pods. */
  public readonly frontendSelector: LabelSelector;
  /** The api pods. */
  public readonly apiSelector: LabelSelector;
  /** The database pods. */
  public readonly databaseSelector: LabelSelector;
  /** The frontend tier, as a workload of the app's graph. */
  public readonly frontend: ServiceWorkload;
  /** The api tier, as a workload of the app's graph. */
  public readonly api: ServiceWorkload;
  /** The database tier, as a workload of the app's graph. */
  public readonly database: ServiceWorkload;

  constructor(scope: Construct, id: string, props: ThreeTierAppProps) {
    super(scope, id);
    const where = describeConstruct('ThreeTierApp', this);
    requireProps(where, props, '{ namespace: "production" }', PROPS_KEYS);
    checkNamespaceName(where, 'namespace', props.namespace);
    checkPolicyName(where, 'name', props.name, '-database'.length);
    const ingressNamespace = props.ingressNamespace ?? 'ingress-nginx';
    checkNamespaceName(where, 'ingressNamespace', ingressNamespace);
    checkLabels(where, 'ingressLabels', props.ingressLabels);
    checkDnsPeer(where, props.dnsPeer);
    checkBoolean(where, 'allowDns', props.allowDns);
    if (props.dnsPeer !== undefined && props.allowDns === false) {
      invalid(where, 'dnsPeer is set but allowDns is false; remove one of them');
    }

    const engine = chooseEngine(this, props.engine, where);
    const tiers = {
      frontend: resolveTier(where, 'frontend', props.frontend),
      api: resolveTier(where, 'api', props.api),
      database: resolveTier(where, 'database', props.database),
    };
    const withHttp = Object.values(tiers).find((tier) => tier.http !== undefined);
    if (withHttp && engine !== PolicyEngine.CILIUM) {
      invalid(where, `${withHttp.key}.http needs engine PolicyEngine.CILIUM; PolicyEngine.${engine.toUpperCase()} cannot express HTTP (L7) rules`);
    }
    this.namespace = props.namespace;
    this.engine = engine;

    const state = new GraphState({
      owner: this,
      where,
      namespace: props.namespace,
      engine,
      name: props.name ?? toDnsLabel(id, 63 - '-database'.length),
      restrictEgress: true,
      allowDns: props.allowDns ?? true,
      dnsPeer: props.dnsPeer ?? Peer.kubeDns(),
      dnsPeerGiven: props.dnsPeer !== undefined,
      memberWhere: (name) => `${where}.${name}`,
      // The frontend and the api may be given internet egress by other constructs (an
      // ExternalHttpsEgress for the api is the classic); the database initiates nothing.
      noInternetFor: ['database'],
    });
    const declare = (tier: Tier, allowDns?: boolean) => state.addWorkload(tier.key, {
      ...(tier.workload ? { workload: tier.workload, namespace: props.namespace } : { labels: tier.labels }),
      ports: [tier.port],
      ...(allowDns === false ? { allowDns } : {}),
    });
    this.frontend = declare(tiers.frontend);
    this.api = declare(tiers.api);
    // The database initiates nothing, name lookups included.
    this.database = declare(tiers.database, false);
    this.frontendSelector = this.frontend.selector;
    this.apiSelector = this.api.selector;
    this.databaseSelector = this.database.selector;

    const ingressPeer = props.ingressLabels && Object.keys(props.ingressLabels).length > 0
      ? Peer.podsInNamespace(ingressNamespace, props.ingressLabels)
      : Peer.namespace(ingressNamespace);
    state.allow(this.frontend, 'allowFrom()', 'ingress', ingressPeer, [tiers.frontend.port], tiers.frontend.http, 'ingress', tiers.frontend.http !== undefined);
    const hop = (from: ServiceWorkload, to: ServiceWorkload, tier: Tier) => state.call(from, 'calls()', to, [tier.port], tier.http, tier.http !== undefined);
    hop(this.frontend, this.api, tiers.api);
    hop(this.api, this.database, tiers.database);

    // The chain is open; the shortcuts around it (frontend to database, anything the database
    // would start, the ingress controller past the frontend) are closed whatever else the chart
    // allows: the graph's promises.
    PolicyProofs._promise(this, 'ThreeTierApp', where, () => graphPromises(state.settings, state.workloads));
  }
}

function resolveTier(where: string, key: TierKey, options: TierOptions | undefined): Tier {
  const opts = options === undefined ? {} : options;
  checkOptionsObject(where, key, opts, TIER_KEYS);
  if (opts.http !== undefined && !Array.isArray(opts.http)) {
    invalid(where, `${key}.http ${show(opts.http)} is not a list of HttpRule; expected e.g. [{ method: "GET", path: "/api/.*" }]`);
  }
  checkPortNumber(where, `${key}.port`, opts.port);
  const http = opts.http === undefined ? undefined : [...opts.http];
  if (http !== undefined) {
    validateHttpRules(where, `${key}.http`, http);
  }
  if (opts.workload !== undefined) {
    if (opts.labels !== undefined) {
      invalid(where, `${key} sets both labels and workload; give one of them`);
    }
    return { key, port: Port.tcp(opts.port ?? workloadPort(where, key, opts.workload)), http, workload: opts.workload };
  }
  const port = Port.tcp(opts.port ?? DEFAULTS[key].port);
  checkLabels(where, `${key}.labels`, opts.labels);
  const labels = opts.labels ?? DEFAULTS[key].labels;
  if (Object.keys(labels).length === 0) {
    invalid(where, `${key}.labels {} would select every pod of the namespace as the ${key}; give the tier's labels, e.g. { app: "${key}" }`);
  }
  return { key, port, http, labels: { ...labels } };
}

/**
 * The port of a tier given by its workload: its containers' only TCP port; the tier's default
 * when they declare none, or when it is among several; else the tier must say which.
 */
function workloadPort(where: string, key: TierKey, workload: IConstruct): number {
  const tcp = [...new Set(readWorkload(where, `${key}.workload`, workload).containerPorts
    .filter((c) => (c.protocol ?? 'TCP') === 'TCP').map((c) => c.port))];
  if (tcp.length === 1) {
    return tcp[0];
  }
  if (tcp.length === 0 || tcp.includes(DEFAULTS[key].port)) {
    return DEFAULTS[key].port;
  }
  return invalid(where, `${key}.workload ${workload.node.path} serves TCP ${tcp.join(', ')}; set ${key}.port to the one the tier is called on`);
}

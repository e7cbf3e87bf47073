import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { describeConstruct } from './describe';
import { chooseEngine } from './engine-choice';
import { PolicyEmitter } from './policy-emitter';
import { FlowPromise, PolicyProofs, RepresentativePod, dnsPromises, labelsSatisfying } from './proofs';
import { checkBoolean, checkDnsPeer, checkPolicyName, checkPortNumber, requireProps } from './prop-checks';
import { PolicyEngine } from '../core/engine';
import { HttpRule, validateHttpRules } from '../core/http-rule';
import { PolicyRule } from '../core/intent';
import { Peer } from '../core/peer';
import { Port } from '../core/port';
import { LabelExpression, LabelSelector, checkLabels, checkNamespaceName, selectorMatches, selectorsDisjoint } from '../core/selector';
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
   * @default - frontend 80, api 8080, database 5432
   */
  readonly port?: number;
  /**
   * A cdk8s-plus-28 workload (Deployment, StatefulSet, ...) whose pod selector selects the tier.
   * @default - select by `labels`
   */
  readonly workload?: kplus.Workload;
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

/** The keys of ThreeTierAppProps: unknown keys are refused (a misspelt one would be ignored). */
/** The keys of TierOptions. */
const TIER_KEYS: Record<keyof TierOptions, true> = { labels: true, port: true, workload: true, http: true };
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

interface Tier {
  readonly key: 'frontend' | 'api' | 'database';
  readonly selector: LabelSelector;
  readonly port: Port;
  readonly http?: HttpRule[];
  /** For a workload tier selected by cdk8s-plus's unique address label: the labels its pods carry. */
  readonly workloadPodLabels?: Record<string, string>;
}

/**
 * cdk8s-plus labels each workload's pods with a value unique to that workload; a selector holding
 * it selects exactly that workload's pods, whose labels are then known.
 */
const CDK8S_PLUS_ADDRESS_LABEL = 'cdk8s.io/metadata.addr';

const DEFAULTS = {
  frontend: { labels: { app: 'frontend' }, port: 80 },
  api: { labels: { app: 'api' }, port: 8080 },
  database: { labels: { app: 'postgres' }, port: 5432 },
};
const DNS_PORTS = [Port.udp(53), Port.tcp(53)];
/** A public address (TEST-NET-3) standing for the internet in proofs. */
const PUBLIC_ADDRESS = '203.0.113.10';

/**
 * The classic web application chain, and nothing else: ingress controller -> frontend -> api ->
 * database, each hop only on the next tier's port. Frontend and api may resolve names; the
 * database initiates nothing. Every tier is isolated in both directions by its own policy,
 * so the chain holds even without a namespace-wide default deny.
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
    const frontend = resolveTier(where, 'frontend', props.frontend, props.namespace);
    const api = resolveTier(where, 'api', props.api, props.namespace);
    const database = resolveTier(where, 'database', props.database, props.namespace);
    checkDisjoint(where, [frontend, api, database]);
    const withHttp = [frontend, api, database].find((tier) => tier.http !== undefined);
    if (withHttp && engine !== PolicyEngine.CILIUM) {
      invalid(where, `${withHttp.key}.http needs engine PolicyEngine.CILIUM; PolicyEngine.${engine.toUpperCase()} cannot express HTTP (L7) rules`);
    }

    this.namespace = props.namespace;
    this.engine = engine;
    this.frontendSelector = frontend.selector;
    this.apiSelector = api.selector;
    this.databaseSelector = database.selector;

    const name = props.name ?? toDnsLabel(id, 63 - '-database'.length);
    const ingressPeer = props.ingressLabels && Object.keys(props.ingressLabels).length > 0
      ? Peer.podsInNamespace(ingressNamespace, props.ingressLabels)
      : Peer.namespace(ingressNamespace);
    const dnsRules: PolicyRule[] = (props.allowDns ?? true)
      ? [{ peers: [props.dnsPeer ?? Peer.kubeDns()], ports: DNS_PORTS }]
      : [];
    const peerOf = (tier: Tier) => Peer.podsMatching(tier.selector);

    const emitter = new PolicyEmitter(this, this.engine, where);
    emitter.emit('Frontend', {
      name: `${name}-frontend`,
      namespace: this.namespace,
      selector: frontend.selector,
      ingress: [{ peers: [ingressPeer], ports: [frontend.port], http: frontend.http }],
      egress: [{ peers: [peerOf(api)], ports: [api.port] }, ...dnsRules],
      description: `Frontend ${frontend.selector} accepts ${ingressPeer} on ${frontend.port} and calls the api on ${api.port}.`,
    });
    emitter.emit('Api', {
      name: `${name}-api`,
      namespace: this.namespace,
      selector: api.selector,
      ingress: [{ peers: [peerOf(frontend)], ports: [api.port], http: api.http }],
      egress: [{ peers: [peerOf(database)], ports: [database.port] }, ...dnsRules],
      description: `Api ${api.selector} accepts the frontend on ${api.port} and calls the database on ${database.port}.`,
    });
    emitter.emit('Database', {
      name: `${name}-database`,
      namespace: this.namespace,
      selector: database.selector,
      ingress: [{ peers: [peerOf(api)], ports: [database.port], http: database.http }],
      egress: [],
      description: `Database ${database.selector} accepts the api on ${database.port} and initiates nothing.`,
    });
    // Made when proven, from copies taken now: the caller's props may change after this line.
    const namespace = this.namespace;
    const ingressLabels = { ...props.ingressLabels };
    const dns = dnsRules.length > 0 ? (props.dnsPeer ?? Peer.kubeDns()) : undefined;
    PolicyProofs._promise(this, where, () => promisesOf(namespace, { frontend, api, database }, ingressNamespace, ingressLabels, dns));
  }
}

/**
 * The flows the app promises, over one representative pod per tier: the chain is open, and the
 * shortcuts around it (frontend to database, anything the database would start, the ingress
 * controller past the frontend) are closed whatever else the chart allows.
 */
function promisesOf(namespace: string, tiers: Record<Tier['key'], Tier>, ingressNamespace: string,
  ingressLabels: Record<string, string>, dns: Peer | undefined): FlowPromise[] {
  const pod = (tier: Tier): RepresentativePod => ({
    namespace,
    role: tier.key,
    labels: tier.workloadPodLabels ?? labelsSatisfying(tier.selector),
    ports: [{ port: tier.port.portNumber!, protocol: 'TCP' }],
  });
  const frontend = pod(tiers.frontend);
  const api = pod(tiers.api);
  const database = pod(tiers.database);
  const ingress: RepresentativePod = { namespace: ingressNamespace, role: 'ingress-controller', labels: ingressLabels };
  const flow = (id: string, from: RepresentativePod, to: RepresentativePod | string, port: number, allowed: boolean): FlowPromise => ({
    id,
    description: `${from.role} ${allowed ? 'reaches' : 'cannot reach'} ${typeof to === 'string' ? to : to.role} on TCP/${port}`,
    from,
    to,
    port,
    protocol: 'TCP',
    allowed,
  });
  const [fp, ap, dp] = [tiers.frontend, tiers.api, tiers.database].map((t) => t.port.portNumber!);
  return [
    flow('ingress-to-frontend', ingress, frontend, fp, true),
    flow('frontend-to-api', frontend, api, ap, true),
    flow('api-to-database', api, database, dp, true),
    flow('no-frontend-to-database', frontend, database, dp, false),
    flow('no-ingress-to-api', ingress, api, ap, false),
    flow('no-ingress-to-database', ingress, database, dp, false),
    flow('no-database-to-api', database, api, ap, false),
    flow('no-database-to-frontend', database, frontend, fp, false),
    flow('no-database-to-internet', database, PUBLIC_ADDRESS, 443, false),
    ...(dns ? [...dnsPromises(frontend, dns, 'frontend'), ...dnsPromises(api, dns, 'api')] : []),
  ];
}

function resolveTier(where: string, key: Tier['key'], options: TierOptions | undefined, namespace: string): Tier {
  const opts = options === undefined ? {} : options;
  checkOptionsObject(where, key, opts, TIER_KEYS);
  if (opts.http !== undefined && !Array.isArray(opts.http)) {
    invalid(where, `${key}.http ${show(opts.http)} is not a list of HttpRule; expected e.g. [{ method: "GET", path: "/api/.*" }]`);
  }
  checkPortNumber(where, `${key}.port`, opts.port);
  const port = Port.tcp(opts.port ?? DEFAULTS[key].port);
  const http = opts.http === undefined ? undefined : [...opts.http];
  if (http !== undefined) {
    validateHttpRules(where, `${key}.http`, http);
  }
  if (opts.workload !== undefined) {
    if (opts.labels !== undefined) {
      invalid(where, `${key} sets both labels and workload; give one of them`);
    }
    const selector = workloadSelector(where, key, opts.workload, namespace);
    const workloadPodLabels = selector.labels[CDK8S_PLUS_ADDRESS_LABEL] !== undefined
      ? { ...(opts.workload.podMetadata.toJson().labels ?? {}) }
      : undefined;
    return { key, selector, port, http, workloadPodLabels };
  }
  checkLabels(where, `${key}.labels`, opts.labels);
  const labels = opts.labels ?? DEFAULTS[key].labels;
  if (Object.keys(labels).length === 0) {
    invalid(where, `${key}.labels {} would select every pod of the namespace as the ${key}; give the tier's labels, e.g. { app: "${key}" }`);
  }
  return { key, selector: LabelSelector.of(labels), port, http };
}

function workloadSelector(where: string, key: string, workload: kplus.Workload, namespace: string): LabelSelector {
  if (!(workload instanceof kplus.Workload)) {
    invalid(where, `${key}.workload is not a cdk8s-plus-28 workload (Deployment, StatefulSet, DaemonSet, Job)`);
  }
  // cdk8s gives an object its chart's namespace unless it sets its own.
  const workloadNamespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
  if (workloadNamespace === undefined) {
    invalid(where, `${key}.workload ${workload.node.path} has no namespace, so it would deploy wherever kubectl points while the policies ` +
      `select pods in ${show(namespace)}; set metadata.namespace (or the chart's namespace) to ${show(namespace)}`);
  }
  if (workloadNamespace !== namespace) {
    invalid(where, `${key}.workload ${workload.node.path} is in namespace ${show(workloadNamespace)}, but the app is in ${show(namespace)}`);
  }
  const expressions = workload.matchExpressions.map((e) => toExpression(where, key, e));
  const selector = LabelSelector.of({ ...workload.matchLabels }, ...expressions);
  if (selector.isEmpty) {
    invalid(where, `${key}.workload ${workload.node.path} has an empty pod selector; it would select every pod of the namespace`);
  }
  return selector;
}

function toExpression(where: string, key: string, e: kplus.LabelSelectorRequirement): LabelExpression {
  switch (e.operator) {
    case 'In': return LabelExpression.isIn(e.key, e.values ?? []);
    case 'NotIn': return LabelExpression.isNotIn(e.key, e.values ?? []);
    case 'Exists': return LabelExpression.exists(e.key);
    case 'DoesNotExist': return LabelExpression.doesNotExist(e.key);
    default: return invalid(where, `${key}.workload selector operator ${show(e.operator)} is not supported`);
  }
}

/**
 * Each tier's policy must select only that tier: a pod matching two tiers would get both tiers'
 * allowances. Label tiers must be provably disjoint; a workload tier's pods are known, so it is
 * enough that they do not match the other tier's selector.
 */
function checkDisjoint(where: string, tiers: Tier[]): void {
  const overlap = (a: Tier, b: Tier): boolean => {
    if (a.workloadPodLabels) {
      return selectorMatches(b.selector, a.workloadPodLabels);
    }
    if (b.workloadPodLabels) {
      return selectorMatches(a.selector, b.workloadPodLabels);
    }
    return !selectorsDisjoint(a.selector, b.selector);
  };
  for (let i = 0; i < tiers.length; i++) {
    for (let j = i + 1; j < tiers.length; j++) {
      if (overlap(tiers[i], tiers[j])) {
        invalid(where, `${tiers[i].key} ${tiers[i].selector} and ${tiers[j].key} ${tiers[j].selector} can select the same pods, ` +
          `which would get both tiers' allowances; give each tier a label value the others do not share, e.g. { tier: "${tiers[i].key}" } and { tier: "${tiers[j].key}" }`);
      }
    }
  }
}

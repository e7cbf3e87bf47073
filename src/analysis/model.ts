import { ApiObject, Chart } from 'cdk8s';
import { admissionMessage, admit } from './admission/admission';
import { Segment, SideOracle, pairSegments } from './connectivity/pair-connectivity';
import { MAX_PORT, MIN_PORT, PORT_PROTOCOLS } from './connectivity/port-ranges';
import { DEFAULT_CLUSTER_NAME, DEFAULT_SERVICE_ACCOUNT, Endpoint, PodSide } from './endpoint';
import { dnsNameProblem, isClusterInternalName, normalizeDnsName } from './fqdn';
import { checkHttpRequest, L7Request } from './http';
import { classify, ClusterCni, isEvaluated, notSupportedMessage } from './kinds';
import { calicoSemanticsOf, checkModelOptions, checkNamespace, checkPod, checkProbe, checkServiceAccount } from './model-input';
import { buildCalicoEvaluator } from './semantics/calico/evaluator';
import { CalicoPolicy, CalicoTier, compileTier } from './semantics/calico/policy';
import { CalicoSemantics } from './semantics/calico/rule';
import { buildCiliumEvaluator } from './semantics/cilium/evaluator';
import { CiliumPolicy } from './semantics/cilium/policy';
import { ClusterTiersEvaluator } from './semantics/cluster/evaluator';
import { ClusterPolicy } from './semantics/cluster/policy';
import { SideDecision } from './semantics/decision';
import { KubernetesEvaluator } from './semantics/kubernetes/evaluator';
import { KubernetesPolicy } from './semantics/kubernetes/policy';
import { SideEvaluator } from './semantics/side-evaluator';
import { asEnforced, withStagedAsEnforced } from './staged';
import { NetworkModelOptions, PodEndpoint, Probe, Verdict } from './types';
import { podsOfWorkload, workloadProblem } from './workloads';
import { Cidr, canonicalIp, IpFamily, ipFamily, parseCidr } from '../util/cidr';
import { groupBy } from '../util/group-by';
import { invalid, show } from '../util/validation';

export type { SideDecision } from './semantics/decision';
export type { NetworkModelOptions } from './types';

/** The label the API server puts on every namespace. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** Where the cluster DNS runs, for the DNS-proxy check of Cilium FQDN rules. */
const DNS_NAMESPACE = 'kube-system';
const DNS_LABEL = ['k8s-app', 'kube-dns'] as const;

/** What the model builds from its state to answer probes; built on first use, dropped when the policies change. */
interface Index {
  readonly pods: Map<string, PodSide>;
  readonly podsByIp: Map<string, PodSide>;
  /** The cluster DNS pods (kube-system, k8s-app=kube-dns). */
  readonly dnsPods: PodSide[];
  /** The evaluator of the model's CNI. */
  readonly evaluator: SideEvaluator;
  /** Set when the model holds only Kubernetes NetworkPolicies: the evaluator, asked without a query object. */
  readonly kubernetes?: KubernetesEvaluator;
  /** The evaluator as the pair connectivity asks it (made on first use). */
  oracle?: SideOracle;
}


/**
 * Which pod can reach which, proven from the manifests alone: namespaces, pods and the policies
 * of one cluster, evaluated with each engine's semantics; a connection needs the source's egress
 * AND the destination's ingress.
 *
 * - `networking.k8s.io/v1` NetworkPolicy (docs/semantics/kubernetes.md): isolation per direction,
 *   additive allows, policyTypes defaulting, AND inside a peer and OR across peers, ipBlock with
 *   except, named ports resolved on the destination pod.
 * - `cilium.io/v2` CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (docs/semantics/cilium.md),
 *   with the Kubernetes policies as Cilium enforces them: deny rules beat every allow, allows are a
 *   union, HTTP rules restrict requests, toFQDNs rules need the DNS proxy to see the lookups.
 * - `projectcalico.org/v3` NetworkPolicy, GlobalNetworkPolicy and Tier (docs/semantics/calico.md),
 *   with the Kubernetes policies in the default tier at order 1000: tiers, orders,
 *   Allow/Deny/Pass/Log rules, each tier's default action. A policy naming a tier needs that Tier
 *   object in the model (except Calico's own `default`, `kube-admin` and `kube-baseline`): its order
 *   and default action decide.
 * - `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy (docs/semantics/cluster.md): the Admin
 *   tier before the NetworkPolicies and the Baseline tier after them, by priority, per side; under
 *   Calico (3.32 and later) in its kube-admin and kube-baseline tiers. Refused under Cilium.
 *
 * One model holds one CNI's policies: Cilium and Calico policies together are refused. A probe's
 * destination may be a DNS name ("api.stripe.com"): Cilium's toFQDNs rules match it by name;
 * address rules only when they admit every address. The Kubernetes API server is known by the
 * addresses given with `addKubeApiServer` (Cilium's `kube-apiserver` entity matches them).
 *
 * It reads manifests, never the library's intents, so it checks what is really emitted.
 */
export class NetworkModel {
  /**
   * A model of a chart's policies, Namespace objects and the pods of its workloads.
   * @param options the cluster's CNI
   */
  public static fromChart(chart: Chart, options?: NetworkModelOptions): NetworkModel {
    if (!(chart instanceof Chart)) {
      invalid('NetworkModel.fromChart()', `chart ${show(chart)} is not a cdk8s Chart`);
    }
    checkModelOptions('NetworkModel.fromChart()', options);
    // The chart's API objects directly: chart.toJson() would also run the chart's validations.
    return NetworkModel.fromManifests(chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson()), options);
  }

  /**
   * A model of manifest objects: Kubernetes NetworkPolicies, Cilium and Calico policies (and
   * Calico Tiers), Namespaces (with their labels), ServiceAccounts (their labels, for Calico's
   * service-account selectors) and the pods of Pod, Deployment, StatefulSet,
   * DaemonSet, ReplicaSet, ReplicationController, Job and CronJob objects. Other kinds (Services,
   * ConfigMaps, Calico's never-enforced staged policies, ...) do not affect connectivity and are
   * skipped; kinds that do but are not modelled (admin network policies, network sets, host
   * endpoints, CIDR groups, Cilium local redirect policies and Envoy configurations, Calico
   * profiles, and policy kinds under an apiVersion the model does not evaluate, such as
   * crd.projectcalico.org/v1) are refused, with the reason.
   * @param options the cluster's CNI
   */
  public static fromManifests(objects: any[], options?: NetworkModelOptions): NetworkModel {
    if (!Array.isArray(objects)) {
      invalid('NetworkModel.fromManifests()', `objects ${show(objects)} is not a list of manifest objects`);
    }
    checkModelOptions('NetworkModel.fromManifests()', options);
    const model = new NetworkModel(options);
    if (options?.evaluateStaged === true) {
      try {
        objects = withStagedAsEnforced(objects);
      } catch (e) {
        invalid('NetworkModel.fromManifests()', (e as Error).message);
      }
    }
    // Array.from, not map: a hole in the list is an undefined object, classified "other".
    const classes = Array.from(objects, classify);
    // Namespaces and workloads the API server would refuse never exist in the cluster: refused,
    // like policies (addManifest), rather than modelled as written.
    objects.forEach((obj, i) => {
      const category = classes[i].category;
      if (category === 'namespace' || category === 'workload') {
        const admission = admit(obj);
        if (admission.problems.length > 0) {
          invalid('NetworkModel.fromManifests()', `objects[${i}]: ${admissionMessage(admission)}`);
        }
      }
    });
    objects.forEach((obj, i) => {
      if (classes[i].category === 'namespace') {
        model.addNamespace(obj.metadata?.name, obj.metadata?.labels);
      } else if (classes[i].category === 'serviceAccount') {
        try {
          model.addServiceAccount(obj.metadata?.namespace ?? 'default', obj.metadata?.name, obj.metadata?.labels);
        } catch (e) {
          invalid('NetworkModel.fromManifests()', `objects[${i}] (ServiceAccount ${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name}): ` +
            (e as Error).message.replace(/^NetworkModel\.addServiceAccount\(\): /, ''));
        }
      }
    });
    objects.forEach((obj, i) => {
      const category = classes[i].category;
      if (category === 'namespace') {
        return;
      }
      if (category === 'workload') {
        const what = `objects[${i}] (${obj.kind} ${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name})`;
        const problem = workloadProblem(obj);
        if (problem) {
          invalid('NetworkModel.fromManifests()', `${what}: ${problem}`);
        }
        // One pod per replica of a StatefulSet or index of an Indexed Job, with the labels their controllers add.
        const pods = podsOfWorkload(obj);
        pods.forEach((pod, n) => {
          // A Job and a CronJob (or a Deployment and a StatefulSet) may share a name.
          const taken = model.podEndpoints.has(`${pod.namespace}/${pod.name}`);
          const added = taken ? { ...pod, name: `${pod.name}-${String(obj.kind).toLowerCase()}` } : pod;
          try {
            model.addPod(added);
          } catch (e) {
            invalid('NetworkModel.fromManifests()', `${what}: ${(e as Error).message.replace(/^NetworkModel\.addPod\(\): /, '')}`);
          }
          const workload = `${added.namespace}/${obj.metadata?.name}`;
          model.podWorkloads.set(`${added.namespace}/${added.name}`, taken ? `${workload}-${String(obj.kind).toLowerCase()}` : workload);
          model.podWorkloadKinds.set(`${added.namespace}/${added.name}`, String(obj.kind));
          if (n === 0 && added.name !== obj.metadata?.name && !model.workloadAliases.has(workload)) {
            model.workloadAliases.set(workload, `${added.namespace}/${added.name}`);
          }
        });
      } else if (category === 'policy' || category === 'tier' || category === 'refused') {
        // Refused kinds go in too: addManifest refuses them, rather than a verdict ignoring them.
        model.addManifest(obj);
      }
    });
    return model;
  }

  private readonly namespaces = new Map<string, { labels: Record<string, string>; explicit: boolean }>();
  private readonly podEndpoints = new Map<string, PodEndpoint>();
  /**
   * "namespace/workload" -> its first pod, for workloads modelled as several pods (a StatefulSet's
   * replicas "db-0", "db-1", an Indexed Job's indexes): a probe may name the workload, as it could
   * when each workload was one pod, and is answered for that pod (the reasons name it).
   */
  private readonly workloadAliases = new Map<string, string>();
  /** The workload ("namespace/name") each pod of a workload manifest belongs to. */
  private readonly podWorkloads = new Map<string, string>();
  /** The kind of that workload ("Deployment"). */
  private readonly podWorkloadKinds = new Map<string, string>();
  /** Address -> "namespace/name". */
  private readonly podIps = new Map<string, string>();
  private readonly policies: KubernetesPolicy[] = [];
  private readonly ciliumPolicies: CiliumPolicy[] = [];
  private readonly calicoPolicies: CalicoPolicy[] = [];
  private readonly clusterPolicies: ClusterPolicy[] = [];
  private readonly tiers = new Map<string, { tier: CalicoTier; source: any }>();
  /** The CNI whose policies the model holds, and the first object that said so. */
  private cni?: { readonly name: 'Cilium' | 'Calico'; readonly first: string };
  /** The cluster's CNI as the options gave it. */
  private readonly clusterCni?: ClusterCni;
  /** `NetworkModelOptions.podCidrs`, parsed, and as given (for `_clone`). */
  private readonly podCidrs?: Cidr[];
  private readonly podCidrTexts?: string[];
  /** Addresses of the Kubernetes API server (canonical). */
  private readonly apiServers = new Set<string>();
  /** Those of them on the cluster's nodes. */
  private readonly apiServersOnNodes = new Set<string>();
  private readonly policyIds = new Set<string>();
  /** "namespace/name" -> the labels of a ServiceAccount object (`addServiceAccount`). */
  private readonly serviceAccounts = new Map<string, Readonly<Record<string, string>>>();
  /** `NetworkModelOptions.clusterName`. */
  private readonly clusterName: string;
  /** `NetworkModelOptions.calicoVersion`, as given. */
  private readonly calicoVersion?: string;
  /** What that Calico release decides. */
  private readonly calicoSemantics: CalicoSemantics;
  /** `NetworkModelOptions.evaluateStaged`. */
  private readonly evaluateStaged: boolean;
  private index?: Index;

  /**
   * An empty model.
   * @param options the cluster's CNI
   */
  constructor(options?: NetworkModelOptions) {
    checkModelOptions('new NetworkModel()', options);
    this.clusterCni = options?.cni;
    this.podCidrs = options?.podCidrs?.map((text) => parseCidr(text));
    this.podCidrTexts = options?.podCidrs === undefined ? undefined : [...options.podCidrs];
    this.clusterName = options?.clusterName ?? DEFAULT_CLUSTER_NAME;
    this.calicoVersion = options?.calicoVersion;
    this.calicoSemantics = calicoSemanticsOf(options?.calicoVersion);
    this.evaluateStaged = options?.evaluateStaged === true;
  }

  /**
   * Adds a namespace with its labels; `kubernetes.io/metadata.name` is added as the API server does.
   * @param labels the namespace's labels
   */
  public addNamespace(name: string, labels?: Record<string, string>): void {
    const where = 'NetworkModel.addNamespace()';
    checkNamespace(where, name, labels);
    if (this.namespaces.get(name)?.explicit) {
      invalid(where, `namespace ${show(name)} was already added`);
    }
    this.namespaces.set(name, { labels: { ...(labels ?? {}), [NAMESPACE_NAME_LABEL]: name }, explicit: true });
    this.index = undefined;
  }

  /**
   * Adds a ServiceAccount with its labels, which Calico's `serviceAccounts.selector` and
   * `serviceAccountSelector` match (the pods that run as it carry them under `pcsa.`). A namespace's
   * `default` account is known without it (Kubernetes creates it without labels); a policy reading
   * the labels of any other account the model lacks is refused.
   * @param labels the ServiceAccount's labels
   */
  public addServiceAccount(namespace: string, name: string, labels?: Record<string, string>): void {
    const where = 'NetworkModel.addServiceAccount()';
    checkServiceAccount(where, namespace, name, labels);
    const key = `${namespace}/${name}`;
    if (this.serviceAccounts.has(key)) {
      invalid(where, `ServiceAccount ${key} was already added`);
    }
    this.serviceAccounts.set(key, { ...(labels ?? {}) });
    this.index = undefined;
  }

  /** Adds a pod; its namespace is added (with only its name label) if the model lacks it. */
  public addPod(pod: PodEndpoint): void {
    const where = 'NetworkModel.addPod()';
    checkPod(where, pod);
    const ip = pod.ip === undefined ? undefined : canonicalIp(pod.ip);
    const id = `${pod.namespace}/${pod.name}`;
    if (this.podEndpoints.has(id)) {
      invalid(where, `pod ${id} was already added`);
    }
    if (ip !== undefined) {
      const owner = this.podIps.get(ip);
      if (owner) {
        invalid(where, `ip ${pod.ip} of ${id} is already the address of ${owner}`);
      }
      this.podIps.set(ip, id);
    }
    if (!this.namespaces.has(pod.namespace)) {
      this.namespaces.set(pod.namespace, { labels: { [NAMESPACE_NAME_LABEL]: pod.namespace }, explicit: false });
    }
    const endpoint = { ...pod, ip, labels: { ...(pod.labels ?? {}) }, ports: [...(pod.ports ?? [])] };
    this.podEndpoints.set(id, endpoint);
    if (this.index) {
      // A pod changes no policy and no other pod: the index grows in place instead of being
      // rebuilt (the synth-time proofs add pods between evaluations).
      this.indexPod(this.index, id, endpoint);
    }
  }

  /**
   * Adds a policy object (JSON): a `networking.k8s.io/v1` NetworkPolicy, a
   * `policy.networking.k8s.io/v1alpha2` ClusterNetworkPolicy, a `cilium.io/v2` CiliumNetworkPolicy
   * or CiliumClusterwideNetworkPolicy, or a `projectcalico.org/v3` NetworkPolicy,
   * GlobalNetworkPolicy or Tier. Cilium and Calico objects cannot share a model.
   */
  public addManifest(obj: any): void {
    const where = 'NetworkModel.addManifest()';
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      invalid(where, `${show(obj)} is not a manifest object`);
    }
    if (this.evaluateStaged) {
      try {
        obj = asEnforced(obj);
      } catch (e) {
        invalid(where, (e as Error).message);
      }
    }
    const kind = `${obj.apiVersion ?? '(no apiVersion)'} ${obj.kind ?? '(no kind)'}`;
    const named = `${kind} ${obj.metadata?.name ?? ''}`;
    const c = classify(obj);
    if (!isEvaluated(c)) {
      return invalid(where, notSupportedMessage(named, c));
    }
    // An object the API server would refuse never reaches a verdict (admission/admission.ts).
    const admission = admit(obj);
    if (admission.problems.length > 0) {
      invalid(where, admissionMessage(admission));
    }
    // Kubernetes policies combine with either CNI; Cilium's and Calico's claim the model.
    const cni = c.cni === 'Kubernetes' || c.cni === 'NetworkPolicyApi' ? undefined : c.cni;
    if (cni !== undefined && this.cni !== undefined && this.cni.name !== cni) {
      invalid(where, `${named} cannot join a model that holds ${this.cni.name} policies (${this.cni.first}): a cluster runs one CNI, ` +
        'so Cilium and Calico policies never apply together; model each cluster separately');
    }
    if (cni !== undefined && this.clusterCni !== undefined && this.clusterCni !== cni.toLowerCase()) {
      invalid(where, `${named} cannot join a model whose cni is ${show(this.clusterCni)}: ${cni} policies are enforced only by ${cni}; ` +
        `set cni to ${show(cni.toLowerCase())} or leave the object out`);
    }
    const unsupported = this.clusterPolicyRefusal(c.cni === 'NetworkPolicyApi' ? named.trim() : undefined, cni);
    if (unsupported !== undefined) {
      invalid(where, unsupported);
    }
    try {
      if (c.cni === 'Kubernetes') {
        const policy = new KubernetesPolicy(obj);
        this.claimId(`NetworkPolicy ${policy.id}`, `NetworkPolicy ${policy.id}`);
        this.policies.push(policy);
      } else if (c.cni === 'NetworkPolicyApi') {
        const policy = new ClusterPolicy(obj);
        this.claimId(policy.id, policy.id);
        this.clusterPolicies.push(policy);
      } else if (cni === 'Cilium') {
        const policy = new CiliumPolicy(obj);
        this.claimId(policy.id, policy.id);
        this.ciliumPolicies.push(policy);
      } else if (c.category === 'tier') {
        const tier = compileTier(obj);
        this.claimId(`Tier ${tier.name}`, `Tier ${tier.name}`);
        this.tiers.set(tier.name, { tier, source: obj });
      } else {
        const policy = new CalicoPolicy(obj, this.calicoSemantics);
        this.claimId(policy.id, policy.id);
        this.calicoPolicies.push(policy);
      }
    } catch (e) {
      return invalid(where, (e as Error).message);
    }
    if (cni !== undefined && this.cni === undefined) {
      this.cni = { name: cni, first: named.trim() };
    }
    this.index = undefined;
  }

  /**
   * Adds an address of the Kubernetes API server (`kubectl get endpoints kubernetes -n default`).
   * Probes to it reach an endpoint outside the cluster's pods that Cilium's `kube-apiserver`
   * entity matches (as do `world` and the address rules that cover it, as for any address outside
   * the cluster); without it that entity matches nothing. An API server on the cluster's nodes
   * (kubeadm, kind: Cilium gives it the `host` or `remote-node` identity as well) is no address
   * outside the cluster for Cilium: its `host`, `remote-node` and `cluster` entities match it, and
   * `world` and address rules (CIDR rules, ipBlocks) do not.
   * @param address an IPv4 or IPv6 address
   * @param onNodes the API server runs on the cluster's nodes (host network)
   */
  public addKubeApiServer(address: string, onNodes?: boolean): void {
    const where = 'NetworkModel.addKubeApiServer()';
    if (typeof address !== 'string' || ipFamily(address) === undefined) {
      invalid(where, `address ${show(address)} is not an IPv4 or IPv6 address; expected e.g. "10.96.0.1" or "172.18.0.2"`);
    }
    if (onNodes !== undefined && typeof onNodes !== 'boolean') {
      invalid(where, `onNodes ${show(onNodes)} is not true or false`);
    }
    const ip = canonicalIp(address);
    const pod = this.podIps.get(ip);
    if (pod) {
      invalid(where, `address ${address} is already the address of the pod ${pod}; the API server is an endpoint of its own`);
    }
    this.apiServers.add(ip);
    if (onNodes === true) {
      this.apiServersOnNodes.add(ip);
    }
  }

  /**
   * Why the model's CNI does not take its ClusterNetworkPolicies (docs/semantics/cluster.md#engines),
   * or undefined: Cilium enforces them only from 1.20 behind a flag, in a tier order the model's
   * Cilium semantics (1.19) do not have; Calico from 3.32.
   * @param adding the ClusterNetworkPolicy being added, if one is
   * @param addingCni the CNI of the policy being added, if it claims one
   */
  private clusterPolicyRefusal(adding: string | undefined, addingCni?: 'Cilium' | 'Calico'): string | undefined {
    const first = adding ?? this.clusterPolicies[0]?.id;
    if (first === undefined) {
      return undefined;
    }
    const cni = addingCni ?? this.cni?.name ?? (this.clusterCni === ClusterCni.CILIUM ? 'Cilium' : this.clusterCni === ClusterCni.CALICO ? 'Calico' : undefined);
    if (cni === 'Cilium') {
      return `${first}: ClusterNetworkPolicy under Cilium is not modelled: Cilium enforces it only from 1.20, with --enable-k8s-cluster-network-policy ` +
        '(and networks match pods only with policy-cidr-match-mode=pods), and the model evaluates Cilium 1.19\'s policies, which have no Admin or ' +
        'Baseline tier; use CiliumClusterwideNetworkPolicy deny rules for cluster-wide denies under Cilium (docs/semantics/cluster.md#cilium)';
    }
    if (cni === 'Calico' && !this.calicoSemantics.clusterNetworkPolicy) {
      return `${first}: Calico ${this.calicoSemantics.release} does not enforce ClusterNetworkPolicy (Calico enforces it from 3.32, in its kube-admin ` +
        'and kube-baseline tiers; earlier releases implement the v1alpha1 AdminNetworkPolicy instead): leave it out, or model Calico 3.32 or later';
    }
    return undefined;
  }

  private claimId(key: string, text: string): void {
    if (this.policyIds.has(key)) {
      throw new Error(`${text} was already added; two objects with one name cannot both exist`);
    }
    this.policyIds.add(key);
  }

  /**
   * The engine semantics the verdicts follow when the caller named them (a Calico release, a
   * Cilium cluster name) and the model's CNI reads them, for reports to record; undefined otherwise.
   * @internal
   */
  public _semanticsNote(): string | undefined {
    const cilium = this.cni?.name === 'Cilium' || this.clusterCni === ClusterCni.CILIUM;
    const calico = this.cni?.name === 'Calico' || this.clusterCni === ClusterCni.CALICO;
    const parts = [
      ...(cilium && this.clusterName !== DEFAULT_CLUSTER_NAME ? [`Cilium cluster name ${this.clusterName} (the io.cilium.k8s.policy.cluster label of every pod)`] : []),
      ...(calico && this.calicoVersion !== undefined ? [`Calico release ${this.calicoVersion} (its semantics: docs/semantics/calico.md#releases)`] : []),
    ];
    return parts.length > 0 ? `Verdicts for ${parts.join(' and ')}.` : undefined;
  }

  /**
   * A copy that can take extra pods without changing this model.
   * @internal
   */
  public _clone(): NetworkModel {
    const copy = new NetworkModel({
      cni: this.clusterCni,
      podCidrs: this.podCidrTexts,
      clusterName: this.clusterName,
      calicoVersion: this.calicoVersion,
      ...(this.evaluateStaged ? { evaluateStaged: true } : {}),
    });
    this.serviceAccounts.forEach((labels, key) => copy.serviceAccounts.set(key, labels));
    this.namespaces.forEach((value, key) => copy.namespaces.set(key, { labels: { ...value.labels }, explicit: value.explicit }));
    this.podEndpoints.forEach((value, key) => copy.podEndpoints.set(key, value));
    this.workloadAliases.forEach((value, key) => copy.workloadAliases.set(key, value));
    this.podWorkloads.forEach((value, key) => copy.podWorkloads.set(key, value));
    this.podWorkloadKinds.forEach((value, key) => copy.podWorkloadKinds.set(key, value));
    this.podIps.forEach((value, key) => copy.podIps.set(key, value));
    copy.policies.push(...this.policies);
    copy.ciliumPolicies.push(...this.ciliumPolicies);
    copy.calicoPolicies.push(...this.calicoPolicies);
    copy.clusterPolicies.push(...this.clusterPolicies);
    this.tiers.forEach((value, key) => copy.tiers.set(key, value));
    copy.cni = this.cni;
    this.apiServers.forEach((ip) => copy.apiServers.add(ip));
    this.apiServersOnNodes.forEach((ip) => copy.apiServersOnNodes.add(ip));
    this.policyIds.forEach((id) => copy.policyIds.add(id));
    return copy;
  }

  /**
   * A copy with the namespaces (and their labels) and pods of `other` that this model lacks: a
   * diff evaluates the policies of a side without workloads on the other side's pods.
   * @internal
   */
  public _withPodsOf(other: NetworkModel): NetworkModel {
    const copy = this._clone();
    other.namespaces.forEach((value, name) => {
      if (!copy.namespaces.has(name)) {
        copy.namespaces.set(name, { labels: { ...value.labels }, explicit: value.explicit });
      }
    });
    other.serviceAccounts.forEach((labels, key) => {
      if (!copy.serviceAccounts.has(key)) {
        copy.serviceAccounts.set(key, labels);
      }
    });
    other.podEndpoints.forEach((pod, id) => {
      if (!copy.podEndpoints.has(id)) {
        copy.addPod(pod);
        const workload = other.podWorkloads.get(id);
        if (workload !== undefined) {
          copy.podWorkloads.set(id, workload);
        }
      }
    });
    return copy;
  }

  /**
   * The policy objects of the model, of every engine (Tiers excluded).
   * @internal
   */
  public _policyObjects(): any[] {
    return [...this.policies, ...this.clusterPolicies, ...this.ciliumPolicies, ...this.calicoPolicies].map((p) => p.source);
  }

  /**
   * The workload ("namespace/name") a pod belongs to: the pods of one StatefulSet or Indexed Job
   * share it; a pod added alone is its own.
   * @internal
   */
  public _workloadOf(podId: string): string {
    return this.podWorkloads.get(podId) ?? podId;
  }

  /**
   * The kind of the workload manifest a pod comes from ("Deployment", "Pod"); undefined for a pod added alone.
   * @internal
   */
  public _workloadKindOf(podId: string): string | undefined {
    return this.podWorkloadKinds.get(podId);
  }

  /**
   * What the estate-wide connectivity asks: the evaluator as a side oracle, and the model's
   * endpoints ("namespace/pod" or an address) as the evaluators see them.
   * @internal
   */
  public _connectivityContext(): { oracle: SideOracle; endpoint(text: string): Endpoint } {
    const index = this.buildIndex();
    return { oracle: this.oracle(index), endpoint: (text) => this.resolve(index, text, 'to') };
  }

  /**
   * A pod of the model by "namespace/name".
   * @internal
   */
  public _pod(id: string): PodEndpoint | undefined {
    return this.podEndpoints.get(id);
  }

  /**
   * Whether the namespace was added with its labels (addNamespace, a Namespace manifest), not only
   * named by a pod.
   * @internal
   */
  public _namespaceExplicit(name: string): boolean {
    return this.namespaces.get(name)?.explicit ?? false;
  }

  /** The namespaces of the model, sorted. */
  public get namespaceNames(): string[] {
    return [...this.namespaces.keys()].sort();
  }

  /** The pods of the model as "namespace/name", sorted. */
  public get podIds(): string[] {
    return [...this.podEndpoints.keys()].sort();
  }

  /** Whether `probe.from` may open a connection to `probe.to` on the port, with the reasons. */
  public evaluate(probe: Probe): Verdict {
    const { allowed, reasons } = this._explain(probe);
    return { allowed, reasons };
  }

  /** Throws, with the verdict's reasons, unless the probe's connection is allowed. */
  public assertAllowed(probe: Probe): void {
    const verdict = this.evaluate(probe);
    if (!verdict.allowed) {
      throw new Error(`expected ${describeProbe(probe)} to be allowed, but it is denied:\n  ${verdict.reasons.join('\n  ')}`);
    }
  }

  /** Throws, with the verdict's reasons, unless the probe's connection is denied. */
  public assertDenied(probe: Probe): void {
    const verdict = this.evaluate(probe);
    if (verdict.allowed) {
      throw new Error(`expected ${describeProbe(probe)} to be denied, but it is allowed:\n  ${verdict.reasons.join('\n  ')}`);
    }
  }

  /**
   * `evaluate` with the decision of each side, for the synth-time proofs.
   * @internal
   */
  public _explain(probe: Probe): Verdict & { readonly sides: SideDecision[] } {
    const where = 'NetworkModel.evaluate()';
    const protocol = checkProbe(where, probe);
    const index = this.buildIndex();
    const from = this.resolve(index, probe.from, 'from');
    let to = this.resolve(index, probe.to, 'to');
    if (to.kind === 'name' && from.kind === 'pod') {
      to = { ...to, families: clientFamilies(from) };
    }
    if (from.kind !== 'pod' && to.kind !== 'pod') {
      invalid(where, `neither ${from.id} nor ${to.id} is a pod of the model; policies only govern traffic of pods`);
    }
    let http: L7Request | undefined;
    if (probe.http !== undefined) {
      if (protocol !== 'TCP') {
        invalid(where, `http is given with protocol ${protocol}; HTTP requests travel over TCP`);
      }
      http = checkHttpRequest(where, probe.http, to.kind === 'name' ? to.name : undefined);
    }
    if (from.kind === 'pod' && to.kind === 'pod' && from.id === to.id) {
      return { allowed: true, reasons: [`${from.id} to itself: a pod can always reach itself`], sides: [] };
    }
    const sides: SideDecision[] = [];
    const port = probe.port;
    const kubernetes = index.kubernetes;
    if (kubernetes) {
      // Kubernetes policies alone: no query objects, as this path decides estates of thousands of pods.
      if (from.kind === 'pod') {
        sides.push(kubernetes.decideSide(from, 'egress', to, to, port, protocol));
      }
      if (to.kind === 'pod') {
        sides.push(kubernetes.decideSide(to, 'ingress', from, to, port, protocol));
      }
    } else {
      if (from.kind === 'pod') {
        sides.push(index.evaluator.decide({ pod: from, direction: 'egress', other: to, destination: to, port, protocol, http }));
      }
      if (to.kind === 'pod') {
        sides.push(index.evaluator.decide({ pod: to, direction: 'ingress', other: from, destination: to, port, protocol, http }));
      }
    }
    return { allowed: sides.every((side) => side.allowed), reasons: sides.map((side) => side.reason), sides };
  }

  /**
   * The verdict for every port of TCP, UDP and SCTP between two endpoints ("namespace/pod" or an
   * IP address, one of them a pod), as segments covering 1-65535 per protocol: what the matrix and
   * `diff` report (connectivity/pair-connectivity.ts). A pod to itself: everything allowed, no sides.
   * @internal
   */
  public _segments(fromText: string, toText: string): Segment[] {
    const index = this.buildIndex();
    const from = this.resolve(index, fromText, 'from');
    const to = this.resolve(index, toText, 'to');
    if (from.kind !== 'pod' && to.kind !== 'pod') {
      invalid('NetworkModel', `neither ${from.id} nor ${to.id} is a pod of the model; policies only govern traffic of pods`);
    }
    if (from.kind === 'pod' && to.kind === 'pod' && from.id === to.id) {
      return PORT_PROTOCOLS.map((protocol) => ({ protocol, from: MIN_PORT, to: MAX_PORT, allowed: true, sides: [] }));
    }
    return pairSegments(this.oracle(index), from, to);
  }

  /** The evaluator as the pair connectivity asks it (made once per index). */
  private oracle(index: Index): SideOracle {
    if (index.oracle === undefined) {
      const { evaluator, kubernetes } = index;
      index.oracle = kubernetes ? {
        decide: kubernetes.decideSide.bind(kubernetes),
        portBounds: kubernetes.portBounds.bind(kubernetes),
        sidePolicies: kubernetes.sidePolicies.bind(kubernetes),
      } : {
        decide: (pod, direction, other, destination, port, protocol) => evaluator.decide({ pod, direction, other, destination, port, protocol }),
        portBounds: (pod, direction) => evaluator.portBounds(pod, direction),
        sidePolicies: (pod, direction) => evaluator.sidePolicies(pod, direction),
      };
    }
    return index.oracle;
  }

  private resolve(index: Index, text: string, prop: 'from' | 'to'): Endpoint {
    const where = 'NetworkModel.evaluate()';
    const expected = prop === 'to' ? 'neither "namespace/pod", an IP address nor a DNS name (e.g. "api.example.com")' : 'neither "namespace/pod" nor an IP address';
    if (typeof text !== 'string' || text.length === 0) {
      invalid(where, `${prop} ${show(text)} is ${expected}`);
    }
    if (text.includes('/')) {
      // A pod of that name first; else the first pod of a workload of that name (see workloadAliases).
      const pod = index.pods.get(text) ?? index.pods.get(this.workloadAliases.get(text) ?? '');
      if (!pod) {
        const known = [...index.pods.keys()].sort();
        invalid(where, `${prop} ${show(text)} is not a pod of the model; known pods: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}`);
      }
      return pod;
    }
    if (ipFamily(text) !== undefined) {
      const ip = canonicalIp(text);
      return index.podsByIp.get(ip) ?? {
        kind: 'external', id: text, ip, ...(this.apiServers.has(ip) ? { apiServer: true } : {}), ...(this.apiServersOnNodes.has(ip) ? { onNodes: true } : {}),
      };
    }
    if (dnsNameProblem(text) === undefined) {
      if (prop === 'from') {
        invalid(where, `from ${show(text)} is a DNS name, which can only be a destination (to): policies match names on egress; give the client's address`);
      }
      const name = normalizeDnsName(text);
      if (isClusterInternalName(name)) {
        invalid(where, `to ${show(text)} is a cluster-internal DNS name: it resolves to a Service's ClusterIP inside the cluster, which the model ` +
          'does not have (policies see the backing pods, after the Service is translated); probe the pod instead (to: "namespace/pod")');
      }
      return { kind: 'name', id: text, name };
    }
    return invalid(where, `${prop} ${show(text)} is ${expected}`);
  }

  private buildIndex(): Index {
    if (this.index) {
      return this.index;
    }
    // The evaluators see the policies by name, not in the order they were added: which policy a
    // reason names first (and which allow it credits, where several do) must not change when an
    // unrelated object moves in the input (a diff compares two inputs).
    const byId = <T extends { readonly id: string }>(list: readonly T[]): T[] => [...list].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const dnsPods: PodSide[] = [];
    let evaluator: SideEvaluator;
    let kubernetes: KubernetesEvaluator | undefined;
    const unsupported = this.clusterPolicyRefusal(undefined);
    if (unsupported !== undefined) {
      return invalid('NetworkModel.evaluate()', unsupported);
    }
    if (this.cni?.name === 'Cilium' || this.clusterCni === ClusterCni.CILIUM) {
      evaluator = buildCiliumEvaluator(byId(this.ciliumPolicies), byId(this.policies), () => (dnsPods.length > 0 ? dnsPods : [this.standInDns()]),
        () => this.apiServers.size > 0);
    } else if (this.cni?.name === 'Calico' || this.clusterCni === ClusterCni.CALICO) {
      const tiers = new Map<string, CalicoTier>();
      this.tiers.forEach(({ tier }, name) => tiers.set(name, tier));
      try {
        evaluator = buildCalicoEvaluator(byId(this.policies), byId(this.calicoPolicies), tiers, byId(this.clusterPolicies), this.calicoSemantics);
      } catch (e) {
        return invalid('NetworkModel.evaluate()', (e as Error).message);
      }
    } else {
      const byNamespace = groupBy(byId(this.policies), (p) => p.namespace);
      kubernetes = new KubernetesEvaluator((namespace) => byNamespace.get(namespace) ?? []);
      evaluator = kubernetes;
      if (this.clusterPolicies.length > 0) {
        // ClusterNetworkPolicies around the NetworkPolicies: the fast path (index.kubernetes) is for NetworkPolicies alone.
        evaluator = new ClusterTiersEvaluator(kubernetes, this.clusterPolicies);
        kubernetes = undefined;
      }
    }
    const index: Index = { pods: new Map(), podsByIp: new Map(), dnsPods, evaluator, kubernetes };
    for (const [id, pod] of this.podEndpoints) {
      this.indexPod(index, id, pod);
    }
    this.index = index;
    return index;
  }

  /** A ServiceAccount's labels: given, `{}` for an ungiven `default` account, else unknown. */
  private serviceAccountLabels(namespace: string, name: string): Readonly<Record<string, string>> | undefined {
    return this.serviceAccounts.get(`${namespace}/${name}`) ?? (name === DEFAULT_SERVICE_ACCOUNT ? {} : undefined);
  }

  /** A kube-dns pod for the DNS-proxy check when the model has none. */
  private standInDns(): PodSide {
    return {
      kind: 'pod',
      id: `${DNS_NAMESPACE}/kube-dns (stand-in)`,
      namespace: DNS_NAMESPACE,
      name: 'kube-dns',
      labels: { [DNS_LABEL[0]]: DNS_LABEL[1] },
      namespaceLabels: this.namespaces.get(DNS_NAMESPACE)?.labels ?? { [NAMESPACE_NAME_LABEL]: DNS_NAMESPACE },
      ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }],
      hostNetwork: false,
    };
  }

  private indexPod(index: Index, id: string, pod: PodEndpoint): void {
    const serviceAccount = pod.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT;
    const side: PodSide = {
      kind: 'pod',
      id,
      namespace: pod.namespace,
      name: pod.name,
      labels: pod.labels ?? {},
      namespaceLabels: this.namespaces.get(pod.namespace)!.labels,
      ip: pod.ip,
      ports: pod.ports ?? [],
      hostNetwork: pod.hostNetwork ?? false,
      ...(pod.ip === undefined && !pod.hostNetwork && this.podCidrs !== undefined ? { addressRanges: this.podCidrs } : {}),
      serviceAccount,
      serviceAccountLabels: this.serviceAccountLabels(pod.namespace, serviceAccount),
      cluster: this.clusterName,
    };
    index.pods.set(id, side);
    if (pod.ip !== undefined) {
      index.podsByIp.set(pod.ip, side);
    }
    if (side.namespace === DNS_NAMESPACE && side.labels[DNS_LABEL[0]] === DNS_LABEL[1] && !side.hostNetwork) {
      index.dnsPods.push(side);
    }
  }
}

/** "production/frontend -> production/api on TCP/8080" (and the HTTP request, if any). */
export function describeProbe(probe: Probe): string {
  const http = probe.http ? ` (HTTP ${probe.http.method} ${probe.http.path})` : '';
  return `${probe.from} -> ${probe.to} on ${probe.protocol ?? 'TCP'}/${probe.port}${http}`;
}

/**
 * The IP families a client pod may reach a DNS name over: both for a pod with an IPv6 address (a
 * dual-stack pod has one of each), IPv4 for one with an IPv4 address; a pod without an address
 * uses the families of the cluster's pod ranges (NetworkModelOptions.podCidrs), IPv4 without.
 */
function clientFamilies(pod: PodSide): readonly IpFamily[] {
  if (pod.ip !== undefined) {
    return ipFamily(pod.ip) === 6 ? [4, 6] : [4];
  }
  const families = [...new Set((pod.addressRanges ?? []).map((r) => r.family))].sort();
  return families.length > 0 ? families : [4];
}

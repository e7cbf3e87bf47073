import { ApiObject, Chart } from 'cdk8s';
import { Endpoint, PodSide } from './endpoint';
import { Direction, KubernetesPolicy } from './kubernetes';
import { ContainerPort, PodEndpoint, Probe, Verdict } from './types';
import { isWorkload, podOfWorkload, workloadProblem } from './workloads';
import { canonicalIp, ipFamily } from '../util/cidr';
import { dns1123LabelProblem, dns1123SubdomainProblem, ianaServiceNameProblem, labelKeyProblem, labelValueProblem } from '../util/names';
import { checkOptionsObject, invalid, isIntegerInRange, show } from '../util/validation';

/** The label the API server puts on every namespace. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
/** Policy kinds of other engines, refused clearly rather than ignored. */
const UNSUPPORTED_POLICY_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'GlobalNetworkPolicy', 'AdminNetworkPolicy', 'BaselineAdminNetworkPolicy'];

/** How one side of a connection was decided (for `_explain`). */
export interface SideDecision {
  readonly direction: Direction;
  /** "namespace/pod". */
  readonly pod: string;
  readonly allowed: boolean;
  /** Ids ("namespace/name") of the policies that isolate the pod in this direction. */
  readonly isolatedBy: string[];
  /** Id of the policy whose rule allowed, when one did. */
  readonly allowedBy?: string;
  readonly reason: string;
}

/** The keys of PodEndpoint. */
const POD_KEYS: Record<keyof PodEndpoint, true> = { namespace: true, name: true, labels: true, ip: true, ports: true, hostNetwork: true };

interface Index {
  readonly pods: Map<string, PodSide>;
  readonly podsByIp: Map<string, PodSide>;
  /** Per pod id and direction, the policies that isolate it (computed on first use). */
  readonly isolating: Map<string, KubernetesPolicy[]>;
  /** The policies of each namespace: a policy only ever selects pods of its own namespace. */
  readonly policiesByNamespace: Map<string, KubernetesPolicy[]>;
}

/**
 * Which pod can reach which, proven from the manifests alone: namespaces, pods and
 * `networking.k8s.io/v1` NetworkPolicies, evaluated with the Kubernetes semantics of
 * SEMANTICS.md §1 (isolation per direction, additive allows, policyTypes defaulting, AND inside
 * a peer and OR across peers, ipBlock with except, named ports resolved on the destination pod;
 * a connection needs the source's egress AND the destination's ingress).
 *
 * It reads manifests, never the library's intents, so it checks what is really emitted.
 */
export class NetworkModel {
  /** A model of a chart's policies, Namespace objects and the pods of its workloads. */
  public static fromChart(chart: Chart): NetworkModel {
    if (!(chart instanceof Chart)) {
      invalid('NetworkModel.fromChart()', `chart ${show(chart)} is not a cdk8s Chart`);
    }
    // The chart's API objects directly: chart.toJson() would also run the chart's validations.
    return NetworkModel.fromManifests(chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson()));
  }

  /**
   * A model of manifest objects: NetworkPolicies, Namespaces (with their labels) and the pods of
   * Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and CronJob
   * objects. Other kinds (Services, ConfigMaps, ...) do not affect connectivity and are skipped;
   * policies of other engines are refused.
   */
  public static fromManifests(objects: any[]): NetworkModel {
    if (!Array.isArray(objects)) {
      invalid('NetworkModel.fromManifests()', `objects ${show(objects)} is not a list of manifest objects`);
    }
    const model = new NetworkModel();
    for (const obj of objects) {
      if (obj?.kind === 'Namespace') {
        model.addNamespace(obj.metadata?.name, obj.metadata?.labels);
      }
    }
    objects.forEach((obj, i) => {
      if (obj?.kind === 'Namespace') {
        return;
      }
      if (isWorkload(obj)) {
        const what = `objects[${i}] (${obj.kind} ${obj.metadata?.namespace ?? 'default'}/${obj.metadata?.name})`;
        const problem = workloadProblem(obj);
        if (problem) {
          invalid('NetworkModel.fromManifests()', `${what}: ${problem}`);
        }
        const pod = podOfWorkload(obj);
        // A Job and a CronJob (or a Deployment and a StatefulSet) may share a name.
        const taken = model.podEndpoints.has(`${pod.namespace}/${pod.name}`);
        try {
          model.addPod(taken ? { ...pod, name: `${pod.name}-${String(obj.kind).toLowerCase()}` } : pod);
        } catch (e) {
          invalid('NetworkModel.fromManifests()', `${what}: ${(e as Error).message.replace(/^NetworkModel\.addPod\(\): /, '')}`);
        }
      } else if (obj?.kind === 'NetworkPolicy' || UNSUPPORTED_POLICY_KINDS.includes(obj?.kind)) {
        model.addManifest(obj);
      }
    });
    return model;
  }

  private readonly namespaces = new Map<string, { labels: Record<string, string>; explicit: boolean }>();
  private readonly podEndpoints = new Map<string, PodEndpoint>();
  /** Address -> "namespace/name". */
  private readonly podIps = new Map<string, string>();
  private readonly policies: KubernetesPolicy[] = [];
  private readonly policyIds = new Set<string>();
  private index?: Index;

  /**
   * Adds a namespace with its labels; `kubernetes.io/metadata.name` is added as the API server does.
   * @param labels the namespace's labels
   */
  public addNamespace(name: string, labels?: Record<string, string>): void {
    const where = 'NetworkModel.addNamespace()';
    const problem = dns1123LabelProblem(name);
    if (problem) {
      invalid(where, `name ${show(name)} is not a valid namespace name: ${problem}`);
    }
    checkLabelMap(where, 'labels', labels);
    if (this.namespaces.get(name)?.explicit) {
      invalid(where, `namespace ${show(name)} was already added`);
    }
    this.namespaces.set(name, { labels: { ...(labels ?? {}), [NAMESPACE_NAME_LABEL]: name }, explicit: true });
    this.index = undefined;
  }

  /** Adds a pod; its namespace is added (with only its name label) if the model lacks it. */
  public addPod(pod: PodEndpoint): void {
    const where = 'NetworkModel.addPod()';
    checkOptionsObject(where, 'pod', pod, POD_KEYS);
    const nsProblem = dns1123LabelProblem(pod.namespace);
    if (nsProblem) {
      invalid(where, `namespace ${show(pod.namespace)} is not a valid namespace name: ${nsProblem}`);
    }
    const nameProblem = dns1123SubdomainProblem(pod.name);
    if (nameProblem) {
      invalid(where, `name ${show(pod.name)} is not a valid pod name: ${nameProblem}`);
    }
    checkLabelMap(where, 'labels', pod.labels);
    if (pod.ip !== undefined && ipFamily(pod.ip) === undefined) {
      invalid(where, `ip ${show(pod.ip)} of ${pod.namespace}/${pod.name} is not an IPv4 or IPv6 address`);
    }
    if (pod.hostNetwork !== undefined && typeof pod.hostNetwork !== 'boolean') {
      invalid(where, `hostNetwork ${show(pod.hostNetwork)} of ${pod.namespace}/${pod.name} is not a boolean`);
    }
    const ip = pod.ip === undefined ? undefined : canonicalIp(pod.ip);
    if (pod.ports !== undefined && !Array.isArray(pod.ports)) {
      invalid(where, `ports ${show(pod.ports)} of ${pod.namespace}/${pod.name} is not a list; expected e.g. [{ port: 8080 }]`);
    }
    (pod.ports ?? []).forEach((port, i) => checkContainerPort(where, `ports[${i}] of ${pod.namespace}/${pod.name}`, port));
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

  /** Adds a policy object (JSON). Only `networking.k8s.io/v1` NetworkPolicy is understood yet. */
  public addManifest(obj: any): void {
    const where = 'NetworkModel.addManifest()';
    if (obj === null || typeof obj !== 'object') {
      invalid(where, `${show(obj)} is not a manifest object`);
    }
    if (obj.apiVersion !== 'networking.k8s.io/v1' || obj.kind !== 'NetworkPolicy') {
      invalid(where, `${obj.apiVersion ?? '(no apiVersion)'} ${obj.kind ?? '(no kind)'} ${obj.metadata?.name ?? ''} is not supported: ` +
        'the model evaluates networking.k8s.io/v1 NetworkPolicy only (Cilium and Calico semantics are not modelled yet)');
    }
    let policy: KubernetesPolicy;
    try {
      policy = new KubernetesPolicy(obj);
    } catch (e) {
      return invalid(where, (e as Error).message);
    }
    if (this.policyIds.has(policy.id)) {
      invalid(where, `NetworkPolicy ${policy.id} was already added; two objects with one name cannot both exist`);
    }
    this.policyIds.add(policy.id);
    this.policies.push(policy);
    this.index = undefined;
  }

  /**
   * A copy that can take extra pods without changing this model.
   * @internal
   */
  public _clone(): NetworkModel {
    const copy = new NetworkModel();
    this.namespaces.forEach((value, key) => copy.namespaces.set(key, { labels: { ...value.labels }, explicit: value.explicit }));
    this.podEndpoints.forEach((value, key) => copy.podEndpoints.set(key, value));
    this.podIps.forEach((value, key) => copy.podIps.set(key, value));
    copy.policies.push(...this.policies);
    this.policyIds.forEach((id) => copy.policyIds.add(id));
    return copy;
  }

  /**
   * The NetworkPolicy objects of the model.
   * @internal
   */
  public _policyObjects(): any[] {
    return this.policies.map((p) => p.source);
  }

  /**
   * A pod of the model by "namespace/name".
   * @internal
   */
  public _pod(id: string): PodEndpoint | undefined {
    return this.podEndpoints.get(id);
  }

  /**
   * The (protocol, port) pairs the policies name with a number: what a matrix probes on pods that
   * declare no container ports.
   * @internal
   */
  public _policyPorts(): { protocol: string; port: number }[] {
    const seen = new Map<string, { protocol: string; port: number }>();
    for (const policy of this.policies) {
      for (const p of policy.numberedPorts()) {
        seen.set(`${p.protocol}/${p.port}`, p);
      }
    }
    return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
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
    if (probe === null || typeof probe !== 'object') {
      invalid(where, `probe ${show(probe)} is not a Probe { from, to, port, protocol? }`);
    }
    if (!isIntegerInRange(probe.port, 1, 65535)) {
      invalid(where, `port ${show(probe.port)} is not a valid port; expected an integer from 1 to 65535`);
    }
    const protocol = probe.protocol ?? 'TCP';
    if (!PROTOCOLS.includes(protocol)) {
      invalid(where, `protocol ${show(probe.protocol)} is not one of ${PROTOCOLS.join(', ')}`);
    }
    const index = this.buildIndex();
    const from = this.resolve(index, probe.from, 'from');
    const to = this.resolve(index, probe.to, 'to');
    if (from.kind === 'external' && to.kind === 'external') {
      invalid(where, `neither ${from.id} nor ${to.id} is a pod of the model; policies only govern traffic of pods`);
    }
    if (from.kind === 'pod' && to.kind === 'pod' && from.id === to.id) {
      return { allowed: true, reasons: [`${from.id} to itself: a pod can always reach itself`], sides: [] };
    }
    const sides: SideDecision[] = [];
    if (from.kind === 'pod') {
      sides.push(this.decide(index, from, 'egress', to, to, probe.port, protocol));
    }
    if (to.kind === 'pod') {
      sides.push(this.decide(index, to, 'ingress', from, to, probe.port, protocol));
    }
    return { allowed: sides.every((side) => side.allowed), reasons: sides.map((side) => side.reason), sides };
  }

  /** Decides one side: the pod's isolating policies and whether one of their rules allows. */
  private decide(index: Index, pod: PodSide, direction: Direction, other: Endpoint, destination: Endpoint,
    port: number, protocol: string): SideDecision {
    const side = `${direction} of ${pod.id}`;
    if (pod.hostNetwork) {
      return { direction, pod: pod.id, allowed: true, isolatedBy: [], reason: `${side}: allowed, the pod uses the node's network, where NetworkPolicy does not apply` };
    }
    const isolating = this.isolatingPolicies(index, pod, direction);
    const isolatedBy = isolating.map((p) => p.id);
    if (isolating.length === 0) {
      const reason = `${side}: allowed, not isolated (no policy selects it for ${direction === 'ingress' ? 'Ingress' : 'Egress'})`;
      return { direction, pod: pod.id, allowed: true, isolatedBy, reason };
    }
    const names = isolatedBy.join(', ');
    for (const policy of isolating) {
      const rule = policy.allowingRule(direction, other, destination, port, protocol);
      if (rule !== undefined) {
        return { direction, pod: pod.id, allowed: true, isolatedBy, allowedBy: policy.id, reason: `${side}: allowed by ${rule}; isolated by ${names}` };
      }
    }
    const reason = `${side}: denied, isolated by ${names} and no rule of these allows ${protocol}/${port} ${direction === 'ingress' ? 'from' : 'to'} ${other.id}`;
    return { direction, pod: pod.id, allowed: false, isolatedBy, reason };
  }

  private isolatingPolicies(index: Index, pod: PodSide, direction: Direction): KubernetesPolicy[] {
    const key = `${direction} ${pod.id}`;
    let found = index.isolating.get(key);
    if (!found) {
      found = (index.policiesByNamespace.get(pod.namespace) ?? []).filter((p) => p.isolatesPod(pod, direction));
      index.isolating.set(key, found);
    }
    return found;
  }

  private resolve(index: Index, text: string, prop: 'from' | 'to'): Endpoint {
    const where = 'NetworkModel.evaluate()';
    if (typeof text !== 'string' || text.length === 0) {
      invalid(where, `${prop} ${show(text)} is neither "namespace/pod" nor an IP address`);
    }
    if (text.includes('/')) {
      const pod = index.pods.get(text);
      if (!pod) {
        const known = [...index.pods.keys()].sort();
        invalid(where, `${prop} ${show(text)} is not a pod of the model; known pods: ${known.slice(0, 20).join(', ')}${known.length > 20 ? ', ...' : ''}`);
      }
      return pod;
    }
    if (ipFamily(text) === undefined) {
      invalid(where, `${prop} ${show(text)} is neither "namespace/pod" nor an IP address`);
    }
    const ip = canonicalIp(text);
    return index.podsByIp.get(ip) ?? { kind: 'external', id: text, ip };
  }

  private buildIndex(): Index {
    if (this.index) {
      return this.index;
    }
    const policiesByNamespace = new Map<string, KubernetesPolicy[]>();
    for (const policy of this.policies) {
      const list = policiesByNamespace.get(policy.namespace);
      if (list) {
        list.push(policy);
      } else {
        policiesByNamespace.set(policy.namespace, [policy]);
      }
    }
    const index: Index = { pods: new Map(), podsByIp: new Map(), isolating: new Map(), policiesByNamespace };
    for (const [id, pod] of this.podEndpoints) {
      this.indexPod(index, id, pod);
    }
    this.index = index;
    return index;
  }

  private indexPod(index: Index, id: string, pod: PodEndpoint): void {
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
    };
    index.pods.set(id, side);
    if (pod.ip !== undefined) {
      index.podsByIp.set(pod.ip, side);
    }
  }
}

function checkLabelMap(where: string, prop: string, labels: Record<string, string> | undefined): void {
  if (labels === undefined) {
    return;
  }
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    invalid(where, `${prop} ${show(labels)} is not a label map`);
  }
  for (const [key, value] of Object.entries(labels)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) {
      invalid(where, `${prop} ${show(key)}=${show(value)} is not a valid label: ${problem}`);
    }
  }
}

function checkContainerPort(where: string, prop: string, port: ContainerPort): void {
  if (port === null || typeof port !== 'object' || !isIntegerInRange(port.port, 1, 65535)) {
    invalid(where, `${prop} ${show(port)} needs a port number from 1 to 65535`);
  }
  if (port.name !== undefined) {
    const problem = ianaServiceNameProblem(port.name);
    if (problem) {
      invalid(where, `${prop} name ${show(port.name)} is not a valid port name: ${problem}`);
    }
  }
  if (port.protocol !== undefined && !PROTOCOLS.includes(port.protocol)) {
    invalid(where, `${prop} protocol ${show(port.protocol)} is not one of ${PROTOCOLS.join(', ')}`);
  }
}

/** "production/frontend -> production/api on TCP/8080". */
export function describeProbe(probe: Probe): string {
  return `${probe.from} -> ${probe.to} on ${probe.protocol ?? 'TCP'}/${probe.port}`;
}

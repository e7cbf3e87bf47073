import { Chart } from 'cdk8s';
import { FlowLog } from './flow-log';
import { namespaceLabelUse } from './namespace-label-keys';
import { FlowEndpoint, ObservedFlow, describeEndpoint } from './observed-flow';
import { SYNTH_REPLAY } from './synth-replay';
import { registerCheck } from '../../synth/app-checks';
import { canonicalIp } from '../../util/cidr';
import { invalid, show } from '../../util/validation';
import { NetworkModel } from '../model';
import { checkModelOptions } from '../model-input';
import { refName } from '../report/diff';
import { SideDecision } from '../semantics/decision';
import { isStagedPolicy } from '../staged';
import { NetworkModelOptions, Probe } from '../types';

/** The observed flows between two workloads that the policies would deny, on one port. */
export interface DeniedFlowGroup {
  /** The client: "namespace/workload" (the pod when the flow names no workload) or an address. */
  readonly from: string;
  /** The server, likewise; an address outside the cluster is given with the DNS names it had. */
  readonly to: string;
  /** "TCP/5432". */
  readonly port: string;
  /** How many distinct flows (pod pairs, HTTP requests) the group holds. */
  readonly flows: number;
  /** How many records of the input they are. */
  readonly count: number;
  /**
   * When the group was first seen (RFC 3339).
   * @default - the input has no times
   */
  readonly firstSeen?: string;
  /**
   * When it was last seen (RFC 3339).
   * @default - the input has no times
   */
  readonly lastSeen?: string;
  /** The policies that isolate the pods and deny the flows ("NetworkPolicy shop/db"), each once. */
  readonly isolatedBy: string[];
  /** Why the first flow of the group is denied, naming the policies and rules (NetworkModel's reasons). */
  readonly reasons: string[];
  /** Where the flows were read ("file:line"), the first three. */
  readonly sources: string[];
}

/** An observed flow the replay could not evaluate, with why: it counts as a failure, not as allowed. */
export interface UnevaluatedFlow {
  /** The client, as DeniedFlowGroup names it. */
  readonly from: string;
  /** The server. */
  readonly to: string;
  /** "TCP/5432". */
  readonly port: string;
  /** Why it could not be evaluated. */
  readonly problem: string;
  /** Where it was read ("file:line"). */
  readonly source: string;
}

/** What a replay found. */
export interface FlowReplayResult {
  /** The distinct observed flows replayed. */
  readonly flows: number;
  /** How many of them the policies allow. */
  readonly allowed: number;
  /** The distinct flows the policies would deny. */
  readonly deniedFlows: number;
  /** The denied flows, grouped by workload pair and port, most records first. */
  readonly denied: DeniedFlowGroup[];
  /** Flows that could not be evaluated (a pod the manifests lack and the flow gives no labels of, ...). */
  readonly unevaluated: UnevaluatedFlow[];
  /** What the replay assumed or could not know (namespaces without labels, records not replayed). */
  readonly notes: string[];
}

/**
 * How controllers name their pods, after `<workload>-`: a Deployment's ReplicaSet adds its
 * pod-template-hash, then each ReplicaSet, DaemonSet, Job or ReplicationController 5 random
 * characters; a StatefulSet its ordinal; a CronJob its Job's scheduled time (minutes), then 5.
 */
const CONTROLLER_POD_NAMES: Record<string, RegExp> = {
  Deployment: /^[a-z0-9]{6,10}-[a-z0-9]{5}$/,
  ReplicaSet: /^[a-z0-9]{5}$/,
  DaemonSet: /^[a-z0-9]{5}$/,
  Job: /^[a-z0-9]{5}$/,
  ReplicationController: /^[a-z0-9]{5}$/,
  StatefulSet: /^(0|[1-9][0-9]{0,4})$/,
  CronJob: /^[0-9]{8,10}-[a-z0-9]{5}$/,
};

/** The denied groups a result lists in full; the rest are counted. */
const MAX_SOURCES = 3;

/**
 * Replays observed flows (a `FlowLog` of Hubble, Calico or CSV input) against policies: which of
 * the connections that happened would the policies deny? Each flow is evaluated by the
 * `NetworkModel` (the verdict a cluster with these policies would give), its pods as the flow saw
 * them: their labels, namespace labels and ServiceAccount when the flow carries them (Hubble
 * does), else the manifests' pod or workload of that name. A flow that cannot be evaluated is
 * reported, never counted as allowed.
 *
 *   const replay = FlowReplay.fromManifests(objects, { cni: ClusterCni.CILIUM });
 *   const result = replay.replay([FlowLog.fromFile('flows.jsonl')]);
 *   expect(result.denied).toEqual([]);
 */
export class FlowReplay {
  /**
   * A replay against manifest objects (as `NetworkModel.fromManifests` reads them).
   * @param objects the policies, namespaces and workloads
   * @param options the cluster's CNI and semantics
   */
  public static fromManifests(objects: any[], options?: NetworkModelOptions): FlowReplay {
    checkModelOptions('FlowReplay.fromManifests()', options);
    const replay = new FlowReplay(NetworkModel.fromManifests(objects, options));
    const staged = options?.evaluateStaged === true || !Array.isArray(objects) ? 0 : objects.filter(isStagedPolicy).length;
    if (staged > 0) {
      replay.notes.push(`${staged} staged polic${staged === 1 ? 'y is' : 'ies are'} not enforced, so the replay leaves them out; ` +
        'evaluate them as enforced (NetworkModelOptions.evaluateStaged, --evaluate-staged) to see what they would deny');
    }
    return replay;
  }

  /**
   * A replay against a model built otherwise (`NetworkModel.fromChart`, or pods added by hand).
   * The model is not changed: the flows' pods are added to a copy.
   */
  public static fromModel(model: NetworkModel): FlowReplay {
    if (!(model instanceof NetworkModel)) {
      invalid('FlowReplay.fromModel()', `model ${show(model)} is not a NetworkModel`);
    }
    return new FlowReplay(model);
  }

  /**
   * Replays the app of `chart` at synth (`cdk8s synth`, `app.synth()`) against the flow files the
   * context key `cdk8s-netpol/replay-flows` names (a file, or a list): each workload pair whose
   * observed flows the app's policies would deny is a warning, or with
   * `cdk8s-netpol/replay-denied: "fail"` an error that fails synthesis. The library's constructs
   * register this for their charts; call it for charts of hand-written policies. Without the
   * context key it does nothing.
   */
  public static validateChart(chart: Chart): void {
    if (!(chart instanceof Chart)) {
      invalid('FlowReplay.validateChart()', `chart ${show(chart)} is not a cdk8s Chart`);
    }
    registerCheck(chart, SYNTH_REPLAY);
  }

  /** What the replay says of its manifests whatever the flows (staged policies left out). */
  private readonly notes: string[] = [];

  private constructor(private readonly base: NetworkModel) {}

  /**
   * Evaluates every flow of the logs.
   * @param logs the observed flows
   */
  public replay(logs: FlowLog[]): FlowReplayResult {
    const where = 'FlowReplay.replay()';
    if (!Array.isArray(logs) || logs.some((l) => !(l instanceof FlowLog))) {
      invalid(where, `logs ${show(logs)} is not a list of FlowLog (FlowLog.fromFile, FlowLog.parse)`);
    }
    const flows = logs.flatMap((l) => l.flows);
    // Every pod of the flows goes into the model before the first verdict: one index build, and
    // verdicts that do not depend on the order of the records.
    const session = new ReplaySession(this.base._clone(), flows);
    const notes = new Set<string>([...this.notes, ...session.notes]);
    const groups = new Map<string, MutableGroup>();
    const unevaluated: UnevaluatedFlow[] = [];
    let allowed = 0;
    let deniedFlows = 0;
    for (const flow of flows) {
      const port = `${flow.protocol}/${flow.port}`;
      const from = describeEndpoint(flow.from);
      const to = describeEndpoint(flow.to);
      const outcome = session.evaluate(flow);
      outcome.notes.forEach((n) => notes.add(n));
      if ('problem' in outcome) {
        unevaluated.push({ from, to, port, problem: outcome.problem, source: flow.source });
        continue;
      }
      if (outcome.allowed) {
        allowed++;
        continue;
      }
      deniedFlows++;
      const key = JSON.stringify([from, to, port]);
      let group = groups.get(key);
      if (group === undefined) {
        group = { from, to, port, flows: 0, count: 0, isolatedBy: new Set(), reasons: outcome.reasons, sources: [] };
        groups.set(key, group);
      }
      group.flows++;
      group.count += flow.count;
      if (flow.firstSeen !== undefined) {
        group.firstSeen = group.firstSeen === undefined || flow.firstSeen < group.firstSeen ? flow.firstSeen : group.firstSeen;
        group.lastSeen = group.lastSeen === undefined || flow.lastSeen! > group.lastSeen ? flow.lastSeen : group.lastSeen;
      }
      outcome.isolatedBy.forEach((p) => group!.isolatedBy.add(p));
      if (group.sources.length < MAX_SOURCES) {
        group.sources.push(flow.source);
      }
    }
    for (const log of logs) {
      for (const { reason, count } of log.ignored) {
        notes.add(`${log.name}: ${count} record(s) not replayed: ${reason}`);
      }
      if (log.malformedTotal > 0) {
        notes.add(`${log.name}: ${log.malformedTotal} malformed line(s) skipped (the first: ${log.malformed[0].source}: ${log.malformed[0].problem})`);
      }
    }
    const denied = [...groups.values()]
      .map((g): DeniedFlowGroup => ({
        from: g.from,
        to: g.to,
        port: g.port,
        flows: g.flows,
        count: g.count,
        ...(g.firstSeen !== undefined ? { firstSeen: g.firstSeen, lastSeen: g.lastSeen } : {}),
        isolatedBy: [...g.isolatedBy].sort(),
        reasons: g.reasons,
        sources: g.sources,
      }))
      .sort((a, b) => b.count - a.count || a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.port.localeCompare(b.port));
    return { flows: flows.length, allowed, deniedFlows, denied, unevaluated, notes: [...notes] };
  }
}

/** A verdict of the session: the policies that applied to either side (by refKey) say which namespace labels it rests on. */
interface CachedVerdict {
  readonly allowed: boolean;
  readonly reasons: string[];
  readonly isolatedBy: string[];
  readonly applied: string[];
  /** Why the model could not decide a side (it then fails closed): the replay says so instead of "denied". */
  readonly undecided?: string;
}

const CLUSTER_SCOPED = new Set(['GlobalNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'ClusterNetworkPolicy', 'Tier']);

/** A policy's identity, as its reference in decisions gives it. */
function refKey(ref: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return JSON.stringify([ref.apiVersion, ref.kind, ref.namespace ?? null, ref.name]);
}

/** A policy object's identity, as `refKey` gives its reference. */
function sourceKey(obj: any): string {
  const namespace = CLUSTER_SCOPED.has(obj?.kind) ? null : obj?.metadata?.namespace ?? 'default';
  return JSON.stringify([obj?.apiVersion, obj?.kind, namespace, obj?.metadata?.name]);
}

/** Why a verdict rests on namespace labels nobody gave (neither the manifests nor the flows, or the flows gave several). */
function unknownLabels(namespace: string, who: string, keys: string[]): string {
  const labels = keys.includes('*') ? 'labels (a Calico selector the replay could not read)' : keys.join(', ');
  return `the labels of namespace ${namespace} are unknown (neither the manifests nor the flows give them, or they changed during the ` +
    `recording), and ${who} by ${labels}: add the Namespace manifest of ${namespace}`;
}

/** The key of a pod end: the same pod as the flows saw it. */
function podKey(e: FlowEndpoint): string {
  return JSON.stringify([e.namespace, e.pod ?? null, e.workload ?? null, e.labels ?? null, e.serviceAccount ?? null]);
}

interface MutableGroup {
  from: string;
  to: string;
  port: string;
  flows: number;
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  isolatedBy: Set<string>;
  reasons: string[];
  sources: string[];
}

type Outcome = { readonly notes: string[] } & (
  | { readonly allowed: boolean; readonly reasons: string[]; readonly isolatedBy: string[] }
  | { readonly problem: string });

/**
 * The model of one replay: the flows' pods are added as they come (once each), and verdicts are
 * cached by probe, so a replay costs one evaluation per distinct connection.
 */
class ReplaySession {
  /** What the session assumed while adding the flows' pods (namespaces without labels, pods matched by name). */
  public readonly notes: string[] = [];
  /** "namespace/pod" of the flows' pods in the model, by the flow's pod key. */
  private readonly pods = new Map<string, string | { problem: string }>();
  private readonly verdicts = new Map<string, CachedVerdict>();
  private readonly namespacesWithoutLabels = new Set<string>();
  /** Addresses a pod of the flows may be given: seen for that pod only, never for another end, and no manifest pod's. */
  private readonly ownIps = new Map<string, string>();
  private readonly apiServers = new Set<string>();
  /** The manifests' pods by namespace, for the container ports of the flows' pods. */
  private readonly manifestPods: Map<string, string[]>;
  /** The namespace labels that decide which pods a policy applies to: a pod whose namespace's labels are unknown cannot be decided. */
  private readonly subjectKeys: string[];
  /** The namespace labels each policy's allowing rules select by, by its reference: a denial by these policies needs them. */
  private readonly allowKeysByPolicy = new Map<string, string[]>();
  /** The namespace labels any policy's denying rules select by: an allowed verdict needs them. */
  private readonly denyKeys: string[];
  /** Namespaces whose labels neither the manifests nor the flows give. */
  private readonly unlabelled = new Set<string>();

  constructor(private readonly model: NetworkModel, flows: readonly ObservedFlow[]) {
    this.manifestPods = new Map();
    const taken = new Set<string>();
    for (const id of model.podIds) {
      const pod = model._pod(id)!;
      this.manifestPods.set(pod.namespace, [...(this.manifestPods.get(pod.namespace) ?? []), id]);
      if (pod.ip !== undefined) {
        taken.add(canonicalIp(pod.ip));
      }
    }
    const subject = new Set<string>();
    const deny = new Set<string>();
    for (const source of model._policyObjects()) {
      const use = namespaceLabelUse(source);
      use.subjectKeys.forEach((k) => subject.add(k));
      use.denyKeys.forEach((k) => deny.add(k));
      if (use.allowKeys.length > 0) {
        this.allowKeysByPolicy.set(sourceKey(source), use.allowKeys);
      }
    }
    this.subjectKeys = [...subject].sort();
    this.denyKeys = [...deny].sort();
    // An address reused (a pod replaced, a pod's address seen as the world's) belongs to no one
    // pod: giving it to one would make the verdicts depend on the order of the records.
    const owners = new Map<string, Set<string>>();
    for (const flow of flows) {
      for (const e of [flow.from, flow.to]) {
        if (e.ip !== undefined) {
          const owner = e.namespace !== undefined && e.labels !== undefined ? podKey(e) : 'not a pod of the flows';
          owners.set(e.ip, (owners.get(e.ip) ?? new Set()).add(owner));
        }
      }
    }
    owners.forEach((set, ip) => {
      if (set.size === 1 && !set.has('not a pod of the flows') && !taken.has(ip)) {
        this.ownIps.set(ip, [...set][0]);
      }
    });
    // The namespaces' labels the flows give, before any pod is added: one label set each, or,
    // when they changed during the recording, none (a verdict resting on them is not decided).
    const namespaceLabels = new Map<string, Map<string, Record<string, string>>>();
    for (const flow of flows) {
      for (const e of [flow.from, flow.to]) {
        if (e.namespace !== undefined && e.namespaceLabels !== undefined && !model._namespaceExplicit(e.namespace)) {
          const sets = namespaceLabels.get(e.namespace) ?? new Map();
          sets.set(JSON.stringify(Object.entries(e.namespaceLabels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), e.namespaceLabels);
          namespaceLabels.set(e.namespace, sets);
        }
      }
    }
    namespaceLabels.forEach((sets, namespace) => {
      if (sets.size === 1) {
        model.addNamespace(namespace, [...sets.values()][0]);
      } else {
        this.notes.push(`namespace ${namespace}: its labels changed during the recording (${sets.size} label sets); a flow whose verdict ` +
          'rests on them is not evaluated');
        this.namespacesWithoutLabels.add(namespace);
      }
    });
    for (const flow of flows) {
      this.endpoint(flow.from, this.notes);
      this.endpoint(flow.to, this.notes);
    }
  }

  evaluate(flow: ObservedFlow): Outcome {
    const notes: string[] = [];
    const from = this.endpoint(flow.from, notes);
    const to = this.endpoint(flow.to, notes);
    if (typeof from !== 'string') {
      return { problem: `its client ${describeEndpoint(flow.from)} ${from.problem}`, notes };
    }
    if (typeof to !== 'string') {
      return { problem: `its server ${describeEndpoint(flow.to)} ${to.problem}`, notes };
    }
    const probe: Probe = { from, to, port: flow.port, protocol: flow.protocol, ...(flow.http ? { http: flow.http } : {}) };
    try {
      let verdict = this.verdict(probe);
      // An address outside the cluster that the client found by a DNS name: Cilium's toFQDNs
      // rules allow it by that name (the DNS proxy learnt the address from the answer).
      if (!verdict.allowed && flow.to.namespace === undefined) {
        for (const name of flow.to.dnsNames ?? []) {
          const byName = this.verdict({ ...probe, to: name });
          if (byName.allowed) {
            verdict = byName;
            break;
          }
        }
      }
      if (verdict.undecided !== undefined && !verdict.allowed) {
        return { problem: `cannot be decided: ${verdict.undecided}`, notes };
      }
      // The labels of a namespace nobody gave could turn the verdict: an allowed flow by a deny
      // rule on them (of any policy: one whose rules did not match is in no decision), a denied
      // one by an allow rule of the policies that decided it.
      const unknown = [flow.from.namespace, flow.to.namespace].find((ns): ns is string => ns !== undefined && this.unlabelled.has(ns));
      if (unknown !== undefined) {
        const keys = verdict.allowed ? this.denyKeys : [...new Set(verdict.applied.flatMap((ref) => this.allowKeysByPolicy.get(ref) ?? []))].sort();
        if (keys.length > 0) {
          const who = verdict.allowed ? 'deny rules select namespaces' : 'the policies that deny it allow namespaces';
          return { problem: `cannot be decided: ${unknownLabels(unknown, who, keys)}`, notes };
        }
      }
      return { allowed: verdict.allowed, reasons: verdict.reasons, isolatedBy: verdict.isolatedBy, notes };
    } catch (e) {
      return { problem: `cannot be evaluated: ${String((e as Error)?.message ?? e).replace(/^NetworkModel\.[a-zA-Z]+\(\): /, '')}`, notes };
    }
  }

  private verdict(probe: Probe): CachedVerdict {
    const key = JSON.stringify([probe.from, probe.to, probe.port, probe.protocol, probe.http ?? null]);
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      const explained = this.model._explain(probe);
      const denying = explained.sides.filter((s: SideDecision) => !s.allowed);
      verdict = {
        allowed: explained.allowed,
        reasons: explained.reasons,
        isolatedBy: [...new Set(denying.flatMap((s) => [...(s.deniedBy ? [s.deniedBy] : []), ...s.isolatedBy]).map(refName))],
        applied: [...new Set(explained.sides.flatMap((s) => [...s.isolatedBy, ...(s.allowedBy ? [s.allowedBy] : []),
          ...(s.deniedBy ? [s.deniedBy] : [])]).map(refKey))],
        ...(explained.sides.some((s) => s.undecided !== undefined)
          ? { undecided: explained.sides.map((s) => s.undecided).filter((u): u is string => u !== undefined).join('; ') } : {}),
      };
      this.verdicts.set(key, verdict);
    }
    return verdict;
  }

  /** The probe text of an end ("namespace/pod" or an address), or why there is none. */
  private endpoint(e: FlowEndpoint, notes: string[]): string | { problem: string } {
    if (e.reserved?.startsWith('ambiguous ')) {
      // A Whisker end without a type: a pod when the manifests hold one of that name (or its
      // controller's), else perhaps a NetworkSet, not decided.
      const [namespace, name] = e.reserved.slice('ambiguous '.length).split('/');
      const id = this.endpoint({ namespace, pod: name }, notes);
      return typeof id === 'string' || !id.problem.startsWith('is not a pod or workload of the manifests') ? id : {
        problem: 'may be a pod or a NetworkSet (Calico Whisker gives no endpoint type), and the manifests hold no pod or workload of that name; ' +
          'replay Calico\'s flows.log or Goldmane\'s records, which say, or add the manifest',
      };
    }
    if (e.namespace === undefined) {
      return this.address(e);
    }
    const key = podKey(e);
    let id = this.pods.get(key);
    if (id === undefined) {
      try {
        id = this.podOf(e, notes);
      } catch (err) {
        // The flow's labels or names are no valid Kubernetes ones: the model refuses the pod.
        id = { problem: `cannot be added to the model: ${String((err as Error)?.message ?? err).replace(/^NetworkModel\.[a-zA-Z]+\(\): /, '')}` };
      }
      if (typeof id === 'string' && !this.model._namespaceExplicit(e.namespace)) {
        this.unlabelled.add(e.namespace);
        if (this.subjectKeys.length > 0) {
          // Whether a policy applies to the pod at all rests on labels nobody gave: not decided.
          id = { problem: `cannot be decided: ${unknownLabels(e.namespace, 'policies choose the pods they apply to', this.subjectKeys)}` };
        }
      }
      this.pods.set(key, id);
    }
    return id;
  }

  /** An end that is no pod: an address (the API server's, for Cilium's kube-apiserver entity), or why it cannot be evaluated. */
  private address(e: FlowEndpoint): string | { problem: string } {
    switch (e.reserved) {
      case undefined:
        return e.ip ?? { problem: 'has no address' };
      case 'node':
      case 'remote-node':
        return { problem: 'is a node (Cilium\'s host or remote-node identity): the model has no nodes, and policies select them by entity, not by address' };
      case 'host-endpoint':
        return { problem: 'is a Calico host endpoint (a node): the model has no nodes, and whether a node reaches its own pods is not a policy\'s decision' };
      case 'kube-apiserver':
        if (e.ip === undefined) {
          return { problem: 'is the API server (Cilium\'s kube-apiserver identity), but the flow gives no address' };
        }
        if (!this.apiServers.has(e.ip)) {
          this.apiServers.add(e.ip);
          this.model.addKubeApiServer(e.ip, e.onNodes === true);
        }
        return e.ip;
      default:
        if (e.reserved.startsWith('network ')) {
          return {
            problem: 'has no address: the flow log aggregated it away (Calico writes pub/pvt for addresses outside the cluster unless ' +
              'flowLogsFileAggregationKindForAllowed is 0; Whisker never gives them)',
          };
        }
        if (e.reserved.startsWith('cluster ')) {
          return { problem: `is a pod of another cluster (${e.reserved}, Cluster Mesh): the model holds one cluster` };
        }
        return { problem: `has Cilium's reserved:${e.reserved} identity, which no address rule matches and the model does not evaluate` };
    }
  }

  private podOf(e: FlowEndpoint, notes: string[]): string | { problem: string } {
    const namespace = e.namespace!;
    const named = e.pod ?? e.workload!;
    if (e.labels === undefined) {
      // No labels (CSV, Calico flows without them, a Hubble export with a field mask): the
      // manifests must hold the pod, its workload (by the flow's workload or name), or a workload
      // whose controller names its pods so (checked below).
      const ids = this.manifestPods.get(namespace) ?? [];
      const workloadId = e.workload !== undefined ? `${namespace}/${e.workload}` : undefined;
      const id = ids.find((i) => i === `${namespace}/${named}`) ?? ids.find((i) => this.model._workloadOf(i) === `${namespace}/${named}`) ??
        (workloadId !== undefined ? ids.find((i) => this.model._workloadOf(i) === workloadId) : undefined) ??
        this.byControllerName(namespace, named, ids, notes);
      return id ?? {
        problem: `is not a pod or workload of the manifests, and the flow gives no labels (what policies select): add the manifest of ${namespace}/${named}, ` +
          'or replay flows that carry labels (Hubble)',
      };
    }
    if (!this.model._namespaceExplicit(namespace)) {
      if (!this.namespacesWithoutLabels.has(namespace)) {
        this.namespacesWithoutLabels.add(namespace);
        notes.push(`namespace ${namespace}: neither the manifests nor the flows give its labels; only kubernetes.io/metadata.name is assumed, ` +
          'so namespace selectors on other labels do not select it');
      }
    }
    let name = e.pod ?? `${e.workload}-observed`;
    while (this.model._pod(`${namespace}/${name}`) !== undefined) {
      name = `${name}-observed`;
    }
    const template = this.templatePod(namespace, e);
    const serviceAccount = e.serviceAccount ?? template?.serviceAccount;
    const ip = e.ip !== undefined && this.ownIps.get(e.ip) === podKey(e) ? e.ip : undefined;
    this.model.addPod({
      namespace,
      name,
      labels: e.labels,
      ...(ip !== undefined ? { ip } : {}),
      ...(template?.ports !== undefined && template.ports.length > 0 ? { ports: template.ports } : {}),
      ...(serviceAccount !== undefined ? { serviceAccount } : {}),
    });
    return `${namespace}/${name}`;
  }

  /**
   * The manifests' pod of the one workload whose controller gives its pods this name (a
   * Deployment's `<name>-<pod-template-hash>-<5 characters>`, a StatefulSet's `<name>-<ordinal>`,
   * ...); none when no workload, or more than one, fits.
   */
  private byControllerName(namespace: string, pod: string, ids: string[], notes: string[]): string | undefined {
    const fits = new Map<string, string>();
    for (const id of ids) {
      const workload = this.model._workloadOf(id);
      const pattern = CONTROLLER_POD_NAMES[this.model._workloadKindOf(id) ?? ''];
      const name = workload.slice(namespace.length + 1);
      if (pattern !== undefined && pod.startsWith(`${name}-`) && pattern.test(pod.slice(name.length + 1))) {
        fits.set(workload, fits.get(workload) ?? id);
      }
    }
    if (fits.size !== 1) {
      return undefined;
    }
    const [[workload, id]] = [...fits.entries()];
    notes.push(`pod ${namespace}/${pod}: the flow gives no labels; taken as a pod of ${workload} (its controller names its pods so)`);
    return id;
  }

  /**
   * The manifests' pod the observed pod was made from (its container ports, named ports
   * included, and ServiceAccount): the pod of the flow's workload, else the one whose labels are
   * the most specific subset of the observed pod's; none when two are equally specific.
   */
  private templatePod(namespace: string, e: FlowEndpoint) {
    const ids = this.manifestPods.get(namespace) ?? [];
    if (e.workload !== undefined) {
      const own = ids.find((id) => this.model._workloadOf(id) === `${namespace}/${e.workload}`);
      if (own !== undefined) {
        return this.model._pod(own);
      }
    }
    const labels = e.labels ?? {};
    let best: { pod: ReturnType<NetworkModel['_pod']>; size: number; tie: boolean } | undefined;
    for (const id of ids) {
      const pod = this.model._pod(id)!;
      const own = pod.labels ?? {};
      const size = Object.keys(own).length;
      if (size > 0 && Object.entries(own).every(([k, v]) => labels[k] === v)) {
        if (best === undefined || size > best.size) {
          best = { pod, size, tie: false };
        } else if (size === best.size) {
          best.tie = true;
        }
      }
    }
    return best !== undefined && !best.tie ? best.pod : undefined;
  }
}

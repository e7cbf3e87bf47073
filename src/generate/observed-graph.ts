import { FlowEndpoint, ObservedFlow } from '../analysis/flows/observed-flow';
import { ipFamily } from '../util/cidr';
import { dns1123LabelProblem, labelKeyProblem, labelValueProblem, toDnsLabel } from '../util/names';

// What the observed flows say about an application: its workloads (by their stable labels) and
// who called whom on which ports. The data behind `cdk8s-netpol generate`; rendered as a program
// by typescript-program.ts.

/** The engines a program can be generated for. */
export type GeneratedEngine = 'kubernetes' | 'cilium' | 'calico';

/** Namespaces whose pods are peers by default, never given policies of a generated program unless named. */
export const SYSTEM_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'calico-system', 'calico-apiserver',
  'tigera-operator', 'cilium', 'cilium-secrets', 'gatekeeper-system', 'cert-manager'];

/**
 * Labels the controllers set per pod or per rollout: a selector on them stops matching at the
 * next rollout (or matches one pod), so workloads are never identified by them.
 */
const UNSTABLE_LABELS = new Set(['pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'statefulset.kubernetes.io/pod-name',
  'apps.kubernetes.io/pod-index', 'controller-uid', 'batch.kubernetes.io/controller-uid', 'job-name', 'batch.kubernetes.io/job-name',
  'batch.kubernetes.io/job-completion-index', 'job-completion-index',
  // What a release changes: a Helm chart's version, the application's version.
  'helm.sh/chart', 'chart', 'app.kubernetes.io/version']);

/** Labels a selector uses only when nothing else tells the workloads apart (a canary's version). */
const LAST_RESORT = new Set(['version', 'app.kubernetes.io/managed-by', 'heritage', 'release']);

/** The label keys that usually name a workload, tried first for its selector. */
const NAMING_KEYS = ['app.kubernetes.io/name', 'app', 'k8s-app', 'name', 'app.kubernetes.io/instance', 'app.kubernetes.io/component',
  'component', 'role', 'tier', 'class'];

/** A workload as the flows show it: a group of pods with the same stable labels in one namespace. */
export interface ObservedWorkload {
  readonly namespace: string;
  /** Unique in the graph, a DNS label: "web", or "shop-web" when two namespaces have a "web". */
  name: string;
  /** Its stable labels (the controllers' per-rollout labels left out), common to every pod observed. */
  labels: Record<string, string>;
  /** What identifies it while the flows are read: its controller, or its labels. */
  readonly key: string;
  /** Why no label selector selects it without another observed workload; set once selectors are chosen. */
  unselectable?: string;
  /** The labels that select it: the fewest that tell it apart from the namespace's other workloads. */
  selector: Record<string, string>;
  /** Whether the program gives it policies (its namespace is in scope), or names it as a peer only. */
  readonly inScope: boolean;
  /** The ports it was reached on, "TCP/8080". */
  readonly ports: Set<string>;
  /** The pods observed, for the program's comments (the first few). */
  readonly pods: Set<string>;
}

/** An outside address a workload reached or was reached from. */
export interface ObservedAddress {
  readonly ip: string;
  /** The DNS names the client resolved it from (Hubble's destination_names). */
  readonly dnsNames: string[];
  /** The API server's addresses (Cilium's kube-apiserver identity), all of them one peer. */
  readonly apiServer?: Set<string>;
}

/** One dependency: who reached whom on which ports, how often and when. */
export interface ObservedDependency {
  readonly from: ObservedWorkload | ObservedAddress;
  readonly to: ObservedWorkload | ObservedAddress;
  readonly ports: Set<string>;
  /** How many records. */
  count: number;
  /** How many distinct flows. */
  flows: number;
  first?: string;
  last?: string;
}

/** What generation left out, with why: shown as comments and on stderr. */
export interface LeftOut {
  readonly reason: string;
  readonly count: number;
  /** A few examples, "shop/web -> 10.0.0.1 TCP/443". */
  readonly examples: string[];
}

/** How the graph is built. */
export interface ObservedGraphOptions {
  /** The namespaces to give policies; the others' pods are peers. Default: every namespace observed but SYSTEM_NAMESPACES. */
  readonly namespaces?: readonly string[];
  /** The engine: on Cilium, an address reached by a DNS name is allowed by that name. */
  readonly engine: GeneratedEngine;
}

export function isWorkload(e: ObservedWorkload | ObservedAddress): e is ObservedWorkload {
  return (e as ObservedWorkload).namespace !== undefined;
}

/** The workloads and dependencies of observed flows. */
export class ObservedGraph {
  public readonly workloads: ObservedWorkload[] = [];
  public readonly dependencies: ObservedDependency[] = [];
  /** The namespaces given policies, sorted. */
  public readonly namespaces: string[];
  public readonly flows: number;
  public first?: string;
  public last?: string;

  private readonly leftOutByReason = new Map<string, { count: number; examples: string[] }>();
  private readonly byLabels = new Map<string, ObservedWorkload>();
  private readonly addresses = new Map<string, ObservedAddress>();
  private readonly dependencyIndex = new Map<string, ObservedDependency>();
  private readonly scope?: Set<string>;

  constructor(flows: readonly ObservedFlow[], private readonly options: ObservedGraphOptions) {
    this.scope = options.namespaces !== undefined ? new Set(options.namespaces) : undefined;
    this.flows = flows.length;
    for (const flow of flows) {
      this.add(flow);
    }
    // Names first: the messages of what is left out name the workloads as the program would.
    this.chooseNames();
    this.chooseSelectors();
    this.dropUnselectable();
    this.namespaces = [...new Set(this.workloads.filter((w) => w.inScope).map((w) => w.namespace))].sort();
    this.workloads.sort((a, b) => Number(b.inScope) - Number(a.inScope) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
    this.dependencies.sort((a, b) => describe(a.from).localeCompare(describe(b.from)) || describe(a.to).localeCompare(describe(b.to)));
  }

  /** What was left out, by why. */
  public get leftOut(): LeftOut[] {
    return [...this.leftOutByReason.entries()].map(([reason, { count, examples }]) => ({ reason, count, examples }));
  }

  private add(flow: ObservedFlow): void {
    const port = `${flow.protocol}/${flow.port}`;
    const route = `${describeEnd(flow.from)} -> ${describeEnd(flow.to)} ${port}`;
    // One reason per flow: the first end that cannot be named leaves it out.
    const from = this.end(flow.from, route);
    const to = from === undefined ? undefined : this.end(flow.to, route);
    if (from === undefined || to === undefined) {
      return;
    }
    const inScope = (e: ObservedWorkload | ObservedAddress) => isWorkload(e) && e.inScope;
    if (!inScope(from) && !inScope(to)) {
      this.leaveOut('connections between namespaces that get no policies (name them with --namespace to include them)', route);
      return;
    }
    if (inScope(from) && isWorkload(to) && !to.inScope && isKubeDns(to, flow)) {
      // The DNS rules of the ZeroTrustNamespace and the graph allow it already (kube-dns itself gets no policy).
      this.leaveOut('DNS to kube-dns (the DNS rules of the ZeroTrustNamespace and the graph allow it)', route);
      return;
    }
    if (isWorkload(to)) {
      to.ports.add(port);
    }
    const key = JSON.stringify([keyOf(from), keyOf(to)]);
    let dependency = this.dependencyIndex.get(key);
    if (dependency === undefined) {
      dependency = { from, to, ports: new Set(), count: 0, flows: 0 };
      this.dependencyIndex.set(key, dependency);
      this.dependencies.push(dependency);
    }
    dependency.ports.add(port);
    dependency.count += flow.count;
    dependency.flows++;
    if (flow.firstSeen !== undefined) {
      dependency.first = dependency.first === undefined || flow.firstSeen < dependency.first ? flow.firstSeen : dependency.first;
      dependency.last = dependency.last === undefined || flow.lastSeen! > dependency.last ? flow.lastSeen : dependency.last;
      this.first = this.first === undefined || flow.firstSeen < this.first ? flow.firstSeen : this.first;
      this.last = this.last === undefined || flow.lastSeen! > this.last ? flow.lastSeen : this.last;
    }
  }

  private end(e: FlowEndpoint, route: string): ObservedWorkload | ObservedAddress | undefined {
    if (e.namespace === undefined) {
      if (e.reserved === 'kube-apiserver' && e.ip !== undefined) {
        let server = this.addresses.get('kube-apiserver');
        if (server === undefined) {
          server = { ip: e.ip, dnsNames: [], apiServer: new Set() };
          this.addresses.set('kube-apiserver', server);
        }
        server.apiServer!.add(e.ip);
        return server;
      }
      if (e.ip === undefined || e.reserved !== undefined) {
        this.leaveOut('ends that are nodes or addresses the flow log aggregated away (policies of pods do not name them)', route);
        return undefined;
      }
      const names = [...(e.dnsNames ?? [])].sort();
      // On Cilium an address found by a DNS name is allowed by that name: its addresses are one peer.
      const key = this.options.engine === 'cilium' && names.length > 0 ? JSON.stringify(['name', names[0]]) : JSON.stringify([e.ip, names]);
      let address = this.addresses.get(key);
      if (address === undefined) {
        address = { ip: e.ip, dnsNames: names };
        this.addresses.set(key, address);
      }
      return address;
    }
    if (dns1123LabelProblem(e.namespace) !== undefined ||
      Object.entries(e.labels ?? {}).some(([k, v]) => labelKeyProblem(k) !== undefined || labelValueProblem(v) !== undefined)) {
      this.leaveOut('pods whose namespace or labels are no valid Kubernetes names (a policy could not select them)', route);
      return undefined;
    }
    if (e.labels === undefined) {
      this.leaveOut('pods without labels (CSV, Calico records without them): a policy selects pods by their labels, not by their names', route);
      return undefined;
    }
    const labels = Object.fromEntries(Object.entries(e.labels).filter(([k]) => !UNSTABLE_LABELS.has(k)).sort(([a], [b]) => a.localeCompare(b)));
    if (Object.keys(labels).length === 0) {
      this.leaveOut('pods whose only labels are the controllers\' per-rollout ones: nothing stable selects them; label them', route);
      return undefined;
    }
    // One workload per controller (its pods' labels may differ across a rollout: the labels all
    // of them share select it); without a controller, per label set.
    const key = JSON.stringify(e.workload !== undefined ? [e.namespace, 'controller', e.workload] : [e.namespace, 'labels', labels]);
    let workload = this.byLabels.get(key);
    if (workload === undefined) {
      workload = {
        namespace: e.namespace,
        name: nameOf(e, labels),
        labels,
        key,
        selector: labels,
        inScope: this.scope !== undefined ? this.scope.has(e.namespace) : !SYSTEM_NAMESPACES.includes(e.namespace),
        ports: new Set(),
        pods: new Set(),
      };
      this.byLabels.set(key, workload);
      this.workloads.push(workload);
    } else {
      const common = workload.labels;
      workload.labels = Object.fromEntries(Object.entries(common).filter(([k, v]) => labels[k] === v));
    }
    if (e.pod !== undefined && workload.pods.size < 3) {
      workload.pods.add(e.pod);
    }
    return workload;
  }

  /**
   * For each workload, labels that select it and no other observed workload of its namespace:
   * its naming label (app, app.kubernetes.io/name, ...), and the labels that tell it apart from
   * the workloads sharing that one. A workload whose labels all belong to another's too (a
   * subset: `app: web` beside `app: web, track: canary`) has no such selector: a policy for it
   * would apply to the other one as well, so it is marked unselectable.
   */
  private chooseSelectors(): void {
    const byNamespace = new Map<string, ObservedWorkload[]>();
    this.workloads.forEach((w) => byNamespace.set(w.namespace, [...(byNamespace.get(w.namespace) ?? []), w]));
    const selects = (selector: Record<string, string>, w: ObservedWorkload) => Object.entries(selector).every(([k, v]) => w.labels[k] === v);
    for (const workload of this.workloads) {
      const others = byNamespace.get(workload.namespace)!.filter((w) => w !== workload);
      if (Object.keys(workload.labels).length === 0) {
        workload.unselectable = 'its pods share no stable label (their labels changed during the recording)';
        continue;
      }
      const superset = others.find((o) => selects(workload.labels, o));
      if (superset !== undefined) {
        workload.unselectable = `every label of it is also a label of ${superset.namespace}/${superset.name}: a selector for it would select those pods too; ` +
          'give its pods a label of their own';
        continue;
      }
      const keys = Object.keys(workload.labels).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
      const selector: Record<string, string> = {};
      for (const key of keys) {
        if (Object.keys(selector).length > 0 && !others.some((o) => selects(selector, o))) {
          break;
        }
        // The naming label first; then a label only when it rules out another workload.
        if (Object.keys(selector).length === 0 || others.some((o) => selects(selector, o) && o.labels[key] !== workload.labels[key])) {
          selector[key] = workload.labels[key];
        }
      }
      workload.selector = selector;
    }
  }

  /** Leaves out the dependencies of workloads no selector selects exactly, and those workloads. */
  private dropUnselectable(): void {
    const dropped = new Set(this.workloads.filter((w) => w.unselectable !== undefined));
    if (dropped.size === 0) {
      return;
    }
    for (const d of [...this.dependencies]) {
      const w = [d.from, d.to].find((e): e is ObservedWorkload => isWorkload(e) && dropped.has(e));
      if (w !== undefined) {
        this.leaveOut(`workloads no label selector selects alone (${w.namespace}/${w.name}: ${w.unselectable})`,
          `${describe(d.from)} -> ${describe(d.to)} ${[...d.ports].join(', ')}`, d.flows);
        this.dependencies.splice(this.dependencies.indexOf(d), 1);
      }
    }
    this.workloads.splice(0, this.workloads.length, ...this.workloads.filter((w) => !dropped.has(w)));
  }

  /** Graph names: the workload's name, its namespace added when two namespaces have one of that name, then a number. */
  private chooseNames(): void {
    const count = new Map<string, number>();
    this.workloads.forEach((w) => count.set(w.name, (count.get(w.name) ?? 0) + 1));
    const taken = new Set<string>();
    for (const workload of this.workloads) {
      let name = count.get(workload.name)! > 1 ? toDnsLabel(`${workload.namespace}-${workload.name}`) : workload.name;
      if (name in Object.prototype) {
        // "constructor" and the like cannot be construct ids.
        name = `${name}-workload`;
      }
      for (let i = 2; taken.has(name); i++) {
        name = toDnsLabel(`${workload.name}-${i}`);
      }
      taken.add(name);
      workload.name = name;
    }
  }

  private leaveOut(reason: string, example: string, count: number = 1): void {
    const entry = this.leftOutByReason.get(reason) ?? { count: 0, examples: [] };
    entry.count += count;
    if (entry.examples.length < 3) {
      entry.examples.push(example);
    }
    this.leftOutByReason.set(reason, entry);
  }
}

/** Whether a flow is DNS to kube-dns, which the ZeroTrustNamespace's and the graph's DNS rules allow. */
function isKubeDns(to: ObservedWorkload, flow: ObservedFlow): boolean {
  return to.namespace === 'kube-system' && to.labels['k8s-app'] === 'kube-dns' && flow.port === 53 && (flow.protocol === 'UDP' || flow.protocol === 'TCP');
}

/** A workload's name: the controller's (Hubble's workloads, Calico's aggregated names), else a naming label, else the pod's. */
function nameOf(e: FlowEndpoint, labels: Record<string, string>): string {
  const candidates = [e.workload, ...NAMING_KEYS.slice(0, 4).map((k) => labels[k]), e.pod];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate !== '') {
      const name = dns1123LabelProblem(candidate) === undefined ? candidate : toDnsLabel(candidate);
      if (name !== '') {
        return name;
      }
    }
  }
  return 'workload';
}

function keyOf(e: ObservedWorkload | ObservedAddress): string {
  return isWorkload(e) ? `w:${e.key}` : e.apiServer !== undefined ? 'kube-apiserver' : `a:${e.ip}:${e.dnsNames.join(',')}`;
}

/** The order a selector takes labels in: naming labels first, a release's last. */
function rank(key: string): number {
  const naming = NAMING_KEYS.indexOf(key);
  return naming >= 0 ? naming : LAST_RESORT.has(key) ? 1000 : 100;
}

/** "shop/web" or "203.0.113.10". */
export function describe(e: ObservedWorkload | ObservedAddress): string {
  return isWorkload(e) ? `${e.namespace}/${e.name}` : e.apiServer !== undefined ? 'the API server' : e.ip;
}

function describeEnd(e: FlowEndpoint): string {
  return e.namespace !== undefined ? `${e.namespace}/${e.workload ?? e.pod ?? '?'}` : e.ip ?? e.reserved ?? '?';
}

/** The prefix length of one address: /32 or /128. */
export function hostPrefix(ip: string): number {
  return ipFamily(ip) === 6 ? 128 : 32;
}

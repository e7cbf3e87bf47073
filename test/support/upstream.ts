/**
 * The upstream policy sets (unedited copies of public example applications and their authors'
 * network policies, described in ../shared/upstream/README.md), for the tests that compare the
 * examples reproducing them with the originals. They are read in place, never copied into the
 * project. Where ../shared/upstream is absent, the tests that need it are skipped with one
 * message instead of failing.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { sharedPart } from './shared';
import { ContainerPort, HttpRequest, NetworkModel, PodEndpoint } from '../../src';

const UPSTREAM = sharedPart('upstream');
/** ../shared/upstream beside the checkout (see test/support/shared.ts), whether or not it is there. */
export const UPSTREAM_DIR = UPSTREAM.dir;

/** Whether the upstream copies are there (test/support/global-setup.ts says once per run when they are not). */
export function upstreamAvailable(): boolean {
  return UPSTREAM.present;
}

/** `describe` when the upstream copies are there, else `describe.skip`. */
export function describeUpstream(title: string, body: () => void): void {
  (upstreamAvailable() ? describe : describe.skip)(title, body);
}

/**
 * The objects of upstream YAML files (paths below ../shared/upstream, a folder standing for its
 * .yaml files in name order), in order, empty documents left out.
 */
export function readUpstream(...relative: string[]): any[] {
  return relative.flatMap((rel) => {
    const full = path.join(UPSTREAM_DIR, rel);
    const files = fs.statSync(full).isDirectory()
      ? fs.readdirSync(full).filter((f) => f.endsWith('.yaml')).sort().map((f) => path.join(full, f))
      : [full];
    return files.flatMap((file) => parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc, i) => {
      if (doc.errors.length > 0) {
        throw new Error(`${file} document #${i} is not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      }
      return doc.toJSON();
    }).filter((obj) => obj !== null && obj !== undefined));
  });
}

/** A namespace-less upstream object placed in `namespace`, as `kubectl apply -n` (or kustomize) does. */
export function inNamespace(obj: any, namespace: string): any {
  return obj.metadata?.namespace ? obj : { ...obj, metadata: { ...obj.metadata, namespace } };
}

/** A Deployment or Pod, reduced to what decides its pods' connectivity and identity. */
export interface WorkloadSummary {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  readonly replicas: number;
  readonly labels: Record<string, string>;
  readonly containers: { name: string; image: string; ports: ContainerPort[] }[];
}

/** The Deployments and Pods of `objects` (the namespace-less ones in `namespace`), summarized. */
export function workloadSummaries(objects: any[], namespace: string): WorkloadSummary[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Pod').map((o) => {
    const template = o.kind === 'Pod' ? o : o.spec.template;
    return {
      kind: o.kind,
      namespace: o.metadata.namespace ?? namespace,
      name: o.metadata.name,
      replicas: o.kind === 'Pod' ? 1 : o.spec.replicas ?? 1,
      labels: { ...(template.metadata?.labels ?? {}) },
      containers: (template.spec.containers ?? []).map((c: any) => ({
        name: c.name,
        image: c.image,
        ports: (c.ports ?? []).map((p: any): ContainerPort => ({
          port: p.containerPort,
          ...(p.protocol ? { protocol: p.protocol } : {}),
          ...(p.name ? { name: p.name } : {}),
        })),
      })),
    };
  }).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

/**
 * The pods of the workloads: one per replica (`<name>-0`, `<name>-1`, ... when there are
 * several, else the workload's name), with the pod template's labels and the containers' ports.
 */
export function podsOf(workloads: WorkloadSummary[]): PodEndpoint[] {
  return workloads.flatMap((w) => Array.from({ length: w.replicas }, (_, i) => ({
    namespace: w.namespace,
    name: w.replicas > 1 ? `${w.name}-${i}` : w.name,
    labels: w.labels,
    ports: w.containers.flatMap((c) => c.ports),
  })));
}

/** One probe of a comparison: a pod (namespace/name) or an address on each end. */
export interface ComparedFlow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: string;
  readonly http?: HttpRequest;
}

/** "boutique/frontend -> boutique/cartservice TCP/7070", with " POST /path" for an HTTP request. */
export function flowKey({ from, to, port, protocol, http }: ComparedFlow): string {
  return `${from} -> ${to} ${protocol}/${port}${http ? ` ${http.method} ${http.path}` : ''}`;
}

/** Options of `flowsAmong`. */
export interface FlowsOptions {
  /** Addresses outside the cluster, probed both ways on `addressPort` (into the pods: on their ports). */
  readonly addresses: string[];
  /** The port probed on the addresses, e.g. TCP/443 for "the internet". */
  readonly addressPort: number;
  /** The port probed on pods that declare none. */
  readonly defaultPort: number;
  /** HTTP requests also sent to a pod's TCP port (each a flow of its own, beside the L4 one). */
  readonly http?: (to: PodEndpoint, port: number) => HttpRequest[];
}

/**
 * Every flow to compare: each ordered pair of distinct pods on every port the destination
 * declares (`defaultPort` over TCP when it declares none), each pod to each address on
 * `addressPort`, and each address to each pod on its ports.
 */
export function flowsAmong(pods: PodEndpoint[], options: FlowsOptions): ComparedFlow[] {
  const id = (pod: PodEndpoint) => `${pod.namespace}/${pod.name}`;
  const portsOf = (pod: PodEndpoint) => (pod.ports && pod.ports.length > 0
    ? pod.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }))
    : [{ port: options.defaultPort, protocol: 'TCP' }]);
  const into = (from: string, to: PodEndpoint): ComparedFlow[] => portsOf(to).flatMap(({ port, protocol }) => [
    { from, to: id(to), port, protocol },
    ...(protocol === 'TCP' && options.http ? options.http(to, port).map((http) => ({ from, to: id(to), port, protocol, http })) : []),
  ]);
  return [
    ...pods.flatMap((from) => pods.filter((to) => to !== from).flatMap((to) => into(id(from), to))),
    ...pods.flatMap((from) => options.addresses.map((to) => ({ from: id(from), to, port: options.addressPort, protocol: 'TCP' }))),
    ...options.addresses.flatMap((from) => pods.flatMap((to) => into(from, to))),
  ];
}

/** How the flows of two models differ: flow key -> "upstream allowed, example denied" (or the reverse). */
export function flowDifferences(upstream: NetworkModel, example: NetworkModel, flows: ComparedFlow[]): Record<string, string> {
  const verdict = (model: NetworkModel, flow: ComparedFlow) => (model.evaluate({ ...flow }).allowed ? 'allowed' : 'denied');
  const differences: Record<string, string> = {};
  for (const flow of flows) {
    const [theirs, ours] = [verdict(upstream, flow), verdict(example, flow)];
    if (theirs !== ours) {
      differences[flowKey(flow)] = `upstream ${theirs}, example ${ours}`;
    }
  }
  return differences;
}

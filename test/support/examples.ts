/**
 * What the example tests share: synthesizing examples/<name>/main.ts in the test process (the way
 * `npx projen synth-examples` does: CDK8S_OUTDIR pointing at a fresh directory, then `require`),
 * reading back what it wrote, and asserting key flows in a NetworkModel.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { HttpRequest, NetworkModel, NetworkModelOptions, PodEndpoint } from '../../src';

export const EXAMPLES_DIR = path.resolve(__dirname, '..', '..', 'examples');

/** What one example wrote: the file names and every object of every file, in order. */
export interface Synthesized {
  readonly files: string[];
  readonly objects: any[];
  /** The objects of each file. */
  readonly byFile: ReadonlyMap<string, any[]>;
}

/** The example folders (those holding a main.ts), sorted. */
export function exampleNames(): string[] {
  return fs.readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(EXAMPLES_DIR, entry.name, 'main.ts')))
    .map((entry) => entry.name)
    .sort();
}

function readManifests(file: string): any[] {
  return parseAllDocuments(fs.readFileSync(file, 'utf8')).map((doc, i) => {
    if (doc.errors.length > 0) {
      throw new Error(`${file} document #${i} is not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    }
    return doc.toJSON();
  }).filter((obj) => obj !== null && obj !== undefined);
}

const cache = new Map<string, Synthesized>();

/** Synthesizes examples/<name>/main.ts in this process into a temp dir (once per example and test file). */
export function synthExample(name: string): Synthesized {
  const cached = cache.get(name);
  if (cached) {
    return cached;
  }
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `cdk8s-netpol-example-${name}-`));
  const previous = process.env.CDK8S_OUTDIR;
  try {
    process.env.CDK8S_OUTDIR = outdir;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path.join(EXAMPLES_DIR, name, 'main.ts'));
    });
    const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml')).sort();
    const byFile = new Map(files.map((f) => [f, readManifests(path.join(outdir, f))]));
    const result = { files, objects: files.flatMap((f) => byFile.get(f)!), byFile };
    cache.set(name, result);
    return result;
  } finally {
    if (previous === undefined) {
      delete process.env.CDK8S_OUTDIR;
    } else {
      process.env.CDK8S_OUTDIR = previous;
    }
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** The objects an example wrote to one file (throws, listing the files, when it wrote no such file). */
export function fileObjects(name: string, file: string): any[] {
  const { files, byFile } = synthExample(name);
  const objects = byFile.get(file);
  if (!objects) {
    throw new Error(`examples/${name} wrote no ${file}; it wrote ${files.join(', ')}`);
  }
  return objects;
}

/** Computes `make()` on first use only: the describe bodies run before the tests, synthesis must not. */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/** A model of the objects plus the pods standing in for workloads. */
export function modelOf(objects: any[], pods: PodEndpoint[], options?: NetworkModelOptions): NetworkModel {
  const model = NetworkModel.fromManifests(objects, options);
  pods.forEach((pod) => model.addPod(pod));
  return model;
}

/** A key flow of an example and the verdict the model must give it. */
export interface Flow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly http?: HttpRequest;
  /** The request, for the test title: "GET /path", or "L4" without one. */
  readonly request: string;
  readonly verdict: 'allowed' | 'denied';
}

function flow(verdict: Flow['verdict'], from: string, to: string, port: number, protocol: 'TCP' | 'UDP', http?: HttpRequest): Flow {
  return { from, to, port, protocol, ...(http ? { http } : {}), request: http ? `${http.method} ${http.path}` : 'L4', verdict };
}

export const allowed = (from: string, to: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => flow('allowed', from, to, port, protocol);
export const denied = (from: string, to: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP') => flow('denied', from, to, port, protocol);
export const allowedHttp = (from: string, to: string, port: number, method: string, requestPath: string) =>
  flow('allowed', from, to, port, 'TCP', { method, path: requestPath });
export const deniedHttp = (from: string, to: string, port: number, method: string, requestPath: string) =>
  flow('denied', from, to, port, 'TCP', { method, path: requestPath });
/** The title of a flow's test, for test.each. */
export const FLOW_TITLE = '$from -> $to on $protocol/$port ($request) is $verdict';

/**
 * Asserts the model's verdict on a flow; on failure the received object shows the verdict's
 * reasons. `pod` maps the flow's names to the model's pod ids, for pods named after hashed
 * workload names.
 */
export function expectFlow(model: NetworkModel, { from, to, port, protocol, http, verdict }: Flow,
  pod: (name: string) => string = (name) => name): void {
  const result = model.evaluate({ from: pod(from), to: pod(to), port, protocol, ...(http ? { http } : {}) });
  expect({ allowed: result.allowed, reasons: result.reasons }).toMatchObject({ allowed: verdict === 'allowed' });
}

/** Probe addresses: a public one (TEST-NET-3), a public IPv6 one (documentation range), the cloud metadata endpoint. */
export const PUBLIC_IP = '203.0.113.10';
export const PUBLIC_IPV6 = '2001:db8::10';
export const METADATA_IP = '169.254.169.254';
export const COREDNS: PodEndpoint = { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } };

/** The pods standing in for the multi-engine example's workloads. */
export const MULTI_ENGINE_PODS: PodEndpoint[] = [
  { namespace: 'production', name: 'frontend', labels: { app: 'frontend' } },
  { namespace: 'production', name: 'api', labels: { app: 'api', metrics: 'enabled' } },
  { namespace: 'production', name: 'postgres', labels: { app: 'postgres' } },
  { namespace: 'ingress-nginx', name: 'controller' },
  { namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' } },
  { namespace: 'monitoring', name: 'grafana', labels: { app: 'grafana' } },
  COREDNS,
];

/** The multi-engine example's key flows: every engine's rendering must give these verdicts. */
export const MULTI_ENGINE_FLOWS: Flow[] = [
  allowed('ingress-nginx/controller', 'production/frontend', 80),
  allowed('production/frontend', 'production/api', 8080),
  allowed('production/api', 'production/postgres', 5432),
  allowed('monitoring/prometheus', 'production/api', 9090),
  allowed('production/api', PUBLIC_IP, 443),
  allowed('production/api', PUBLIC_IPV6, 443),
  allowed('production/frontend', 'kube-system/coredns', 53, 'UDP'),
  allowed('production/postgres', 'kube-system/coredns', 53, 'TCP'),
  denied('ingress-nginx/controller', 'production/api', 8080),
  denied('production/frontend', 'production/postgres', 5432),
  denied('production/postgres', 'production/api', 8080),
  denied('production/api', 'production/postgres', 5433),
  denied('monitoring/grafana', 'production/api', 9090),
  denied('monitoring/prometheus', 'production/api', 8080),
  denied('production/api', METADATA_IP, 80),
  denied('production/api', 'fd00:ec2::254', 443),
  denied('production/api', '10.0.0.1', 443),
  denied('production/api', PUBLIC_IP, 80),
  denied('production/frontend', PUBLIC_IP, 443),
];

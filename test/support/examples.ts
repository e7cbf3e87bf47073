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

/** Stand-ins beside the online-boutique example's Deployments (the model reads those as boutique/<name>). */
export const BOUTIQUE_STAND_INS: PodEndpoint[] = [
  COREDNS,
  { namespace: 'other', name: 'intruder', labels: { app: 'intruder' } },
];

/** The online-boutique example's key flows: every engine's rendering must give these verdicts. */
export const BOUTIQUE_FLOWS: Flow[] = [
  // Every call, on the callee's container port.
  allowed('boutique/loadgenerator', 'boutique/frontend', 8080),
  allowed('boutique/frontend', 'boutique/adservice', 9555),
  allowed('boutique/frontend', 'boutique/cartservice', 7070),
  allowed('boutique/checkoutservice', 'boutique/cartservice', 7070),
  allowed('boutique/frontend', 'boutique/checkoutservice', 5050),
  allowed('boutique/frontend', 'boutique/currencyservice', 7000),
  allowed('boutique/checkoutservice', 'boutique/currencyservice', 7000),
  allowed('boutique/checkoutservice', 'boutique/emailservice', 8080),
  allowed('boutique/checkoutservice', 'boutique/paymentservice', 50051),
  allowed('boutique/frontend', 'boutique/productcatalogservice', 3550),
  allowed('boutique/checkoutservice', 'boutique/productcatalogservice', 3550),
  allowed('boutique/recommendationservice', 'boutique/productcatalogservice', 3550),
  allowed('boutique/frontend', 'boutique/recommendationservice', 8080),
  allowed('boutique/cartservice', 'boutique/redis-cart', 6379),
  allowed('boutique/frontend', 'boutique/shippingservice', 50051),
  allowed('boutique/checkoutservice', 'boutique/shippingservice', 50051),
  // The storefront is public: any address, any pod of any namespace, on its port only.
  allowed(PUBLIC_IP, 'boutique/frontend', 8080),
  allowed('other/intruder', 'boutique/frontend', 8080),
  denied(PUBLIC_IP, 'boutique/frontend', 22),
  // DNS.
  allowed('boutique/cartservice', 'kube-system/coredns', 53, 'UDP'),
  allowed('boutique/loadgenerator', 'kube-system/coredns', 53, 'TCP'),
  allowed('boutique/redis-cart', 'kube-system/coredns', 53, 'UDP'),
  // Undeclared pairs, wrong ports, the reverse of calls.
  denied('boutique/frontend', 'boutique/paymentservice', 50051),
  denied('boutique/frontend', 'boutique/emailservice', 8080),
  denied('boutique/frontend', 'boutique/redis-cart', 6379),
  denied('boutique/loadgenerator', 'boutique/cartservice', 7070),
  denied('boutique/loadgenerator', 'boutique/checkoutservice', 5050),
  denied('boutique/recommendationservice', 'boutique/cartservice', 7070),
  denied('boutique/checkoutservice', 'boutique/frontend', 8080),
  denied('boutique/cartservice', 'boutique/frontend', 8080),
  denied('boutique/paymentservice', 'boutique/checkoutservice', 5050),
  denied('boutique/frontend', 'boutique/cartservice', 6379),
  denied('boutique/frontend', 'boutique/loadgenerator', 80),
  // Nothing from elsewhere but to the storefront.
  denied('other/intruder', 'boutique/cartservice', 7070),
  denied('other/intruder', 'boutique/redis-cart', 6379),
  denied(PUBLIC_IP, 'boutique/checkoutservice', 5050),
  // No internet, no metadata endpoint, no other namespace: egress is the calls and DNS.
  denied('boutique/frontend', PUBLIC_IP, 443),
  denied('boutique/paymentservice', PUBLIC_IP, 443),
  denied('boutique/emailservice', PUBLIC_IP, 587),
  denied('boutique/loadgenerator', PUBLIC_IP, 80),
  denied('boutique/frontend', METADATA_IP, 80),
  denied('boutique/frontend', 'other/intruder', 80),
  denied('boutique/frontend', 'kube-system/coredns', 8080),
];

/** Stand-ins beside the star-wars example's ships: another Empire pod, outside the graph. */
export const STAR_WARS_STAND_INS: PodEndpoint[] = [
  COREDNS,
  { namespace: 'default', name: 'shuttle', labels: { org: 'empire', class: 'shuttle' } },
];

/** The star-wars example's key flows at L3/L4, both stages and every engine. */
export const STAR_WARS_FLOWS: Flow[] = [
  allowed('default/tiefighter', 'default/deathstar', 80),
  denied('default/xwing', 'default/deathstar', 80),
  denied('default/tiefighter', 'default/deathstar', 443),
  // Upstream admits every pod of the Empire (org=empire); the graph the tiefighter only.
  denied('default/shuttle', 'default/deathstar', 80),
  denied(PUBLIC_IP, 'default/deathstar', 80),
  denied('kube-system/coredns', 'default/deathstar', 80),
  // The ships accept nothing.
  denied('default/xwing', 'default/tiefighter', 80),
  denied('default/tiefighter', 'default/xwing', 80),
  denied('default/deathstar', 'default/tiefighter', 80),
  denied(PUBLIC_IP, 'default/xwing', 80),
  // Egress is not restricted: DNS, the internet, the shuttle.
  allowed('default/tiefighter', 'kube-system/coredns', 53, 'UDP'),
  allowed('default/xwing', PUBLIC_IP, 443),
  allowed('default/deathstar', PUBLIC_IP, 443),
  allowed('default/xwing', 'default/shuttle', 80),
];

/** The L3/L4 stage: every request of the tiefighter passes. */
export const STAR_WARS_L3_L4_FLOWS: Flow[] = [
  ...STAR_WARS_FLOWS,
  allowedHttp('default/tiefighter', 'default/deathstar', 80, 'POST', '/v1/request-landing'),
  allowedHttp('default/tiefighter', 'default/deathstar', 80, 'PUT', '/v1/exhaust-port'),
  deniedHttp('default/xwing', 'default/deathstar', 80, 'POST', '/v1/request-landing'),
];

/** The L7 stage (Cilium): the tiefighter may request a landing, nothing else. */
export const STAR_WARS_L7_FLOWS: Flow[] = [
  ...STAR_WARS_FLOWS,
  allowedHttp('default/tiefighter', 'default/deathstar', 80, 'POST', '/v1/request-landing'),
  deniedHttp('default/tiefighter', 'default/deathstar', 80, 'PUT', '/v1/exhaust-port'),
  deniedHttp('default/tiefighter', 'default/deathstar', 80, 'GET', '/v1/request-landing'),
  deniedHttp('default/tiefighter', 'default/deathstar', 80, 'POST', '/v1/request-landing/now'),
  deniedHttp('default/xwing', 'default/deathstar', 80, 'POST', '/v1/request-landing'),
  deniedHttp('default/shuttle', 'default/deathstar', 80, 'POST', '/v1/request-landing'),
];

/** Stand-ins beside the calico-stars example's Deployments: another pod of client, a pod elsewhere. */
export const STARS_STAND_INS: PodEndpoint[] = [
  COREDNS,
  { namespace: 'client', name: 'other', labels: { role: 'other' } },
  { namespace: 'default', name: 'intruder' },
];

/** The calico-stars example's key flows (the tutorial's end state), on every engine. */
export const STARS_FLOWS: Flow[] = [
  // The management UI reaches every pod of stars and client, on every port.
  allowed('management-ui/management-ui', 'stars/backend', 6379),
  allowed('management-ui/management-ui', 'stars/frontend', 80),
  allowed('management-ui/management-ui', 'client/client', 9000),
  allowed('management-ui/management-ui', 'stars/backend', 8080),
  // The frontend reaches the backend on 6379 only; the client the frontend on 80 only.
  allowed('stars/frontend', 'stars/backend', 6379),
  denied('stars/frontend', 'stars/backend', 80),
  allowed('client/client', 'stars/frontend', 80),
  denied('client/client', 'stars/frontend', 6379),
  // The client cannot reach the backend, the backend not the frontend, no one the client.
  denied('client/client', 'stars/backend', 6379),
  denied('stars/backend', 'stars/frontend', 80),
  denied('stars/frontend', 'client/client', 9000),
  denied('stars/backend', 'client/client', 9000),
  // Upstream admits every pod of the client namespace; the call names the client's pods.
  denied('client/other', 'stars/frontend', 80),
  denied('default/intruder', 'stars/frontend', 80),
  denied('default/intruder', 'client/client', 9000),
  denied(PUBLIC_IP, 'stars/frontend', 80),
  // Egress is open: the probes report to the UI, resolve names, reach the internet.
  allowed('stars/frontend', 'management-ui/management-ui', 9001),
  allowed('client/client', 'kube-system/coredns', 53, 'UDP'),
  allowed('stars/backend', PUBLIC_IP, 443),
  allowed('default/intruder', 'management-ui/management-ui', 9001),
];

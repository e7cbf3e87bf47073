import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { FlowReplay, PolicyEngine, Port, ServiceGraph, ZeroTrustNamespace } from '../../src';
import { expectValidManifests } from '../support/manifests';

/** Observed flows of the shop: web -> api (declared), web -> db (not declared), as CSV with labels unknown, and as Hubble. */
const HUBBLE = [
  ['web-1', 'web', 'api-1', 'api', 9000],
  ['web-1', 'web', 'db-0', 'db', 5432],
].map(([fromPod, fromApp, toPod, toApp, port]) => JSON.stringify({
  flow: {
    time: '2026-11-30T10:00:00Z',
    verdict: 'FORWARDED',
    is_reply: false,
    IP: { source: '10.0.0.1', destination: '10.0.0.2' },
    l4: { TCP: { source_port: 40000, destination_port: port } },
    source: { namespace: 'shop', pod_name: fromPod, labels: [`k8s:app=${fromApp}`] },
    destination: { namespace: 'shop', pod_name: toPod, labels: [`k8s:app=${toApp}`] },
  },
})).join('\n');

function flowsFile(content: string = HUBBLE, name: string = 'flows.jsonl'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-synth-replay-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** An app with these context keys set. */
function appWith(context: Record<string, any>): App {
  const app = Testing.app();
  Object.entries(context).forEach(([key, value]) => app.node.setContext(key, value));
  return app;
}

function shop(context: Record<string, any>): App {
  const app = appWith(context);
  const chart = new Chart(app, 'shop');
  new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop' });
  const graph = new ServiceGraph(chart, 'graph', { namespace: 'shop' });
  graph.workload('web', { ports: [Port.tcp(8080)] }).calls(graph.workload('api', { ports: [Port.tcp(9000)] }));
  graph.workload('db', { ports: [Port.tcp(5432)] });
  return app;
}

/** Runs `body` with process.stderr captured. */
function stderrOf(body: () => void): string {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    body();
  } finally {
    spy.mockRestore();
  }
  return chunks.join('');
}

describe('the context key cdk8s-netpol/replay-flows replays observed flows at synth', () => {
  test('without it, nothing is replayed', () => {
    const err = stderrOf(() => shop({}).synthYaml());
    expect(err).not.toMatch(/replay/);
  });

  test('"warn" (the default): each would-be-denied pair is a warning, synthesis goes on', () => {
    const file = flowsFile();
    let yaml = '';
    const err = stderrOf(() => {
      yaml = shop({ 'cdk8s-netpol/replay-flows': file }).synthYaml();
    });
    expect(err).toMatch(new RegExp('^\\[cdk8s-netpol\\] replay: 1 observed flow record\\(s\\) shop/web-1 -> shop/db-0 on TCP/5432 would be denied \\(isolated by NetworkPolicy shop/allow-dns, NetworkPolicy shop/default-deny, NetworkPolicy shop/graph-db, NetworkPolicy shop/graph-web; none allows it\\) ' +
      `\\(${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2, seen 2026-11-30T10:00:00.000Z \\.\\. 2026-11-30T10:00:00.000Z\\): egress of shop/web-1: denied.*; ingress of shop/db-0: denied`, 'm'));
    expect(err).not.toMatch(/web-1 -> shop\/api-1/);
    expectValidManifests(parseAllDocuments(yaml).map((d) => d.toJS()));
  });

  test('"fail": the would-be-denied flows fail synthesis, naming the flow and the policy', () => {
    const app = shop({ 'cdk8s-netpol/replay-flows': [flowsFile()], 'cdk8s-netpol/replay-denied': 'fail' });
    expect(() => app.synthYaml()).toThrow(/\[cdk8s-netpol\] replay: 1 observed flow record\(s\) shop\/web-1 -> shop\/db-0 on TCP\/5432 would be denied \(isolated by .*NetworkPolicy shop\/graph-db/);
  });

  test('once the dependency is declared, the replay is clean', () => {
    const app = appWith({ 'cdk8s-netpol/replay-flows': flowsFile(), 'cdk8s-netpol/replay-denied': 'fail' });
    const chart = new Chart(app, 'shop');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop' });
    const graph = new ServiceGraph(chart, 'graph', { namespace: 'shop' });
    const web = graph.workload('web', { ports: [Port.tcp(8080)] });
    web.calls(graph.workload('api', { ports: [Port.tcp(9000)] }));
    web.calls(graph.workload('db', { ports: [Port.tcp(5432)] }));
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('unusable settings and flow files fail synthesis in either mode, naming the key or the line', () => {
    expect(() => shop({ 'cdk8s-netpol/replay-flows': 42 }).synthYaml()).toThrow(/context key cdk8s-netpol\/replay-flows is 42; give a flows file/);
    expect(() => shop({ 'cdk8s-netpol/replay-flows': flowsFile(), 'cdk8s-netpol/replay-denied': 'error' }).synthYaml())
      .toThrow(/context key cdk8s-netpol\/replay-denied is "error"; it is "warn" \(the default\) or "fail"/);
    expect(() => shop({ 'cdk8s-netpol/replay-flows': '/nonexistent/flows.jsonl' }).synthYaml()).toThrow(/replay: \/nonexistent\/flows\.jsonl: no such file/);
    const bad = flowsFile('{"flow": {"verdict": "FORWARDED"}\n');
    expect(() => shop({ 'cdk8s-netpol/replay-flows': bad }).synthYaml()).toThrow(/replay: 1 malformed line\(s\) in .*flows\.jsonl.*flows\.jsonl:1: not JSON/s);
  });

  test('under a staged rollout the replay evaluates the staged policies as enforced: what they will deny', () => {
    const app = appWith({ 'cdk8s-netpol/replay-flows': flowsFile(), 'cdk8s-netpol/replay-denied': 'fail', 'cdk8s-netpol/rollout': 'staged' });
    const chart = new Chart(app, 'shop');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop', engine: PolicyEngine.CALICO });
    const graph = new ServiceGraph(chart, 'graph', { namespace: 'shop', engine: PolicyEngine.CALICO });
    graph.workload('web', { ports: [Port.tcp(8080)] }).calls(graph.workload('api', { ports: [Port.tcp(9000)] }));
    graph.workload('db', { ports: [Port.tcp(5432)] });
    expect(() => app.synthYaml()).toThrow(/replay: 1 observed flow record\(s\) shop\/web-1 -> shop\/db-0 on TCP\/5432 would be denied \(isolated by .*NetworkPolicy shop\/graph-db/);
  });

  test('flow files that hold no flow fail (or warn): nothing was checked', () => {
    const empty = flowsFile('# nothing recorded\n');
    expect(() => shop({ 'cdk8s-netpol/replay-flows': empty, 'cdk8s-netpol/replay-denied': 'fail' }).synthYaml())
      .toThrow(/replay: no flow to replay in .*flows\.jsonl: nothing was checked/);
  });

  test('false turns it off', () => {
    expect(() => shop({ 'cdk8s-netpol/replay-flows': false, 'cdk8s-netpol/replay-denied': 'fail' }).synthYaml()).not.toThrow();
  });

  test('FlowReplay.validateChart registers it for a chart of hand-written policies', () => {
    const app = appWith({ 'cdk8s-netpol/replay-flows': flowsFile(), 'cdk8s-netpol/replay-denied': 'fail' });
    const chart = new Chart(app, 'raw');
    new ApiObject(chart, 'deny', {
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    expect(() => app.synthYaml()).not.toThrow();
    FlowReplay.validateChart(chart);
    expect(() => app.synthYaml()).toThrow(/shop\/web-1 -> shop\/api-1 on TCP\/9000 would be denied/);
    expect(() => FlowReplay.validateChart({} as any)).toThrow(/FlowReplay\.validateChart\(\): chart \{\} is not a cdk8s Chart/);
  });
});

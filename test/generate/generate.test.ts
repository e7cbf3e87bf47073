import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/main';

// `cdk8s-netpol generate`: how workloads, selectors, peers and names are chosen, and what is
// refused. The round trip (program -> synth -> replay) is in round-trip.test.ts.

async function generate(lines: string[], ...argv: string[]): Promise<{ code: number; program: string; err: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-gen-'));
  const file = path.join(dir, 'flows.jsonl');
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(['generate', '--flows', file, ...argv], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, program: out.join('\n'), err: err.join('\n') };
}

interface End { ns?: string; pod?: string; labels?: Record<string, string>; workload?: string; ip?: string; names?: string[]; reserved?: string }

function flow(from: End, to: End, port: number, protocol: string = 'TCP'): string {
  const endpoint = (e: End) => e.ns !== undefined
    ? {
      namespace: e.ns,
      pod_name: e.pod ?? 'pod-1',
      labels: Object.entries(e.labels ?? {}).map(([k, v]) => `k8s:${k}=${v}`),
      ...(e.workload ? { workloads: [{ name: e.workload, kind: 'Deployment' }] } : {}),
    }
    : { labels: [`reserved:${e.reserved ?? 'world'}`] };
  return JSON.stringify({
    flow: {
      time: '2026-11-30T10:00:00Z',
      verdict: 'FORWARDED',
      is_reply: false,
      IP: { source: from.ip ?? '10.0.0.1', destination: to.ip ?? '10.0.0.2' },
      l4: { [protocol]: { destination_port: port } },
      source: endpoint(from),
      destination: endpoint(to),
      ...(to.names ? { destination_names: to.names } : {}),
    },
  });
}

const web = (n: number = 1): End => ({ ns: 'shop', pod: `web-7d9c5f-${n}`, labels: { 'app': 'web', 'pod-template-hash': '7d9c5f', 'tier': 'front' }, workload: 'web' });
const api: End = { ns: 'shop', pod: 'api-0', labels: { 'app': 'api', 'statefulset.kubernetes.io/pod-name': 'api-0', 'tier': 'back' }, workload: 'api' };

describe('cdk8s-netpol generate', () => {
  test('workloads by their stable labels: the controllers\' per-rollout labels left out, the fewest labels that tell them apart', async () => {
    const { code, program } = await generate([flow(web(1), api, 8080), flow(web(2), api, 8080)]);
    expect(code).toBe(0);
    expect(program).toContain("const web = graph.workload('web', { labels: { app: 'web' } }); // web-7d9c5f-1, web-7d9c5f-2");
    expect(program).toContain("const api = graph.workload('api', { labels: { app: 'api' }, ports: [Port.tcp(8080)] }); // api-0");
    expect(program).toContain('web.calls(api, Port.tcp(8080)); // 2 record(s), 2026-11-30T10:00:00.000Z');
    expect(program).not.toMatch(/pod-template-hash|statefulset\.kubernetes\.io/);
  });

  test('two workloads sharing their naming label are told apart by another one', async () => {
    const canary: End = { ns: 'shop', pod: 'api-canary-1', labels: { app: 'api', track: 'canary' }, workload: 'api-canary' };
    const stable: End = { ns: 'shop', pod: 'api-1', labels: { app: 'api', track: 'stable' }, workload: 'api' };
    const { program } = await generate([flow(web(), canary, 8080), flow(web(), stable, 8080)]);
    expect(program).toContain("graph.workload('api-canary', { labels: { app: 'api', track: 'canary' }, ports: [Port.tcp(8080)] })");
    expect(program).toContain("graph.workload('api', { labels: { app: 'api', track: 'stable' }, ports: [Port.tcp(8080)] })");
  });

  test('a workload whose labels are all another\'s too has no selector of its own: left out, never a broader policy', async () => {
    const db: End = { ns: 'shop', pod: 'db-0', labels: { app: 'db' }, workload: 'db' };
    const plain: End = { ns: 'shop', pod: 'web-1', labels: { app: 'web' }, workload: 'web' };
    const v2: End = { ns: 'shop', pod: 'web-v2-1', labels: { app: 'web', version: 'v2' }, workload: 'web-v2' };
    const { program, err } = await generate([flow(plain, db, 5432), flow(v2, api, 8080)]);
    expect(program).toContain("const webV2 = graph.workload('web-v2', { labels: { app: 'web', version: 'v2' } });");
    expect(program).toContain('webV2.calls(api, Port.tcp(8080));');
    expect(program).not.toMatch(/graph\.workload\('web',/);
    expect(err).toMatch(/left out 1 flow\(s\): workloads no label selector selects alone \(shop\/web: every label of it is also a label of shop\/web-v2/);
    // The same for a peer outside the namespaces given policies.
    const metrics: End = { ns: 'kube-system', pod: 'metrics-1', labels: { app: 'metrics' }, workload: 'metrics' };
    const metrics2: End = { ns: 'kube-system', pod: 'metrics-v2-1', labels: { app: 'metrics', v: '2' }, workload: 'metrics-v2' };
    const peers = await generate([flow(metrics, plain, 9100), flow(metrics2, plain, 9100)]);
    expect(peers.program).toContain("web.allowFrom(Peer.podsInNamespace('kube-system', { app: 'metrics', v: '2' }), Port.tcp(9100));");
    expect(peers.program).not.toMatch(/Peer\.podsInNamespace\('kube-system', \{ app: 'metrics' \}\)/);
  });

  test('one workload across a release: its pods\' common labels, never a chart\'s or an application\'s version', async () => {
    const release = (version: string, n: number): End => ({
      ns: 'shop',
      pod: `web-${n}`,
      workload: 'web',
      labels: { 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/version': version, 'helm.sh/chart': `web-0.4.${n}`, 'pod-template-hash': `h${n}` },
    });
    const { program } = await generate([flow(release('1.2.3', 1), api, 8080), flow(release('1.2.4', 2), api, 8080)]);
    expect(program).toContain("const web = graph.workload('web', { labels: { 'app.kubernetes.io/name': 'web' } }); // web-1, web-2");
    expect(program).toContain('web.calls(api, Port.tcp(8080)); // 2 record(s)');
  });

  test('kube-system is a peer, DNS to kube-dns needs no line; naming it with --namespace gives it policies', async () => {
    const dns: End = { ns: 'kube-system', pod: 'coredns-1', labels: { 'k8s-app': 'kube-dns' }, workload: 'coredns' };
    const metrics: End = { ns: 'kube-system', pod: 'metrics-server-1', labels: { 'k8s-app': 'metrics-server' }, workload: 'metrics-server' };
    const lines = [flow(web(), dns, 53, 'UDP'), flow(metrics, web(), 10250)];
    const { program, err } = await generate(lines);
    expect(program).toContain("web.allowFrom(Peer.podsInNamespace('kube-system', { 'k8s-app': 'metrics-server' }), Port.tcp(10250));");
    expect(program).not.toContain("new ZeroTrustNamespace(chart, 'kube-system-zero-trust'");
    expect(program).toMatch(/^\/\/ {3}1 flow\(s\): DNS to kube-dns/m);
    expect(err).toMatch(/^left out 1 flow\(s\): DNS to kube-dns/m);
    const named = await generate(lines, '--namespace', 'shop', '--namespace', 'kube-system');
    expect(named.program).toContain("new ZeroTrustNamespace(chart, 'kube-system-zero-trust', { namespace: 'kube-system', engine });");
    expect(named.program).toContain('web.calls(coredns, Port.udp(53));');
  });

  test('--namespace: the other namespaces\' pods are peers, and flows between them are left out', async () => {
    const pay: End = { ns: 'payments', pod: 'pay-1', labels: { app: 'pay' }, workload: 'pay' };
    const ledger: End = { ns: 'payments', pod: 'ledger-1', labels: { app: 'ledger' }, workload: 'ledger' };
    const { program, err } = await generate([flow(web(), pay, 443), flow(pay, ledger, 5432)], '--namespace', 'shop');
    expect(program).toContain("web.allowTo(Peer.podsInNamespace('payments', { app: 'pay' }), Port.tcp(443));");
    expect(program.split('\n').filter((l) => !l.startsWith('//') && l.includes('ledger'))).toEqual([]);
    expect(err).toMatch(/left out 1 flow\(s\): connections between namespaces that get no policies/);
  });

  test('without --namespace, several namespaces share one graph; a name two namespaces use gets its namespace', async () => {
    const otherWeb: End = { ns: 'blog', pod: 'web-1', labels: { app: 'web' }, workload: 'web' };
    const { program } = await generate([flow(web(), api, 8080), flow(otherWeb, api, 8080)]);
    expect(program).toContain("const graph = new ServiceGraph(chart, 'observed', { namespace: 'blog', engine });");
    expect(program).toContain("const blogWeb = graph.workload('blog-web', { labels: { app: 'web' } });");
    expect(program).toContain("const shopWeb = graph.workload('shop-web', { namespace: 'shop', labels: { app: 'web' } });");
    expect(program).toContain("new ZeroTrustNamespace(chart, 'blog-zero-trust', { namespace: 'blog', engine });");
  });

  test('addresses: /32 and /128 blocks; on Cilium, by the DNS name the client resolved (one line for its addresses)', async () => {
    const lines = [
      flow(api, { ip: '140.82.112.6', names: ['api.github.com'] }, 443),
      flow(api, { ip: '140.82.112.5', names: ['api.github.com'] }, 443),
      flow(api, { ip: '2001:db8::10' }, 443),
      flow({ ip: '198.51.100.7' }, web(), 8080),
    ];
    const kubernetes = await generate(lines);
    expect(kubernetes.program).toContain("api.allowTo(Peer.ipBlock('140.82.112.6/32'), Port.tcp(443)); // 1 record(s), 2026-11-30T10:00:00.000Z to 140.82.112.6 (api.github.com)");
    expect(kubernetes.program).toContain("api.allowTo(Peer.ipBlock('2001:db8::10/128'), Port.tcp(443));");
    expect(kubernetes.program).toContain("web.allowFrom(Peer.ipBlock('198.51.100.7/32'), Port.tcp(8080));");
    const cilium = await generate(lines, '--engine', 'cilium');
    expect(cilium.program.match(/Peer\.fqdn\('api\.github\.com'\)/g)).toHaveLength(1);
    expect(cilium.program).toContain("api.allowTo(Peer.fqdn('api.github.com'), Port.tcp(443)); // 2 record(s)");
    expect(cilium.program).toContain('const engine = PolicyEngine.CILIUM;');
  });

  test('variables never take a reserved word or a name the program uses', async () => {
    const ends: End[] = ['app', 'class', 'graph', '3d-render', 'constructor'].map((name) => ({ ns: 'shop', pod: `${name}-1`, labels: { app: name }, workload: name }));
    const { program } = await generate(ends.map((e) => flow(web(), e, 80)));
    expect(program).toContain("const constructorWorkload = graph.workload('constructor-workload',");
    expect(program).toContain("const appWorkload = graph.workload('app',");
    expect(program).toContain("const classWorkload = graph.workload('class',");
    expect(program).toContain("const graphWorkload = graph.workload('graph',");
    expect(program).toContain("const w3dRender = graph.workload('3d-render',");
  });

  test('text read from flows cannot break out of a comment or a string', async () => {
    const evil: End = { ns: 'shop', pod: "x\n}); require('child_process').exec('rm -rf ~'); //", labels: { app: 'evil' } };
    const { program } = await generate([flow(evil, api, 8080)]);
    expect(program.split('\n').filter((l) => l.includes('child_process'))).toEqual([expect.stringMatching(/^const evil = graph\.workload\('evil', .*\/\/ x\\u000a\}\);/)]);
  });

  test('pods with invalid labels, nodes and pods whose only labels are per-rollout ones are left out, and said', async () => {
    const { program, err } = await generate([
      flow({ ns: 'shop', pod: 'bad', labels: { 'bad key': 'x' } }, api, 8080),
      flow({ reserved: 'remote-node', ip: '172.18.0.4' }, api, 8080),
      flow({ ns: 'shop', pod: 'hash-only', labels: { 'pod-template-hash': 'abc' } }, api, 8080),
      flow(web(), api, 8080),
    ]);
    expect(err).toMatch(/left out 1 flow\(s\): pods whose namespace or labels are no valid Kubernetes names/);
    expect(err).toMatch(/left out 1 flow\(s\): ends that are nodes/);
    expect(err).toMatch(/left out 1 flow\(s\): pods whose only labels are the controllers' per-rollout ones/);
    expect(program).toContain('web.calls(api, Port.tcp(8080));');
  });

  test('CSV flows have no labels: nothing to generate, exit 2 with why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-gen-'));
    fs.writeFileSync(path.join(dir, 'f.csv'), 'shop/web,shop/api,8080,TCP\n');
    const err: string[] = [];
    const code = await runCli(['generate', '--flows', path.join(dir, 'f.csv')], { out: () => undefined, err: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(err).toEqual([
      'cdk8s-netpol generate: no observed flow reached or left a pod with labels in a namespace to give policies; nothing to generate',
      expect.stringMatching(/^ {2}1 flow\(s\) left out: pods without labels \(CSV/),
    ]);
  });

  test('usage errors: a bad namespace or chart name, --out onto a flow file, malformed flows', async () => {
    expect((await generate([flow(web(), api, 80)], '--namespace', 'Shop')).err).toMatch(/--namespace "Shop" is not a namespace name/);
    expect((await generate([flow(web(), api, 80)], '--chart', 'My Chart')).err).toMatch(/--chart "My Chart" is not a chart id/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-gen-'));
    const file = path.join(dir, 'flows.jsonl');
    fs.writeFileSync(file, `${flow(web(), api, 80)}\n`);
    const err: string[] = [];
    expect(await runCli(['generate', '--flows', file, '--out', file], { out: () => undefined, err: (t) => err.push(t) })).toBe(2);
    expect(fs.readFileSync(file, 'utf8')).toBe(`${flow(web(), api, 80)}\n`);
    const bad = await generate(['{"flow": '], '--engine', 'calico');
    expect(bad).toMatchObject({ code: 2, err: expect.stringMatching(/^cdk8s-netpol generate: 1 malformed line\(s\) in .*flows\.jsonl; nothing is guessed/) });
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { NetworkModel, PolicyEngine, Report, ThreeTierApp, ZeroTrustNamespace } from '../../src';
import { seedChart } from '../support/seed';

/** The seed scenario with one pod per tier, Prometheus and the ingress controller. */
function seedModel(): NetworkModel {
  const chart = seedChart();
  const model = NetworkModel.fromChart(chart);
  model.addNamespace('ingress-nginx');
  model.addNamespace('monitoring');
  model.addPod({ namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
  model.addPod({ namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' } });
  model.addPod({ namespace: 'production', name: 'frontend', labels: { app: 'frontend' }, ports: [{ port: 80 }] });
  model.addPod({ namespace: 'production', name: 'api', labels: { app: 'api', metrics: 'enabled' }, ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }] });
  model.addPod({ namespace: 'production', name: 'database', labels: { app: 'postgres' }, ports: [{ port: 5432 }] });
  return model;
}

/** "from -> to: ports" for every allowed cell between different endpoints. */
const allowedFlows = (report: Report) => report.matrix.cells.filter((c) => c.allowed.length > 0 && c.from !== c.to).map((c) => `${c.from} -> ${c.to}: ${c.allowed.join(', ')}`);

describe('Report of the seed scenario', () => {
  const report = new Report(seedModel(), { title: 'Seed' });

  test('the matrix holds exactly the seed\'s flows', () => {
    const production = allowedFlows(report).filter((f) => f.startsWith('production/'));
    expect(production).toEqual([
      'production/api -> production/database: TCP/5432',
      'production/api -> dns: TCP/53, UDP/53',
      'production/api -> internet: TCP/443',
      'production/database -> dns: TCP/53, UDP/53',
      'production/frontend -> production/api: TCP/8080',
      'production/frontend -> dns: TCP/53, UDP/53',
    ]);
    // Into production: only the ingress controller to the frontend on 80 and Prometheus to the api on 9090.
    expect(allowedFlows(report).filter((f) => / -> production\//.test(f) && !f.startsWith('production/'))).toEqual([
      'ingress-nginx/controller -> production/frontend: TCP/80',
      'monitoring/prometheus -> production/api: TCP/9090',
    ]);
    // Nothing in production reaches the metadata endpoint.
    expect(report.matrix.cells.filter((c) => c.from.startsWith('production/') && c.to === 'metadata').every((c) => c.allowed.length === 0)).toBe(true);
  });

  test('rows are the workloads and the internet; columns add kube-dns, internet and metadata', () => {
    // The ranges the internet egress excludes (private, link-local, their NAT64 images) are one more row and column: every pod treats them alike.
    expect(report.matrix.sources.map((s) => s.id)).toEqual(['ingress-nginx/controller', 'monitoring/prometheus', 'production/api', 'production/database', 'production/frontend',
      'internet', '10.0.0.0/8']);
    expect(report.matrix.destinations.map((d) => `${d.kind}:${d.id}`)).toEqual([
      'pod:ingress-nginx/controller', 'pod:monitoring/prometheus', 'pod:production/api', 'pod:production/database', 'pod:production/frontend',
      'dns:dns', 'internet:internet', 'metadata:metadata', 'external:10.0.0.0/8',
    ]);
    expect(report.matrix.destinations[8]).toEqual({ id: '10.0.0.0/8', label: '10.0.0.0/8, 100.64.0.0/10 +10 more (10.0.0.1)', kind: 'external', address: '10.0.0.1' });
    expect(report.matrix.notes).toContain('The column 10.0.0.0/8, 100.64.0.0/10 +10 more stands for 10.0.0.0/8, 100.64.0.0/10, 172.16.0.0/12, 192.168.0.0/16, ' +
      '64:ff9b::a00:0/104, 64:ff9b::6440:0/106, 64:ff9b::a9fe:0/112, 64:ff9b::ac10:0/108, 64:ff9b::c0a8:0/112, 64:ff9b:1::/48, fc00::/7, fe80::/10: ' +
      'every pod reaches them, and is reached from them, alike.');
    // The api reaches the internet on 443, none of the private ranges.
    expect(report.matrix.cells.find((c) => c.from === 'production/api' && c.to === '10.0.0.0/8')!.allowed).toEqual([]);
    const cell = report.matrix.cells.find((c) => c.from === 'production/frontend' && c.to === 'production/database')!;
    expect(cell).toEqual({
      from: 'production/frontend',
      to: 'production/database',
      allowed: [],
      // Exactly: every port of every protocol is denied, each protocol with its reasons (those of its first port).
      denied: ['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535'],
      // The three ranges are decided alike: one line, in the words of the first port.
      reasons: [expect.stringMatching(new RegExp('^TCP/1-65535, UDP/1-65535, SCTP/1-65535 denied: egress of production/frontend: denied, ' +
        'isolated by production/allow-dns, production/default-deny, production/shop-frontend and no rule of these allows TCP/1 to production/database; ' +
        'ingress of production/database: denied'))],
    });
  });

  test('the Mermaid graph draws exactly the allowed flows, grouped by namespace', () => {
    const mermaid = report.toMermaid();
    expect(mermaid.split('\n').filter((l) => l.includes('-->'))).toEqual([
      // The ingress controller and Prometheus are not isolated: they reach each other, kube-dns,
      // the internet and the metadata endpoint (and the internet reaches them) on every port.
      '  n0 -->|all ports| n1',
      '  n0 -->|TCP/80| n4',
      '  n0 -->|all ports| n7',
      '  n0 -->|all ports| n5',
      '  n0 -->|all ports| n8',
      '  n0 -->|all ports| n6',
      '  n1 -->|all ports| n0',
      '  n1 -->|TCP/9090| n2',
      '  n1 -->|all ports| n7',
      '  n1 -->|all ports| n5',
      '  n1 -->|all ports| n8',
      '  n1 -->|all ports| n6',
      '  n2 -->|TCP/5432| n3',
      '  n2 -->|TCP/53, UDP/53| n7',
      '  n2 -->|TCP/443| n5',
      '  n3 -->|TCP/53, UDP/53| n7',
      '  n4 -->|TCP/8080| n2',
      '  n4 -->|TCP/53, UDP/53| n7',
      '  n5 -->|all ports| n0',
      '  n5 -->|all ports| n1',
      '  n6 -->|all ports| n0',
      '  n6 -->|all ports| n1',
    ]);
    expect(mermaid).toContain('  n5(["internet (203.0.113.10)"])\n  n6(["10.0.0.0/8, 100.64.0.0/10 +10 more (10.0.0.1)"])\n  n7(["kube-dns"])');
    expect(mermaid).toMatch(/^flowchart LR\n {2}subgraph ns_ingress_nginx\["namespace ingress-nginx"\]\n {4}n0\["controller"\]\n {2}end/);
    expect(mermaid).toContain('  subgraph ns_production["namespace production"]\n    n2["api"]\n    n3["database"]\n    n4["frontend"]\n  end');
    expect(mermaid).toContain('  n8{{"cloud metadata (169.254.169.254)"}}');
  });

  test('Markdown: the diagram, the table and the findings', () => {
    const md = report.toMarkdown();
    expect(md).toMatch(/^# Seed\n\n(> [^\n]*\n\n)*## Allowed flows\n\n```mermaid\nflowchart LR\n/);
    expect(md).toContain('| from \\ to | ingress-nginx/controller | monitoring/prometheus | production/api | production/database | production/frontend | kube-dns | internet (203.0.113.10) | cloud metadata (169.254.169.254) | 10.0.0.0/8, 100.64.0.0/10 +10 more (10.0.0.1) |');
    expect(md).toContain('| production/frontend | — | — | TCP/8080 | — | (self) | TCP/53, UDP/53 | — | — | — |');
    expect(md).toContain('| ingress-nginx/controller | (self) | all ports | — | — | TCP/80 | all ports | all ports | all ports | all ports |');
    expect(md).toContain('## Lint findings (0)\n\nNone.');
  });

  test('JSON for tooling', () => {
    const json = JSON.parse(report.toJson());
    expect(Object.keys(json)).toEqual(['title', 'matrix', 'findings', 'notEvaluated']);
    expect(json.matrix.cells).toHaveLength(report.matrix.cells.length);
  });

  test('HTML: self-contained, cells coloured and carrying the reasons as hover text', () => {
    const html = report.toHtml();
    expect(html).not.toMatch(/<script|<link|https?:\/\/|@import|url\(/);
    // frontend -> api: 8080 allowed, every other port denied: partly allowed.
    expect(html).toMatch(/<td class="partial pod" title="TCP\/1-8079, TCP\/8081-65535, UDP\/1-65535, SCTP\/1-65535 denied: egress of production\/frontend: denied[^"]*\nTCP\/8080 allowed: egress of production\/frontend: allowed by production\/shop-frontend egress rule #1[^"]*">TCP\/8080 <span class="not">\(only these ports\)<\/span><\/td>/);
    expect(html).toMatch(/<td class="denied pod" title="TCP\/1-65535, UDP\/1-65535, SCTP\/1-65535 denied: egress of production\/frontend: denied[^"]*">denied<\/td>/);
    expect(html.match(/<tr>/g)).toHaveLength(1 + report.matrix.sources.length);
  });

  test('the model is not changed by a report', () => {
    const model = seedModel();
    const before = model.podIds;
    new Report(model);
    expect(model.podIds).toEqual(before);
  });
});

describe('Report.fromManifests and writeForApp', () => {
  test('Cilium policies are evaluated with Kubernetes ones; kinds the model does not evaluate are listed, and every object is linted', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'p', engine: PolicyEngine.CILIUM });
    const objects = Testing.synth(chart).concat([{
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'open', namespace: 'p' }, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] },
    }, {
      apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'anp' }, spec: { priority: 1, subject: { namespaces: {} }, ingress: [] },
    }]);
    const report = Report.fromManifests(objects, { title: 'Mixed' });
    expect(report.toMarkdown()).toContain('> **Incomplete verdicts:** the verdicts below ignore these objects, which the model does not evaluate and which may ' +
      'allow or deny traffic (not evaluated): policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy x1');
    expect(report.toMarkdown()).not.toContain('CiliumNetworkPolicy x');
    expect(report.toMarkdown()).toContain('| warning | allow-all | NetworkPolicy p/open: ingress rule #1 has no from and no ports, so it allows all ingress ' +
      '(every source, every port); list the peers and ports needed, or, if everyone is meant (a public service), name its ports at least, ' +
      'or suppress this finding with the reason (annotation cdk8s-netpol.io/suppress: "allow-all: &lt;why&gt;") |');
    expect(report.toHtml()).toContain('<p class="warning">Incomplete verdicts: the verdicts below ignore these objects');
    // The Cilium default deny closes egress and the Kubernetes allow-all opens ingress (a union on Cilium).
    const standIn = report.matrix.sources.find((s) => s.namespace === 'p')!.id;
    const cell = (from: string, to: string) => report.matrix.cells.find((c) => c.from === from && c.to === to)!;
    expect(cell('internet', standIn).allowed).not.toEqual([]);
    expect(cell(standIn, 'internet').allowed).toEqual([]);
    expect(cell(standIn, 'dns').allowed).toEqual(['TCP/53', 'UDP/53']);
  });

  test('Cilium and Calico policies in one input are refused: a cluster runs one CNI', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'a', { namespace: 'a', engine: PolicyEngine.CILIUM });
    new ZeroTrustNamespace(chart, 'b', { namespace: 'b', engine: PolicyEngine.CALICO });
    expect(() => Report.fromManifests(Testing.synth(chart))).toThrow(/cannot join a model that holds Cilium policies .*: a cluster runs one CNI/);
  });

  test('writeForApp writes netpol-report.md and .html beside the YAML', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-report-'));
    try {
      const app = new App({ outdir });
      new ThreeTierApp(new Chart(app, 'shop'), 'shop', { namespace: 'shop' });
      app.synth();
      expect(Report.writeForApp(app).map((f) => path.basename(f))).toEqual(['netpol-report.md', 'netpol-report.html']);
      expect(fs.readdirSync(outdir).sort()).toEqual(['netpol-report.html', 'netpol-report.md', 'shop.k8s.yaml']);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('bad arguments', () => {
    expect(() => new Report({} as any)).toThrow(/new Report\(\): model \{\} is not a NetworkModel/);
    expect(() => Report.fromManifests('x' as any)).toThrow(/Report.fromManifests\(\): objects "x" is not a list/);
    expect(() => Report.writeForApp({} as any)).toThrow(/Report.writeForApp\(\): app \{\} is not a cdk8s App/);
  });
});

describe('the engine semantics a report follows', () => {
  const objects = (engine: PolicyEngine) => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'p', engine });
    return Testing.synth(chart);
  };

  test('a named Calico release or Cilium cluster name is recorded in every format; defaults and options the CNI ignores are not', () => {
    const calico = Report.fromManifests(objects(PolicyEngine.CALICO), { calicoVersion: '3.29' });
    const note = 'Verdicts for Calico release 3.29 (its semantics: docs/semantics/calico.md#releases).';
    expect(calico.matrix.notes).toContain(note);
    expect(calico.toMarkdown()).toContain(`> ${note}`);
    expect(calico.toHtml()).toContain('Verdicts for Calico release 3.29');
    expect(JSON.parse(calico.toJson()).matrix.notes).toContain(note);
    const cilium = Report.fromManifests(objects(PolicyEngine.CILIUM), { clusterName: 'eu-prod' });
    expect(cilium.matrix.notes).toContain('Verdicts for Cilium cluster name eu-prod (the io.cilium.k8s.policy.cluster label of every pod).');
    expect(Report.fromManifests(objects(PolicyEngine.CALICO)).matrix.notes.some((n) => n.startsWith('Verdicts for'))).toBe(false);
    expect(Report.fromManifests(objects(PolicyEngine.CILIUM), { calicoVersion: '3.29' }).matrix.notes.some((n) => n.startsWith('Verdicts for'))).toBe(false);
    expect(Report.fromManifests(objects(PolicyEngine.CILIUM), { clusterName: 'default' }).matrix.notes.some((n) => n.startsWith('Verdicts for'))).toBe(false);
  });
});

describe('report details', () => {
  test('without workloads, stand-in pods show what the policies allow (the seed example\'s YAML)', () => {
    const chart = new Chart(Testing.app(), 'production');
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production' });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    const report = Report.fromManifests(Testing.synth(chart));
    expect(report.matrix.notes[0]).toMatch(/^The input holds no workloads: the \d+ "stand-in" pods carry the labels the policies select/);
    const flows = allowedFlows(report).filter((f) => f.includes('app-') && !f.includes('internet') && !f.includes('dns'));
    // Stand-ins are named after the labels they carry, with a hash of namespace and labels: never a counter.
    expect(flows.sort()).toEqual([
      expect.stringMatching(/^ingress-nginx\/stand-in-[0-9a-f]{6} -> production\/stand-in-app-frontend-[0-9a-f]{6}: TCP\/80$/),
      expect.stringMatching(/^production\/stand-in-app-api-[0-9a-f]{6} -> production\/stand-in-app-postgres-[0-9a-f]{6}: TCP\/5432$/),
      expect.stringMatching(/^production\/stand-in-app-frontend-[0-9a-f]{6} -> production\/stand-in-app-api-[0-9a-f]{6}: TCP\/8080$/),
    ]);
    // What the tiers must not do: the frontend never reaches the database.
    expect(flows.some((f) => /app-frontend -> .*app-postgres/.test(f))).toBe(false);
  });

  test('DNS allowed by CoreDNS\'s port names shows as allowed', () => {
    const m = NetworkModel.fromManifests([{
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'dns', namespace: 'p' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 'dns', protocol: 'UDP' }, { port: 'dns-tcp' }] }] },
    }]);
    m.addPod({ namespace: 'p', name: 'web' });
    const cell = new Report(m).matrix.cells.find((c) => c.from === 'p/web' && c.to === 'dns')!;
    expect(cell.allowed).toEqual(['TCP/53', 'UDP/53']);
  });

  test('a port declared twice, once by name: one range, exactly', () => {
    const m = NetworkModel.fromManifests([{
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'web', namespace: 'p' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'http' }] }] },
    }]);
    m.addPod({ namespace: 'p', name: 'web', labels: { app: 'web' }, ports: [{ port: 80 }, { port: 80, name: 'http' }] });
    m.addPod({ namespace: 'p', name: 'client' });
    const cell = new Report(m).matrix.cells.find((c) => c.from === 'p/client' && c.to === 'p/web')!;
    expect(cell.allowed).toEqual(['TCP/80']);
    expect(cell.denied).toEqual(['TCP/1-79', 'TCP/81-65535', 'UDP/1-65535', 'SCTP/1-65535']);
  });

  test('without policies every pair is open on every port: "all ports"', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'p', name: 'web', ports: [{ port: 80 }] });
    m.addPod({ namespace: 'p', name: 'client' });
    const report = new Report(m);
    const cell = report.matrix.cells.find((c) => c.from === 'p/client' && c.to === 'p/web')!;
    expect(cell.allowed).toEqual(['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535']);
    expect(cell.denied).toEqual([]);
    expect(report.toMarkdown()).toContain('| p/client | (self) | all ports | all ports | all ports | all ports |');
  });

  test('many flows are drawn between namespaces, and reasons are left out of big matrices', () => {
    const m = new NetworkModel();
    for (let i = 0; i < 60; i++) {
      m.addPod({ namespace: `ns${i % 3}`, name: `pod${i}`, ports: [{ port: 80 }] });
    }
    const report = new Report(m);
    const mermaid = report.toMermaid();
    expect(mermaid).toMatch(/^flowchart LR\n {2}%% \d+ pod-to-pod flows, drawn between namespaces/);
    expect(mermaid).toContain('  g0["namespace ns0"]');
    expect(mermaid.split('\n').filter((l) => l.includes('-->')).length).toBeLessThan(40);
    expect(report.matrix.notes.join()).toMatch(/60 pods: the verdict reasons are left out/);
    expect(report.matrix.cells.every((c) => c.reasons.length === 0)).toBe(true);
  });

  test('Mermaid labels and Markdown cells are escaped', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'a-b', name: 'web' });
    const report = new Report(m, { findings: [{ rule: 'r', severity: 'warning' as any, kind: 'K', name: 'n', message: 'two\nlines | and a pipe' }] });
    expect(report.toMermaid()).toContain('subgraph ns_a_b["namespace a-b"]');
    const md = report.toMarkdown();
    expect(md).toContain('| warning | r | two\\\\nlines \\| and a pipe |');
    expect(md).not.toContain('\nlines');
  });
});

describe('cells where L7 rules decide what passes', () => {
  const pods = ['web', 'api'].map((name) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: name } },
    spec: { containers: [{ name: 'c', image: 'x', ports: name === 'api' ? [{ containerPort: 8080 }, { containerPort: 9000 }] : [] }] },
  }));
  const cnp = (rules?: unknown) => ({
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'api', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { app: 'web' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], ...(rules ? { rules } : {}) }, { ports: [{ port: '9000', protocol: 'TCP' }] }],
      }],
    },
  });

  test('a port with HTTP rules is marked in the cell, the Markdown, the HTML and the Mermaid graph; a plain port is not', () => {
    const report = Report.fromManifests([...pods, cnp({ http: [{ method: 'GET', path: '/api/.*' }] })], { title: 'L7' });
    const cell = report.matrix.cells.find((c) => c.from === 'shop/web' && c.to === 'shop/api')!;
    expect(cell.allowed).toEqual(['TCP/8080', 'TCP/9000']);
    expect(cell.l7).toEqual({ 'TCP/8080': 'HTTP' });
    expect(report.toMarkdown()).toContain('| TCP/8080 (HTTP rules), TCP/9000 |');
    expect(report.toHtml()).toContain('>TCP/8080 (HTTP rules), TCP/9000 <span class="not">(only these ports)</span></td>');
    expect(report.toMermaid()).toMatch(/-->\|TCP\/8080 \(HTTP rules\), TCP\/9000\|/);
  });

  test('DNS rules that restrict the names looked up are marked on the DNS column', () => {
    const dns = (dnsRules: unknown[]) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web-dns', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'web' } },
        egress: [{
          toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: dnsRules } }],
        }],
      },
    });
    const restricted = Report.fromManifests([...pods, dns([{ matchPattern: '*.example.com' }])], { title: 'DNS' });
    expect(restricted.matrix.cells.find((c) => c.from === 'shop/web' && c.to === 'dns')).toMatchObject({ allowed: ['UDP/53'], l7: { 'UDP/53': 'DNS' } });
    // Every name ("*"): nothing restricted.
    const open = Report.fromManifests([...pods, dns([{ matchPattern: '*' }])], { title: 'DNS' });
    expect(open.matrix.cells.find((c) => c.from === 'shop/web' && c.to === 'dns')!.l7).toBeUndefined();
  });

  test('without HTTP rules nothing is marked; a Calico HTTP match is marked too', () => {
    const plain = Report.fromManifests([...pods, cnp()], { title: 'L4' });
    expect(plain.matrix.cells.find((c) => c.from === 'shop/web' && c.to === 'shop/api')!.l7).toBeUndefined();
    expect(plain.toMarkdown()).toContain('| TCP/8080, TCP/9000 |');
    const calico = Report.fromManifests([...pods, {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        selector: "app == 'api'",
        types: ['Ingress'],
        ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'web'" }, destination: { ports: [8080] }, http: { methods: ['GET'] } }],
      },
    }], { title: 'Calico' });
    expect(calico.matrix.cells.find((c) => c.from === 'shop/web' && c.to === 'shop/api')!.l7).toEqual({ 'TCP/8080': 'HTTP' });
  });
});

describe('Report.fromManifests lists what the model refuses', () => {
  const objects = () => [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'deny', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    },
    { apiVersion: 'cilium.io/v2', kind: 'CiliumEnvoyConfig', metadata: { name: 'l7', namespace: 'shop' }, spec: { resources: [] } },
    { apiVersion: 'cilium.io/v2', kind: 'CiliumEnvoyConfig', metadata: { name: 'l7b', namespace: 'shop' }, spec: { resources: [] } },
    { apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'kns.shop' }, spec: { ingress: [{ action: 'Allow' }] } },
    { apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy', metadata: { name: 'preview', namespace: 'shop' }, spec: {} },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } },
  ];

  test('a CiliumEnvoyConfig and a Calico Profile are listed as not evaluated, as the model refuses them', () => {
    const report = Report.fromManifests(objects());
    expect(JSON.parse(report.toJson()).notEvaluated).toEqual([
      'cilium.io/v2 CiliumEnvoyConfig x2',
      'projectcalico.org/v3 Profile x1',
      'projectcalico.org/v3 StagedNetworkPolicy x1',
    ]);
    expect(report.toMarkdown()).toContain('(not evaluated): cilium.io/v2 CiliumEnvoyConfig x2, projectcalico.org/v3 Profile x1, ' +
      'projectcalico.org/v3 StagedNetworkPolicy x1');
    // For contrast: the model refuses each of them (the staged policy it skips).
    const [pod, policy, envoy, , profile, staged] = objects();
    expect(() => NetworkModel.fromManifests([pod, policy, envoy])).toThrow(/cilium\.io\/v2 CiliumEnvoyConfig l7 is not supported: Envoy configurations/);
    expect(() => NetworkModel.fromManifests([pod, policy, profile])).toThrow(/projectcalico\.org\/v3 Profile kns\.shop is not supported: this kind can change/);
    expect(() => NetworkModel.fromManifests([pod, policy, staged])).not.toThrow();
  });
});

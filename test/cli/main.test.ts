import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runCli } from '../../src/cli/main';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'lint');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function tempFile(name: string, content: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

describe('cdk8s-netpol lint', () => {
  test('errors: exit 1, one line per finding, a summary on stderr', async () => {
    const result = await run('lint', path.join(FIXTURES, 'policy-types-mismatch', 'positive.yaml'));
    expect(result.code).toBe(1);
    expect(result.out.split('\n')).toHaveLength(3);
    expect(result.out).toMatch(/^error {3}policy-types-mismatch {14}NetworkPolicy shop\/deny-egress: "egress: \[\]" isolates nothing/);
    expect(result.err).toBe('3 error(s), 0 warning(s) in 3 object(s) of 1 file(s)');
  });

  test('warnings only: exit 0', async () => {
    expect((await run('lint', path.join(FIXTURES, 'allow-all', 'positive.yaml'))).code).toBe(0);
  });

  test('JSON: an array of {rule, severity, kind, namespace, name, message}', async () => {
    const result = await run('lint', '--format', 'json', path.join(FIXTURES, 'calico-deny-without-order', 'positive.yaml'));
    expect(JSON.parse(result.out)).toEqual([{
      rule: 'calico-deny-without-order',
      severity: 'warning',
      kind: 'GlobalNetworkPolicy',
      namespace: null,
      name: 'deny-metadata',
      message: expect.stringMatching(/has Deny rules but no order/),
    }]);
  });

  test('folders are read recursively, and unknown kinds are skipped and counted', async () => {
    const dir = path.dirname(tempFile('a.yaml', 'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.copyFileSync(path.join(FIXTURES, 'allow-all', 'negative.yaml'), path.join(dir, 'sub', 'b.yml'));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
    const result = await run('lint', dir);
    expect(result.code).toBe(0);
    expect(result.err).toBe('0 error(s), 0 warning(s) in 1 object(s) of 2 file(s); skipped 2 object(s) of kinds the tools do not read (v1 Service x1, v1 ConfigMap x1)');
  });

  test('--cni cilium enables the Cilium-specific rule', async () => {
    const file = path.join(FIXTURES, 'cilium-ignores-endport', 'positive.yaml');
    expect((await run('lint', file)).out).toBe('');
    expect((await run('lint', '--cni', 'cilium', file)).out).toMatch(/cilium-ignores-endport/);
  });

  test.each([
    [['lint', '/no/such/file.yaml'], /cdk8s-netpol lint: \/no\/such\/file.yaml: no such file or folder/],
    [['lint', 'BROKEN'], /is not valid YAML/],
    [['lint', 'SCALAR'], /a document is not a Kubernetes object \(got string\)/],
    [['lint', '--format', 'xml', 'x'], /argument 'xml' is invalid. Allowed choices are text, json/],
    [['lint'], /missing required argument 'paths'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('unusable input: exit 2 with a clear message (%j)', async (argv, message) => {
    const args = argv.map((a) => (a === 'BROKEN' ? tempFile('broken.yaml', 'a: [1, 2\nb: }') : a === 'SCALAR' ? tempFile('s.yaml', 'just a string') : a));
    const result = await run(...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});

describe('cdk8s-netpol explain', () => {
  const manifests = () => tempFile('app.yaml', [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: w, image: nginx}]}}}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec: {selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: d, image: pg}]}}}',
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]}',
    'apiVersion: v1\nkind: Service\nmetadata: {name: db, namespace: shop}',
  ].join('\n---\n'));

  test('allowed: exit 0, the verdict and its reasons', async () => {
    const result = await run('explain', manifests(), '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(result.code).toBe(0);
    expect(result.out).toBe([
      'ALLOWED: shop/web -> shop/db on TCP/5432',
      '  egress of shop/web: allowed, not isolated (no policy selects it for Egress)',
      '  ingress of shop/db: allowed by shop/db ingress rule #1 (from pods {app=web} of the policy\'s namespace on TCP/5432); isolated by shop/db',
    ].join('\n'));
    expect(result.err).toBe('Skipped 1 object(s) of kinds the tools do not read (v1 Service x1)');
  });

  test('denied: exit 1', async () => {
    const result = await run('explain', manifests(), '--from', 'shop/web', '--to', 'shop/db', '--port', '22', '--protocol', 'TCP');
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^DENIED: shop\/web -> shop\/db on TCP\/22\n {2}egress/);
  });

  test.each([
    [['--from', 'shop/nope', '--to', 'shop/db', '--port', '1'], /from "shop\/nope" is not a pod of the model; known pods: shop\/db, shop\/web/],
    [['--from', 'shop/web', '--to', 'shop/db', '--port', 'http'], /--port "http" is not a port; expected a number from 1 to 65535/],
    [['--from', 'shop/web', '--to', 'shop/db'], /required option '--port <port>' not specified/],
    [['--from', 'shop/web', '--to', 'shop/db', '--port', '1', '--protocol', 'ICMP'], /argument 'ICMP' is invalid/],
  ])('unusable: exit 2 (%j)', async (args, message) => {
    const result = await run('explain', manifests(), ...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});

describe('cdk8s-netpol explain on Cilium policies', () => {
  const manifests = () => tempFile('app.yaml', [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: api}}\n' +
      '  ingress: [{fromEndpoints: [{matchLabels: {app: web}}], toPorts: [{ports: [{port: "8080", protocol: TCP}], rules: {http: [{method: GET, path: /api/.*}]}}]}]',
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: web}}\n' +
      '  egress: [{toEntities: [kube-apiserver]}, {toEndpoints: [{matchLabels: {app: api}}]}]',
  ].join('\n---\n'));

  test('--http-method and --http-path: the request is checked against the L7 rules', async () => {
    const allowed = await run('explain', manifests(), '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', '--http-method', 'GET', '--http-path', '/api/items');
    expect(allowed.code).toBe(0);
    expect(allowed.out).toMatch(/^ALLOWED: shop\/web -> shop\/api on TCP\/8080 \(HTTP GET \/api\/items\)\n/);
    const denied = await run('explain', manifests(), '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', '--http-method', 'DELETE', '--http-path', '/api/items',
      '--http-header', 'X-Tenant: blue', '--http-host', 'api.shop');
    expect(denied.code).toBe(1);
    expect(denied.out).toContain('ingress of shop/api: denied at L7 (Cilium\'s proxy answers 403): HTTP DELETE /api/items (host api.shop) matches no HTTP rule');
  });

  test('--kube-apiserver names the API server for the kube-apiserver entity', async () => {
    const unknown = await run('explain', manifests(), '--from', 'shop/web', '--to', '172.18.0.2', '--port', '6443');
    expect(unknown.code).toBe(1);
    const known = await run('explain', manifests(), '--from', 'shop/web', '--to', '172.18.0.2', '--port', '6443', '--kube-apiserver', '172.18.0.2');
    expect(known.code).toBe(0);
    expect(known.out).toContain('to entity kube-apiserver on every port');
  });

  test.each([
    [['--http-method', 'GET'], /an HTTP request needs both --http-method and --http-path/],
    [['--http-method', 'GET', '--http-path', '/', '--http-header', 'nocolon'], /--http-header "nocolon" is not "Name: value"/],
    [['--http-method', 'GET', '--http-path', 'x'], /http.path "x" is not a request path/],
    [['--kube-apiserver', 'nope'], /address "nope" is not an IPv4 or IPv6 address/],
  ])('unusable: exit 2 (%j)', async (args, message) => {
    const result = await run('explain', manifests(), '--from', 'shop/web', '--to', 'shop/api', '--port', '8080', ...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });
});

describe('--cluster-name and --calico-version (explain, matrix, diff)', () => {
  const mesh = () => tempFile('mesh.yaml', [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {serviceAccountName: frontend, containers: [{name: c, image: x}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n  endpointSelector: {matchLabels: {app: api}}\n' +
      '  ingress: [{fromEndpoints: [{matchLabels: {io.cilium.k8s.policy.cluster: eu-prod, io.cilium.k8s.policy.serviceaccount: frontend}}]}]',
  ].join('\n---\n'));
  const alp = (prefix: string) => tempFile('alp.yaml', [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec:\n  selector: app == \'api\'\n  types: [Ingress]\n' +
      `  ingress: [{action: Allow, protocol: TCP, http: {paths: [{prefix: ${prefix}}]}}]`,
  ].join('\n---\n'));

  test('explain: the cluster name decides Cilium\'s cluster label, the Calico release how HTTP paths match', async () => {
    const args = ['--from', 'shop/web', '--to', 'shop/api', '--port', '8080'];
    expect((await run('explain', mesh(), ...args)).code).toBe(1);
    const named = await run('explain', mesh(), ...args, '--cluster-name', 'eu-prod');
    expect(named.code).toBe(0);
    expect(named.out).toContain('io.cilium.k8s.policy.cluster=eu-prod');
    const request = [...args, '--http-method', 'GET', '--http-path', '/publicity'];
    expect((await run('explain', alp('/public'), ...request)).code).toBe(1);
    expect((await run('explain', alp('/public'), ...request, '--calico-version', '3.29')).code).toBe(0);
    expect((await run('explain', alp('/public'), ...request, '--calico-version', '3.32')).code).toBe(1);
    const broken = await run('explain', alp('/public'), ...request, '--calico-version', '3.31');
    expect(broken.code).toBe(2);
    expect(broken.err).toMatch(/an HTTP match is not modelled for Calico 3.31: .*#11986/);
  });

  test('matrix and diff take them too', async () => {
    const matrix = await run('matrix', mesh(), '--format', 'json', '--cluster-name', 'eu-prod');
    expect(matrix.code).toBe(0);
    const cell = JSON.parse(matrix.out).matrix.cells.find((c: any) => c.from === 'shop/web' && c.to === 'shop/api');
    expect(cell.allowed).toEqual(['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535']);
    const other = JSON.parse((await run('matrix', mesh(), '--format', 'json')).out).matrix.cells.find((c: any) => c.from === 'shop/web' && c.to === 'shop/api');
    expect(other.allowed).toEqual([]);
    const diff = await run('diff', alp('/public'), alp('/publicity'), '--calico-version', '3.29');
    expect(diff.code).toBe(0);
    expect(diff.out).toContain('> Verdicts for Calico release 3.29 (its semantics: docs/semantics/calico.md#releases).');
  });

  test.each([
    ['explain', ['--from', 'shop/web', '--to', 'shop/api', '--port', '80', '--cluster-name', 'EU'], /cdk8s-netpol explain: --cluster-name "EU" is not a Cilium cluster name/],
    ['explain', ['--from', 'shop/web', '--to', 'shop/api', '--port', '80', '--calico-version', 'v4'], /cdk8s-netpol explain: --calico-version "v4" is not a Calico release/],
    ['matrix', ['--calico-version', 'latest'], /cdk8s-netpol matrix: --calico-version "latest" is not a Calico release/],
    ['diff', ['--cluster-name', '-x'], /cdk8s-netpol diff: --cluster-name "-x" is not a Cilium cluster name/],
  ])('%s: a bad value is unusable input (exit 2) naming the flag', async (command, args, message) => {
    const result = await run(command, mesh(), ...(command === 'diff' ? [mesh()] : []), ...args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });

  test('a flag that cannot change the verdicts says so (a note on standard error), and the command still runs', async () => {
    const args = ['--from', 'shop/web', '--to', 'shop/api', '--port', '8080'];
    const calicoOnCilium = await run('explain', mesh(), ...args, '--calico-version', '3.31');
    expect(calicoOnCilium.code).toBe(1);
    expect(calicoOnCilium.err).toMatch(/cdk8s-netpol explain: note: --calico-version changes nothing here: the input holds no Calico policy \(and --cni is not calico\)/);
    const clusterOnCalico = await run('matrix', alp('/public'), '--cluster-name', 'eu-prod');
    expect(clusterOnCalico.code).toBe(0);
    expect(clusterOnCalico.err).toMatch(/cdk8s-netpol matrix: note: --cluster-name changes nothing here: it is Cilium's cluster label/);
    // Where it applies, no note.
    expect((await run('explain', mesh(), ...args, '--cluster-name', 'eu-prod')).err).not.toMatch(/note:/);
    expect((await run('explain', alp('/public'), ...args, '--calico-version', '3.29', '--cni', 'calico')).err).not.toMatch(/note:/);
  });

  test('errors of the library are reported without the API call they start with', async () => {
    const tierless = tempFile('tierless.yaml', [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}',
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: api, namespace: shop}\nspec: {tier: security, selector: app == \'api\', types: [Ingress]}',
    ].join('\n---\n'));
    const result = await run('explain', tierless, '--from', 'shop/api', '--to', 'shop/api', '--port', '80');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/^cdk8s-netpol explain: Calico NetworkPolicy shop\/api is in tier "security", but the model has no Tier "security"/);
    expect(result.err).not.toMatch(/NetworkModel\./);
  });
});

describe('host policies (Cilium nodeSelector) on the command line', () => {
  const file = () => tempFile('host.yaml', [
    'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: host-fw}\nspec: {nodeSelector: {}, ingress: [{fromEntities: [cluster]}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: shop, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: exporter, namespace: mon, labels: {app: exporter}}\nspec: {hostNetwork: true, containers: [{name: c, image: x}]}',
  ].join('\n---\n'));

  test('explain decides pod flows and fails closed on host-network pods, naming the host policy; matrix runs', async () => {
    const pods = await run('explain', file(), '--from', 'shop/web', '--to', 'shop/api', '--port', '80');
    expect(pods.code).toBe(0);
    const node = await run('explain', file(), '--from', 'shop/web', '--to', 'mon/exporter', '--port', '9100');
    expect(node.code).toBe(1);
    expect(node.out).toMatch(/failing closed: .*host policy CiliumClusterwideNetworkPolicy host-fw may select that node/);
    expect((await run('matrix', file(), '--format', 'json')).code).toBe(0);
  });

  test('a rule with both endpointSelector and nodeSelector is refused by Cilium: unusable input, naming the field', async () => {
    const both = tempFile('both.yaml', 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideNetworkPolicy\nmetadata: {name: both}\n' +
      'spec: {nodeSelector: {}, endpointSelector: {}, ingress: [{fromEntities: [cluster]}]}');
    const result = await run('matrix', both);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/endpointSelector and nodeSelector together are refused by Cilium/);
  });
});

test('--help exits 0', async () => {
  const result = await run('--help');
  expect(result.code).toBe(0);
  expect(result.out).toMatch(/lint \[options\] <paths\.\.\.>/);
});

describe('cdk8s-netpol matrix and diff', () => {
  const app = (policies: string) => tempFile('app.yaml', [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec: {selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: web}}, spec: {containers: [{name: w, image: nginx, ports: [{containerPort: 80}]}]}}}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\nspec: {selector: {matchLabels: {app: db}}, template: {metadata: {labels: {app: db}}, spec: {containers: [{name: d, image: pg, ports: [{containerPort: 5432}]}]}}}',
    policies,
  ].filter((d) => d).join('\n---\n'));
  const dbFromWeb = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]}';
  const webFromDb = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: db}}}], ports: [{port: 80}]}]}';

  test('matrix: Markdown by default, with the Mermaid graph and the table', async () => {
    const result = await run('matrix', app(dbFromWeb));
    expect(result.code).toBe(0);
    expect(result.out).toContain('```mermaid\nflowchart LR');
    expect(result.out).toContain('| shop/web | TCP/5432 | (self) | all ports | all ports | all ports |');
    expect(result.out).toContain('| internet (203.0.113.10) | — | all ports |');
  });

  test.each([
    ['mermaid', /^flowchart LR\n {2}subgraph ns_shop/],
    ['html', /^<!DOCTYPE html>/],
    ['json', /^\{\n {2}"title": "Network policy report",\n {2}"matrix"/],
  ])('matrix --format %s', async (format, pattern) => {
    expect((await run('matrix', '--format', format, app(dbFromWeb))).out).toMatch(pattern);
  });

  test('matrix --format jsonl: the exact ports of every pair, one line per source, streamed to --out', async () => {
    const printed = await run('matrix', '--format', 'jsonl', app(dbFromWeb));
    expect(printed.code).toBe(0);
    const lines = printed.out.split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ format: 'cdk8s-netpol/connectivity-v1', sources: 3, destinations: 5, protocols: ['TCP', 'UDP', 'SCTP'] });
    const every = ['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535'];
    expect(lines.slice(1)).toEqual([
      // db is open; web reaches db on 5432 only; the internet reaches web only.
      { from: 'shop/db', allowed: [{ ports: every, to: ['shop/web', 'dns', 'internet', 'metadata'] }] },
      { from: 'shop/web', allowed: [{ ports: ['TCP/5432'], to: ['shop/db'] }, { ports: every, to: ['dns', 'internet', 'metadata'] }] },
      { from: 'internet', allowed: [{ ports: every, to: ['shop/web'] }] },
    ]);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-out-')), 'pairs.jsonl');
    const written = await run('matrix', '--format', 'jsonl', '--out', out, app(dbFromWeb));
    expect([written.code, written.err]).toEqual([0, `wrote ${out}`]);
    expect(fs.readFileSync(out, 'utf8')).toBe(`${printed.out}\n`);
  });

  test('matrix --out writes the file', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-out-')), 'r.html');
    const result = await run('matrix', '--format', 'html', '--out', out, app(dbFromWeb));
    expect(result.code).toBe(0);
    expect(result.err).toBe(`wrote ${out}`);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/);
  });

  test('diff: a change that opens one flow and closes another', async () => {
    // Before: db accepts web only. After: db is open again, web accepts db only.
    const result = await run('diff', app(dbFromWeb), app(webFromDb));
    expect(result.code).toBe(0);
    expect(result.out).toContain([
      '**2** flow(s) opened, **2** closed.',
      '',
      '| cause | opened | closed |',
      '|---|---|---|',
      '| isolated by NetworkPolicy shop/web | 0 | 2 |',
      '| no policy isolates shop/db for ingress | 2 | 0 |',
      '',
      '## Opened',
      '',
      '### no policy isolates shop/db for ingress (2)',
      '',
      // Every port web could not reach before; the internet, which reached none.
      '- `shop/web` → `shop/db` on TCP/1-5431, TCP/5433-65535, UDP/1-65535, SCTP/1-65535',
      '  - ingress of shop/db: allowed, not isolated (no policy selects it for Ingress)',
      '- `internet` → `shop/db` on all ports',
      '  - ingress of shop/db: allowed, not isolated (no policy selects it for Ingress)',
      '',
      '## Closed',
      '',
      '### isolated by NetworkPolicy shop/web (2)',
      '',
      '- `shop/db` → `shop/web` on TCP/1-79, TCP/81-65535, UDP/1-65535, SCTP/1-65535',
      '  - ingress of shop/web: denied, isolated by shop/web and no rule of these allows TCP/1 from shop/db',
      '- `internet` → `shop/web` on all ports',
    ].join('\n'));
    expect(result.err).toBe('');
  });

  test('kinds the model does not evaluate are reported, in matrix and diff', async () => {
    const anp = 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: a}\nspec: {priority: 1, subject: {namespaces: {}}}';
    const matrix = await run('matrix', app(anp));
    expect(matrix.err).toMatch(/Incomplete verdicts: the matrix ignores objects the model does not evaluate \(not evaluated\): policy.networking.k8s.io\/v1alpha1 AdminNetworkPolicy x1/);
    expect(matrix.out).toContain('> **Incomplete verdicts:** the verdicts below ignore these objects');
    const mermaid = await run('matrix', '--format', 'mermaid', app(anp));
    expect(mermaid.out).toMatch(/^%% Incomplete verdicts: .*AdminNetworkPolicy x1/);
    const diff = await run('diff', app(''), app(anp));
    expect(diff.out).toContain('> **Incomplete verdicts:** the flows below ignore these objects, which the model does not evaluate and which may allow or deny ' +
      'traffic (not evaluated): policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy x1');
  });

  test('Cilium and Calico policies are evaluated in matrix and diff', async () => {
    const cilium = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: shop}\nspec: {endpointSelector: {}, ingress: [{}]}';
    const matrix = await run('matrix', '--format', 'json', app(cilium));
    expect(matrix.err).toBe('');
    const cells = JSON.parse(matrix.out).matrix.cells;
    expect(cells.find((c: any) => c.from === 'shop/web' && c.to === 'shop/db').allowed).toEqual([]);
    const calico = 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\n' +
      'spec: {selector: "app == \'db\'", ingress: [{action: Deny, protocol: TCP, source: {selector: "app == \'web\'"}}]}';
    const diff = await run('diff', app(''), app(calico));
    expect(diff.out).toContain('**0** flow(s) opened, **2** closed.');
    // The Deny rule closes TCP; the tier's default action (the policy applies now) closes the rest.
    expect(diff.out).toContain('### Calico NetworkPolicy shop/db (1)\n\n- `shop/web` → `shop/db` on TCP/1-65535\n' +
      '  - ingress of shop/db: denied by Calico NetworkPolicy shop/db (tier default) ingress rule #1 (Deny TCP from selector app == \'web\' in namespace shop)');
    expect(diff.out).toContain('- `shop/web` → `shop/db` on UDP/1-65535, SCTP/1-65535');
  });

  test('a path given twice is read once', async () => {
    const file = app(dbFromWeb);
    const result = await run('matrix', '--format', 'json', file, file);
    expect(JSON.parse(result.out).matrix.sources.map((s: any) => s.id)).toEqual(['shop/db', 'shop/web', 'internet']);
  });

  test('matrix and diff on unusable input exit 2', async () => {
    expect((await run('matrix', '/no/such/dir')).code).toBe(2);
    expect((await run('diff', '/no/such/dir', app(''))).code).toBe(2);
  });
});

describe('review fixes: explain refuses what the model refuses; --cni', () => {
  const pods = [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: a, labels: {app: api}}\nspec: {containers: [{name: c, image: x}]}',
  ];
  const gnp = 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: allow-to-set}\nspec:\n  order: 10\n  selector: app == "web"\n' +
    '  types: [Egress]\n  egress:\n  - action: Deny\n    destination: {selector: role == "blocked"}\n  - action: Allow';

  test.each([
    ['GlobalNetworkSet', 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: blocked, labels: {role: blocked}}\nspec: {nets: [203.0.113.0/24]}',
      /projectcalico\.org\/v3 GlobalNetworkSet blocked is not supported: Calico network sets/],
    ['AdminNetworkPolicy', 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: deny-all}\nspec: {priority: 1}',
      /policy\.networking\.k8s\.io\/v1alpha1 AdminNetworkPolicy deny-all is not supported: admin network policies/],
    ['crd.projectcalico.org GlobalNetworkPolicy', 'apiVersion: crd.projectcalico.org/v1\nkind: GlobalNetworkPolicy\nmetadata: {name: deny}\nspec: {selector: all()}',
      /crd\.projectcalico\.org\/v1 GlobalNetworkPolicy deny is not supported; the model evaluates GlobalNetworkPolicy under apiVersion projectcalico\.org\/v3/],
    ['CiliumCIDRGroup', 'apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec: {externalCIDRs: [1.2.3.0/24]}', /CiliumCIDRGroup g is not supported/],
    ['CiliumLocalRedirectPolicy', 'apiVersion: cilium.io/v2\nkind: CiliumLocalRedirectPolicy\nmetadata: {name: dns, namespace: kube-system}\n' +
      'spec: {redirectFrontend: {serviceMatcher: {serviceName: kube-dns, namespace: kube-system}}, redirectBackend: {localEndpointSelector: ' +
      '{matchLabels: {k8s-app: node-local-dns}}, toPorts: [{port: "53", protocol: UDP}]}}', /CiliumLocalRedirectPolicy dns is not supported: local redirect/],
    ['CiliumEnvoyConfig', 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata: {name: l7, namespace: a}\nspec: {resources: []}',
      /CiliumEnvoyConfig l7 is not supported: Envoy configurations/],
  ])('explain with a %s exits 2 with the model\'s refusal instead of a verdict', async (_kind, extra, message) => {
    for (const to of ['203.0.113.5', 'a/api']) {
      const result = await run('explain', tempFile('m.yaml', [...pods, gnp, extra].join('\n---\n')), '--from', 'a/web', '--to', to, '--port', '443');
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toMatch(message);
    }
  });

  test('explain --cni: the CNI\'s semantics decide a Kubernetes ipBlock against a pod address', async () => {
    const file = tempFile('m.yaml', [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: k, namespace: a}\nspec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Egress], ' +
        'egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}]}]}',
    ].join('\n---\n'));
    expect((await run('explain', file, '--from', 'a/web', '--to', '8.8.8.8', '--port', '443', '--cni', 'cilium')).code).toBe(0);
    const bad = await run('explain', file, '--from', 'a/web', '--to', '8.8.8.8', '--port', '443', '--cni', 'flannel');
    expect(bad.code).toBe(2);
    const cnp = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: c, namespace: a}\nspec: {endpointSelector: {}, ingress: [{}]}';
    const mixed = await run('explain', tempFile('m.yaml', [...pods, cnp].join('\n---\n')), '--from', 'a/web', '--to', 'a/api', '--port', '80', '--cni', 'calico');
    expect(mixed.code).toBe(2);
    expect(mixed.err).toMatch(/cannot join a model whose cni is "calico"/);
    const matrix = await run('matrix', '--format', 'json', '--cni', 'calico', tempFile('m.yaml', [...pods, cnp].join('\n---\n')));
    expect(matrix.code).toBe(2);
    const diff = await run('diff', '--cni', 'cilium', tempFile('a.yaml', pods.join('\n---\n')), tempFile('b.yaml', [...pods, cnp].join('\n---\n')));
    expect(diff.code).toBe(0);
  });
});

describe('an object given twice is named with its files', () => {
  const policy = (name: string) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: ${name}, namespace: shop}\n` +
    'spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}';
  const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}';
  const pods = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}\n---\n' +
    'apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: shop, labels: {app: db}}\nspec: {containers: [{name: c, image: x}]}';

  test('explain, matrix and diff exit 2 naming the object and both files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-cli-'));
    fs.writeFileSync(path.join(dir, 'a.yaml'), [namespace, pods, policy('db')].join('\n---\n'));
    fs.writeFileSync(path.join(dir, 'b.yaml'), [namespace, policy('db'), policy('other')].join('\n---\n'));
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    const explain = await run('explain', a, b, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432');
    expect(explain.code).toBe(2);
    expect(explain.out).toBe('');
    expect(explain.err).toBe([
      `cdk8s-netpol explain: Namespace shop is given 2 times, in ${a}, ${b}; applied together, the last would overwrite the others: keep one`,
      `cdk8s-netpol explain: NetworkPolicy (networking.k8s.io) shop/db is given 2 times, in ${a}, ${b}; applied together, the last would overwrite the others: keep one`,
    ].join('\n'));
    const matrix = await run('matrix', dir);
    expect(matrix.code).toBe(2);
    expect(matrix.err).toMatch(/cdk8s-netpol matrix: NetworkPolicy \(networking\.k8s\.io\) shop\/db is given 2 times/);
    const diff = await run('diff', a, dir);
    expect(diff.code).toBe(2);
    expect(diff.err).toMatch(/cdk8s-netpol diff: Namespace shop is given 2 times/);
    // One copy of each: fine.
    expect((await run('explain', a, '--from', 'shop/web', '--to', 'shop/db', '--port', '5432')).code).toBe(1);
  });

  test('objects of other kinds, groups or namespaces with one name are not duplicates', async () => {
    const other = policy('db').replace('namespace: shop', 'namespace: other');
    const cilium = 'apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: db, namespace: shop}\nspec: {endpointSelector: {}}';
    const file = tempFile('m.yaml', [namespace, pods, policy('db'), other].join('\n---\n'));
    expect((await run('matrix', '--format', 'json', file)).code).toBe(0);
    // A Kubernetes and a Cilium policy named db: two objects (the model then says it holds Kubernetes and Cilium policies together, which is fine).
    const mixed = tempFile('n.yaml', [namespace, pods, policy('db'), cilium].join('\n---\n'));
    expect((await run('matrix', '--format', 'json', mixed)).err).not.toMatch(/is given 2 times/);
  });
});

describe('matrix and diff list every object explain refuses (one catalog of kinds)', () => {
  const pods = [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: a, labels: {app: web}}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 80}]}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: api, namespace: a, labels: {app: api}}\nspec: {containers: [{name: c, image: x, ports: [{containerPort: 8080}]}]}',
  ];
  const policy = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api, namespace: a}\n' +
    'spec: {podSelector: {matchLabels: {app: api}}, policyTypes: [Ingress], ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}';
  const redirect = 'apiVersion: cilium.io/v2\nkind: CiliumLocalRedirectPolicy\nmetadata: {name: dns, namespace: kube-system}\n' +
    'spec: {redirectFrontend: {serviceMatcher: {serviceName: kube-dns, namespace: kube-system}}, redirectBackend: {localEndpointSelector: ' +
    '{matchLabels: {k8s-app: node-local-dns}}, toPorts: [{port: "53", protocol: UDP}]}}';
  const file = (...extra: string[]) => tempFile('m.yaml', [...pods, policy, ...extra].join('\n---\n'));
  const explain = (manifests: string) => run('explain', manifests, '--from', 'a/web', '--to', 'a/api', '--port', '8080');

  test('a CiliumLocalRedirectPolicy beside a policy: explain refuses it, matrix and diff list it as not evaluated', async () => {
    const refused = await explain(file(redirect));
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/cilium\.io\/v2 CiliumLocalRedirectPolicy dns is not supported: local redirect policies/);

    const matrix = await run('matrix', file(redirect));
    expect(matrix.code).toBe(0);
    expect(matrix.err).toBe('Incomplete verdicts: the matrix ignores objects the model does not evaluate (not evaluated): cilium.io/v2 CiliumLocalRedirectPolicy x1');
    expect(matrix.out).toContain('> **Incomplete verdicts:** the verdicts below ignore these objects, which the model does not evaluate and which may allow or deny ' +
      'traffic (not evaluated): cilium.io/v2 CiliumLocalRedirectPolicy x1');
    const json = await run('matrix', '--format', 'json', file(redirect));
    expect(JSON.parse(json.out).notEvaluated).toEqual(['cilium.io/v2 CiliumLocalRedirectPolicy x1']);

    const diff = await run('diff', file(), file(redirect));
    expect(diff.code).toBe(0);
    expect(diff.err).toBe('Incomplete verdicts: the diff ignores objects the model does not evaluate (not evaluated): cilium.io/v2 CiliumLocalRedirectPolicy x1');
    expect(diff.out).toContain('> **Incomplete verdicts:** the flows below ignore these objects, which the model does not evaluate and which may allow or deny ' +
      'traffic (not evaluated): cilium.io/v2 CiliumLocalRedirectPolicy x1');
  });

  // Each object alone beside the policy: what explain refuses (exit 2) is what matrix and diff
  // list; staged policies, which the model skips, are listed too (as previews never enforced).
  const objects: [string, string, 'refused' | 'staged' | 'read'][] = [
    ['cilium.io/v2 CiliumLocalRedirectPolicy', redirect, 'refused'],
    ['cilium.io/v2 CiliumEnvoyConfig', 'apiVersion: cilium.io/v2\nkind: CiliumEnvoyConfig\nmetadata: {name: l7, namespace: a}\nspec: {resources: []}', 'refused'],
    ['cilium.io/v2 CiliumClusterwideEnvoyConfig', 'apiVersion: cilium.io/v2\nkind: CiliumClusterwideEnvoyConfig\nmetadata: {name: l7}\nspec: {resources: []}', 'refused'],
    ['projectcalico.org/v3 Profile', 'apiVersion: projectcalico.org/v3\nkind: Profile\nmetadata: {name: p}\nspec: {ingress: [{action: Allow}]}', 'refused'],
    ['policy.networking.k8s.io/v1alpha1 AdminNetworkPolicy', 'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: {name: d}\nspec: {priority: 1}', 'refused'],
    ['projectcalico.org/v3 GlobalNetworkSet', 'apiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: s}\nspec: {nets: [203.0.113.0/24]}', 'refused'],
    ['projectcalico.org/v3 HostEndpoint', 'apiVersion: projectcalico.org/v3\nkind: HostEndpoint\nmetadata: {name: h}\nspec: {node: n1}', 'refused'],
    ['cilium.io/v2alpha1 CiliumCIDRGroup', 'apiVersion: cilium.io/v2alpha1\nkind: CiliumCIDRGroup\nmetadata: {name: g}\nspec: {externalCIDRs: [1.2.3.0/24]}', 'refused'],
    ['crd.projectcalico.org/v1 NetworkPolicy', 'apiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: c, namespace: a}\nspec: {selector: all()}', 'refused'],
    ['projectcalico.org/v3 StagedNetworkPolicy', 'apiVersion: projectcalico.org/v3\nkind: StagedNetworkPolicy\nmetadata: {name: s, namespace: a}\nspec: {}', 'staged'],
    ['v1 Service', 'apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: a}\nspec: {selector: {app: api}, ports: [{port: 80}]}', 'read'],
    ['example.com/v1 Profile', 'apiVersion: example.com/v1\nkind: Profile\nmetadata: {name: p}', 'read'],
  ];

  test.each(objects)('%s: listed by matrix and diff exactly when explain refuses it', async (kind, yaml, expected) => {
    const listed = (text: string) => text.includes(`${kind} x1`);
    const refused = (await explain(file(yaml))).code === 2;
    const matrix = await run('matrix', '--format', 'json', file(yaml));
    const diff = await run('diff', file(), file(yaml));
    expect(matrix.code).toBe(0);
    expect(diff.code).toBe(0);
    expect({ refused, matrix: listed(matrix.err), diff: listed(diff.err) }).toEqual({
      refused: expected === 'refused',
      matrix: expected !== 'read',
      diff: expected !== 'read',
    });
    expect(JSON.parse(matrix.out).notEvaluated).toEqual(expected === 'read' ? [] : [`${kind} x1`]);
  });

  test('all at once: the listed set is the refused set plus the staged policies', async () => {
    const all = file(...objects.map(([, yaml]) => yaml));
    const matrix = await run('matrix', '--format', 'json', all);
    expect(JSON.parse(matrix.out).notEvaluated).toEqual(objects.filter(([, , e]) => e !== 'read').map(([kind]) => `${kind} x1`));
    expect((await explain(all)).code).toBe(2);
  });
});

describe('ClusterNetworkPolicy input and --pod-cidrs (explain, matrix, diff)', () => {
  const pods = [
    'apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop, labels: {app: web}}\nspec: {containers: [{name: c, image: x}]}',
    'apiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: data, labels: {app: db}}\nspec: {containers: [{name: c, image: x}]}',
  ];
  // Deny two public ranges (networks match pods' addresses too).
  const guard = 'apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: no-public}\n' +
    'spec:\n  tier: Admin\n  priority: 10\n  subject: {namespaces: {}}\n  egress: [{name: public, action: Deny, to: [{networks: [11.0.0.0/8, 203.0.113.0/24]}]}]';
  const file = (...docs: string[]) => tempFile('estate.yaml', docs.join('\n---\n'));
  const args = ['--from', 'shop/web', '--to', 'data/db', '--port', '5432'];

  test('explain names the tier, priority and rule; a pod without an address fails closed until --pod-cidrs decides it', async () => {
    const unknown = await run('explain', file(...pods, guard), ...args);
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/denied by ClusterNetworkPolicy no-public \(tier Admin, priority 10\) egress rule #1 "public" .*failing closed: the address of pod data\/db is unknown/);
    const decided = await run('explain', file(...pods, guard), ...args, '--pod-cidrs', '10.244.0.0/16', 'fd00::/48');
    expect(decided.code).toBe(0);
    expect((await run('explain', file(...pods, guard), '--from', 'shop/web', '--to', '203.0.113.9', '--port', '443', '--pod-cidrs', '10.244.0.0/16')).code).toBe(1);
    expect((await run('explain', file(...pods, guard), ...args, '--pod-cidrs', '10.0.0.0/33')).err).toMatch(/--pod-cidrs "10.0.0.0\/33" is not a valid CIDR/);
  });

  test('diff names the ClusterNetworkPolicy that closes a flow', async () => {
    const diff = await run('diff', file(...pods), file(...pods, guard), '--pod-cidrs', '10.244.0.0/16');
    expect(diff.code).toBe(0);
    expect(diff.out).toMatch(/\| ClusterNetworkPolicy no-public \| 0 \| \d+ \|/);
    expect(diff.out).not.toMatch(/`shop\/web` → `data\/db`/);
  });
});

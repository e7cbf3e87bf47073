/**
 * Runs every example app in examples/<name>/main.ts the way `npx projen synth-examples` does
 * (CDK8S_OUTDIR pointing at a fresh directory, then `require`), reads the YAML it wrote back,
 * validates every object against the official schemas and checks what each example promises.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ipaddr from 'ipaddr.js';
import { parseAllDocuments } from 'yaml';
import { ClusterCni, NetpolValidation } from '../src';
import { expectValidManifests, policyNamed } from './support/manifests';

const EXAMPLES_DIR = path.resolve(__dirname, '..', 'examples');

/** What one example wrote: the file names and every object of every file, in order. */
interface Synthesized {
  readonly files: string[];
  readonly objects: any[];
}

function exampleNames(): string[] {
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

/** Synthesizes examples/<name>/main.ts in this process into a temp dir (once per example). */
function synthExample(name: string): Synthesized {
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
    const result = { files, objects: files.flatMap((f) => readManifests(path.join(outdir, f))) };
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

const policyNames = (objects: any[]) => objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort();
const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const tcp = (port: number) => ({ port, protocol: 'TCP' });
const namespaceSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

describe('every example', () => {
  test('the examples folder holds the known examples', () => {
    expect(exampleNames()).toEqual(expect.arrayContaining(['calico-global-deny', 'cilium-l7', 'multi-engine', 'pipeline', 'seed', 'three-tier-app', 'zero-trust-namespace']));
  });

  test.each(exampleNames())('%s synthesizes valid manifests, one file per chart named after it', (name) => {
    const { files, objects } = synthExample(name);
    if (name === 'pipeline') {
      expect(files).toEqual(['pipeline.k8s.yaml']);
    } else if (name === 'multi-engine') {
      expect(files).toEqual(['multi-engine-calico.k8s.yaml', 'multi-engine-cilium.k8s.yaml', 'multi-engine-kubernetes.k8s.yaml']);
    } else {
      expect(files).toEqual([`${name}.k8s.yaml`]);
    }
    expect(objects.length).toBeGreaterThan(0);
    expectValidManifests(objects);
    expect(process.env.CDK8S_OUTDIR).toBeUndefined();
  });

  test.each(exampleNames())('%s has a cdk8s.yaml that runs main.ts through tsconfig-paths', (name) => {
    const config = parseAllDocuments(fs.readFileSync(path.join(EXAMPLES_DIR, name, 'cdk8s.yaml'), 'utf8'))[0].toJSON();
    if (name === 'pipeline') {
      // The validation plugin is this package, at the version package.json declares.
      const version = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, '..', 'package.json'), 'utf8')).version;
      expect(config.validations).toEqual([{ package: './../..', version, class: 'NetpolValidation', properties: { cni: 'kubernetes' } }]);
    }
    expect(config).toMatchObject({
      language: 'typescript',
      app: 'npx ts-node -r tsconfig-paths/register --project ../tsconfig.json main.ts',
    });
  });
});

describe('zero-trust-namespace', () => {
  const objects = () => synthExample('zero-trust-namespace').objects;

  test('emits the namespace and exactly the zero-trust policies, all in production', () => {
    expect(ofKind(objects(), 'Namespace').map((o) => o.metadata.name)).toEqual(['production']);
    expect(policyNames(objects())).toEqual(['allow-dns', 'allow-egress', 'allow-ingress', 'default-deny']);
    for (const policy of ofKind(objects(), 'NetworkPolicy')) {
      expect(policy.metadata.namespace).toBe('production');
      expect(policy.spec.podSelector).toEqual({});
    }
  });

  test('default-deny isolates both directions with no rules', () => {
    const spec = policyNamed(objects(), 'default-deny').spec;
    expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(spec.ingress ?? []).toEqual([]);
    expect(spec.egress ?? []).toEqual([]);
  });

  test('allow-dns lets every pod reach kube-dns on port 53', () => {
    expect(policyNamed(objects(), 'allow-dns').spec.egress).toEqual([{
      to: [{ namespaceSelector: namespaceSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, tcp(53)],
    }]);
  });

  test('allow-ingress admits the monitoring namespace on TCP 9100 only', () => {
    const spec = policyNamed(objects(), 'allow-ingress').spec;
    expect(spec.policyTypes).toEqual(['Ingress']);
    expect(spec.ingress).toEqual([{ from: [{ namespaceSelector: namespaceSelector('monitoring') }], ports: [tcp(9100)] }]);
  });

  test('allow-egress reaches the API server address on TCP 443 only', () => {
    const spec = policyNamed(objects(), 'allow-egress').spec;
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [tcp(443)] }]);
  });
});

describe('three-tier-app', () => {
  const objects = () => synthExample('three-tier-app').objects;
  const TIERS = [
    { tier: 'frontend', port: 80, service: 'frontend' },
    { tier: 'api', port: 8080, service: 'api' },
    { tier: 'database', port: 5432, service: 'postgres' },
  ];

  /** The Deployment cdk8s-plus named after construct id `tier` in chart `three-tier-app`. */
  function deployment(tier: string): any {
    const found = ofKind(objects(), 'Deployment').filter((d) => d.metadata.name.startsWith(`three-tier-app-${tier}-`));
    expect(found).toHaveLength(1);
    return found[0];
  }

  /** The `cdk8s.io/metadata.addr` label cdk8s-plus puts on the tier's pod template. */
  function podAddr(tier: string): string {
    const addr = deployment(tier).spec.template.metadata.labels['cdk8s.io/metadata.addr'];
    expect(typeof addr).toBe('string');
    return addr;
  }
  const podsOf = (tier: string) => ({ matchLabels: { 'cdk8s.io/metadata.addr': podAddr(tier) } });

  test('puts every namespaced object in shop and emits the namespace', () => {
    expect(ofKind(objects(), 'Namespace').map((o) => o.metadata.name)).toEqual(['shop']);
    for (const obj of objects().filter((o) => o.kind !== 'Namespace')) {
      expect(`${obj.kind}/${obj.metadata.name} in ${obj.metadata.namespace}`).toBe(`${obj.kind}/${obj.metadata.name} in shop`);
    }
  });

  test('emits the zero-trust and per-tier policies', () => {
    expect(policyNames(objects())).toEqual(['allow-dns', 'default-deny', 'shop-api', 'shop-database', 'shop-frontend']);
  });

  test('has three Deployments with distinct pod labels, each behind its Service', () => {
    expect(ofKind(objects(), 'Deployment')).toHaveLength(3);
    expect(new Set(TIERS.map(({ tier }) => podAddr(tier))).size).toBe(3);
    for (const { tier, port, service } of TIERS) {
      const svc = ofKind(objects(), 'Service').find((s) => s.metadata.name === service);
      expect(svc.spec.selector).toEqual({ 'cdk8s.io/metadata.addr': podAddr(tier) });
      expect(svc.spec.ports).toEqual([{ port, targetPort: port }]);
      expect(deployment(tier).spec.template.spec.containers.map((c: any) => c.ports)).toEqual([[{ containerPort: port }]]);
    }
  });

  test.each(TIERS)('the $tier policy selects exactly the pods of the $tier Deployment', ({ tier }) => {
    const policy = policyNamed(objects(), `shop-${tier}`);
    expect(policy.spec.podSelector).toEqual(podsOf(tier));
    expect(policy.spec.podSelector).toEqual(deployment(tier).spec.selector);
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('the chain ingress-nginx -> frontend -> api -> database uses the Deployments\' labels and ports', () => {
    const frontend = policyNamed(objects(), 'shop-frontend').spec;
    const api = policyNamed(objects(), 'shop-api').spec;
    const database = policyNamed(objects(), 'shop-database').spec;
    expect(frontend.ingress).toEqual([{ from: [{ namespaceSelector: namespaceSelector('ingress-nginx') }], ports: [tcp(80)] }]);
    expect(frontend.egress[0]).toEqual({ to: [{ podSelector: podsOf('api') }], ports: [tcp(8080)] });
    expect(api.ingress).toEqual([{ from: [{ podSelector: podsOf('frontend') }], ports: [tcp(8080)] }]);
    expect(api.egress[0]).toEqual({ to: [{ podSelector: podsOf('database') }], ports: [tcp(5432)] });
    expect(database.ingress).toEqual([{ from: [{ podSelector: podsOf('api') }], ports: [tcp(5432)] }]);
    expect(database.egress ?? []).toEqual([]);
  });
});

describe('seed', () => {
  const objects = () => synthExample('seed').objects;

  test('emits the production namespace and every policy of the scenario', () => {
    expect(ofKind(objects(), 'Namespace').map((o) => o.metadata.name)).toEqual(['production']);
    expect(policyNames(objects())).toEqual([
      'allow-dns', 'allow-external-https', 'allow-prometheus-scrape', 'default-deny', 'seed-api', 'seed-database', 'seed-frontend',
    ]);
    expect(ofKind(objects(), 'NetworkPolicy').every((p) => p.metadata.namespace === 'production')).toBe(true);
  });

  test('the three tiers use the default labels and ports', () => {
    const tiers = { 'seed-frontend': ['frontend', 80], 'seed-api': ['api', 8080], 'seed-database': ['postgres', 5432] } as const;
    for (const [name, [app, port]] of Object.entries(tiers)) {
      const spec = policyNamed(objects(), name).spec;
      expect(spec.podSelector).toEqual({ matchLabels: { app } });
      expect(spec.ingress.map((rule: any) => rule.ports)).toEqual([[tcp(port)]]);
    }
    expect(policyNamed(objects(), 'seed-frontend').spec.ingress[0].from).toEqual([{ namespaceSelector: namespaceSelector('ingress-nginx') }]);
    expect(policyNamed(objects(), 'seed-database').spec.egress ?? []).toEqual([]);
  });

  test('Prometheus pods of monitoring (pods AND namespace) may scrape metrics=enabled pods on 9090', () => {
    const spec = policyNamed(objects(), 'allow-prometheus-scrape').spec;
    expect(spec.podSelector).toEqual({ matchLabels: { metrics: 'enabled' } });
    expect(spec.ingress).toEqual([{
      from: [{ namespaceSelector: namespaceSelector('monitoring'), podSelector: { matchLabels: { app: 'prometheus' } } }],
      ports: [tcp(9090)],
    }]);
  });

  test('external HTTPS egress is for the api pods on 443 and excludes link-local 169.254.0.0/16', () => {
    const spec = policyNamed(objects(), 'allow-external-https').spec;
    expect(spec.podSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(spec.egress).toHaveLength(1);
    expect(spec.egress[0].ports).toEqual([tcp(443)]);
    const blocks = spec.egress[0].to.map((peer: any) => peer.ipBlock);
    expect(blocks).toContainEqual({ cidr: '0.0.0.0/0', except: expect.arrayContaining(['169.254.0.0/16']) });
    // No block may let the cloud metadata endpoint through.
    const metadata = ipaddr.parse('169.254.169.254');
    const covers = (cidr: string) => {
      const [network, prefix] = ipaddr.parseCIDR(cidr);
      return network.kind() === metadata.kind() && metadata.match(network, prefix);
    };
    for (const block of blocks) {
      expect(block).toBeDefined();
      if (covers(block.cidr)) {
        expect((block.except ?? []).some(covers)).toBe(true);
      }
    }
  });
});

describe('cilium-l7', () => {
  const objects = () => synthExample('cilium-l7').objects;
  const named = (name: string) => objects().find((o) => o.metadata.name === name);

  test('renders CiliumNetworkPolicies only', () => {
    expect(new Set(objects().map((o) => o.kind))).toEqual(new Set(['CiliumNetworkPolicy']));
  });

  test('the api accepts GET /api/v1/products and POST /api/v1/orders from the frontend on 8080, nothing else', () => {
    expect(named('shop-api').spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'frontend', 'k8s:io.kubernetes.pod.namespace': 'production' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/v1/products' }, { method: 'POST', path: '/api/v1/orders' }] } }],
    }]);
  });

  test('the admin API accepts the ops console for GET /admin/.* only', () => {
    expect(named('admin-api').spec.ingress[0].toPorts[0].rules).toEqual({ http: [{ method: 'GET', path: '/admin/.*' }] });
  });

  test('FQDN egress comes with the DNS-proxy rule', () => {
    const egress = named('allow-external-https').spec.egress;
    expect(egress[0].toFQDNs).toEqual([{ matchName: 'api.stripe.com' }, { matchPattern: '*.payments.example.com' }]);
    expect(egress[1].toPorts).toEqual([{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }]);
  });
});

describe('calico-global-deny', () => {
  const objects = () => synthExample('calico-global-deny').objects;

  test('one tier, two global denies in it, each ending with Pass', () => {
    expect(ofKind(objects(), 'Tier').map((o) => [o.metadata.name, o.spec])).toEqual([['cdk8s-netpol-guardrails', { order: 100, defaultAction: 'Pass' }]]);
    const denies = ofKind(objects(), 'GlobalNetworkPolicy');
    expect(denies.map((o) => o.metadata.name)).toEqual(['deny-cloud-metadata', 'deny-other-metadata']);
    for (const deny of denies) {
      expect(deny.spec.tier).toBe('cdk8s-netpol-guardrails');
      expect(deny.spec.egress[deny.spec.egress.length - 1]).toEqual({ action: 'Pass' });
    }
    expect(denies[0].spec.egress[0]).toEqual({ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } });
    expect(denies[1].spec.selector).toBe('has(projectcalico.org/namespace)');
  });

  test('namespaced allows are Calico NetworkPolicies at order 1000', () => {
    const namespaced = objects().filter((o) => o.metadata.namespace === 'production');
    expect(namespaced.map((o) => o.metadata.name).sort()).toEqual(['allow-dns', 'allow-external-https', 'default-deny']);
    expect(namespaced.every((o) => o.apiVersion === 'projectcalico.org/v3' && o.spec.order === 1000)).toBe(true);
  });
});

describe('multi-engine', () => {
  const objects = () => synthExample('multi-engine').objects;

  test('the same policies for each engine', () => {
    const byEngine = (apiVersion: string) => objects().filter((o) => o.apiVersion === apiVersion).map((o) => o.metadata.name);
    const kubernetes = byEngine('networking.k8s.io/v1');
    expect(kubernetes).toEqual(['default-deny', 'allow-dns', 'shop-frontend', 'shop-api', 'shop-database', 'allow-prometheus-scrape', 'allow-external-https']);
    expect(byEngine('cilium.io/v2')).toEqual(kubernetes);
    expect(byEngine('projectcalico.org/v3')).toEqual(kubernetes);
  });
});

describe('pipeline', () => {
  test('with a planted mistake, the validation plugin over the synthesized files fails on it', async () => {
    process.env.NETPOL_PLANT_MISTAKE = '1';
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-netpol-pipeline-'));
    try {
      process.env.CDK8S_OUTDIR = outdir;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path.join(EXAMPLES_DIR, 'pipeline', 'main.ts'));
      });
      const manifests = fs.readdirSync(outdir).map((f) => path.join(outdir, f)).sort();
      expect(manifests.map((f) => path.basename(f))).toEqual(['legacy.k8s.yaml', 'pipeline.k8s.yaml']);
      const violations: any[] = [];
      let status = '';
      await new NetpolValidation({ cni: ClusterCni.KUBERNETES }).validate({
        manifests,
        report: { addViolation: (v: any) => violations.push(v), submit: (s: string) => { status = s; } },
      });
      expect(status).toBe('failure');
      expect(violations.map((v) => v.ruleName)).toEqual(['policy-types-mismatch (error)']);
      expect(violations[0].violatingResources[0].resourceName).toBe('batch-deny-egress');
      expect(violations[0].violatingResources[0].locations[0]).toMatch(/^NetworkPolicy production\/batch-deny-egress: /);
    } finally {
      delete process.env.NETPOL_PLANT_MISTAKE;
      delete process.env.CDK8S_OUTDIR;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

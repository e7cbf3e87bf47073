/**
 * Runs every example app in examples/<name>/main.ts the way `npx projen synth-examples` does
 * (CDK8S_OUTDIR pointing at a fresh directory, then `require`), reads the YAML it wrote back,
 * validates every object against the official schemas and checks what each example promises:
 * the objects it emits, and its key flows, allowed and denied, in a NetworkModel of what it wrote.
 *
 * The flows of the Cilium and Calico renderings are in examples-engines.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ipaddr from 'ipaddr.js';
import { parseAllDocuments } from 'yaml';
import { ClusterCni, Linter, NetpolValidation, NetworkModel, PodEndpoint, Severity } from '../src';
import {
  BOUTIQUE_FLOWS, BOUTIQUE_STAND_INS, COREDNS, EXAMPLES_DIR, FLOW_TITLE, METADATA_IP, MULTI_ENGINE_FLOWS, MULTI_ENGINE_PODS, PUBLIC_IP, PUBLIC_IPV6,
  STARS_FLOWS, STARS_STAND_INS, STAR_WARS_L3_L4_FLOWS, STAR_WARS_STAND_INS,
  allowed, denied, exampleNames, expectFlow, fileObjects, lazy, modelOf, synthExample,
} from './support/examples';
import { expectValidManifests, policyNamed } from './support/manifests';

const policyNames = (objects: any[]) => objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.metadata.name).sort();
const ofKind = (objects: any[], kind: string) => objects.filter((o) => o.kind === kind);
const tcp = (port: number) => ({ port, protocol: 'TCP' });
const namespaceSelector = (name: string) => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

/** The examples whose key flows this file checks (filled while the describe blocks are collected). */
const FLOWS_CHECKED = new Set<string>();
/** Examples with Cilium or Calico policies only: their flows are checked in examples-engines.test.ts. */
const FLOWS_IN_ENGINES_FILE = ['calico-global-deny', 'cilium-l7'];

/** A describe block of an example's key flows in a NetworkModel, registered for the 'every example' check. */
function describeKeyFlows(example: string, title: string, body: () => void): void {
  FLOWS_CHECKED.add(example);
  describe(`key flows in a NetworkModel: ${title}`, body);
}

describe('every example', () => {
  test('the examples folder holds the known examples', () => {
    expect(exampleNames()).toEqual(expect.arrayContaining([
      'calico-global-deny', 'calico-stars', 'cilium-l7', 'cluster-guardrails', 'external-egress', 'multi-engine', 'online-boutique', 'pipeline', 'prometheus-scrape', 'seed',
      'star-wars', 'three-tier-app', 'zero-trust-namespace',
    ]));
  });

  test.each(exampleNames())('%s synthesizes valid manifests, one file per chart named after it', (name) => {
    const { files, objects } = synthExample(name);
    if (name === 'pipeline') {
      expect(files).toEqual(['pipeline.k8s.yaml']);
    } else if (name === 'multi-engine') {
      expect(files).toEqual(['multi-engine-calico.k8s.yaml', 'multi-engine-cilium.k8s.yaml', 'multi-engine-kubernetes.k8s.yaml']);
    } else if (name === 'cluster-guardrails') {
      expect(files).toEqual(['cluster-guardrails-calico.k8s.yaml', 'cluster-guardrails-cilium.k8s.yaml', 'cluster-guardrails-kubernetes.k8s.yaml']);
    } else if (name === 'external-egress') {
      expect(files).toEqual(['external-egress-cilium.k8s.yaml', 'external-egress-kubernetes.k8s.yaml']);
    } else if (name === 'online-boutique') {
      expect(files).toEqual(['online-boutique-calico.k8s.yaml', 'online-boutique-cilium.k8s.yaml', 'online-boutique-kubernetes.k8s.yaml']);
    } else if (name === 'star-wars') {
      expect(files).toEqual(['star-wars-l3-l4-calico.k8s.yaml', 'star-wars-l3-l4-cilium.k8s.yaml', 'star-wars-l3-l4-kubernetes.k8s.yaml', 'star-wars-l7-cilium.k8s.yaml']);
    } else if (name === 'calico-stars') {
      expect(files).toEqual(['calico-stars-calico.k8s.yaml', 'calico-stars-kubernetes.k8s.yaml']);
    } else {
      expect(files).toEqual([`${name}.k8s.yaml`]);
    }
    expect(objects.length).toBeGreaterThan(0);
    expectValidManifests(objects);
    expect(process.env.CDK8S_OUTDIR).toBeUndefined();
  });

  test.each(exampleNames())('%s is lint-clean: no error in any file, for the file\'s own CNI', (name) => {
    const { byFile } = synthExample(name);
    for (const [file, objects] of byFile) {
      const cni = objects.some((o) => o.apiVersion === 'cilium.io/v2') ? ClusterCni.CILIUM
        : objects.some((o) => o.apiVersion === 'projectcalico.org/v3') ? ClusterCni.CALICO : ClusterCni.KUBERNETES;
      const errors = new Linter({ cni }).lint(objects).filter((f) => f.severity === Severity.ERROR);
      expect({ file, errors }).toEqual({ file, errors: [] });
    }
  });

  test('online-boutique is lint-clean on all three engines: not even a warning', () => {
    const { byFile } = synthExample('online-boutique');
    const cnis: Record<string, ClusterCni> = {
      'online-boutique-kubernetes.k8s.yaml': ClusterCni.KUBERNETES,
      'online-boutique-cilium.k8s.yaml': ClusterCni.CILIUM,
      'online-boutique-calico.k8s.yaml': ClusterCni.CALICO,
    };
    expect([...byFile.keys()].sort()).toEqual(Object.keys(cnis).sort());
    for (const [file, cni] of Object.entries(cnis)) {
      expect({ file, findings: new Linter({ cni }).lint(byFile.get(file)!) }).toEqual({ file, findings: [] });
    }
  });

  test.each(exampleNames())('%s has its key flows, allowed and denied, checked in a NetworkModel', (name) => {
    if (FLOWS_IN_ENGINES_FILE.includes(name)) {
      expect(fs.readFileSync(path.join(__dirname, 'examples-engines.test.ts'), 'utf8')).toContain(`describe('${name}'`);
    } else {
      expect([...FLOWS_CHECKED]).toContain(name);
    }
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

  describeKeyFlows('zero-trust-namespace', 'pods of production, kube-dns and pods elsewhere stand in for workloads', () => {
    const model = lazy(() => {
      const m = NetworkModel.fromManifests(objects());
      m.addPod({ namespace: 'production', name: 'web', labels: { app: 'web' }, ports: [{ port: 8080 }, { port: 9100 }] });
      m.addPod({ namespace: 'production', name: 'worker', labels: { app: 'worker' }, ports: [{ port: 9100 }] });
      m.addPod(COREDNS);
      m.addPod({ namespace: 'monitoring', name: 'node-probe' });
      m.addPod({ namespace: 'default', name: 'client' });
      // kube-dns's labels in another namespace: allow-dns selects pods AND namespace.
      m.addPod({ namespace: 'default', name: 'fake-dns', labels: { 'k8s-app': 'kube-dns' } });
      return m;
    });

    test.each([
      // allowSameNamespace is off: pods of production do not reach each other.
      denied('production/web', 'production/worker', 9100),
      denied('production/worker', 'production/web', 8080),
      // DNS to kube-dns on UDP and TCP 53, and to nothing else of kube-system, nor to DNS elsewhere.
      allowed('production/web', 'kube-system/coredns', 53, 'UDP'),
      allowed('production/worker', 'kube-system/coredns', 53, 'TCP'),
      denied('production/web', 'kube-system/coredns', 8080),
      denied('production/web', 'default/fake-dns', 53, 'UDP'),
      denied('production/web', '8.8.8.8', 53, 'UDP'),
      // The API server address, on 443 only.
      allowed('production/web', '10.96.0.1', 443),
      denied('production/web', '10.96.0.1', 6443),
      denied('production/web', '10.96.0.1', 80),
      denied('production/web', '10.96.0.2', 443),
      // Every pod of monitoring on 9100, nothing else in.
      allowed('monitoring/node-probe', 'production/web', 9100),
      allowed('monitoring/node-probe', 'production/worker', 9100),
      denied('monitoring/node-probe', 'production/web', 8080),
      denied('default/client', 'production/web', 9100),
      denied(PUBLIC_IP, 'production/web', 9100),
      // Nothing else out.
      denied('production/web', PUBLIC_IP, 443),
      denied('production/web', 'monitoring/node-probe', 9100),
      denied('production/web', 'default/client', 8080),
    ])(FLOW_TITLE, (flow) => expectFlow(model(), flow));
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

  describeKeyFlows('three-tier-app', 'the tiers are the pods of the Deployments', () => {
    /** shop/<tier> stands for the pod the model reads from the tier's Deployment (named after it). */
    const pod = (name: string) => {
      const tier = TIERS.find((t) => name === `shop/${t.tier}`)?.tier;
      return tier ? `shop/${deployment(tier).metadata.name}` : name;
    };
    const model = lazy(() => {
      const m = NetworkModel.fromManifests(objects());
      m.addPod({ namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
      m.addPod(COREDNS);
      m.addPod({ namespace: 'default', name: 'intruder' });
      m.addPod({ namespace: 'shop', name: 'debug', labels: { app: 'debug' } });
      return m;
    });

    test('the model reads one pod per Deployment, and nothing else', () => {
      expect(NetworkModel.fromManifests(objects()).podIds).toEqual(TIERS.map(({ tier }) => pod(`shop/${tier}`)).sort());
    });

    test.each([
      allowed('ingress-nginx/controller', 'shop/frontend', 80),
      allowed('shop/frontend', 'shop/api', 8080),
      allowed('shop/api', 'shop/database', 5432),
      allowed('shop/database', 'kube-system/coredns', 53, 'UDP'),
      // Each hop reaches only the next tier, on its port.
      denied('ingress-nginx/controller', 'shop/frontend', 443),
      denied('ingress-nginx/controller', 'shop/api', 8080),
      denied('ingress-nginx/controller', 'shop/database', 5432),
      denied('shop/frontend', 'shop/database', 5432),
      denied('shop/frontend', 'shop/api', 80),
      denied('shop/api', 'shop/frontend', 80),
      denied('shop/api', 'shop/database', 5433),
      denied('shop/api', 'shop/database', 22),
      // The database initiates nothing.
      denied('shop/database', 'shop/api', 8080),
      denied('shop/database', 'shop/frontend', 80),
      denied('shop/database', PUBLIC_IP, 443),
      // Nothing from other namespaces, other pods of shop or the internet; nothing out to it.
      denied('default/intruder', 'shop/frontend', 80),
      denied('default/intruder', 'shop/api', 8080),
      denied('default/intruder', 'shop/database', 5432),
      denied('shop/debug', 'shop/api', 8080),
      denied('shop/debug', 'shop/database', 5432),
      denied(PUBLIC_IP, 'shop/frontend', 80),
      denied('shop/api', PUBLIC_IP, 443),
    ])(FLOW_TITLE, (flow) => expectFlow(model(), flow, pod));
  });
});

describe('seed', () => {
  const objects = () => synthExample('seed').objects;

  test('emits the production namespace and every policy of the scenario', () => {
    expect(ofKind(objects(), 'Namespace').map((o) => o.metadata.name)).toEqual(['production']);
    expect(policyNames(objects())).toEqual([
      'allow-dns', 'api-https', 'default-deny', 'prometheus-scrape', 'seed-api', 'seed-database', 'seed-frontend',
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
    const spec = policyNamed(objects(), 'prometheus-scrape').spec;
    expect(spec.podSelector).toEqual({ matchLabels: { metrics: 'enabled' } });
    expect(spec.ingress).toEqual([{
      from: [{ namespaceSelector: namespaceSelector('monitoring'), podSelector: { matchLabels: { app: 'prometheus' } } }],
      ports: [tcp(9090)],
    }]);
  });

  test('external HTTPS egress is for the api pods on 443 and excludes link-local 169.254.0.0/16', () => {
    const spec = policyNamed(objects(), 'api-https').spec;
    expect(spec.podSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(spec.policyTypes).toEqual(['Egress']);
    // The internet on 443, and DNS so that the pods it isolates still resolve names.
    expect(spec.egress).toHaveLength(2);
    expect(spec.egress[0].ports).toEqual([tcp(443)]);
    expect(spec.egress[1].ports).toEqual([{ port: 53, protocol: 'UDP' }, tcp(53)]);
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

  describeKeyFlows('seed', 'pods with the default tier labels stand in for workloads', () => {
    const model = lazy(() => {
      const m = NetworkModel.fromManifests(objects());
      m.addPod({ namespace: 'production', name: 'frontend', labels: { app: 'frontend' }, ports: [{ port: 80 }] });
      // The api also serves metrics: the scrape policy selects metrics=enabled.
      m.addPod({ namespace: 'production', name: 'api', labels: { app: 'api', metrics: 'enabled' }, ports: [{ port: 8080 }, { port: 9090 }] });
      m.addPod({ namespace: 'production', name: 'postgres', labels: { app: 'postgres' }, ports: [{ port: 5432 }] });
      m.addPod({ namespace: 'ingress-nginx', name: 'controller' });
      m.addPod({ namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' } });
      m.addPod({ namespace: 'monitoring', name: 'grafana', labels: { app: 'grafana' } });
      m.addPod({ namespace: 'default', name: 'prometheus', labels: { app: 'prometheus' } });
      m.addPod(COREDNS);
      return m;
    });

    test.each([
      allowed('ingress-nginx/controller', 'production/frontend', 80),
      allowed('production/frontend', 'production/api', 8080),
      allowed('production/api', 'production/postgres', 5432),
      allowed('production/postgres', 'kube-system/coredns', 53, 'UDP'),
      denied('production/frontend', 'production/postgres', 5432),
      denied('production/postgres', 'production/api', 8080),
      denied('ingress-nginx/controller', 'production/api', 8080),
      // Scraping: the Prometheus pods of monitoring only, metrics=enabled pods only, 9090 only.
      allowed('monitoring/prometheus', 'production/api', 9090),
      denied('monitoring/prometheus', 'production/api', 8080),
      denied('monitoring/prometheus', 'production/frontend', 9090),
      denied('monitoring/grafana', 'production/api', 9090),
      denied('default/prometheus', 'production/api', 9090),
      // External HTTPS: the api, on 443, to public addresses only.
      allowed('production/api', PUBLIC_IP, 443),
      allowed('production/api', PUBLIC_IPV6, 443),
      denied('production/api', PUBLIC_IP, 80),
      denied('production/api', METADATA_IP, 80),
      denied('production/api', METADATA_IP, 443),
      denied('production/api', '10.0.0.1', 443),
      denied('production/api', '172.16.0.1', 443),
      denied('production/api', '192.168.1.1', 443),
      denied('production/frontend', PUBLIC_IP, 443),
      denied('production/postgres', PUBLIC_IP, 443),
    ])(FLOW_TITLE, (flow) => expectFlow(model(), flow));
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
    const egress = named('payments').spec.egress;
    expect(egress[0].toFQDNs).toEqual([{ matchName: 'api.stripe.com' }, { matchPattern: '*.payments.example.com' }]);
    expect(egress[1].toPorts).toEqual([{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }]);
  });
});

describe('calico-global-deny', () => {
  const objects = () => synthExample('calico-global-deny').objects;

  test('one tier (default action Pass), two global denies in it, neither ending with a Pass that would skip the other', () => {
    expect(ofKind(objects(), 'Tier').map((o) => [o.metadata.name, o.spec])).toEqual([['cdk8s-netpol-guardrails', { order: 100, defaultAction: 'Pass' }]]);
    const denies = ofKind(objects(), 'GlobalNetworkPolicy');
    expect(denies.map((o) => o.metadata.name)).toEqual(['deny-cloud-metadata', 'deny-other-metadata']);
    for (const deny of denies) {
      expect(deny.spec.tier).toBe('cdk8s-netpol-guardrails');
      expect(deny.spec.egress.every((rule: any) => rule.action === 'Deny')).toBe(true);
    }
    expect(denies[0].spec.egress[0]).toEqual({ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } });
    expect(denies[1].spec.selector).toBe('has(projectcalico.org/namespace)');
  });

  test('namespaced allows are Calico NetworkPolicies at order 1000', () => {
    const namespaced = objects().filter((o) => o.metadata.namespace === 'production');
    expect(namespaced.map((o) => o.metadata.name).sort()).toEqual(['allow-dns', 'api-https', 'default-deny']);
    expect(namespaced.every((o) => o.apiVersion === 'projectcalico.org/v3' && o.spec.order === 1000)).toBe(true);
  });
});

describe('prometheus-scrape', () => {
  const objects = () => synthExample('prometheus-scrape').objects;
  const SCRAPED = { 'prometheus.io/scrape': 'true' };
  const PROMETHEUS = { 'app.kubernetes.io/name': 'prometheus' };
  const metricsPort = { port: 'metrics', protocol: 'TCP' };

  /** The NetworkPolicy `name` of namespace `namespace`. */
  function policyIn(namespace: string, name: string): any {
    return policyNamed(objects().filter((o) => o.metadata.namespace === namespace), name);
  }

  /** The Deployment cdk8s-plus named after construct id `id` in chart `prometheus-scrape`. */
  function deployment(id: string): any {
    const found = ofKind(objects(), 'Deployment').filter((d) => d.metadata.name.startsWith(`prometheus-scrape-${id}-`));
    expect(found).toHaveLength(1);
    return found[0];
  }

  test('locks down both namespaces and opens the scrape on both ends', () => {
    expect(ofKind(objects(), 'Namespace').map((o) => o.metadata.name)).toEqual(['shop', 'observability']);
    const namesIn = (namespace: string) => policyNames(objects().filter((o) => o.metadata.namespace === namespace));
    expect(namesIn('shop')).toEqual(['allow-dns', 'default-deny', 'prometheus-scrape']);
    expect(namesIn('observability')).toEqual(['allow-dns', 'allow-egress', 'default-deny']);
  });

  test('the targets admit the Prometheus pods of observability (pods AND namespace) on the port named metrics', () => {
    const spec = policyIn('shop', 'prometheus-scrape').spec;
    expect(spec.podSelector).toEqual({ matchLabels: SCRAPED });
    expect(spec.policyTypes).toEqual(['Ingress']);
    expect(spec.ingress).toEqual([{
      from: [{ namespaceSelector: namespaceSelector('observability'), podSelector: { matchLabels: PROMETHEUS } }],
      ports: [metricsPort],
    }]);
  });

  test('observability sends to the opted-in pods of shop on metrics, and to the API server on 443', () => {
    const spec = policyIn('observability', 'allow-egress').spec;
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(spec.egress).toEqual([
      { to: [{ namespaceSelector: namespaceSelector('shop'), podSelector: { matchLabels: SCRAPED } }], ports: [metricsPort] },
      { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [tcp(443)] },
    ]);
  });

  test('the storefront pods opt in and name their metrics port; the Prometheus pods carry its label', () => {
    const storefront = deployment('storefront');
    expect(storefront.metadata.namespace).toBe('shop');
    expect(storefront.spec.template.metadata.labels).toMatchObject(SCRAPED);
    expect(storefront.spec.template.spec.containers.flatMap((c: any) => c.ports)).toEqual([
      { containerPort: 9898, name: 'http' },
      { containerPort: 9797, name: 'metrics' },
    ]);
    const prometheus = deployment('prometheus');
    expect(prometheus.metadata.namespace).toBe('observability');
    expect(prometheus.spec.template.metadata.labels).toMatchObject(PROMETHEUS);
  });

  describeKeyFlows('prometheus-scrape', 'storefront and Prometheus are the pods of the Deployments', () => {
    /** shop/storefront and observability/prometheus stand for the pods of the Deployments. */
    const WORKLOADS: Record<string, string> = { 'shop/storefront': 'storefront', 'observability/prometheus': 'prometheus' };
    const pod = (name: string) => (WORKLOADS[name] ? `${name.split('/')[0]}/${deployment(WORKLOADS[name]).metadata.name}` : name);

    const standIns: PodEndpoint[] = [
      { namespace: 'observability', name: 'grafana', labels: { 'app.kubernetes.io/name': 'grafana' } },
      { namespace: 'default', name: 'prometheus', labels: PROMETHEUS },
      // Serves metrics on a port named metrics too, but did not opt in.
      { namespace: 'shop', name: 'batch', labels: { app: 'batch' }, ports: [{ port: 9797, name: 'metrics' }] },
      COREDNS,
    ];
    const model = lazy(() => modelOf(objects(), standIns));

    test.each([
      allowed('observability/prometheus', 'shop/storefront', 9797),
      // The storefront's own port is not a metrics port.
      denied('observability/prometheus', 'shop/storefront', 9898),
      // Grafana may send (allowEgress is namespace-wide), but the targets admit only Prometheus.
      denied('observability/grafana', 'shop/storefront', 9797),
      denied('default/prometheus', 'shop/storefront', 9797),
      denied('observability/prometheus', 'shop/batch', 9797),
      denied('shop/batch', 'shop/storefront', 9797),
      denied('shop/storefront', 'observability/prometheus', 9090),
      allowed('observability/prometheus', '10.96.0.1', 443),
      denied('shop/storefront', '10.96.0.1', 443),
      denied('observability/prometheus', PUBLIC_IP, 443),
      allowed('observability/prometheus', 'kube-system/coredns', 53, 'UDP'),
      allowed('shop/storefront', 'kube-system/coredns', 53, 'UDP'),
    ])(FLOW_TITLE, (flow) => expectFlow(model(), flow, pod));

    test('without the egress allowance of observability, its own default deny stops the scrape', () => {
      const withoutEgress = objects().filter((o) => !(o.metadata.namespace === 'observability' && o.metadata.name === 'allow-egress'));
      expect(withoutEgress).toHaveLength(objects().length - 1);
      const verdict = modelOf(withoutEgress, standIns).evaluate({ from: pod('observability/prometheus'), to: pod('shop/storefront'), port: 9797 });
      expect(verdict.allowed).toBe(false);
      expect(verdict.reasons.join('\n')).toMatch(/egress of observability\/.*denied/);
    });
  });
});

describe('external-egress', () => {
  const kubernetes = () => fileObjects('external-egress', 'external-egress-kubernetes.k8s.yaml');
  const cilium = () => fileObjects('external-egress', 'external-egress-cilium.k8s.yaml');

  test('one file per cluster: NetworkPolicies in one, CiliumNetworkPolicies in the other, the same names in payments', () => {
    expect(kubernetes().map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(Array(3).fill('networking.k8s.io/v1 NetworkPolicy'));
    expect(cilium().map((o) => `${o.apiVersion} ${o.kind}`)).toEqual(Array(3).fill('cilium.io/v2 CiliumNetworkPolicy'));
    for (const objects of [kubernetes(), cilium()]) {
      expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort())
        .toEqual(['payments/allow-dns', 'payments/checkout-https', 'payments/default-deny']);
    }
  });

  test('Kubernetes: the checkout pods reach 0.0.0.0/0 and ::/0 on TCP 443, minus the private and link-local ranges, and DNS', () => {
    const spec = policyNamed(kubernetes(), 'checkout-https').spec;
    expect(spec.podSelector).toEqual({ matchLabels: { app: 'checkout' } });
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(spec.egress).toEqual([{
      to: [
        { ipBlock: { cidr: '0.0.0.0/0', except: expect.arrayContaining(['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16']) } },
        { ipBlock: { cidr: '::/0', except: expect.arrayContaining(['fc00::/7', 'fe80::/10']) } },
      ],
      ports: [tcp(443)],
    }, {
      to: [{ namespaceSelector: namespaceSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, tcp(53)],
    }]);
  });

  test('Cilium: the names on TCP 443 through toFQDNs, and DNS to kube-dns through the DNS proxy, no address ranges', () => {
    const policy = cilium().find((o) => o.kind === 'CiliumNetworkPolicy' && o.metadata.name === 'checkout-https');
    expect(policy.spec.endpointSelector).toEqual({ matchLabels: { app: 'checkout' } });
    expect(policy.spec.egress).toEqual([
      { toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.s3.eu-central-1.amazonaws.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      {
        toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
      },
    ]);
  });

  // The Cilium file's flows are in examples-engines.test.ts.
  describeKeyFlows('external-egress', 'the Kubernetes rendering', () => {
    const model = lazy(() => {
      const m = NetworkModel.fromManifests(kubernetes());
      m.addPod({ namespace: 'payments', name: 'checkout', labels: { app: 'checkout' } });
      m.addPod({ namespace: 'payments', name: 'ledger', labels: { app: 'ledger' }, ip: '10.244.1.7' });
      m.addPod(COREDNS);
      return m;
    });

    test.each([
      allowed('payments/checkout', PUBLIC_IP, 443),
      allowed('payments/checkout', PUBLIC_IPV6, 443),
      allowed('payments/checkout', 'kube-system/coredns', 53, 'UDP'),
      // HTTPS only.
      denied('payments/checkout', PUBLIC_IP, 80),
      // The cloud metadata endpoint, private, shared and link-local ranges, IPv4 and IPv6.
      denied('payments/checkout', METADATA_IP, 443),
      denied('payments/checkout', METADATA_IP, 80),
      denied('payments/checkout', '10.0.0.5', 443),
      denied('payments/checkout', '172.16.0.5', 443),
      denied('payments/checkout', '192.168.1.5', 443),
      denied('payments/checkout', '100.64.0.5', 443),
      denied('payments/checkout', 'fd00:ec2::254', 443),
      denied('payments/checkout', 'fe80::1', 443),
      // 169.254.169.254 through a NAT64 gateway.
      denied('payments/checkout', '64:ff9b::a9fe:a9fe', 443),
      // A pod of the cluster, by its address.
      denied('payments/checkout', '10.244.1.7', 443),
      // Only the checkout pods call out, and nothing comes in.
      denied('payments/ledger', PUBLIC_IP, 443),
      denied(PUBLIC_IP, 'payments/checkout', 443),
    ])(FLOW_TITLE, (flow) => expectFlow(model(), flow));
  });
});

describe('cluster-guardrails', () => {
  const engines = [['kubernetes', ClusterCni.KUBERNETES], ['calico', ClusterCni.CALICO], ['cilium', ClusterCni.CILIUM]] as const;

  test('the guardrails are cluster-scoped objects of each engine\'s kind', () => {
    const kinds = engines.map(([engine]) => fileObjects('cluster-guardrails', `cluster-guardrails-${engine}.k8s.yaml`)
      .filter((o) => o.metadata.name.startsWith('platform-')).map((o) => `${o.kind}/${o.metadata.name}`));
    expect(kinds).toEqual([
      ['ClusterNetworkPolicy/platform-deny-1', 'ClusterNetworkPolicy/platform-deny-2', 'ClusterNetworkPolicy/platform-allow-1-egress',
        'ClusterNetworkPolicy/platform-allow-1-ingress', 'ClusterNetworkPolicy/platform-baseline-deny-1'],
      ['GlobalNetworkPolicy/platform-deny-1', 'GlobalNetworkPolicy/platform-deny-2', 'GlobalNetworkPolicy/platform-allow-1-egress',
        'GlobalNetworkPolicy/platform-allow-1-ingress', 'GlobalNetworkPolicy/platform-baseline-deny-1'],
      ['CiliumClusterwideNetworkPolicy/platform-deny-1', 'CiliumClusterwideNetworkPolicy/platform-deny-2'],
    ]);
  });

  test('its report sits beside the Kubernetes file and names the deciding ClusterNetworkPolicy', () => {
    synthExample('cluster-guardrails');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-netpol-guardrails-'));
    try {
      process.env.CDK8S_OUTDIR = outdir;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        require(path.join(EXAMPLES_DIR, 'cluster-guardrails', 'main.ts'));
      });
      const html = fs.readFileSync(path.join(outdir, 'netpol-report.html'), 'utf8');
      expect(html).toContain('ClusterNetworkPolicy platform-deny-2 (tier Admin, priority 101)');
      expect(fs.readFileSync(path.join(outdir, 'netpol-report.md'), 'utf8')).toMatch(/\| tenant-a\/batch \| all ports \| — \| — \| all ports \| \(self\) \|/);
    } finally {
      delete process.env.CDK8S_OUTDIR;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  for (const [engine, cni] of engines) {
    describeKeyFlows('cluster-guardrails', `the ${engine} file`, () => {
      const model = lazy(() => modelOf(fileObjects('cluster-guardrails', `cluster-guardrails-${engine}.k8s.yaml`), [COREDNS],
        { cni, podCidrs: ['10.244.0.0/16'] }));
      test.each([
        // Admin deny: tenant-a never reaches payments, and no pod reaches the metadata endpoint.
        denied('tenant-a/batch', 'payments/checkout', 8080),
        denied('shop/web', '169.254.169.254', 80),
        denied('payments/checkout', '169.254.169.254', 80),
        // The namespace's own policies still decide the rest.
        allowed('shop/web', 'payments/checkout', 8080),
        allowed('payments/checkout', 'payments/ledger', 5432),
        denied('shop/web', 'payments/ledger', 5432),
        allowed('payments/checkout', PUBLIC_IP, 443),
        // Admin allow (Cilium: the namespace's own allow): Prometheus scrapes through the default deny.
        allowed('monitoring/prometheus', 'payments/ledger', 9090),
        denied('monitoring/prometheus', 'payments/ledger', 8080),
        // Baseline deny of the internet where the namespace says nothing (not on Cilium).
        engine === 'cilium' ? allowed('tenant-a/batch', PUBLIC_IP, 443) : denied('tenant-a/batch', PUBLIC_IP, 443),
        allowed('tenant-a/batch', 'shop/web', 80),
      ])(FLOW_TITLE, (flow) => expectFlow(model(), flow));
    });
  }
});

describe('multi-engine', () => {
  const objects = () => synthExample('multi-engine').objects;

  test('the same policies for each engine', () => {
    const byEngine = (apiVersion: string) => objects().filter((o) => o.apiVersion === apiVersion).map((o) => o.metadata.name);
    const kubernetes = byEngine('networking.k8s.io/v1');
    expect(kubernetes).toEqual(['default-deny', 'allow-dns', 'shop-frontend', 'shop-api', 'shop-database', 'prometheus-scrape', 'api-https']);
    expect(byEngine('cilium.io/v2')).toEqual(kubernetes);
    expect(byEngine('projectcalico.org/v3')).toEqual(kubernetes);
  });

  // The same table and pods serve the Cilium and Calico files in examples-engines.test.ts.
  describeKeyFlows('multi-engine', 'the Kubernetes rendering', () => {
    const model = lazy(() => modelOf(fileObjects('multi-engine', 'multi-engine-kubernetes.k8s.yaml'), MULTI_ENGINE_PODS));
    test.each(MULTI_ENGINE_FLOWS)(FLOW_TITLE, (flow) => expectFlow(model(), flow));
  });
});

describe('pipeline', () => {
  const objects = () => synthExample('pipeline').objects;

  describeKeyFlows('pipeline', 'pods with the default tier labels stand in for workloads', () => {
    const model = lazy(() => {
      const m = NetworkModel.fromManifests(objects());
      m.addPod({ namespace: 'production', name: 'frontend', labels: { app: 'frontend' } });
      m.addPod({ namespace: 'production', name: 'api', labels: { app: 'api' } });
      m.addPod({ namespace: 'production', name: 'postgres', labels: { app: 'postgres' } });
      m.addPod({ namespace: 'ingress-nginx', name: 'controller' });
      m.addPod({ namespace: 'default', name: 'intruder' });
      m.addPod(COREDNS);
      return m;
    });

    test.each([
      allowed('ingress-nginx/controller', 'production/frontend', 80),
      allowed('production/frontend', 'production/api', 8080),
      allowed('production/api', 'production/postgres', 5432),
      allowed('production/api', 'kube-system/coredns', 53, 'UDP'),
      denied('production/frontend', 'production/postgres', 5432),
      denied('production/postgres', 'production/api', 8080),
      denied('default/intruder', 'production/frontend', 80),
      denied('default/intruder', 'production/api', 8080),
      denied('production/api', PUBLIC_IP, 443),
    ])(FLOW_TITLE, (flow) => expectFlow(model(), flow));
  });

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

/** The policy objects of any engine (Kubernetes, Cilium, Calico), as "namespace/name", sorted. */
const policiesOf = (objects: any[]) => objects.filter((o) => /NetworkPolicy$/.test(o.kind)).map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();
/** The apiVersion and kind of an engine's namespaced policies. */
const POLICY_KIND: Record<string, string> = {
  kubernetes: 'networking.k8s.io/v1 NetworkPolicy',
  cilium: 'cilium.io/v2 CiliumNetworkPolicy',
  calico: 'projectcalico.org/v3 NetworkPolicy',
};
const GENERATED = 'cdk8s-netpol.io/generated';

describe('online-boutique', () => {
  const ENGINES = ['kubernetes', 'cilium', 'calico'];
  const file = (engine: string) => fileObjects('online-boutique', `online-boutique-${engine}.k8s.yaml`);
  const kubernetes = () => file('kubernetes');
  const SERVICES = [
    'adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'emailservice', 'frontend', 'loadgenerator',
    'paymentservice', 'productcatalogservice', 'recommendationservice', 'redis-cart', 'shippingservice',
  ];

  test.each(ENGINES)('%s: the namespace, the 12 Deployments labelled app=<name>, a Service for each but the load generator', (engine) => {
    const objects = file(engine);
    expect(ofKind(objects, 'Namespace').map((o) => o.metadata.name)).toEqual(['boutique']);
    expect(objects.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'boutique')).toBe(true);
    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(SERVICES);
    for (const d of deployments) {
      expect(d.spec.selector).toEqual({ matchLabels: { app: d.metadata.name } });
      expect(d.spec.template.metadata.labels).toEqual({ app: d.metadata.name });
    }
    expect(ofKind(objects, 'Service').map((s) => s.metadata.name).sort()).toEqual(SERVICES.filter((s) => s !== 'loadgenerator'));
    expect(ofKind(objects, 'Service').find((s) => s.metadata.name === 'frontend').spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
  });

  test.each(ENGINES)('%s: the zero-trust policies and one graph policy per workload, all generated (no raw policy objects)', (engine) => {
    const objects = file(engine);
    expect(policiesOf(objects)).toEqual(['allow-dns', 'default-deny', ...SERVICES.map((s) => `boutique-${s}`)].sort().map((n) => `boutique/${n}`));
    const policies = objects.filter((o) => /NetworkPolicy$/.test(o.kind));
    expect(new Set(policies.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(new Set([POLICY_KIND[engine]]));
    expect(policies.every((o) => typeof o.metadata.annotations?.[GENERATED] === 'string')).toBe(true);
  });

  test('Kubernetes: each policy selects its Deployment\'s pods and holds both directions', () => {
    for (const service of SERVICES) {
      const spec = policyNamed(kubernetes(), `boutique-${service}`).spec;
      expect(spec.podSelector).toEqual({ matchLabels: { app: service } });
      expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
    }
  });

  test('Kubernetes: the storefront admits everyone on 8080 (upstream\'s ingress: [{}]) besides the load generator\'s call', () => {
    expect(policyNamed(kubernetes(), 'boutique-frontend').spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'loadgenerator' } } }], ports: [tcp(8080)] },
      { ports: [tcp(8080)] },
    ]);
  });

  test('Kubernetes: redis-cart admits the cart service on 6379 and sends nothing but DNS', () => {
    const spec = policyNamed(kubernetes(), 'boutique-redis-cart').spec;
    expect(spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'cartservice' } } }], ports: [tcp(6379)] }]);
    expect(spec.egress).toEqual([{
      to: [{ namespaceSelector: namespaceSelector('kube-system'), podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, tcp(53)],
    }]);
  });

  test('Cilium: the storefront admits every entity on 8080', () => {
    const frontend = file('cilium').find((o) => o.metadata.name === 'boutique-frontend');
    expect(frontend.spec.ingress).toContainEqual({ fromEntities: ['all'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] });
  });

  // The same table and stand-ins serve the Cilium and Calico files in examples-engines.test.ts.
  describeKeyFlows('online-boutique', 'the Kubernetes rendering (the pods of its Deployments)', () => {
    const model = lazy(() => modelOf(kubernetes(), BOUTIQUE_STAND_INS));

    test('the model reads one pod per Deployment, named after it', () => {
      expect(NetworkModel.fromManifests(kubernetes()).podIds).toEqual(SERVICES.map((s) => `boutique/${s}`));
    });

    test.each(BOUTIQUE_FLOWS)(FLOW_TITLE, (flow) => expectFlow(model(), flow));
  });
});

describe('star-wars', () => {
  const L3_L4 = ['cilium', 'kubernetes', 'calico'];
  const l3l4 = (engine: string) => fileObjects('star-wars', `star-wars-l3-l4-${engine}.k8s.yaml`);
  const l7 = () => fileObjects('star-wars', 'star-wars-l7-cilium.k8s.yaml');
  const FILES = [...L3_L4.map((engine) => [`l3-l4-${engine}`, engine]), ['l7-cilium', 'cilium']];
  const named = (objects: any[], name: string) => objects.find((o) => /NetworkPolicy$/.test(o.kind) && o.metadata.name === name);

  test.each(FILES)('%s: the demo\'s app in default and a policy per ship, ingress only', (stage, engine) => {
    const objects = fileObjects('star-wars', `star-wars-${stage}.k8s.yaml`);
    expect(objects.filter((o) => !/NetworkPolicy$/.test(o.kind)).map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Deployment default/deathstar', 'Service default/deathstar', 'Pod default/tiefighter', 'Pod default/xwing',
    ]);
    const deathstar = ofKind(objects, 'Deployment')[0];
    expect(deathstar.spec.replicas).toBe(2);
    expect(deathstar.spec.selector).toEqual({ matchLabels: { org: 'empire', class: 'deathstar' } });
    expect(ofKind(objects, 'Service')[0].spec).toEqual({ selector: { org: 'empire', class: 'deathstar' }, ports: [{ port: 80, targetPort: 80 }] });
    expect(policiesOf(objects)).toEqual(['default/star-wars-deathstar', 'default/star-wars-tiefighter', 'default/star-wars-xwing']);
    const policies = objects.filter((o) => /NetworkPolicy$/.test(o.kind));
    expect(new Set(policies.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(new Set([POLICY_KIND[engine]]));
    // restrictEgress: false, as upstream: no policy touches egress.
    for (const policy of policies) {
      expect(policy.spec.egress).toBeUndefined();
      expect(policy.spec.policyTypes ?? policy.spec.types ?? ['Ingress']).toEqual(['Ingress']);
    }
  });

  test('Kubernetes: the deathstar admits the tiefighter\'s pods on TCP 80; the ships admit nothing', () => {
    const policy = (name: string) => policyNamed(l3l4('kubernetes'), name).spec;
    expect(policy('star-wars-deathstar')).toEqual({
      podSelector: { matchLabels: { org: 'empire', class: 'deathstar' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { 'org': 'empire', 'class': 'tiefighter', 'app.kubernetes.io/name': 'tiefighter' } } }], ports: [tcp(80)] }],
    });
    expect(policy('star-wars-xwing').ingress ?? []).toEqual([]);
    expect(policy('star-wars-tiefighter').ingress ?? []).toEqual([]);
  });

  test('Cilium L7: the tiefighter may POST /v1/request-landing on TCP 80, nothing else', () => {
    expect(named(l7(), 'star-wars-deathstar').spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'org': 'empire', 'class': 'tiefighter', 'app.kubernetes.io/name': 'tiefighter', 'k8s:io.kubernetes.pod.namespace': 'default' } }],
      toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] } }],
    }]);
    // The L3/L4 stage: the same rule without HTTP rules.
    expect(named(l3l4('cilium'), 'star-wars-deathstar').spec.ingress[0].toPorts).toEqual([{ ports: [{ port: '80', protocol: 'TCP' }] }]);
  });

  // The Cilium and Calico files (and the L7 stage) are in examples-engines.test.ts.
  describeKeyFlows('star-wars', 'the Kubernetes rendering of the L3/L4 stage', () => {
    const model = lazy(() => modelOf(l3l4('kubernetes'), STAR_WARS_STAND_INS));
    test.each(STAR_WARS_L3_L4_FLOWS)(FLOW_TITLE, (flow) => expectFlow(model(), flow));
  });
});

describe('calico-stars', () => {
  const file = (engine: string) => fileObjects('calico-stars', `calico-stars-${engine}.k8s.yaml`);

  test.each(['calico', 'kubernetes'])('%s: the three namespaces with upstream\'s labels, and the four role=<name> Deployments', (engine) => {
    const objects = file(engine);
    expect(ofKind(objects, 'Namespace').map((o) => [o.metadata.name, o.metadata.labels])).toEqual([
      ['management-ui', { role: 'management-ui' }], ['stars', undefined], ['client', { role: 'client' }],
    ]);
    expect(ofKind(objects, 'Deployment').map((d) => [`${d.metadata.namespace}/${d.metadata.name}`, d.spec.template.metadata.labels,
      d.spec.template.spec.containers.map((c: any) => c.ports)])).toEqual([
      ['management-ui/management-ui', { role: 'management-ui' }, [[{ containerPort: 9001 }]]],
      ['stars/backend', { role: 'backend' }, [[{ containerPort: 6379 }]]],
      ['stars/frontend', { role: 'frontend' }, [[{ containerPort: 80 }]]],
      ['client/client', { role: 'client' }, [[{ containerPort: 9000 }]]],
    ]);
  });

  test.each(['calico', 'kubernetes'])('%s: ingress-only policies in stars and client, none in management-ui', (engine) => {
    const objects = file(engine);
    expect(policiesOf(objects)).toEqual([
      'client/allow-ingress', 'client/default-deny', 'client/stars-client',
      'stars/allow-ingress', 'stars/default-deny', 'stars/stars-backend', 'stars/stars-frontend',
    ]);
    const policies = objects.filter((o) => /NetworkPolicy$/.test(o.kind));
    expect(new Set(policies.map((o) => `${o.apiVersion} ${o.kind}`))).toEqual(new Set([POLICY_KIND[engine]]));
    for (const policy of policies) {
      expect(policy.spec.egress).toBeUndefined();
      expect(policy.spec.policyTypes ?? policy.spec.types).toEqual(['Ingress']);
    }
  });

  test('Kubernetes: the UI\'s namespace on every port, the client\'s pods to the frontend on 80, the frontend to the backend on 6379', () => {
    const inNamespace = (namespace: string, name: string) => policyNamed(file('kubernetes').filter((o) => o.metadata.namespace === namespace), name).spec;
    for (const namespace of ['stars', 'client']) {
      expect(inNamespace(namespace, 'allow-ingress').ingress).toEqual([{ from: [{ namespaceSelector: { matchLabels: { role: 'management-ui' } } }] }]);
      expect(inNamespace(namespace, 'default-deny')).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    }
    expect(inNamespace('stars', 'stars-frontend').ingress).toEqual([{
      from: [{ namespaceSelector: namespaceSelector('client'), podSelector: { matchLabels: { role: 'client' } } }],
      ports: [tcp(80)],
    }]);
    expect(inNamespace('stars', 'stars-backend').ingress).toEqual([{ from: [{ podSelector: { matchLabels: { role: 'frontend' } } }], ports: [tcp(6379)] }]);
    expect(inNamespace('client', 'stars-client').ingress ?? []).toEqual([]);
  });

  // The Calico file's flows are in examples-engines.test.ts.
  describeKeyFlows('calico-stars', 'the Kubernetes rendering (the pods of its Deployments)', () => {
    const model = lazy(() => modelOf(file('kubernetes'), STARS_STAND_INS));
    test.each(STARS_FLOWS)(FLOW_TITLE, (flow) => expectFlow(model(), flow));
  });
});

describe('observed-traffic', () => {
  // The program generated from flows/hubble.jsonl (test/generate/ checks it is unedited and replays the flows).
  const objects = lazy(() => fileObjects('observed-traffic', 'observed-traffic.k8s.yaml'));

  test('a ZeroTrustNamespace for shop and one graph policy per observed workload', () => {
    expect(policyNames(objects())).toEqual(['allow-dns', 'default-deny', 'observed-api', 'observed-db', 'observed-web']);
  });

  describeKeyFlows('observed-traffic', 'the observed dependencies are allowed, nothing else', () => {
    const model = lazy(() => {
      const m = NetworkModel.fromManifests(objects());
      m.addPod({ namespace: 'shop', name: 'web', labels: { app: 'web' } });
      m.addPod({ namespace: 'shop', name: 'api', labels: { app: 'api' } });
      m.addPod({ namespace: 'shop', name: 'db', labels: { app: 'db' } });
      m.addPod({ namespace: 'shop', name: 'batch', labels: { app: 'batch' } });
      m.addPod(COREDNS);
      return m;
    });
    test.each([
      allowed('shop/web', 'shop/api', 9000),
      allowed('shop/web', 'shop/db', 5432),
      allowed('shop/api', 'shop/db', 5432),
      allowed('shop/api', '203.0.113.10', 443),
      allowed('shop/web', 'kube-system/coredns', 53, 'UDP'),
      denied('shop/web', '203.0.113.10', 443),
      denied('shop/api', 'shop/web', 8080),
      denied('shop/db', 'shop/api', 9000),
      denied('shop/batch', 'shop/db', 5432),
      denied('shop/web', 'shop/api', 9001),
      denied('shop/api', '198.51.100.7', 443),
    ])(FLOW_TITLE, (flow) => expectFlow(model(), flow));
  });
});

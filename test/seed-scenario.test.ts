import { Chart, Testing } from 'cdk8s';
import { AllowPrometheusScrape, CalicoGlobalDeny, CiliumL7Rule, ExternalHttpsEgress, NetworkModel, Peer, PolicyEngine, Port, ThreeTierApp, ZeroTrustNamespace } from '../src';
import './support/network-matchers';
import { synthValid } from './support/manifests';
import { seedChart } from './support/seed';

// The seed scenario: one namespace, the four zero-trust constructs together. Connectivity is
// proven by the NetworkModel simulator; here the emitted structure is pinned precisely.
function seed(): any[] {
  const chart = seedChart();
  return synthValid(chart);
}

const policies = (objects: any[]) => objects.filter((o) => o.kind === 'NetworkPolicy');
/** Policies whose podSelector (matchLabels only; the seed uses no expressions) selects a pod with `labels`. */
const selecting = (objects: any[], labels: Record<string, string>) => policies(objects).filter((p) =>
  Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v));
/** Same-namespace pod peers of a policy's rules in one direction. */
const podPeers = (policy: any, direction: 'ingress' | 'egress') =>
  (policy.spec[direction] ?? []).flatMap((r: any) => (r[direction === 'ingress' ? 'from' : 'to'] ?? []).map((peer: any) => ({ peer, ports: r.ports })));

describe('seed scenario in namespace production', () => {
  const objects = seed();

  test('emits the namespace and eight schema-valid policies with readable names', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/production',
      'NetworkPolicy/default-deny',
      'NetworkPolicy/allow-dns',
      'NetworkPolicy/shop-frontend',
      'NetworkPolicy/shop-api',
      'NetworkPolicy/shop-database',
      'NetworkPolicy/prometheus-scrape',
      'NetworkPolicy/api-https',
    ]);
    expect(policies(objects).every((p) => p.metadata.namespace === 'production' && p.spec.policyTypes.length > 0)).toBe(true);
    expect(objects).toMatchSnapshot();
  });

  test('every pod is isolated both ways and may reach kube-dns on UDP and TCP 53', () => {
    const deny = objects.find((o) => o.metadata.name === 'default-deny');
    expect(deny.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const dns = objects.find((o) => o.metadata.name === 'allow-dns');
    expect(dns.spec.podSelector).toEqual({});
    expect(dns.spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
  });

  test('the database accepts only the api on 5432 and opens no application connection', () => {
    const onDatabase = selecting(objects, { app: 'postgres' }).map((p) => p.metadata.name);
    expect(onDatabase).toEqual(['default-deny', 'allow-dns', 'shop-database']);
    const database = objects.find((o) => o.metadata.name === 'shop-database');
    expect(podPeers(database, 'ingress')).toEqual([{ peer: { podSelector: { matchLabels: { app: 'api' } } }, ports: [{ protocol: 'TCP', port: 5432 }] }]);
    expect(database.spec.egress).toBeUndefined();
  });

  test('the frontend can send to the api on 8080 and DNS, and to nothing that selects the database', () => {
    const frontendEgress = selecting(objects, { app: 'frontend' }).flatMap((p) => podPeers(p, 'egress'));
    const selectsPostgres = frontendEgress.filter(({ peer }: any) => peer.podSelector?.matchLabels?.app === 'postgres' || (peer.podSelector && !peer.podSelector.matchLabels && !peer.namespaceSelector));
    expect(selectsPostgres).toEqual([]);
    expect(frontendEgress).toContainEqual({ peer: { podSelector: { matchLabels: { app: 'api' } } }, ports: [{ protocol: 'TCP', port: 8080 }] });
    // Internet egress is the api's alone, and it excludes the private ranges pod networks use.
    const internet = objects.find((o) => o.metadata.name === 'api-https');
    expect(internet.spec.podSelector).toEqual({ matchLabels: { app: 'api' } });
  });

  test('external egress never reaches private, link-local or cloud metadata ranges', () => {
    const internet = objects.find((o) => o.metadata.name === 'api-https');
    const [v4, v6] = internet.spec.egress[0].to.map((peer: any) => peer.ipBlock);
    expect(v4.cidr).toBe('0.0.0.0/0');
    expect(v4.except).toEqual(expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']));
    expect(v6.cidr).toBe('::/0');
    expect(v6.except).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10']));
    expect(internet.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
  });

  test('Prometheus scrapes as pods AND namespace, never either alone', () => {
    const scrape = objects.find((o) => o.metadata.name === 'prometheus-scrape');
    expect(scrape.spec.ingress[0].from).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
      podSelector: { matchLabels: { app: 'prometheus' } },
    }]);
  });
});

// The seed scenario on every engine, with each engine's extras: on Cilium the L7 rule and the FQDN
// egress (with its DNS-proxy rule), on Calico the global metadata deny.
const SEED_HTTP = [{ method: 'GET', path: '/api/v1/products' }, { method: 'POST', path: '/api/v1/orders' }];

function seedFor(engine: PolicyEngine): any[] {
  const app = Testing.app();
  app.node.setContext('cdk8s-netpol/engine', engine);
  const chart = new Chart(app, 'production');
  new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', createNamespace: true });
  const cilium = engine === PolicyEngine.CILIUM;
  new ThreeTierApp(chart, 'shop', { namespace: 'production', api: cilium ? { http: SEED_HTTP } : undefined });
  new AllowPrometheusScrape(chart, 'prometheus-scrape', { namespace: 'production' });
  new ExternalHttpsEgress(chart, 'api-https', { namespace: 'production', selector: { app: 'api' }, fqdns: cilium ? ['api.stripe.com', '*.payments.example.com'] : undefined });
  if (cilium) {
    new CiliumL7Rule(chart, 'admin-http', {
      namespace: 'production', selector: { app: 'admin' }, from: [Peer.podsInNamespace('ops', { app: 'console' })], port: Port.tcp(8443), http: [{ method: 'GET', path: '/admin/.*' }],
    });
  }
  if (engine === PolicyEngine.CALICO) {
    new CalicoGlobalDeny(chart, 'deny-cloud-metadata');
  }
  return synthValid(chart);
}

describe.each([PolicyEngine.KUBERNETES, PolicyEngine.CILIUM, PolicyEngine.CALICO])('seed scenario on %s', (engine) => {
  const objects = seedFor(engine);

  test('synthesizes schema-valid objects with the same policy names on every engine', () => {
    const names = objects.filter((o) => o.metadata.namespace === 'production').map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['default-deny', 'allow-dns', 'shop-frontend', 'shop-api', 'shop-database', 'prometheus-scrape', 'api-https']));
    expect(objects).toMatchSnapshot();
  });
});

describe('seed scenario engine extras', () => {
  test('Cilium: the api accepts only GET /api/v1/products and POST /api/v1/orders from the frontend on 8080', () => {
    const api = seedFor(PolicyEngine.CILIUM).find((o) => o.metadata.name === 'shop-api');
    expect(api.spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'frontend', 'k8s:io.kubernetes.pod.namespace': 'production' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: SEED_HTTP } }],
    }]);
  });

  test('Cilium: FQDN egress for the api comes with the DNS-proxy rule to kube-dns', () => {
    const egress = seedFor(PolicyEngine.CILIUM).find((o) => o.metadata.name === 'api-https');
    expect(egress.spec.endpointSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(egress.spec.egress[0].toFQDNs).toEqual([{ matchName: 'api.stripe.com' }, { matchPattern: '*.payments.example.com' }]);
    expect(egress.spec.egress[1]).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
    });
  });

  test('Calico: the metadata deny is global, in a tier ahead of the default tier, and passes the rest on', () => {
    const objects = seedFor(PolicyEngine.CALICO);
    const tier = objects.find((o) => o.kind === 'Tier');
    const deny = objects.find((o) => o.kind === 'GlobalNetworkPolicy');
    expect(tier.spec).toEqual({ order: 100, defaultAction: 'Pass' });
    expect(deny.metadata.namespace).toBeUndefined();
    // The rest passes on through the tier's default action (a Pass rule would skip later guardrails).
    expect(deny.spec.egress).toEqual([{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }]);
    // Every namespaced allow sits at Kubernetes' order in the default tier, after the guardrail tier.
    expect(objects.filter((o) => o.kind === 'NetworkPolicy').every((o) => o.spec.order === 1000 && o.spec.tier === undefined)).toBe(true);
  });
});

// The seed scenario's promises, proven by the NetworkModel over the Kubernetes rendering: who
// reaches whom, for representative pods of every tier, a stranger and the outside world.
describe('seed scenario flows (NetworkModel)', () => {
  const chart = seedChart();
  const model = NetworkModel.fromChart(chart);
  model.addNamespace('ingress-nginx');
  model.addNamespace('kube-system');
  model.addNamespace('monitoring');
  model.addNamespace('other');
  model.addPod({ namespace: 'ingress-nginx', name: 'controller', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
  model.addPod({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } });
  model.addPod({ namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' } });
  model.addPod({ namespace: 'monitoring', name: 'grafana', labels: { app: 'grafana' } });
  model.addPod({ namespace: 'production', name: 'frontend', labels: { app: 'frontend' } });
  model.addPod({ namespace: 'production', name: 'api', labels: { app: 'api', metrics: 'enabled' } });
  model.addPod({ namespace: 'production', name: 'database', labels: { app: 'postgres' } });
  model.addPod({ namespace: 'production', name: 'stranger', labels: { app: 'debug' } });
  model.addPod({ namespace: 'other', name: 'client', labels: { app: 'frontend' } });

  test.each([
    ['ingress-nginx/controller', 'production/frontend', 80],
    ['production/frontend', 'production/api', 8080],
    ['production/api', 'production/database', 5432],
    ['monitoring/prometheus', 'production/api', 9090],
    ['production/api', '203.0.113.10', 443],
    ['production/api', '2001:db8::10', 443],
  ])('allowed: %s -> %s:%d', (from, to, port) => {
    expect(model).toAllow(from, to, port);
  });

  test.each(['frontend', 'api', 'database', 'stranger'])('DNS for production/%s: kube-dns on UDP and TCP 53', (pod) => {
    expect(model).toAllow(`production/${pod}`, 'kube-system/coredns', 53, 'UDP');
    expect(model).toAllow(`production/${pod}`, 'kube-system/coredns', 53, 'TCP');
  });

  test.each([
    ['production/frontend', 'production/database', 5432, 'the frontend skipping the api'],
    ['production/database', 'production/api', 8080, 'the database initiating'],
    ['production/database', 'production/frontend', 80, 'the database initiating'],
    ['production/database', '203.0.113.10', 443, 'the database reaching the internet'],
    ['ingress-nginx/controller', 'production/api', 8080, 'the ingress controller skipping the frontend'],
    ['ingress-nginx/controller', 'production/frontend', 443, 'another port than the tier\'s'],
    ['other/client', 'production/api', 8080, 'a pod of another namespace with the frontend\'s labels'],
    ['production/stranger', 'production/api', 8080, 'an unlabelled pod of the namespace'],
    ['production/frontend', 'production/stranger', 8080, 'anything to an unlabelled pod'],
    ['monitoring/grafana', 'production/api', 9090, 'another pod of the monitoring namespace (pods AND namespace)'],
    ['production/frontend', '203.0.113.10', 443, 'the internet for pods other than the api'],
    ['production/api', '169.254.169.254', 443, 'the cloud metadata endpoint'],
    ['production/api', '169.254.169.254', 80, 'the cloud metadata endpoint on 80'],
    ['production/api', '10.1.2.3', 443, 'RFC 1918 addresses'],
    ['production/api', '192.168.1.1', 443, 'RFC 1918 addresses'],
    ['production/api', '100.100.100.200', 443, 'Alibaba\'s metadata in shared address space'],
    ['production/api', 'fd00:ec2::254', 443, 'AWS\'s IPv6 metadata endpoint'],
    ['production/api', '64:ff9b::a9fe:a9fe', 443, 'the metadata endpoint through NAT64'],
    ['production/api', '203.0.113.10', 80, 'the internet on another port than 443'],
    ['203.0.113.10', 'production/frontend', 80, 'the internet straight to the frontend'],
  ])('denied: %s -> %s:%d (%s)', (from, to, port) => {
    expect(model).toDeny(from, to, port);
  });
});

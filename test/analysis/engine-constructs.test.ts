import { Chart, Testing } from 'cdk8s';
import {
  AllowPrometheusScrape, CalicoGlobalDeny, CiliumL7Rule, ExternalHttpsEgress, NetworkModel,
  Peer, PolicyEngine, Port, Probe, ThreeTierApp, ZeroTrustNamespace,
} from '../../src';
import { synthValid } from '../support/manifests';

// The manifests our own constructs synthesize for Cilium and Calico, fed into the model: the
// renderers promise the same L3/L4 traffic on every engine, so every probe must get the Kubernetes
// rendering's verdict; plus the L7 verdicts of CiliumL7Rule and the guardrail of CalicoGlobalDeny.

const API_SERVER = '10.96.0.1';
const CONSTRUCTS: Record<string, (chart: Chart, engine: PolicyEngine) => void> = {
  'ZeroTrustNamespace': (chart, engine) => {
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', allowSameNamespace: true, engine });
    zt.allowIngress(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Port.tcp(9100));
    zt.allowEgress(Peer.kubeApiServer({ cidrs: [`${API_SERVER}/32`] }), Port.tcp(443));
  },
  'ThreeTierApp': (chart, engine) => new ThreeTierApp(chart, 'shop', { namespace: 'production', engine }),
  'AllowPrometheusScrape': (chart, engine) => new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production', ports: [Port.tcp(9090), Port.named('metrics')], engine }),
  'ExternalHttpsEgress': (chart, engine) => new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', selector: { app: 'api' }, engine }),
  'ZeroTrustNamespace + ThreeTierApp + ExternalHttpsEgress': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine });
    new ThreeTierApp(chart, 'shop', { namespace: 'production', engine });
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', selector: { app: 'api' }, engine });
  },
};

/**
 * Synthesizes with the synth-time proofs on (they evaluate every engine's rendering, so the estate
 * must keep every construct's promises on each engine), and checks against the official schemas.
 */
function synth(build: (chart: Chart) => void): any[] {
  const app = Testing.app();
  const chart = new Chart(app, 'test');
  build(chart);
  return synthValid(chart);
}

/** The objects in a model with the pods of a small estate. */
function modelOf(objects: any[]): NetworkModel {
  const m = NetworkModel.fromManifests(objects);
  m.addKubeApiServer(API_SERVER);
  m.addPod({ namespace: 'production', name: 'frontend', labels: { app: 'frontend' }, ip: '10.1.0.1', ports: [{ port: 80 }] });
  m.addPod({ namespace: 'production', name: 'api', labels: { app: 'api', metrics: 'enabled' }, ip: '10.1.0.2', ports: [{ port: 8080 }, { port: 9090, name: 'metrics' }] });
  m.addPod({ namespace: 'production', name: 'database', labels: { app: 'postgres' }, ip: '10.1.0.3', ports: [{ port: 5432 }] });
  m.addPod({ namespace: 'production', name: 'worker', labels: { app: 'worker' }, ip: '10.1.0.4', ports: [{ port: 9100 }] });
  m.addPod({ namespace: 'ingress-nginx', name: 'controller', labels: { app: 'ingress-nginx' }, ip: '10.2.0.1' });
  m.addPod({ namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' }, ip: '10.3.0.1' });
  m.addPod({ namespace: 'monitoring', name: 'grafana', labels: { app: 'grafana' }, ip: '10.3.0.2' });
  m.addPod({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.4.0.1' });
  m.addPod({ namespace: 'other', name: 'client', labels: { app: 'frontend' }, ip: '10.5.0.1' });
  return m;
}

/** Every pod to every pod on the estate's ports, DNS, the internet, the metadata endpoint and the API server. */
function probes(m: NetworkModel): Probe[] {
  const out: Probe[] = [];
  const outside = ['203.0.113.10', '169.254.169.254', API_SERVER];
  for (const from of m.podIds) {
    for (const to of m.podIds) {
      if (from !== to) {
        out.push(...[80, 443, 5432, 8080, 9090, 9100].map((port) => ({ from, to, port })));
      }
    }
    out.push({ from, to: 'kube-system/coredns', port: 53, protocol: 'UDP' }, { from, to: 'kube-system/coredns', port: 53, protocol: 'TCP' });
    out.push(...outside.flatMap((to) => [{ from, to, port: 443 }, { from, to, port: 80 }]));
  }
  for (const to of m.podIds) {
    out.push({ from: '203.0.113.10', to, port: 80 }, { from: '203.0.113.10', to, port: 8080 });
  }
  return out;
}

const verdicts = (m: NetworkModel, list: Probe[]) => list.map((p) => `${p.from} -> ${p.to} ${p.protocol ?? 'TCP'}/${p.port}: ${m.evaluate(p).allowed ? 'allowed' : 'denied'}`);

describe.each(Object.keys(CONSTRUCTS))('%s', (name) => {
  const kubernetes = modelOf(synth((chart) => CONSTRUCTS[name](chart, PolicyEngine.KUBERNETES)));
  const list = probes(kubernetes);
  const expected = verdicts(kubernetes, list);

  test('the Kubernetes rendering both allows and denies some of the probes', () => {
    expect(expected.some((v) => v.endsWith('allowed'))).toBe(true);
    expect(expected.some((v) => v.endsWith('denied'))).toBe(true);
  });

  test.each([PolicyEngine.CILIUM, PolicyEngine.CALICO])('the %s rendering gets the Kubernetes verdict on every probe', (engine) => {
    const objects = synth((chart) => CONSTRUCTS[name](chart, engine));
    expect(objects.some((o) => o.apiVersion !== 'networking.k8s.io/v1')).toBe(true);
    expect(verdicts(modelOf(objects), list)).toEqual(expected);
  });
});

test('the equivalence check has teeth: the ThreeTierApp verdicts include its promises', () => {
  const m = modelOf(synth((chart) => CONSTRUCTS.ThreeTierApp(chart, PolicyEngine.CILIUM)));
  expect(m.evaluate({ from: 'production/frontend', to: 'production/api', port: 8080 }).allowed).toBe(true);
  expect(m.evaluate({ from: 'production/frontend', to: 'production/database', port: 5432 }).allowed).toBe(false);
  expect(m.evaluate({ from: 'ingress-nginx/controller', to: 'production/frontend', port: 80 }).allowed).toBe(true);
});

describe('CiliumL7Rule', () => {
  const m = modelOf(synth((chart) => {
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    // Egress to the api at L4 for the namespace: the api's ingress rule is what restricts requests.
    zt.allowEgress(Peer.pods({ app: 'api' }), Port.tcp(8080));
    new CiliumL7Rule(chart, 'api-http', {
      namespace: 'production',
      selector: { app: 'api' },
      from: [Peer.pods({ app: 'frontend' })],
      port: Port.tcp(8080),
      http: [{ method: 'GET', path: '/api/v1/products' }, { method: 'POST', path: '/api/v1/orders' }],
    });
  }));
  const request = (method: string, path: string) => m.evaluate({ from: 'production/frontend', to: 'production/api', port: 8080, http: { method, path } });

  test.each([['GET', '/api/v1/products'], ['POST', '/api/v1/orders']])('%s %s from the frontend is allowed', (method, path) => {
    const verdict = request(method, path);
    expect(verdict.allowed).toBe(true);
    expect(verdict.reasons[1]).toMatch(/^ingress of production\/api: allowed by CiliumNetworkPolicy production\/api-http ingress rule #1 .*whose HTTP rule/);
    expect(verdict.reasons[1]).toContain(`matches HTTP ${method} ${path}`);
  });

  test.each([['DELETE', '/api/v1/orders'], ['GET', '/admin'], ['GET', '/api/v1/products/../admin']])('%s %s from the frontend is denied at L7', (method, path) => {
    const verdict = request(method, path);
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons[1]).toContain('ingress of production/api: denied at L7 (Cilium\'s proxy answers 403)');
  });

  test('L3/L4: the frontend reaches the port (requests restricted), the worker does not', () => {
    const frontend = m.evaluate({ from: 'production/frontend', to: 'production/api', port: 8080 });
    expect(frontend.reasons[1]).toContain('L7 rules restrict the HTTP requests on this port');
    expect(m.evaluate({ from: 'production/worker', to: 'production/api', port: 8080, http: { method: 'GET', path: '/api/v1/products' } }).allowed).toBe(false);
  });
});

describe('CalicoGlobalDeny', () => {
  const build = (guardrail: boolean) => (chart: Chart) => {
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CALICO });
    // A namespaced allow that admits every address, the metadata endpoint included.
    zt.allowEgress(Peer.ipBlock('0.0.0.0/0'), Port.tcp(80), Port.tcp(443));
    if (guardrail) {
      new CalicoGlobalDeny(chart, 'deny-metadata');
    }
  };
  const guarded = modelOf(synth(build(true)));
  const open = modelOf(synth(build(false)));

  test('the metadata endpoint is denied by the guardrail, though a namespaced allow admits 0.0.0.0/0', () => {
    expect(open.evaluate({ from: 'production/api', to: '169.254.169.254', port: 80 }).allowed).toBe(true);
    const verdict = guarded.evaluate({ from: 'production/api', to: '169.254.169.254', port: 80 });
    expect(verdict).toEqual({
      allowed: false,
      reasons: ['egress of production/api: denied by GlobalNetworkPolicy deny-metadata (tier cdk8s-netpol-guardrails) egress rule #1 (Deny to nets 169.254.169.254/32)'],
    });
    // Pods of other namespaces, which no allow covers, are denied too (no policy of theirs would).
    expect(guarded.evaluate({ from: 'other/client', to: '169.254.169.254', port: 80 }).allowed).toBe(false);
    expect(open.evaluate({ from: 'other/client', to: '169.254.169.254', port: 80 }).allowed).toBe(true);
  });

  test('other traffic is unaffected: the guardrail passes it to the next tier', () => {
    const list = probes(open).filter((p) => p.to !== '169.254.169.254');
    expect(verdicts(guarded, list)).toEqual(verdicts(open, list));
    const internet = guarded.evaluate({ from: 'production/api', to: '203.0.113.10', port: 443 });
    expect(internet.allowed).toBe(true);
    expect(internet.reasons[0]).toMatch(/^egress of production\/api: allowed by Calico NetworkPolicy production\/allow-egress \(tier default\) egress rule #1 .* after passed on by the default action \(Pass\) of tier cdk8s-netpol-guardrails \(no rule of GlobalNetworkPolicy deny-metadata matched\)/);
  });
});

describe('ExternalHttpsEgress with fqdns (Cilium)', () => {
  const m = modelOf(synth((chart) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    new ExternalHttpsEgress(chart, 'stripe', { namespace: 'production', selector: { app: 'api' }, fqdns: ['api.stripe.com', '*.s3.amazonaws.com'], engine: PolicyEngine.CILIUM });
  }));

  test('the names are allowed on TCP 443 through the DNS proxy rule the renderer adds', () => {
    expect(m.evaluate({ from: 'production/api', to: 'api.stripe.com', port: 443 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'production/api', to: 'bucket.s3.amazonaws.com', port: 443 }).allowed).toBe(true);
  });

  test('other names, other ports, other pods and addresses are denied', () => {
    expect(m.evaluate({ from: 'production/api', to: 'evil.example.com', port: 443 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'production/api', to: 'api.stripe.com', port: 80 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'production/worker', to: 'api.stripe.com', port: 443 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'production/api', to: '203.0.113.10', port: 443 }).allowed).toBe(false);
  });
});

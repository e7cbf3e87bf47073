import { ApiObject, App, Chart, Testing } from 'cdk8s';
import {
  AllowPrometheusScrape, CalicoGlobalDeny, CiliumL7Rule, ClusterCni, ClusterGuardrails, ExternalHttpsEgress, NetworkModel, Peer, PolicyEngine, Port,
  ServiceGraph, ThreeTierApp, ZeroTrustNamespace,
} from '../../src';
import { expectValidManifests } from '../support/manifests';

// The context key cdk8s-netpol/rollout: "staged" renders what the engine can evaluate without
// enforcing (Calico staged kinds, Cilium without default deny), refuses what it cannot, and
// NetworkModelOptions.evaluateStaged gives the verdicts the rollout will have once enforced.

function appWith(context: Record<string, unknown>): App {
  const app = Testing.app();
  Object.entries(context).forEach(([key, value]) => app.node.setContext(key, value));
  return app;
}

/** A shop: default deny, web -> api -> db, Prometheus scrapes, the api calls out on 443. */
function shop(app: App, engine: PolicyEngine): Chart {
  const chart = new Chart(app, `shop-${engine}`);
  new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop', engine });
  const graph = new ServiceGraph(chart, 'graph', { namespace: 'shop', engine });
  const web = graph.workload('web', { ports: [Port.tcp(8080)] });
  const api = graph.workload('api', { ports: [Port.tcp(9000)] });
  web.calls(api);
  api.calls(graph.workload('db', { ports: [Port.tcp(5432)] }));
  api.allowTo(Peer.internet(), Port.tcp(443));
  new AllowPrometheusScrape(chart, 'scrape', { namespace: 'shop', engine, ports: [Port.tcp(9090)] });
  return chart;
}

const PODS = [
  { namespace: 'shop', name: 'web', labels: { app: 'web' }, ports: [{ port: 8080 }] },
  { namespace: 'shop', name: 'api', labels: { app: 'api' }, ports: [{ port: 9000 }] },
  { namespace: 'shop', name: 'db', labels: { app: 'db' }, ports: [{ port: 5432 }] },
  { namespace: 'shop', name: 'batch', labels: { app: 'batch' } },
];
const PROBES: Array<[string, string, number]> = [
  ['shop/web', 'shop/api', 9000], ['shop/api', 'shop/db', 5432], ['shop/web', 'shop/db', 5432], ['shop/batch', 'shop/api', 9000],
  ['shop/api', '203.0.113.10', 443], ['shop/web', '203.0.113.10', 443], ['shop/db', 'shop/web', 8080],
];

function verdicts(objects: any[], cni: ClusterCni, evaluateStaged: boolean): Record<string, boolean> {
  const model = NetworkModel.fromManifests(objects, { cni, evaluateStaged });
  PODS.forEach((p) => model.addPod(p));
  return Object.fromEntries(PROBES.map(([from, to, port]) => [`${from} -> ${to}:${port}`, model.evaluate({ from, to, port }).allowed]));
}

describe.each([
  [PolicyEngine.CALICO, ClusterCni.CALICO],
  [PolicyEngine.CILIUM, ClusterCni.CILIUM],
])('a staged rollout on %s', (engine, cni) => {
  const enforced = () => Testing.synth(shop(Testing.app(), engine));
  const staged = () => Testing.synth(shop(appWith({ 'cdk8s-netpol/rollout': 'staged' }), engine));

  test('renders the staged forms, marked, valid against their CRDs', () => {
    const objects = expectValidManifests(staged());
    const policies = objects.filter((o) => o.kind !== 'Tier' && o.kind !== 'Namespace');
    expect(policies.length).toBe(enforced().filter((o) => o.kind !== 'Tier' && o.kind !== 'Namespace').length);
    for (const p of policies) {
      expect(p.metadata.annotations['cdk8s-netpol.io/rollout']).toBe('staged');
      if (engine === PolicyEngine.CALICO) {
        expect(p.kind).toMatch(/^Staged(Global)?NetworkPolicy$/);
      } else {
        expect(p.spec.enableDefaultDeny).toEqual({ ingress: false, egress: false });
      }
    }
  });

  test('the cluster enforces nothing of it: every probe is allowed', () => {
    expect(Object.values(verdicts(staged(), cni, false)).every((allowed) => allowed)).toBe(true);
  });

  test('evaluated as enforced (evaluateStaged), it gives exactly the enforced rendering\'s verdicts, allowed and denied', () => {
    const asEnforced = verdicts(staged(), cni, true);
    expect(asEnforced).toEqual(verdicts(enforced(), cni, false));
    expect(asEnforced['shop/web -> shop/api:9000']).toBe(true);
    expect(asEnforced['shop/web -> shop/db:5432']).toBe(false);
    expect(asEnforced['shop/api -> 203.0.113.10:443']).toBe(true);
    expect(asEnforced['shop/web -> 203.0.113.10:443']).toBe(false);
  });

  test('the proofs hold the staged policies to their promises as enforced: a policy that opens the database fails synthesis', () => {
    const app = appWith({ 'cdk8s-netpol/rollout': 'staged' });
    const chart = shop(app, engine);
    expect(() => app.synthYaml()).not.toThrow();
    new ApiObject(chart, 'open', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open-db', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{}] },
    });
    expect(() => app.synthYaml()).toThrow(/promises that .* cannot reach db .*, but shop\/open-db opens it/);
  });
});

describe('what a staged rollout cannot stage is refused at the call, naming the engine and the alternative', () => {
  const staged = () => appWith({ 'cdk8s-netpol/rollout': 'staged' });

  test('Kubernetes: any NetworkPolicy isolates the pods it selects', () => {
    const chart = new Chart(staged(), 'c');
    expect(() => new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop' }))
      .toThrow(/^ZeroTrustNamespace "c\/zt": a staged rollout \(context key cdk8s-netpol\/rollout: "staged"\) cannot be rendered for the Kubernetes engine: .* `cdk8s-netpol replay`/);
    expect(() => new ClusterGuardrails(chart, 'g')).toThrow(/^ClusterGuardrails "c\/g": a staged rollout .* Kubernetes engine/);
    expect(() => new ThreeTierApp(chart, 't', { namespace: 'shop' })).toThrow(/Kubernetes engine/);
  });

  test('Cilium: deny rules and HTTP rules apply whatever enableDefaultDeny says', () => {
    const chart = new Chart(staged(), 'c');
    const guardrails = new ClusterGuardrails(chart, 'g', { engine: PolicyEngine.CILIUM });
    expect(() => guardrails.deny(Peer.namespaces({}), Peer.ipBlock('169.254.169.254/32')))
      .toThrow(/^ClusterGuardrails "c\/g"\.deny\(\): Cilium cannot stage a deny rule: ingressDeny and egressDeny apply whatever enableDefaultDeny says/);
    const graph = new ServiceGraph(chart, 'graph', { namespace: 'shop', engine: PolicyEngine.CILIUM });
    const web = graph.workload('web');
    const api = graph.workload('api', { ports: [Port.tcp(9000)] });
    expect(() => web.callsHttp(api, Port.tcp(9000), [{ method: 'GET', path: '/v1/.*' }])).toThrow(/Cilium cannot stage an HTTP \(L7\) rule/);
    web.calls(api);
    expect(() => new CiliumL7Rule(chart, 'l7', { namespace: 'shop', selector: { app: 'api' }, from: [Peer.pods({ app: 'web' })], port: Port.tcp(9000), http: [{ method: 'GET', path: '/' }] }))
      .toThrow(/Cilium cannot stage an HTTP \(L7\) rule/);
  });

  test('Cilium: FQDN egress stages (its DNS rule lets every name through)', () => {
    const chart = new Chart(staged(), 'c');
    new ExternalHttpsEgress(chart, 'e', { namespace: 'shop', engine: PolicyEngine.CILIUM, fqdns: ['api.stripe.com'] });
    const objects = expectValidManifests(Testing.synth(chart));
    expect(objects.map((o) => o.spec.enableDefaultDeny)).toEqual([{ ingress: false, egress: false }]);
  });

  test('Calico: every kind stages, CalicoGlobalDeny and guardrails included; their tiers are emitted as they are', () => {
    const chart = new Chart(staged(), 'c');
    new CalicoGlobalDeny(chart, 'deny');
    new ClusterGuardrails(chart, 'g', { engine: PolicyEngine.CALICO }).deny(Peer.namespaces({ tenant: 'a' }), Peer.namespaces({ tenant: 'b' }));
    const objects = expectValidManifests(Testing.synth(chart));
    expect(objects.map((o) => o.kind).sort()).toEqual(['StagedGlobalNetworkPolicy', 'StagedGlobalNetworkPolicy', 'Tier']);
  });

  test('Calico 3.30 and 3.31: a policy of another tier than default is named "<tier>.<name>" (bare names from 3.32)', () => {
    const chart = new Chart(appWith({ 'cdk8s-netpol/rollout': 'staged', 'cdk8s-netpol/calico-version': '3.30' }), 'c');
    new CalicoGlobalDeny(chart, 'gd', { tier: 'security' });
    const objects = expectValidManifests(Testing.synth(chart));
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`).sort()).toEqual(['StagedGlobalNetworkPolicy security.gd', 'Tier security']);
    const current = new Chart(appWith({ 'cdk8s-netpol/calico-version': '3.32' }), 'c');
    new CalicoGlobalDeny(current, 'gd', { tier: 'security' });
    expect(Testing.synth(current).map((o) => o.metadata.name).sort()).toEqual(['gd', 'security']);
  });

  test('a rollout that is neither mode, or staged on a Calico without staged policies', () => {
    expect(() => new ZeroTrustNamespace(new Chart(appWith({ 'cdk8s-netpol/rollout': 'canary' }), 'c'), 'zt', { namespace: 'shop' }))
      .toThrow(/context key cdk8s-netpol\/rollout is "canary"; it is "enforce" \(the default\) or "staged"/);
    const old = appWith({ 'cdk8s-netpol/rollout': 'staged', 'cdk8s-netpol/calico-version': '3.29' });
    expect(() => new ZeroTrustNamespace(new Chart(old, 'c'), 'zt', { namespace: 'shop', engine: PolicyEngine.CALICO }))
      .toThrow(/a staged rollout needs Calico's staged policies, which Calico open source has from 3\.30; cdk8s-netpol\/calico-version is "3\.29"/);
    // "enforce" is the default, written out.
    const enforce = appWith({ 'cdk8s-netpol/rollout': 'enforce' });
    new ZeroTrustNamespace(new Chart(enforce, 'c'), 'zt', { namespace: 'shop' });
    expect(enforce.synthYaml()).toMatch(/kind: NetworkPolicy/);
  });
});

describe('NetworkModelOptions.evaluateStaged on hand-written staged policies', () => {
  const calicoDeny = (kind: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'projectcalico.org/v3',
    kind,
    metadata: { name: 'deny-db', namespace: 'shop' },
    spec: { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Deny' }], ...extra },
  });
  const model = (objects: any[], evaluateStaged: boolean) => {
    const m = NetworkModel.fromManifests(objects, { cni: ClusterCni.CALICO, evaluateStaged });
    m.addPod({ namespace: 'shop', name: 'web', labels: { app: 'web' } });
    m.addPod({ namespace: 'shop', name: 'db', labels: { app: 'db' } });
    return m;
  };

  test('a StagedNetworkPolicy: skipped by default, evaluated as a NetworkPolicy when asked', () => {
    expect(model([calicoDeny('StagedNetworkPolicy')], false).evaluate({ from: 'shop/web', to: 'shop/db', port: 5432 }).allowed).toBe(true);
    const verdict = model([calicoDeny('StagedNetworkPolicy')], true).evaluate({ from: 'shop/web', to: 'shop/db', port: 5432 });
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons.join(' ')).toMatch(/shop\/deny-db/);
  });

  test('a staged update replaces the enforced policy of the same name', () => {
    const allowAll = { ...calicoDeny('NetworkPolicy'), spec: { selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow' }] } };
    expect(model([allowAll], true).evaluate({ from: 'shop/web', to: 'shop/db', port: 5432 }).allowed).toBe(true);
    expect(model([allowAll, calicoDeny('StagedNetworkPolicy')], true).evaluate({ from: 'shop/web', to: 'shop/db', port: 5432 }).allowed).toBe(false);
  });

  test('a StagedKubernetesNetworkPolicy is evaluated as a Kubernetes NetworkPolicy', () => {
    const sknp = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'StagedKubernetesNetworkPolicy',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { stagedAction: 'Set', podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] },
    };
    expect(model([sknp], true).evaluate({ from: 'shop/web', to: 'shop/db', port: 5432 }).allowed).toBe(false);
  });

  test('a staged deletion and an unknown stagedAction are refused, naming the object', () => {
    expect(() => model([calicoDeny('StagedNetworkPolicy', { stagedAction: 'Delete' })], true))
      .toThrow(/StagedNetworkPolicy shop\/deny-db: a staged deletion \(stagedAction Delete\) is not modelled/);
    expect(() => model([calicoDeny('StagedNetworkPolicy', { stagedAction: 'Maybe' })], true))
      .toThrow(/stagedAction "Maybe" is not one of Set, Learn, Ignore, Delete/);
    expect(() => NetworkModel.fromManifests([], { evaluateStaged: 'yes' as any })).toThrow(/evaluateStaged "yes" is not true or false/);
  });

  test('a Cilium policy with enableDefaultDeny false that no staged rollout marked is evaluated as written', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'dns-visibility', namespace: 'shop' },
      spec: { endpointSelector: {}, enableDefaultDeny: { ingress: false, egress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
    };
    const m = NetworkModel.fromManifests([cnp], { cni: ClusterCni.CILIUM, evaluateStaged: true });
    m.addPod({ namespace: 'shop', name: 'batch', labels: { app: 'batch' } });
    m.addPod({ namespace: 'shop', name: 'db', labels: { app: 'db' } });
    expect(m.evaluate({ from: 'shop/batch', to: 'shop/db', port: 5432 }).allowed).toBe(true);
  });
});

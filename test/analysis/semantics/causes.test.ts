import { ClusterCni, NetworkModel, NetworkModelOptions, Probe } from '../../../src';
import { DecisionCause, SideDecision } from '../../../src/analysis/semantics/decision';

// Decisions as data (docs/architecture.md): every engine's evaluator gives each side a structured
// cause and policy references, which the proofs and reports read instead of the prose. These tests pin
// the data per engine and cause, so that a reworded reason can never change what a program sees.

type Json = Record<string, any>;
const meta = (name: string, namespace?: string) => (namespace === undefined ? { name } : { name, namespace });
const knp = (name: string, spec: Json) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta(name, 'prod'), spec });
const cnp = (name: string, spec: Json) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: meta(name, 'prod'), spec });
const ccnp = (name: string, spec: Json) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: meta(name), spec });
const calicoNp = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: meta(name, 'prod'), spec });
const gnp = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: meta(name), spec });
const tier = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: meta(name), spec });

const K8S = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'prod' };
const CILIUM = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: 'prod' };
const CALICO = { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', namespace: 'prod' };

function modelOn(options: NetworkModelOptions | undefined, ...objects: Json[]): NetworkModel {
  const m = new NetworkModel(options);
  m.addNamespace('prod');
  m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' }, ip: '10.0.1.1' });
  m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api' }, ip: '10.0.1.2', ports: [{ port: 8080, name: 'http' }] });
  m.addPod({ namespace: 'prod', name: 'node-agent', labels: { app: 'api' }, ip: '192.168.0.9', hostNetwork: true });
  objects.forEach((o) => m.addManifest(o));
  return m;
}
const model = (...objects: Json[]) => modelOn(undefined, ...objects);

/** The decision of one side of a probe. */
function side(m: NetworkModel, probe: Probe, direction: 'ingress' | 'egress'): SideDecision {
  const found = m._explain(probe).sides.find((s) => s.direction === direction);
  if (!found) throw new Error(`no ${direction} side for ${JSON.stringify(probe)}`);
  return found;
}
const names = (refs: readonly { name: string }[]) => refs.map((ref) => ref.name);

describe('Kubernetes NetworkPolicy', () => {
  const m = model(
    knp('api-in', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }] }),
    knp('api-lock', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] }),
  );

  test('ALLOWED names the allowing policy; isolatedBy every isolating one', () => {
    const d = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
    expect(d).toMatchObject({ allowed: true, cause: DecisionCause.ALLOWED, allowedBy: { ...K8S, name: 'api-in', id: 'prod/api-in' } });
    expect(names(d.isolatedBy)).toEqual(['api-in', 'api-lock']);
    expect(d.deniedBy).toBeUndefined();
  });

  test('NO_RULE_ALLOWS names the isolating policies and no allowing one', () => {
    const d = side(m, { from: 'prod/web', to: 'prod/api', port: 9090 }, 'ingress');
    expect(d).toMatchObject({ allowed: false, cause: DecisionCause.NO_RULE_ALLOWS });
    expect(d.isolatedBy.map((ref) => ({ ...ref }))).toEqual([
      { ...K8S, name: 'api-in', id: 'prod/api-in' },
      { ...K8S, name: 'api-lock', id: 'prod/api-lock' },
    ]);
    expect(d.allowedBy).toBeUndefined();
  });

  test('NOT_ISOLATED and HOST_NETWORK carry no references', () => {
    const egress = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'egress');
    expect(egress).toMatchObject({ allowed: true, cause: DecisionCause.NOT_ISOLATED, isolatedBy: [] });
    const host = side(m, { from: 'prod/web', to: 'prod/node-agent', port: 9090 }, 'ingress');
    expect(host).toMatchObject({ allowed: true, cause: DecisionCause.HOST_NETWORK, isolatedBy: [] });
  });

  test('the references are shared objects: the same policy is the same reference in every decision', () => {
    const a = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
    const b = side(m, { from: 'prod/web', to: 'prod/api', port: 9090 }, 'ingress');
    expect(a.isolatedBy[0]).toBe(b.isolatedBy[0]);
  });
});

describe('Cilium', () => {
  const api = { matchLabels: { app: 'api' } };
  const web = { matchLabels: { app: 'web' } };

  test('ALLOWED and NO_RULE_ALLOWS; a Kubernetes policy under Cilium keeps its own apiVersion and kind', () => {
    const m = model(
      cnp('api-in', { endpointSelector: api, ingress: [{ fromEndpoints: [web], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }),
      knp('api-k8s', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] }),
    );
    const allowed = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
    expect(allowed).toMatchObject({ cause: DecisionCause.ALLOWED, allowedBy: { ...CILIUM, name: 'api-in', id: 'CiliumNetworkPolicy prod/api-in' } });
    const denied = side(m, { from: 'prod/web', to: 'prod/api', port: 9090 }, 'ingress');
    expect(denied.cause).toBe(DecisionCause.NO_RULE_ALLOWS);
    expect(denied.isolatedBy.map((ref) => [ref.apiVersion, ref.kind, ref.name])).toEqual(expect.arrayContaining([
      ['cilium.io/v2', 'CiliumNetworkPolicy', 'api-in'],
      ['networking.k8s.io/v1', 'NetworkPolicy', 'api-k8s'],
    ]));
  });

  test('DENY_RULE names the deny\'s policy (cluster-scoped: no namespace) even when an allow matches too', () => {
    const m = model(
      ccnp('no-web', { endpointSelector: api, ingressDeny: [{ fromEndpoints: [web] }] }),
      cnp('api-in', { endpointSelector: api, ingress: [{ fromEndpoints: [web] }] }),
    );
    const d = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
    expect(d).toMatchObject({ allowed: false, cause: DecisionCause.DENY_RULE });
    expect({ ...d.deniedBy }).toEqual({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', name: 'no-web', id: 'CiliumClusterwideNetworkPolicy no-web' });
    expect(d.isolatedBy).toEqual([d.deniedBy]);
    expect(d.allowedBy).toBeUndefined();
  });

  test('FAIL_CLOSED names the deny and says what could not be decided', () => {
    const m = model(cnp('d', { endpointSelector: {}, egressDeny: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }], egress: [{ toEntities: ['world'] }] }));
    const d = side(m, { from: 'prod/web', to: 'api.stripe.com', port: 443 }, 'egress');
    expect(d).toMatchObject({ allowed: false, cause: DecisionCause.FAIL_CLOSED, deniedBy: { ...CILIUM, name: 'd' } });
    expect(d.undecided).toMatch(/addresses of the DNS name api\.stripe\.com are unknown/);
  });

  test('L7_DENIED: allowed at L4, refused by the HTTP rules; without a request the side is allowed and marked l7', () => {
    const m = model(cnp('api-http', {
      endpointSelector: api,
      ingress: [{ fromEndpoints: [web], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public' }] } }] }],
    }));
    const refused = side(m, { from: 'prod/web', to: 'prod/api', port: 8080, http: { method: 'POST', path: '/public' } }, 'ingress');
    expect(refused).toMatchObject({ allowed: false, cause: DecisionCause.L7_DENIED });
    expect(names(refused.isolatedBy)).toContain('api-http');
    const passed = side(m, { from: 'prod/web', to: 'prod/api', port: 8080, http: { method: 'GET', path: '/public' } }, 'ingress');
    expect(passed).toMatchObject({ allowed: true, cause: DecisionCause.ALLOWED, allowedBy: { name: 'api-http' } });
    const noRequest = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
    expect(noRequest).toMatchObject({ allowed: true, cause: DecisionCause.ALLOWED, l7: 'HTTP' });
  });

  test('HOST_NETWORK and NOT_ISOLATED', () => {
    const m = model(cnp('api-in', { endpointSelector: api, ingress: [{ fromEndpoints: [web] }] }));
    expect(side(m, { from: 'prod/web', to: 'prod/node-agent', port: 1 }, 'ingress').cause).toBe(DecisionCause.HOST_NETWORK);
    expect(side(m, { from: 'prod/api', to: 'prod/web', port: 1 }, 'ingress').cause).toBe(DecisionCause.NOT_ISOLATED);
  });
});

describe('Calico', () => {
  test('ALLOWED names the policy and DENY_RULE the deny\'s policy', () => {
    const m = model(calicoNp('api', { order: 10, selector: "app == 'api'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" }, protocol: 'TCP', destination: { ports: [9090] } }, { action: 'Allow' }] }));
    const allowed = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
    expect(allowed).toMatchObject({ allowed: true, cause: DecisionCause.ALLOWED, allowedBy: { ...CALICO, name: 'api', id: 'Calico NetworkPolicy prod/api' } });
    const denied = side(m, { from: 'prod/web', to: 'prod/api', port: 9090 }, 'ingress');
    expect(denied).toMatchObject({ allowed: false, cause: DecisionCause.DENY_RULE, deniedBy: { ...CALICO, name: 'api' } });
    expect(denied.isolatedBy[0]).toBe(denied.deniedBy);
  });

  test('TIER_DEFAULT names the tier and the policies that applied', () => {
    const m = model(
      tier('security', { order: 100 }),
      gnp('only-web', { tier: 'security', selector: "app == 'api'", ingress: [{ action: 'Allow', source: { selector: "app == 'web'" } }] }),
    );
    const d = side(m, { from: 'prod/node-agent', to: 'prod/api', port: 8080 }, 'ingress');
    expect(d).toMatchObject({ allowed: false, cause: DecisionCause.TIER_DEFAULT, tier: 'security' });
    expect(d.isolatedBy.map((ref) => ({ ...ref }))).toEqual([
      { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', name: 'only-web', id: 'GlobalNetworkPolicy only-web' },
    ]);
    expect(d.deniedBy).toBeUndefined();
  });

  test('a Kubernetes policy under Calico: TIER_DEFAULT of tier default, with the Kubernetes reference', () => {
    const m = modelOn({ cni: ClusterCni.CALICO }, knp('api-lock', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] }));
    const d = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
    expect(d).toMatchObject({ allowed: false, cause: DecisionCause.TIER_DEFAULT, tier: 'default' });
    expect(d.isolatedBy.map((ref) => [ref.apiVersion, ref.kind, ref.name])).toEqual([['networking.k8s.io/v1', 'NetworkPolicy', 'api-lock']]);
  });

  test('FAIL_CLOSED: a Deny that may match an unknown address names its policy and why', () => {
    const m = NetworkModel.fromManifests([gnp('g', { order: 1, selector: 'app == "web"', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['10.0.0.0/8'] } }, { action: 'Allow' }] })]);
    m.addPod({ namespace: 'a', name: 'web', labels: { app: 'web' } });
    m.addPod({ namespace: 'a', name: 'api', labels: { app: 'api' } });
    const d = side(m, { from: 'a/web', to: 'a/api', port: 80 }, 'egress');
    expect(d).toMatchObject({ allowed: false, cause: DecisionCause.FAIL_CLOSED, deniedBy: { kind: 'GlobalNetworkPolicy', name: 'g' } });
    expect(d.undecided).toMatch(/address of pod a\/api is unknown/);
  });

  test('PASSED_TO_PROFILE: every tier passed, the profile allows', () => {
    const m = model(tier('security', { order: 100, defaultAction: 'Pass' }), gnp('deny-meta', {
      tier: 'security', selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
    }));
    const d = side(m, { from: 'prod/web', to: '203.0.113.1', port: 80 }, 'egress');
    expect(d).toMatchObject({ allowed: true, cause: DecisionCause.PASSED_TO_PROFILE });
    expect(names(d.isolatedBy)).toEqual(['deny-meta']);
    const metadata = side(m, { from: 'prod/web', to: '169.254.169.254', port: 80 }, 'egress');
    expect(metadata).toMatchObject({ allowed: false, cause: DecisionCause.DENY_RULE, deniedBy: { name: 'deny-meta' } });
  });

  test('NOT_ISOLATED and HOST_NETWORK', () => {
    const m = model(calicoNp('api', { selector: "app == 'api'", ingress: [{ action: 'Allow' }] }));
    expect(side(m, { from: 'prod/api', to: 'prod/web', port: 1 }, 'ingress').cause).toBe(DecisionCause.NOT_ISOLATED);
    expect(side(m, { from: 'prod/web', to: 'prod/node-agent', port: 1 }, 'ingress').cause).toBe(DecisionCause.HOST_NETWORK);
  });
});

describe('ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), under a plain CNI and under Calico', () => {
  const CLUSTER = { apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy' };
  const clusterPolicy = (name: string, clusterTier: string, priority: number, spec: Json) =>
    ({ ...CLUSTER, metadata: meta(name), spec: { tier: clusterTier, priority, subject: { namespaces: {} }, ...spec } });
  const objects = [
    clusterPolicy('no-metadata', 'Admin', 10, { egress: [{ name: 'metadata', action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }] }),
    clusterPolicy('scrape', 'Admin', 20, {
      ingress: [{ name: 'metrics', action: 'Accept', from: [{ pods: { podSelector: { matchLabels: { app: 'web' } } } }], protocols: [{ tcp: { destinationPort: { number: 9090 } } }] }],
    }),
    clusterPolicy('defer', 'Admin', 30, { ingress: [{ action: 'Pass', from: [{ namespaces: {} }], protocols: [{ tcp: { destinationPort: { number: 8080 } } }] }] }),
    clusterPolicy('floor', 'Baseline', 10, { ingress: [{ name: 'nothing-in', action: 'Deny', from: [{ namespaces: {} }] }] }),
    knp('api-lock', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'] }),
  ];

  describe.each([[ClusterCni.KUBERNETES], [ClusterCni.CALICO]])('cni %s', (cni) => {
    const m = modelOn({ cni }, ...objects);
    test('DENY_RULE names the ClusterNetworkPolicy, whatever the NetworkPolicies say', () => {
      expect(side(m, { from: 'prod/web', to: '169.254.169.254', port: 80 }, 'egress'))
        .toMatchObject({ allowed: false, cause: DecisionCause.DENY_RULE, deniedBy: { ...CLUSTER, name: 'no-metadata', id: 'ClusterNetworkPolicy no-metadata' } });
    });
    test('ALLOWED by an Admin Accept, although a NetworkPolicy isolates the pod', () => {
      const d = side(m, { from: 'prod/web', to: 'prod/api', port: 9090 }, 'ingress');
      expect(d).toMatchObject({ allowed: true, cause: DecisionCause.ALLOWED, allowedBy: { ...CLUSTER, name: 'scrape' } });
      expect(d.reason).toMatch(/ClusterNetworkPolicy scrape \(tier Admin, priority 20\) ingress rule #1 "metrics"/);
    });
    test('a Pass goes to the NetworkPolicy tier, which decides for a pod it isolates', () => {
      const d = side(m, { from: 'prod/web', to: 'prod/api', port: 8080 }, 'ingress');
      expect(d.allowed).toBe(false);
      expect(d.reason).toMatch(/passed .*ClusterNetworkPolicy defer/);
    });
    test('the Baseline tier decides for a pod no NetworkPolicy isolates', () => {
      expect(side(m, { from: 'prod/api', to: 'prod/web', port: 80 }, 'ingress'))
        .toMatchObject({ allowed: false, cause: DecisionCause.DENY_RULE, deniedBy: { ...CLUSTER, name: 'floor' } });
    });
    test('PASSED_TO_DEFAULT (plain CNI) or PASSED_TO_PROFILE (Calico) when cluster policies apply and none decides', () => {
      const d = side(m, { from: 'prod/web', to: '203.0.113.1', port: 80 }, 'egress');
      const cause = cni === ClusterCni.CALICO ? DecisionCause.PASSED_TO_PROFILE : DecisionCause.PASSED_TO_DEFAULT;
      expect(d).toMatchObject({ allowed: true, cause });
    });
    test('HOST_NETWORK: a pod on the node\'s network is never a subject', () => {
      expect(side(m, { from: 'prod/node-agent', to: '169.254.169.254', port: 80 }, 'egress').cause).toBe(DecisionCause.HOST_NETWORK);
    });
  });
});

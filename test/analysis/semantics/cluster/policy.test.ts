import { ClusterCni, NetworkModel } from '../../../../src';
import { admit, engineAdmission } from '../../../../src/analysis/admission/admission';
import { expectValidManifests, manifestProblems } from '../../../support/manifests';

// ClusterNetworkPolicy (network-policy-api v0.2.0) as the API server takes it, as each engine
// enforces it, and what the model refuses (docs/semantics/cluster.md).

type Json = Record<string, any>;
const cnp = (spec: Json, name = 'guard') => ({ apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec });
const base = { tier: 'Admin', priority: 10, subject: { namespaces: {} } };
const denyTo = (to: Json[], protocols?: Json[]) => ({ ...base, egress: [{ action: 'Deny', to, ...(protocols ? { protocols } : {}) }] });

function model(options: ConstructorParameters<typeof NetworkModel>[0], ...objects: Json[]): NetworkModel {
  const m = new NetworkModel(options);
  m.addNamespace('prod', { env: 'prod' });
  m.addNamespace('dev', { env: 'dev' });
  m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api' }, ports: [{ name: 'http', port: 8080 }] });
  m.addPod({ namespace: 'dev', name: 'web', labels: { app: 'web' } });
  objects.forEach((o) => m.addManifest(o));
  return m;
}

describe('the CRD\'s schema and CEL rules: refused at admission, naming the field', () => {
  test.each([
    ['no spec', undefined, /spec is required/],
    ['an unknown tier', { ...base, tier: 'Developer' }, /spec\.tier "Developer" is not Admin or Baseline/],
    ['a priority above 1000', { ...base, priority: 1001 }, /spec\.priority 1001 is not an integer from 0 to 1000/],
    ['a subject with both fields', { ...base, subject: { namespaces: {}, pods: { podSelector: {} } } }, /spec\.subject must set exactly one of namespaces, pods, got namespaces and pods/],
    ['a pods subject without podSelector', { ...base, subject: { pods: { namespaceSelector: {} } } }, /spec\.subject\.pods\.podSelector is required/],
    ['a rule without peers', { ...base, egress: [{ action: 'Deny' }] }, /spec\.egress\[0\]\.to is required/],
    ['an empty peer list', { ...base, egress: [{ action: 'Deny', to: [] }] }, /spec\.egress\[0\]\.to has 0 entries; the CRD allows 1 to 25/],
    ['Allow instead of Accept', { ...base, egress: [{ action: 'Allow', to: [{ namespaces: {} }] }] }, /spec\.egress\[0\]\.action "Allow" is not Accept, Deny or Pass/],
    ['networks on ingress', { ...base, ingress: [{ action: 'Deny', from: [{ networks: ['10.0.0.0/8'] }] }] }, /spec\.ingress\[0\]\.from\[0\]: unknown field "networks"/],
    ['a peer with two fields', denyTo([{ namespaces: {}, networks: ['10.0.0.0/8'] }]), /spec\.egress\[0\]\.to\[0\] must set exactly one of/],
    ['tcp without a port', denyTo([{ namespaces: {} }], [{ tcp: {} }]), /destinationPort.*must be a map with exactly one of number, range/],
    ['a range with start = end (CEL: start < end)', denyTo([{ namespaces: {} }], [{ tcp: { destinationPort: { range: { start: 80, end: 80 } } } }]),
      /start 80 must be less than end 80/],
    ['a bad CIDR (CEL: isCIDR)', denyTo([{ networks: ['10.0.0.0/33'] }]), /networks\[0\] "10\.0\.0\.0\/33" is not a valid CIDR/],
    ['a CIDR listed twice (a set)', denyTo([{ networks: ['10.0.0.0/8', '10.0.0.0/8'] }]), /listed twice/],
    ['26 rules', { ...base, egress: Array.from({ length: 26 }, () => ({ action: 'Deny', to: [{ namespaces: {} }] })) }, /spec\.egress has 26 entries; the CRD allows 0 to 25/],
    ['a rule name over 100 characters', { ...base, egress: [{ name: 'x'.repeat(101), action: 'Deny', to: [{ namespaces: {} }] }] }, /name .* is not a string of at most 100 characters/],
    ['a bad label selector operator', { ...base, subject: { namespaces: { matchExpressions: [{ key: 'a', operator: 'Has' }] } } }, /spec\.subject\.namespaces/],
    ['a misspelt selector field (read as "every namespace" otherwise)', { ...base, subject: { namespaces: { matchLabel: { team: 'a' } } } },
      /spec\.subject\.namespaces: unknown field "matchLabel"; the fields are matchLabels, matchExpressions/],
    ['a misspelt expression field', { ...base, egress: [{ action: 'Deny', to: [{ pods: { podSelector: { matchExpressions: [{ key: 'a', operator: 'In', vals: ['x'] }] } } }] }] },
      /spec\.egress\[0\]\.to\[0\]\.pods\.podSelector\.matchExpressions\[0\]: unknown field "vals"/],
  ])('%s', (_what, spec, message) => {
    const obj = cnp(spec as Json);
    const admission = admit(obj);
    expect(admission.problems.join('; ')).toMatch(message);
    expect(() => model(undefined, obj)).toThrow(/ClusterNetworkPolicy guard would be refused by the API server/);
  });

  test('every ClusterNetworkPolicy the tests above accept is valid against the v0.2.0 CRD; the refused ones are not', () => {
    expectValidManifests([cnp(denyTo([{ networks: ['10.0.0.0/8'] }], [{ tcp: { destinationPort: { range: { start: 80, end: 90 } } } }]))]);
    expect(manifestProblems([cnp(denyTo([{ networks: ['10.0.0.0/8'] }], [{ tcp: { destinationPort: { range: { start: 80, end: 80 } } } }]))]).join())
      .toMatch(/Start port must be less than End port/);
  });
});

describe('what the model does not evaluate: refused as not modelled, not guessed', () => {
  test.each([
    ['node peers', denyTo([{ nodes: { matchLabels: { 'kubernetes.io/os': 'linux' } } }]), /nodes: node peers select nodes by their labels, and the model has no nodes/],
    ['domain name peers', { ...base, egress: [{ action: 'Accept', to: [{ domainNames: ['*.example.com'] }] }] }, /domainNames: domain name peers match the addresses a DNS lookup returned/],
    ['a named port towards networks', denyTo([{ networks: ['10.0.0.0/8'] }], [{ destinationNamedPort: 'http' }]), /a named port \(destinationNamedPort\) with a networks peer/],
  ])('%s', (_what, spec, message) => {
    const obj = cnp(spec);
    expect(admit(obj).problems).toEqual([]);
    expect(engineAdmission(obj).notModelled).toMatch(message);
    expect(() => model(undefined, obj)).toThrow(message);
  });
});

describe('engines', () => {
  const guard = cnp(denyTo([{ pods: { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: {} } }]));

  test('Cilium: refused, naming the release and flag that enforce it, in either order of the objects', () => {
    const message = /ClusterNetworkPolicy guard: ClusterNetworkPolicy under Cilium is not modelled: Cilium enforces it only from 1\.20, with --enable-k8s-cluster-network-policy/;
    expect(() => model({ cni: ClusterCni.CILIUM }, guard)).toThrow(message);
    const ccnp = { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'x' }, spec: { endpointSelector: {}, egressDeny: [{ toEntities: ['world'] }] } };
    expect(() => model(undefined, ccnp, guard)).toThrow(message);
    const later = model(undefined, guard);
    expect(() => later.addManifest(ccnp)).toThrow(message);
  });

  test('Calico before 3.32 has no kube-admin tier: a GlobalNetworkPolicy placed there needs its Tier object', () => {
    const gnp = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'admin-deny' },
      spec: { tier: 'kube-admin', order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny' }] },
    };
    expect(() => model({ cni: ClusterCni.CALICO, calicoVersion: '3.31' }, gnp).evaluate({ from: 'dev/web', to: 'prod/api', port: 80 }))
      .toThrow(/is in tier "kube-admin", but the model has no Tier "kube-admin"; Calico creates "kube-admin" from 3\.32 on, and the model follows Calico 3\.31: give the cluster's release \(NetworkModelOptions\.calicoVersion/);
    expect(model({ cni: ClusterCni.CALICO, calicoVersion: '3.32' }, gnp).evaluate({ from: 'dev/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
  });

  test('Calico before 3.32: refused (the kube-admin and kube-baseline tiers came with 3.32); from 3.32 evaluated', () => {
    expect(() => model({ cni: ClusterCni.CALICO, calicoVersion: '3.31' }, guard))
      .toThrow(/Calico 3\.31 does not enforce ClusterNetworkPolicy \(Calico enforces it from 3\.32/);
    expect(model({ cni: ClusterCni.CALICO, calicoVersion: '3.32' }, guard).evaluate({ from: 'dev/web', to: 'prod/api', port: 8080 }).allowed).toBe(false);
  });

  test('Calico: a user tier ordered before kube-admin (order < 1000) decides first; one after it does not override an Admin Accept', () => {
    const accept = cnp({ ...base, ingress: [{ action: 'Accept', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }] }, 'admit-dev');
    const tier = (name: string, order: number) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec: { order, defaultAction: 'Pass' } });
    const deny = (tierName: string) => ({
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: `${tierName}.deny` },
      spec: { tier: tierName, order: 1, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny' }] },
    });
    const probe = { from: 'dev/web', to: 'prod/api', port: 8080 };
    const before = model({ cni: ClusterCni.CALICO }, accept, tier('early', 100), deny('early')).evaluate(probe);
    expect(before.allowed).toBe(false);
    expect(before.reasons.join()).toMatch(/GlobalNetworkPolicy early\.deny/);
    const after = model({ cni: ClusterCni.CALICO }, accept, tier('late', 2000), deny('late')).evaluate(probe);
    expect(after.allowed).toBe(true);
    expect(after.reasons.join()).toMatch(/ClusterNetworkPolicy admit-dev \(tier Admin, priority 10\) ingress rule #1 .*in Calico tier kube-admin/);
  });
});

describe('networks match pod addresses (in-cluster traffic too)', () => {
  const denyTen = cnp(denyTo([{ networks: ['10.0.0.0/8'] }]));

  test('a pod without a known address fails closed against a Deny, and decides with podCidrs or its ip', () => {
    const unknown = model(undefined, denyTen)._explain({ from: 'dev/web', to: 'prod/api', port: 8080 });
    expect(unknown.allowed).toBe(false);
    expect(unknown.sides[0]).toMatchObject({ cause: 'fail-closed' });
    expect(unknown.sides[0].undecided).toMatch(/address of pod prod\/api is unknown/);
    expect(model({ podCidrs: ['10.244.0.0/16'] }, denyTen).evaluate({ from: 'dev/web', to: 'prod/api', port: 8080 }).allowed).toBe(false);
    expect(model({ podCidrs: ['192.168.0.0/16'] }, denyTen).evaluate({ from: 'dev/web', to: 'prod/api', port: 8080 }).allowed).toBe(true);
  });

  test('the connection\'s family comes from the pod ranges when no end has an address: IPv6-only and dual-stack clusters', () => {
    const probe = { from: 'dev/web', to: 'prod/api', port: 8080 };
    for (const cni of [ClusterCni.KUBERNETES, ClusterCni.CALICO]) {
      // IPv6 only: every pod lies in fd00:10::/64, so a Deny of fd00:10::/48 (or ::/0) denies; an IPv4 network holds none of them.
      expect(model({ cni, podCidrs: ['fd00:10::/64'] }, cnp(denyTo([{ networks: ['fd00:10::/48'] }]))).evaluate(probe).allowed).toBe(false);
      expect(model({ cni, podCidrs: ['fd00:10::/64'] }, cnp(denyTo([{ networks: ['::/0'] }]))).evaluate(probe).allowed).toBe(false);
      expect(model({ cni, podCidrs: ['fd00:10::/64'] }, cnp(denyTo([{ networks: ['0.0.0.0/0'] }]))).evaluate(probe).allowed).toBe(true);
      // Dual stack: the connection may use either family, and the IPv6 Deny might match: failing closed.
      const dual = model({ cni, podCidrs: ['fd00:10::/64', '10.244.0.0/16'] }, cnp(denyTo([{ networks: ['fd00:10::/48'] }])))._explain(probe);
      expect(dual.allowed).toBe(false);
      expect(dual.sides[0].cause).toBe('fail-closed');
    }
  });

  test('an Accept that might match is not applied (an allow never rests on a guess); the reason says so', () => {
    const m = model(undefined, cnp({
      ...base, egress: [{ action: 'Accept', to: [{ networks: ['10.0.0.0/8'] }] }, { action: 'Deny', to: [{ namespaces: {} }] }],
    }));
    const verdict = m.evaluate({ from: 'dev/web', to: 'prod/api', port: 8080 });
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons.join()).toMatch(/egress rule #1 \(Accept to networks 10\.0\.0\.0\/8\) was not applied: the address of pod prod\/api is unknown/);
  });
});

describe('subjects and peers', () => {
  test('a pods peer without namespaceSelector selects every namespace (unlike a NetworkPolicy peer)', () => {
    const m = model(undefined, cnp({
      ...base,
      subject: { pods: { podSelector: { matchLabels: { app: 'api' } } } },
      ingress: [{ action: 'Deny', from: [{ pods: { podSelector: { matchLabels: { app: 'web' } } } }] }],
    }));
    expect(m.evaluate({ from: 'dev/web', to: 'prod/api', port: 8080 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/api', to: 'dev/web', port: 8080 }).allowed).toBe(true);
  });

  test('a named port resolves on the destination pod: its number and its protocol', () => {
    const m = model(undefined, cnp({
      ...base,
      egress: [
        { action: 'Accept', to: [{ namespaces: {} }], protocols: [{ destinationNamedPort: 'http' }] },
        { action: 'Deny', to: [{ namespaces: {} }] },
      ],
    }));
    expect(m.evaluate({ from: 'dev/web', to: 'prod/api', port: 8080 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'dev/web', to: 'prod/api', port: 8080, protocol: 'UDP' }).allowed).toBe(false);
    expect(m.evaluate({ from: 'dev/web', to: 'prod/api', port: 8081 }).allowed).toBe(false);
  });

  test('same priority: name order decides, as kube-network-policies and Calico order them', () => {
    const accept = cnp({ ...base, ingress: [{ action: 'Accept', from: [{ namespaces: {} }] }] }, 'a-accept');
    const deny = cnp({ ...base, ingress: [{ action: 'Deny', from: [{ namespaces: {} }] }] }, 'b-deny');
    for (const cni of [ClusterCni.KUBERNETES, ClusterCni.CALICO]) {
      expect(model({ cni }, deny, accept).evaluate({ from: 'dev/web', to: 'prod/api', port: 8080 }).allowed).toBe(true);
    }
  });
});

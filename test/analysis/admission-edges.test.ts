import { Linter, NetworkModel } from '../../src';
import { admit, engineAdmission } from '../../src/analysis/admission/admission';

// Admission's edges, found by an adversarial review: what the cluster refuses and the tools must
// too (in the lint as well as in the model), and what it accepts and the tools must not refuse.

type Json = Record<string, any>;
const knp = (spec: Json | undefined, extra: Json = {}): Json => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'prod' }, ...(spec === undefined ? {} : { spec }), ...extra,
});
const cnp = (spec: Json): Json => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'prod' }, spec });
const calico = (spec: Json): Json => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'k', namespace: 'prod' }, spec });
const lintRejects = (obj: Json) => new Linter().lint([obj]).filter((f) => f.rule === 'api-server-rejects').map((f) => f.message);

describe('refused by the cluster: the lint says so as well as the model', () => {
  test.each([
    ['a Cilium rule whose fromEndpoints is a map', cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: { matchLabels: { app: 'a' } } }] }), /fromEndpoints/],
    ['a Cilium port given as a number', cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 5432, protocol: 'TCP' }] }] }] }), /Cilium ports are strings/],
    ['a Cilium toPorts entry with 41 ports', cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: Array.from({ length: 41 }, (_, i) => ({ port: String(1000 + i), protocol: 'TCP' })) }] }] }), /at most 40/],
    ['a Calico port without a protocol', calico({ selector: 'all()', ingress: [{ action: 'Allow', destination: { ports: [5432] } }] }), /protocol/],
    ['a Calico action it does not know', calico({ selector: 'all()', ingress: [{ action: 'allow' }] }), /allow/],
    ['a Calico port list of 51', calico({ selector: 'all()', ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: Array.from({ length: 51 }, (_, i) => 1000 + i) } }] }), /at most 50/],
  ])('%s', (_what, obj, message) => {
    const found = lintRejects(obj);
    expect(found.join('\n')).toMatch(message);
    expect(engineAdmission(obj).refusedBy).toMatch(/Cilium|Calico/);
    expect(() => NetworkModel.fromManifests([obj])).toThrow(message);
  });

  test('a feature the model does not evaluate is not a refusal: the cluster applies it', () => {
    const groups = cnp({ endpointSelector: {}, egress: [{ toGroups: [{ aws: { securityGroupsIds: ['sg-1'] } }] }] });
    expect(lintRejects(groups)).toEqual([]);
    expect(() => NetworkModel.fromManifests([groups])).toThrow(/toGroups is not modelled/);
  });

  test('api-server-rejects cannot be suppressed by the object it judges', () => {
    const broken = knp({ podSelector: {}, ingress: [{ from: { podSelector: {} } }] });
    broken.metadata.annotations = { 'cdk8s-netpol.io/suppress': 'api-server-rejects: fine' };
    expect(lintRejects(broken)).toHaveLength(1);
  });

  test.each([
    ['an unknown top-level field', knp({ podSelector: {} }, { extra: 1 }), /the object: unknown field "extra"/],
    ['a typo in metadata', { ...knp({ podSelector: {} }), metadata: { name: 'p', namespace: 'prod', lables: { a: 'b' } } }, /metadata: unknown field "lables"/],
    ['a Map where a map belongs', knp({ podSelector: { matchLabels: new Map([['app', 'x']]) } }), /matchLabels is a Map, not a plain object/],
    ['labels inherited from a prototype', knp({ podSelector: { matchLabels: Object.create({ app: 'x' }) } }), /matchLabels is an object with a prototype/],
    ['a Deployment whose selector misses its pods', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'prod' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c' }] } } },
    }, /spec\.selector does not match the template's labels/],
    ['a Deployment without a selector', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'prod' },
      spec: { template: { metadata: { labels: { app: 'y' } }, spec: { containers: [{ name: 'c' }] } } },
    }, /spec\.selector is required/],
    ['a Pod without containers', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', namespace: 'prod' }, spec: { containers: [] } }, /spec\.containers must list at least one container/],
    ['a Job whose pods restart Always', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j', namespace: 'prod' },
      spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c' }] } } },
    }, /spec\.template\.spec\.restartPolicy "Always" is not allowed for a Job's pods/],
    ['a port name given twice in one pod', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'x', namespace: 'prod' },
      spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }] }, { name: 'b', ports: [{ containerPort: 81, name: 'http' }] }] },
    }, /spec\.containers\[1\]\.ports\[0\]\.name "http" is given twice in the pod/],
  ])('%s is refused', (_what, obj, message) => {
    expect(admit(obj).problems.join('\n')).toMatch(message);
  });
});

describe('accepted by the cluster: accepted here', () => {
  test('a NetworkPolicy without spec: every pod of its namespace isolated for ingress, as the API server defaults it', () => {
    const m = NetworkModel.fromManifests([knp(undefined)]);
    m.addPod({ namespace: 'prod', name: 'a' });
    m.addPod({ namespace: 'prod', name: 'b' });
    expect(m.evaluate({ from: 'prod/a', to: 'prod/b', port: 80 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/b', to: '203.0.113.1', port: 80 }).allowed).toBe(true);
  });

  test('policyTypes naming Ingress twice (the API server checks the count and the values only)', () => {
    expect(admit(knp({ podSelector: {}, policyTypes: ['Ingress', 'Ingress'] })).problems).toEqual([]);
  });
});

test('selector-matches-nothing knows each replica of a StatefulSet by its pod-name label', () => {
  const objects = [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'st', namespace: 'prod' }, spec: { replicas: 2, selector: { matchLabels: { app: 'st' } }, template: { metadata: { labels: { app: 'st' } }, spec: { containers: [{ name: 'c' }] } } } },
    knp({ podSelector: { matchLabels: { app: 'st' } }, ingress: [{ from: [{ podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'st-1' } } }] }] }),
  ];
  expect(new Linter().lint(objects).filter((f) => f.rule === 'selector-matches-nothing')).toEqual([]);
});

test('missing-dns-egress probes the input\'s own DNS pods: a rule naming ports "dns" does not reach a CoreDNS whose port 53 is unnamed', () => {
  const deny = knp({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 'dns' }, { protocol: 'TCP', port: 'dns-tcp' }] }] });
  const coredns = (named: boolean) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: { containers: [{ name: 'c', ports: [{ containerPort: 53, protocol: 'UDP', ...(named ? { name: 'dns' } : {}) }, { containerPort: 53, protocol: 'TCP', ...(named ? { name: 'dns-tcp' } : {}) }] }] },
  });
  const rule = (objects: Json[]) => new Linter().lint(objects).filter((f) => f.rule === 'missing-dns-egress');
  expect(rule([deny, coredns(true)])).toEqual([]);
  expect(rule([deny, coredns(false)])).toHaveLength(1);
});

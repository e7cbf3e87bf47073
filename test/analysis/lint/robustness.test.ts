import { ApiObject, Chart, Testing } from 'cdk8s';
import { Linter, ZeroTrustNamespace } from '../../../src';
import { parseSuppressions } from '../../../src/analysis/lint/inventory';

const np = (spec: unknown, metadata: Record<string, unknown> = {}) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop', ...metadata }, spec });

describe('malformed input never crashes the linter', () => {
  test.each([
    ['"from" as a map (a missing dash)', np({ podSelector: {}, ingress: [{ from: { podSelector: {} } }] }), /spec.ingress\[0\].from must be a list \(a "-" is missing\?\)/],
    ['"ports" as a map', np({ podSelector: {}, ingress: [{ ports: { port: 80 } }] }), /spec.ingress\[0\].ports must be a list/],
    ['"except" as a string', np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: '10.1.0.0/16' } }] }] }), /ipBlock\.except must be a list \(a "-" is missing\?\), got a string "10\.1\.0\.0\/16"/],
    ['"matchExpressions" as a map', np({ podSelector: { matchExpressions: { key: 'a' } } }), /spec.podSelector.matchExpressions must be a list/],
    ['"ingress" as a map', np({ podSelector: {}, ingress: { from: [] } }), /spec.ingress must be a list/],
    ['a missing name', np({ podSelector: {} }, { name: undefined }), /metadata\.name is required/],
    ['an invalid namespace', np({ podSelector: {}, policyTypes: ['Egress'] }, { namespace: 'Shop_Ns' }), /metadata.namespace "Shop_Ns" is invalid/],
  ])('%s: an api-server-rejects error, not a crash', (_what, manifest, message) => {
    const findings = new Linter().lint([manifest]);
    expect(findings.map((f) => f.message).join('\n')).toMatch(message);
  });

  test.each([
    ['a Cilium "egress" map', { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'shop' }, spec: { endpointSelector: {}, egress: { toCIDRSet: {} } } }],
    ['a Cilium "toCIDRSet" map', { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'shop' }, spec: { endpointSelector: {}, egress: [{ toCIDRSet: { cidr: '0.0.0.0/0' } }] } }],
    ['a Calico policy with a null selector', { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'c', namespace: 'shop' }, spec: { selector: null, types: ['Ingress'] } }],
    ['a Deployment with "containers" as a map', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'shop' }, spec: { template: { spec: { containers: { name: 'x' } } } } }],
    ['a namespace that is a number', np({ podSelector: {}, policyTypes: ['Egress'] }, { namespace: 123 })],
    ['null, a string and an empty object', null],
  ])('%s', (_what, manifest) => {
    const objects = manifest === null ? [null, 'text', {}] : [manifest];
    expect(() => new Linter().lint(objects as any[])).not.toThrow();
    expect(new Linter().lint(objects as any[]).filter((f) => f.kind === 'Input')).toEqual([]);
  });
});

describe('suppressions', () => {
  test('one per line; a reason may hold ";"; a leading "- " is allowed', () => {
    expect([...parseSuppressions('allow-all: public endpoint; see ticket OPS-12\n- egress-to-metadata: the metadata proxy, reviewed\n\n')]).toEqual([
      ['allow-all', 'public endpoint; see ticket OPS-12'],
      ['egress-to-metadata', 'the metadata proxy, reviewed'],
    ]);
  });

  test('an annotation that is not a string is an invalid suppression', () => {
    const findings = new Linter().lint([np({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] }, { annotations: { 'cdk8s-netpol.io/suppress': ['allow-all: x'] } })]);
    expect(findings.map((f) => `${f.rule}: ${f.message}`)).toContain('invalid-suppression: NetworkPolicy shop/p: cdk8s-netpol.io/suppress must be a string, one "rule-id: reason" per line');
  });

  test('findings on cluster-scoped kinds (per the kinds catalog) carry no namespace', () => {
    // The inventory asks the catalog (analysis/kinds.ts) whether a kind is cluster-scoped: a Calico Tier or
    // an AdminNetworkPolicy used to be filed under the namespace "default".
    const bad = { 'cdk8s-netpol.io/suppress': ['allow-all: x'] };
    const objects = [
      { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security', annotations: bad }, spec: { order: 100 } },
      { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'anp', annotations: bad }, spec: { priority: 1, subject: { namespaces: {} } } },
      np({ podSelector: {}, policyTypes: ['Ingress'] }, { annotations: bad }),
    ];
    const found = new Linter().lint(objects).filter((f) => f.rule === 'invalid-suppression').map((f) => [f.kind, f.name, f.namespace]);
    expect(found).toEqual(expect.arrayContaining([['Tier', 'security', undefined], ['AdminNetworkPolicy', 'anp', undefined], ['NetworkPolicy', 'p', 'shop']]));
    expect(found).toHaveLength(3);
  });
});

test('the synth-time lint sees every chart of the app: a deny in one chart and its DNS allowance in another', () => {
  const app = Testing.app();
  const a = new Chart(app, 'a');
  new ZeroTrustNamespace(a, 'zt', { namespace: 'apps' });
  new ApiObject(a, 'deny', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-egress', namespace: 'batch' }, spec: { podSelector: {}, policyTypes: ['Egress'] } });
  const b = new Chart(app, 'b');
  new ApiObject(b, 'dns', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'dns', namespace: 'batch' },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] },
  });
  expect(() => Testing.synth(a)).not.toThrow();
  // Without chart b's allowance, the deny in chart a cuts DNS.
  const lone = Testing.app();
  const c = new Chart(lone, 'c');
  new ZeroTrustNamespace(c, 'zt', { namespace: 'apps' });
  new ApiObject(c, 'deny', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-egress', namespace: 'batch' }, spec: { podSelector: {}, policyTypes: ['Egress'] } });
  expect(() => Testing.synth(c)).toThrow(/missing-dns-egress: NetworkPolicy batch\/deny-egress/);
});

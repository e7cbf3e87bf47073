import { PodSide } from '../../../../src/analysis/endpoint';
import { BUILT_IN_TIERS, CalicoPolicy, compileTier, kubernetesMember } from '../../../../src/analysis/semantics/calico/policy';
import { KubernetesPolicy } from '../../../../src/analysis/semantics/kubernetes/policy';
import { SideQuery } from '../../../../src/analysis/semantics/side-evaluator';

type Json = Record<string, any>;
const np = (spec: Json, name = 'p') => new CalicoPolicy({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const gnp = (spec: Json) => new CalicoPolicy({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'g' }, spec });
const pod = (namespace: string, labels: Record<string, string>, hostNetwork = false): PodSide => ({
  kind: 'pod', id: `${namespace}/x`, namespace, name: 'x', labels, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, ports: [], hostNetwork,
});

describe('CalicoPolicy', () => {
  test('ids, tier and order: tier default, a missing order last', () => {
    const p = np({ selector: 'all()' });
    expect([p.id, p.tier, p.order, p.sortKey, p.display]).toEqual(['Calico NetworkPolicy prod/p', 'default', Infinity, 'prod/p', 'Calico NetworkPolicy prod/p (tier default)']);
    const g = gnp({ tier: 'security', order: 10.5, selector: 'all()' });
    expect([g.id, g.tier, g.order, g.namespace]).toEqual(['GlobalNetworkPolicy g', 'security', 10.5, undefined]);
  });

  test.each([
    [{}, ['ingress']],
    [{ ingress: [{ action: 'Allow' }] }, ['ingress']],
    [{ egress: [{ action: 'Allow' }] }, ['egress']],
    [{ egress: [] }, ['ingress']],
    [{ ingress: [{ action: 'Allow' }], egress: [{ action: 'Allow' }] }, ['ingress', 'egress']],
    [{ types: ['Egress'] }, ['egress']],
    [{ types: [], egress: [{ action: 'Deny' }] }, ['egress']],
  ])('types defaulting (api/pkg/defaults/networkpolicy.go): %j applies in %j', (spec, types) => {
    expect([...np({ selector: 'all()', ...spec }).types]).toEqual(types);
  });

  test('a NetworkPolicy applies to pods of its namespace; a GlobalNetworkPolicy to every namespace its namespaceSelector admits', () => {
    const p = np({ selector: "app == 'db'" });
    expect(p.applies(pod('prod', { app: 'db' }), 'ingress')).toBe(true);
    expect(p.applies(pod('prod', { app: 'db' }), 'egress')).toBe(false);
    expect(p.applies(pod('other', { app: 'db' }), 'ingress')).toBe(false);
    expect(p.applies(pod('prod', { app: 'db' }, true), 'ingress')).toBe(false);
    const g = gnp({ selector: "app == 'db'", namespaceSelector: "projectcalico.org/name == 'other'" });
    expect(g.applies(pod('other', { app: 'db' }), 'ingress')).toBe(true);
    expect(g.applies(pod('prod', { app: 'db' }), 'ingress')).toBe(false);
    expect(gnp({ selector: 'all()' }).applies(pod('any', {}), 'ingress')).toBe(true);
  });

  test('an empty or missing selector selects every pod (all())', () => {
    expect(np({ selector: '' }).applies(pod('prod', { a: 'b' }), 'ingress')).toBe(true);
    expect(np({}).applies(pod('prod', {}), 'ingress')).toBe(true);
  });

  test('host-endpoint-only policies (preDNAT, doNotTrack) never apply to pods', () => {
    expect(gnp({ selector: 'all()', preDNAT: true, applyOnForward: true }).applies(pod('prod', {}), 'ingress')).toBe(false);
    expect(gnp({ selector: 'all()', doNotTrack: true, applyOnForward: true }).applies(pod('prod', {}), 'ingress')).toBe(false);
    expect(gnp({ selector: 'all()', applyOnForward: true }).applies(pod('prod', {}), 'ingress')).toBe(true);
  });

  test('evaluate returns the first terminal rule, skipping Log', () => {
    const p = np({ selector: 'all()', ingress: [{ action: 'Log' }, { action: 'Pass', protocol: 'UDP' }, { action: 'Deny' }] });
    const query = (protocol: string): SideQuery => ({ pod: pod('prod', {}), direction: 'ingress', other: { kind: 'external', id: '1.1.1.1', ip: '1.1.1.1' }, destination: pod('prod', {}), port: 1, protocol });
    expect(p.evaluate(query('UDP'))).toEqual({ action: 'Pass', text: 'Calico NetworkPolicy prod/p (tier default) ingress rule #2 (Pass UDP)' });
    expect(p.evaluate(query('TCP'))?.action).toBe('Deny');
  });

  test('portBounds: the bounds of its rules\' numbered ports and ranges, per direction', () => {
    const p = np({
      ingress: [{ action: 'Allow', protocol: 'TCP', destination: { ports: [443, '8000:8100'], notPorts: [9000] } }],
      egress: [{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }],
    });
    expect(p.portBounds('ingress')).toEqual([443, 444, 8000, 8101, 9000, 9001]);
    expect(p.portBounds('egress')).toEqual([53, 54]);
  });

  test.each([
    [{ serviceAccountSelector: "role = 'x'" }, /spec.serviceAccountSelector "role = 'x'" is not a valid Calico selector/],
    [{ selector: "role = 'x'" }, /Calico NetworkPolicy prod\/p spec.selector "role = 'x'" is not a valid Calico selector/],
    [{ selector: 'global()' }, /global\(\) is only valid in an entity rule's namespaceSelector/],
    [{ types: ['Inbound'] }, /spec.types entry "Inbound" is not Ingress or Egress/],
    [{ types: 'Ingress' }, /spec.types "Ingress" must list Ingress and\/or Egress/],
    [{ order: 'first' }, /spec.order "first" is not a number/],
    [{ tier: 'Security' }, /spec.tier "Security" is not a tier name/],
    [{ ingress: {} }, /spec.ingress \{\} is not a list of rules/],
    [{ namespaceSelector: 'all()' }, /unknown field spec.namespaceSelector; a NetworkPolicy has/],
    [{ ingress: [{ action: 'Allow', protocol: 'TCP', source: { ports: [1] } }] }, /spec.ingress\[0\].source.ports is not modelled/],
  ])('refuses %j', (spec, message) => {
    expect(() => np(spec)).toThrow(message);
  });

  test('refuses preDNAT without applyOnForward, and non-boolean flags', () => {
    expect(() => gnp({ preDNAT: true })).toThrow(/preDNAT and doNotTrack need applyOnForward: true/);
    expect(() => gnp({ applyOnForward: 'yes' })).toThrow(/spec.applyOnForward "yes" is not a boolean/);
  });
});

describe('Tiers', () => {
  test('order (missing: last) and defaultAction (default Deny)', () => {
    expect(compileTier({ metadata: { name: 'security' }, spec: { order: 100, defaultAction: 'Pass' } })).toEqual({ name: 'security', order: 100, defaultAction: 'Pass' });
    expect(compileTier({ metadata: { name: 'late' } })).toEqual({ name: 'late', order: Infinity, defaultAction: 'Deny' });
    expect(compileTier({ metadata: { name: 'default' }, spec: { order: 1_000_000, defaultAction: 'Deny' } })).toEqual(BUILT_IN_TIERS.default);
  });

  test.each([
    [{ metadata: { name: 'default' }, spec: { order: 5 } }, /Tier default: Calico fixes this tier at order 1000000 with defaultAction Deny/],
    [{ metadata: { name: 'kube-admin' }, spec: { order: 1000 } }, /Tier kube-admin: Calico fixes this tier at order 1000 with defaultAction Pass/],
    [{ metadata: { name: 't' }, spec: { defaultAction: 'Allow' } }, /spec.defaultAction "Allow" is not Deny or Pass/],
    [{ metadata: { name: 't' }, spec: { order: '1' } }, /spec.order "1" is not a number/],
    [{ metadata: { name: 't' }, spec: { default: 'Deny' } }, /unknown field spec.default/],
    [{ metadata: { name: 'T' } }, /metadata.name is not a valid tier name/],
  ])('refuses %j', (tier, message) => {
    expect(() => compileTier(tier)).toThrow(message);
  });
});

test('kubernetesMember: a Kubernetes NetworkPolicy in the default tier at order 1000, its rules Allow rules', () => {
  const member = kubernetesMember(new KubernetesPolicy({ metadata: { name: 'k', namespace: 'prod' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } }));
  expect([member.id, member.tier, member.order, member.sortKey]).toEqual(['prod/k', 'default', 1000, 'prod/knp.default.k']);
  const query = (port: number): SideQuery => ({ pod: pod('prod', {}), direction: 'ingress', other: { kind: 'external', id: '1.1.1.1', ip: '1.1.1.1' }, destination: pod('prod', {}), port, protocol: 'TCP' });
  expect(member.evaluate(query(80))).toEqual({ action: 'Allow', text: 'NetworkPolicy prod/k ingress rule #1 (from anyone on TCP/80) (tier default, order 1000)' });
  expect(member.evaluate(query(81))).toBeUndefined();
  expect(member.applies(pod('prod', {}), 'ingress')).toBe(true);
  expect(member.applies(pod('prod', {}), 'egress')).toBe(false);
});

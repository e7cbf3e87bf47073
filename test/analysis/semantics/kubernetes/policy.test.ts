import { PodSide } from '../../../../src/analysis/endpoint';
import { KubernetesPolicy } from '../../../../src/analysis/semantics/kubernetes/policy';

const pod = (labels: Record<string, string> = {}, namespace = 'prod'): PodSide => ({
  kind: 'pod', id: `${namespace}/p`, namespace, name: 'p', labels, namespaceLabels: { 'kubernetes.io/metadata.name': namespace }, ports: [], hostNetwork: false,
});
const compile = (spec: Record<string, unknown>) => new KubernetesPolicy({ metadata: { name: 'x', namespace: 'prod' }, spec });

describe('KubernetesPolicy', () => {
  test.each([
    [{}, ['ingress']],
    [{ egress: [] }, ['ingress']],
    [{ egress: [{}] }, ['ingress', 'egress']],
    [{ policyTypes: [], egress: [{}] }, ['ingress', 'egress']],
    [{ policyTypes: ['Egress'] }, ['egress']],
    [{ policyTypes: ['Ingress', 'Egress'] }, ['ingress', 'egress']],
  ])('policyTypes defaulting: %j isolates %j (pkg/apis/networking/v1/defaults.go)', (spec, directions) => {
    expect([...compile(spec).isolates]).toEqual(directions);
  });

  test('selects pods of its own namespace only', () => {
    const p = compile({ podSelector: { matchLabels: { app: 'a' } } });
    expect(p.id).toBe('prod/x');
    expect(p.isolatesPod(pod({ app: 'a' }), 'ingress')).toBe(true);
    expect(p.isolatesPod(pod({ app: 'a' }), 'egress')).toBe(false);
    expect(p.isolatesPod(pod({ app: 'a' }, 'other'), 'ingress')).toBe(false);
    expect(p.isolatesPod(pod({ app: 'b' }), 'ingress')).toBe(false);
  });

  test('the allowing rule is named with its peer and port', () => {
    const p = compile({ podSelector: {}, ingress: [{ ports: [{ port: 22 }] }, { from: [{ podSelector: { matchLabels: { app: 'a' } } }] }] });
    expect(p.allowingRule('ingress', pod({ app: 'a' }), pod(), 80, 'TCP')).toBe('prod/x ingress rule #2 (from pods {app=a} of the policy\'s namespace on every port)');
    expect(p.allowingRule('ingress', pod({ app: 'b' }), pod(), 22, 'TCP')).toBe('prod/x ingress rule #1 (from anyone on TCP/22)');
    expect(p.allowingRule('ingress', pod({ app: 'b' }), pod(), 80, 'TCP')).toBeUndefined();
  });

  test('ipBlocks: names match only a block admitting every address; on Cilium (ipBlocksMatchPods false) pods never match', () => {
    const everything = compile({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    const name = { kind: 'name' as const, id: 'api.example.com', name: 'api.example.com' };
    expect(everything.allowingRule('egress', name, name, 443, 'TCP')).toBe('prod/x egress rule #1 (to 0.0.0.0/0 (every address) on every port)');
    const internet = compile({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] });
    expect(internet.allowingRule('egress', name, name, 443, 'TCP')).toBeUndefined();
    const withIp = { ...pod(), ip: '10.0.0.1' };
    expect(everything.allowingRule('egress', withIp, withIp, 80, 'TCP')).toBeDefined();
    expect(everything.allowingRule('egress', withIp, withIp, 80, 'TCP', false)).toBeUndefined();
  });

  test('a policy without a name is refused', () => {
    expect(() => new KubernetesPolicy({ metadata: {}, spec: {} })).toThrow(/NetworkPolicy without metadata.name/);
  });
});

import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import { Peer, PolicyEngine } from '../../src';
import { claimObjectName, claimObjectNames, PolicyEmitter } from '../../src/constructs/policy-emitter';
import { PolicyRule } from '../../src/core/intent';
import { LabelSelector } from '../../src/core/selector';
import { isGenerated } from '../../src/util/mark';
import { synthValid } from '../support/manifests';

describe('PolicyEmitter', () => {
  test('emits one ApiObject child per policy and no helper constructs', () => {
    const chart = new Chart(Testing.app(), 'c');
    const owner = new Construct(chart, 'owner');
    const emitter = new PolicyEmitter(owner, PolicyEngine.KUBERNETES, 'W');
    emitter.emit('A', { name: 'a', namespace: 'ns', selector: LabelSelector.all(), ingress: [], description: 'a' });
    emitter.emit('B', { name: 'b', namespace: 'ns', selector: LabelSelector.all(), ingress: [], description: 'b' });
    expect(owner.node.children.map((c) => c.node.id)).toEqual(['A', 'B']);
    expect(owner.node.findAll().length).toBe(3);
    expect(synthValid(chart).map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  test('a growing policy renders its final rules and description at synth', () => {
    const chart = new Chart(Testing.app(), 'c');
    const emitter = new PolicyEmitter(chart, PolicyEngine.KUBERNETES, 'W');
    const rules: PolicyRule[] = [{ peers: [Peer.pods({ a: 'b' })] }];
    const intent = () => ({ name: 'g', namespace: 'ns', selector: LabelSelector.all(), ingress: [...rules], description: `${rules.length} rules` });
    const policy = emitter.emitGrowing('G', intent);
    rules.push({ peers: [Peer.namespace('x')] });
    emitter.refresh(policy, intent());
    const [object] = synthValid(chart);
    expect(object.spec.ingress).toHaveLength(2);
    expect(object.metadata.annotations['cdk8s-netpol.io/description']).toBe('2 rules');
    // The mark is computed over the final spec, so the grown policy still counts as generated.
    expect(isGenerated(object)).toBe(true);
  });

  test('validates the intent before emitting anything', () => {
    const chart = new Chart(Testing.app(), 'c');
    const emitter = new PolicyEmitter(chart, PolicyEngine.KUBERNETES, 'W');
    expect(() => emitter.emit('A', { name: 'Bad', namespace: 'ns', selector: LabelSelector.all(), ingress: [] })).toThrow(/W: policy name "Bad" is not a valid object name/);
    expect(() => emitter.emit('A', { name: 'a', namespace: 'ns', selector: LabelSelector.all() })).toThrow(/W: policy "a" governs neither ingress nor egress/);
    expect(chart.node.children).toHaveLength(0);
  });

  test('refuses a second policy with the same kind, namespace and name in one app', () => {
    const chart = new Chart(Testing.app(), 'c');
    new PolicyEmitter(chart, PolicyEngine.KUBERNETES, 'First').emit('A', { name: 'a', namespace: 'ns', selector: LabelSelector.all(), ingress: [] });
    const second = new PolicyEmitter(chart, PolicyEngine.KUBERNETES, 'Second');
    expect(() => second.emit('B', { name: 'a', namespace: 'ns', selector: LabelSelector.all(), ingress: [] }))
      .toThrow(/Second: NetworkPolicy "a" \(networking.k8s.io\/v1\) in namespace "ns" is already emitted by First/);
    // Another namespace is fine.
    expect(() => second.emit('C', { name: 'a', namespace: 'other', selector: LabelSelector.all(), ingress: [] })).not.toThrow();
    // Another chart of the same app is not: both files would be applied, and one would overwrite the other.
    const sibling = new Chart(chart.node.root as any, 'sibling');
    expect(() => new PolicyEmitter(sibling, PolicyEngine.KUBERNETES, 'Fourth').emit('A', { name: 'a', namespace: 'ns', selector: LabelSelector.all(), ingress: [] }))
      .toThrow(/Fourth: NetworkPolicy "a" \(networking.k8s.io\/v1\) in namespace "ns" is already emitted by First/);
    // A Calico NetworkPolicy of the same name is another object (another API group).
    expect(() => new PolicyEmitter(chart, PolicyEngine.CALICO, 'Calico').emit('D', { name: 'a', namespace: 'ns', selector: LabelSelector.all(), ingress: [] })).not.toThrow();
    expect(() => new PolicyEmitter(chart, PolicyEngine.CALICO, 'Calico again').emit('E', { name: 'a', namespace: 'ns', selector: LabelSelector.all(), ingress: [] }))
      .toThrow(/Calico again: NetworkPolicy "a" \(projectcalico.org\/v3\) in namespace "ns" is already emitted by Calico/);
    // Another app is independent.
    const otherApp = new Chart(Testing.app(), 'd');
    expect(() => new PolicyEmitter(otherApp, PolicyEngine.KUBERNETES, 'Third').emit('A', { name: 'a', namespace: 'ns', selector: LabelSelector.all(), ingress: [] })).not.toThrow();
  });
});

describe('claimObjectNames', () => {
  const gnp = (name: string) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name } });

  test('all or none: when the second name is taken, the first stays free', () => {
    const chart = new Chart(Testing.app(), 'c');
    claimObjectName(chart, 'First', 'projectcalico.org/v3', 'GlobalNetworkPolicy', undefined, 'g-allow-1-ingress');
    expect(() => claimObjectNames(chart, 'Second', [gnp('g-allow-1-egress'), gnp('g-allow-1-ingress')]))
      .toThrow(/^Second: GlobalNetworkPolicy "g-allow-1-ingress" \(projectcalico\.org\/v3, cluster-scoped\) is already emitted by First/);
    expect(() => claimObjectName(chart, 'Third', 'projectcalico.org/v3', 'GlobalNetworkPolicy', undefined, 'g-allow-1-egress')).not.toThrow();
  });

  test('one name twice in one call is refused', () => {
    const chart = new Chart(Testing.app(), 'c');
    expect(() => claimObjectNames(chart, 'Mine', [gnp('x'), gnp('x')])).toThrow(/GlobalNetworkPolicy "x" .* is already emitted by Mine/);
  });
});

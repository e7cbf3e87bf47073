import { Testing } from 'cdk8s';
import { PolicyEngine } from '../../src';
import { chooseEngine } from '../../src/constructs/engine-choice';

describe('chooseEngine', () => {
  test('defaults to Kubernetes', () => {
    expect(chooseEngine(Testing.app(), undefined, 'w')).toBe(PolicyEngine.KUBERNETES);
  });

  test('the prop wins over the context', () => {
    const app = Testing.app();
    app.node.setContext('cdk8s-netpol/engine', 'calico');
    expect(chooseEngine(app, PolicyEngine.CILIUM, 'w')).toBe(PolicyEngine.CILIUM);
    expect(chooseEngine(app, undefined, 'w')).toBe(PolicyEngine.CALICO);
  });

  test('rejects an unknown context value, naming the key', () => {
    const app = Testing.app();
    app.node.setContext('cdk8s-netpol/engine', 'Cilium');
    expect(() => chooseEngine(app, undefined, 'X "a"')).toThrow(/X "a": context cdk8s-netpol\/engine = "Cilium" is unknown; expected one of "kubernetes", "cilium", "calico"/);
  });

  test('rejects an unknown prop value', () => {
    expect(() => chooseEngine(Testing.app(), 'k8s' as PolicyEngine, 'X "a"')).toThrow(/X "a": engine "k8s" is unknown/);
  });
});

import { PolicyEngine } from '../../src/core/engine';
import { KubernetesRenderer } from '../../src/engines/kubernetes';
import { rendererFor } from '../../src/engines/renderer';

describe('rendererFor', () => {
  test('returns the Kubernetes renderer', () => {
    const renderer = rendererFor(PolicyEngine.KUBERNETES, 'w');
    expect(renderer).toBeInstanceOf(KubernetesRenderer);
    expect(renderer.engine).toBe(PolicyEngine.KUBERNETES);
  });

  test.each([PolicyEngine.CILIUM, PolicyEngine.CALICO])('says %s is not yet supported, naming the caller', (engine) => {
    expect(() => rendererFor(engine, 'ZeroTrustNamespace "c/z"'))
      .toThrow(new RegExp(`ZeroTrustNamespace "c/z": engine PolicyEngine.${engine.toUpperCase()} is not yet supported`));
  });

  test('rejects unknown engines', () => {
    expect(() => rendererFor('iptables' as PolicyEngine, 'w')).toThrow(/engine "iptables" is unknown; expected one of "kubernetes", "cilium", "calico"/);
  });
});

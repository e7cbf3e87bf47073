import { PolicyEngine } from '../../src/core/engine';
import { CalicoRenderer } from '../../src/engines/calico';
import { CiliumRenderer } from '../../src/engines/cilium';
import { KubernetesRenderer } from '../../src/engines/kubernetes';
import { rendererFor } from '../../src/engines/renderer';

describe('rendererFor', () => {
  test('returns the Kubernetes renderer', () => {
    const renderer = rendererFor(PolicyEngine.KUBERNETES, 'w');
    expect(renderer).toBeInstanceOf(KubernetesRenderer);
    expect(renderer.engine).toBe(PolicyEngine.KUBERNETES);
  });

  test('returns the Cilium and Calico renderers', () => {
    expect(rendererFor(PolicyEngine.CILIUM, 'w')).toBeInstanceOf(CiliumRenderer);
    expect(rendererFor(PolicyEngine.CALICO, 'w')).toBeInstanceOf(CalicoRenderer);
    for (const engine of Object.values(PolicyEngine)) {
      expect(rendererFor(engine, 'w').engine).toBe(engine);
    }
  });

  test('rejects unknown engines', () => {
    expect(() => rendererFor('iptables' as PolicyEngine, 'w')).toThrow(/engine "iptables" is unknown; expected one of "kubernetes", "cilium", "calico"/);
    expect(() => rendererFor('constructor' as PolicyEngine, 'w')).toThrow(/engine "constructor" is unknown/);
  });
});

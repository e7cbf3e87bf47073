import { NetworkModel } from '../../src/analysis/model';
test('probe', () => {
  const mk = () => { const m = new NetworkModel(); for (const ns of ['x','y']) { m.addNamespace(ns, {ns}); for (const p of ['a','b']) m.addPod({namespace: ns, name: p, labels: {pod: p}}); } return m; };
  const specs: Record<string, any> = {
    nsNull: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } }, namespaceSelector: null }] }] },
    podNullOnly: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: null }] }] },
    ipNull: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } }, ipBlock: null }] }] },
    fromNull: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: null }] },
    specPodSelNull: { podSelector: null, ingress: [] },
    ptNull: { podSelector: {}, policyTypes: null, egress: [{}] },
  };
  for (const [k, spec] of Object.entries(specs)) {
    const m = mk();
    try {
      m.addManifest({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec });
      console.log(k, 'y/b->x/a', m.evaluate({ from: 'y/b', to: 'x/a', port: 80 }).allowed, 'x/b->x/a', m.evaluate({ from: 'x/b', to: 'x/a', port: 80 }).allowed, 'x/a->y/a', m.evaluate({ from: 'x/a', to: 'y/a', port: 80 }).allowed);
    } catch (e) { console.log(k, 'REJECTED', (e as Error).message); }
  }
});

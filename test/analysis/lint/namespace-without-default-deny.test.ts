import { ClusterCni, Linter, NetworkModel } from '../../../src';

/**
 * namespace-without-default-deny agrees with the model: a namespace is covered when a new pod of
 * it (no labels) is isolated for ingress, as `explain` would say of it, not only when one policy
 * has the exact shape of a deny-all.
 */

const np = (name: string, spec: unknown) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });
const web = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
};
const findings = (objects: any[], cni = ClusterCni.KUBERNETES) => new Linter({ cni }).lint(objects).filter((f) => f.rule === 'namespace-without-default-deny');

/** Whether the model lets an outside client reach a new, label-less pod of shop. */
function newPodOpen(objects: any[]): boolean {
  const model = NetworkModel.fromManifests(objects);
  model.addPod({ namespace: 'shop', name: 'new' });
  return model.evaluate({ from: '203.0.113.10', to: 'shop/new', port: 8080 }).allowed;
}

test('a policy selecting every pod that admits only the ingress controller is a default deny for everyone else', () => {
  const fromIngress = np('from-ingress', {
    podSelector: {},
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ port: 80, protocol: 'TCP' }] }],
  });
  expect(newPodOpen([fromIngress, web])).toBe(false);
  expect(findings([fromIngress, web])).toEqual([]);
  // Policies that leave new pods unisolated: one for web's pods only, one for egress only.
  const webOnly = np('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'] });
  const egressOnly = np('egress', { podSelector: {}, policyTypes: ['Egress'] });
  for (const policy of [webOnly, egressOnly]) {
    expect(newPodOpen([policy, web])).toBe(true);
    expect(findings([policy, web]).map((f) => f.message)).toEqual([expect.stringMatching(/^Namespace shop: has workloads but no default-deny policy/)]);
  }
});

import { Linter, NetworkModel } from '../../../src';
import { describeUpstream, inNamespace, readUpstream } from '../../support/upstream';

/**
 * missing-dns-egress decides with the NetworkModel, as `explain` does: each workload of a
 * namespace with a namespace-wide egress deny is probed to kube-dns, and only those cut off are
 * reported. It used to look for one namespace-wide DNS allowance, and failed estates where every
 * workload has DNS through a policy of its own (Online Boutique: `egress: [{}]` per workload).
 */

const np = (namespace: string, name: string, spec: unknown) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const denyAll = (namespace: string) => np(namespace, 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const deployment = (namespace: string, app: string, port = 8080) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: app, namespace },
  spec: {
    selector: { matchLabels: { app } },
    template: { metadata: { labels: { app } }, spec: { containers: [{ name: app, image: `${app}:1`, ports: [{ containerPort: port }] }] } },
  },
});
/** The DNS egress ZeroTrustNamespace writes (and the rule recommends), for the pods `podSelector` selects. */
const dnsEgress = (namespace: string, name: string, podSelector: unknown) => np(namespace, name, {
  podSelector,
  policyTypes: ['Egress'],
  egress: [{
    to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
  }],
});
/** A Boutique-shaped policy: ingress from the callers, `egress: [{}]`. */
const openEgress = (namespace: string, app: string, from: string[]) => np(namespace, app, {
  podSelector: { matchLabels: { app } },
  policyTypes: ['Ingress', 'Egress'],
  ingress: [{ from: from.map((caller) => ({ podSelector: { matchLabels: { app: caller } } })), ports: [{ port: 8080, protocol: 'TCP' }] }],
  egress: [{}],
});
const dnsFindings = (objects: any[]) => new Linter().lint(objects).filter((f) => f.rule === 'missing-dns-egress');

/** Whether the model lets each workload's pod reach kube-dns on UDP and TCP 53 (what `explain` answers). */
function modelDns(objects: any[], namespace: string): Record<string, boolean> {
  const model = NetworkModel.fromManifests(objects);
  model.addPod({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] });
  const verdicts: Record<string, boolean> = {};
  for (const pod of model.podIds.filter((id) => id.startsWith(`${namespace}/`))) {
    verdicts[pod] = ['UDP', 'TCP'].every((protocol) => model.evaluate({ from: pod, to: 'kube-system/coredns', port: 53, protocol }).allowed);
  }
  return verdicts;
}

describe('missing-dns-egress agrees with the model', () => {
  // Online Boutique's shape, inline so a plain clone runs it: deny-all, and per workload a policy
  // with its callers' ingress and `egress: [{}]`.
  const boutique = [
    denyAll('shop'),
    openEgress('shop', 'frontend', ['loadgenerator']),
    openEgress('shop', 'cartservice', ['frontend', 'checkoutservice']),
    openEgress('shop', 'checkoutservice', ['frontend']),
    np('shop', 'loadgenerator', { podSelector: { matchLabels: { app: 'loadgenerator' } }, policyTypes: ['Egress'], egress: [{}] }),
    ...['frontend', 'cartservice', 'checkoutservice', 'loadgenerator'].map((app) => deployment('shop', app)),
  ];

  test('deny-all plus egress: [{}] per workload: every workload resolves names, no finding', () => {
    expect(Object.values(modelDns(boutique, 'shop'))).toEqual([true, true, true, true]);
    expect(dnsFindings(boutique)).toEqual([]);
  });

  test('the same policies without the workloads: a stand-in per pod selector resolves names, no finding', () => {
    expect(dnsFindings(boutique.filter((o) => o.kind === 'NetworkPolicy'))).toEqual([]);
  });

  test('deny-all plus the recommended DNS egress for the only workload: no finding', () => {
    const objects = [denyAll('batch'), dnsEgress('batch', 'dns', { matchLabels: { app: 'worker' } }), deployment('batch', 'worker')];
    expect(modelDns(objects, 'batch')).toEqual({ 'batch/worker': true });
    expect(dnsFindings(objects)).toEqual([]);
  });

  test('a workload left without DNS is named, and only it', () => {
    const objects = [...boutique.filter((o) => o.metadata.name !== 'cartservice' || o.kind !== 'NetworkPolicy'),
      np('shop', 'cartservice-ingress', { podSelector: { matchLabels: { app: 'cartservice' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] })];
    expect(modelDns(objects, 'shop')['shop/cartservice']).toBe(false);
    const findings = dnsFindings(objects);
    expect(findings.map((f) => `${f.severity} ${f.namespace}/${f.name}`)).toEqual(['error shop/deny-all']);
    expect(findings[0].message).toBe('NetworkPolicy shop/deny-all: denies all egress in namespace shop, and no policy there allows DNS to kube-dns for ' +
      'Deployment cartservice (UDP and TCP 53), so their name lookups fail; allow egress to namespace kube-system pods k8s-app=kube-dns on UDP and TCP 53');
  });

  test('without workloads, the pod selectors cut off are named', () => {
    const objects = [
      denyAll('shop'),
      dnsEgress('shop', 'web-dns', { matchLabels: { app: 'web' } }),
      np('shop', 'db', { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'cache'] }] }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }] }] }),
      // UDP only: large answers fall back to TCP.
      np('shop', 'api-dns', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] }),
    ];
    expect(dnsFindings(objects).map((f) => f.message)).toEqual([expect.stringContaining(
      'no policy there allows DNS to kube-dns for pods {app in (db,cache)} (UDP and TCP 53), pods {app=api} (TCP 53), so their name lookups fail')]);
    // When no policy names particular pods, one pod without labels stands for all of them.
    expect(dnsFindings([denyAll('shop')]).map((f) => f.message)).toEqual([expect.stringMatching(
      /^NetworkPolicy shop\/deny-all: denies all egress in namespace shop, and no policy there allows DNS \(UDP and TCP 53\) to kube-dns, so every name lookup fails/)]);
  });

  test('many cut-off workloads: five named, the rest counted', () => {
    const apps = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const [finding] = dnsFindings([denyAll('shop'), ...apps.map((app) => deployment('shop', app))]);
    expect(finding.message).toMatch(/for Deployment a \(UDP and TCP 53\), .*Deployment e \(UDP and TCP 53\) and 2 more, so their name lookups fail/);
  });

  test('each policy and workload joins one model, and each distinct set of labels is probed once per protocol (linear in the input)', () => {
    const namespaces = Array.from({ length: 150 }, (_, i) => `team-${i}`);
    const objects = namespaces.flatMap((ns) => [denyAll(ns), dnsEgress(ns, 'dns', {}), deployment(ns, 'api'), deployment(ns, 'web'),
      // A second Deployment with api's labels shares its verdict.
      { ...deployment(ns, 'api'), metadata: { name: 'api-canary', namespace: ns } }]);
    const added = jest.spyOn(NetworkModel.prototype, 'addManifest');
    const probes = jest.spyOn(NetworkModel.prototype, '_explain');
    try {
      expect(dnsFindings(objects)).toEqual([]);
      expect(added.mock.calls.length).toBe(2 * namespaces.length);
      expect(probes.mock.calls.length).toBe(2 * 2 * namespaces.length);
    } finally {
      added.mockRestore();
      probes.mockRestore();
    }
  });
});

describeUpstream('missing-dns-egress on Online Boutique\'s own policies (../shared/upstream)', () => {
  test('the model lets every workload resolve names, and the lint agrees', () => {
    // Read in the test: a describe body runs even where the upstream copies are absent (skipped).
    const policies = readUpstream('online-boutique/policies').map((o) => inNamespace(o, 'boutique'));
    const workloads = readUpstream('online-boutique/workloads/kubernetes-manifests.yaml').map((o) => inNamespace(o, 'boutique'));
    const objects = [...policies, ...workloads];
    const verdicts = modelDns(objects, 'boutique');
    expect(Object.keys(verdicts)).toHaveLength(12);
    expect(Object.values(verdicts).every((allowed) => allowed)).toBe(true);
    expect(dnsFindings(objects)).toEqual([]);
    expect(dnsFindings(policies)).toEqual([]);
  });
});

describe('missing-dns-egress and a cluster DNS outside kube-system', () => {
  const openshiftDns = (ports: unknown[]) => np('apps', 'dns', {
    podSelector: {},
    policyTypes: ['Egress'],
    egress: [{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } }, podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } } }],
      ports,
    }],
  });

  test('DNS allowed to the server the namespace\'s own rules on port 53 name is DNS', () => {
    expect(dnsFindings([denyAll('apps'), openshiftDns([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]), deployment('apps', 'web')])).toEqual([]);
  });

  test('on UDP only, TCP is still reported', () => {
    expect(dnsFindings([denyAll('apps'), openshiftDns([{ protocol: 'UDP', port: 53 }]), deployment('apps', 'web')]).map((f) => f.message))
      .toEqual([expect.stringContaining('for Deployment web (TCP 53), so their name lookups fail')]);
  });
});

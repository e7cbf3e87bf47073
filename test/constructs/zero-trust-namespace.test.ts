import { Chart, Testing } from 'cdk8s';
import { NetworkModel, Peer, PolicyEngine, PolicyProofs, Port, ZeroTrustNamespace } from '../../src';
import '../support/network-matchers';
import { policyNamed, synthValid } from '../support/manifests';

const newChart = () => new Chart(Testing.app(), 'test');

describe('ZeroTrustNamespace', () => {
  test('defaults: default deny both ways plus DNS to kube-dns on UDP and TCP 53', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    const objects = synthValid(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['NetworkPolicy/default-deny', 'NetworkPolicy/allow-dns']);
    expect(policyNamed(objects, 'default-deny').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(policyNamed(objects, 'allow-dns').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{
        to: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
          podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
        }],
        ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
      }],
    });
    expect(objects).toMatchSnapshot();
  });

  test('non-default: namespace object, no DNS, same-namespace allowance, exceptions', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', {
      namespace: 'payments',
      createNamespace: true,
      namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
      allowDns: false,
      allowSameNamespace: true,
      engine: PolicyEngine.KUBERNETES,
    });
    zt.allowIngress(Peer.namespace('monitoring'), Port.tcp(9100));
    zt.allowIngress(Peer.podsInNamespace('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }));
    zt.allowEgress(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }), Port.tcp(443));
    const objects = synthValid(chart);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/payments', 'NetworkPolicy/default-deny', 'NetworkPolicy/allow-same-namespace', 'NetworkPolicy/allow-ingress', 'NetworkPolicy/allow-egress',
    ]);
    expect(objects[0].metadata).toEqual({ name: 'payments', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } });
    expect(policyNamed(objects, 'allow-same-namespace').spec).toEqual({
      podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }],
    });
    const ingress = policyNamed(objects, 'allow-ingress');
    expect(ingress.spec.policyTypes).toEqual(['Ingress']);
    expect(ingress.spec.ingress).toHaveLength(2);
    expect(ingress.spec.ingress[1]).toEqual({
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } },
      }],
    });
    // The description grows with the rules, so reviewers read every exception.
    expect(ingress.metadata.annotations['cdk8s-netpol.io/description']).toMatch(/namespace monitoring on TCP\/9100; pods .* in namespace ingress-nginx on every port/);
    expect(policyNamed(objects, 'allow-egress').spec).toEqual({
      podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ protocol: 'TCP', port: 443 }] }],
    });
    expect(zt.namespaceObject).toBeDefined();
    expect(zt.namespace).toBe('payments');
    expect(objects).toMatchSnapshot();
  });

  test('custom DNS location', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'apps', dnsPeer: Peer.kubeDns({ namespace: 'openshift-dns', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } }) });
    const dns = policyNamed(synthValid(chart), 'allow-dns');
    expect(dns.spec.egress[0].to).toEqual([{
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } },
      podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
    }]);
  });

  test('on Cilium, FQDN exceptions open DNS through the proxy to the namespace\'s own DNS peer', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', {
      namespace: 'apps', engine: PolicyEngine.CILIUM, dnsPeer: Peer.kubeDns({ namespace: 'openshift-dns', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } }),
    });
    zt.allowEgress(Peer.fqdn('api.example.com'), Port.tcp(443));
    const egress = policyNamed(synthValid(chart).map((o) => ({ ...o, kind: 'NetworkPolicy' })), 'allow-egress').spec.egress;
    expect(egress[1].toEndpoints).toEqual([{ matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default', 'k8s:io.kubernetes.pod.namespace': 'openshift-dns' } }]);
  });

  test('the engine comes from the cdk8s-netpol/engine context when the prop is absent', () => {
    const app = Testing.app();
    app.node.setContext('cdk8s-netpol/engine', 'cilium');
    const fromContext = new ZeroTrustNamespace(new Chart(app, 'c'), 'zt', { namespace: 'prod' });
    expect(fromContext.engine).toBe(PolicyEngine.CILIUM);
    expect(synthValid(fromContext.node.scope as Chart).map((o) => o.kind)).toEqual(['CiliumNetworkPolicy', 'CiliumNetworkPolicy']);
    const fromProp = new ZeroTrustNamespace(new Chart(app, 'd'), 'zt', { namespace: 'other', engine: PolicyEngine.CALICO });
    expect(fromProp.engine).toBe(PolicyEngine.CALICO);
  });

  test('restrictEgress: false is a default deny for ingress only: egress stays open, no DNS allowance is needed', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'stars', restrictEgress: false, allowSameNamespace: true });
    zt.allowIngress(Peer.namespaces({ role: 'management-ui' }));
    const objects = synthValid(chart);
    expect(objects.map((o) => `${o.metadata.name} ${o.spec.policyTypes}`)).toEqual(['default-deny Ingress', 'allow-same-namespace Ingress', 'allow-ingress Ingress']);
    expect(policyNamed(objects, 'default-deny').metadata.annotations['cdk8s-netpol.io/description'])
      .toBe('Default deny for ingress: pods of stars receive nothing that another policy does not allow; their egress is not restricted here.');
    expect(zt.restrictEgress).toBe(false);
    const model = NetworkModel.fromManifests(objects);
    model.addNamespace('management-ui', { role: 'management-ui' });
    model.addPod({ namespace: 'stars', name: 'backend', labels: { role: 'backend' } });
    model.addPod({ namespace: 'stars', name: 'frontend', labels: { role: 'frontend' } });
    model.addPod({ namespace: 'client', name: 'client' });
    model.addPod({ namespace: 'management-ui', name: 'ui' });
    expect(model).toAllow('stars/backend', '203.0.113.10', 443);
    expect(model).toAllow('stars/frontend', 'stars/backend', 6379);
    expect(model).toAllow('management-ui/ui', 'stars/backend', 6379);
    expect(model).toDeny('client/client', 'stars/backend', 6379);
    expect(PolicyProofs.promisesOf(zt).map((p) => p.split(':')[0])).toEqual(['same-namespace']);
  });

  test('restrictEgress: false refuses what would only matter for restricted egress', () => {
    expect(() => new ZeroTrustNamespace(newChart(), 'zt', { namespace: 'p', restrictEgress: false, allowDns: true }))
      .toThrow(/ZeroTrustNamespace "test\/zt": allowDns is set but restrictEgress is false: egress stays open, so DNS needs no allowance; remove it/);
    expect(() => new ZeroTrustNamespace(newChart(), 'zt', { namespace: 'p', restrictEgress: false, dnsPeer: Peer.kubeDns() }))
      .toThrow(/dnsPeer is set but restrictEgress is false/);
    expect(() => new ZeroTrustNamespace(newChart(), 'zt', { namespace: 'p', restrictEgress: 'false' as any })).toThrow(/restrictEgress "false" is not a boolean/);
    const zt = new ZeroTrustNamespace(newChart(), 'zt', { namespace: 'p', restrictEgress: false });
    expect(() => zt.allowEgress(Peer.internet(), Port.tcp(443)))
      .toThrow(/ZeroTrustNamespace "test\/zt".allowEgress\(\): egress is not restricted \(restrictEgress: false\), so the namespace's pods may already send anywhere/);
  });

  describe('rejects bad input at the call site', () => {
    test.each([
      [{ namespace: 'Production' }, /ZeroTrustNamespace "test\/zt": namespace "Production" is not a valid namespace name/],
      [{ namespace: '' }, /namespace "" is not a valid namespace name: it is empty/],
      [{ namespace: 'a'.repeat(64) }, /64 characters long \(at most 63\)/],
      [{ namespace: 'p', namespaceLabels: { a: 'b' } }, /namespaceLabels is set but createNamespace is not true/],
      [{ namespace: 'p', createNamespace: true, namespaceLabels: { 'bad key!': 'b' } }, /namespaceLabels key "bad key!" is not a valid label key/],
      [{ namespace: 'p', allowDns: false, dnsPeer: Peer.kubeDns() }, /dnsPeer is set but allowDns is false/],
      [{ namespace: 'p', dnsPeer: 'kube-dns' as any }, /dnsPeer "kube-dns" is not a Peer/],
      [{ namespace: 'p', engine: 'iptables' as any }, /engine "iptables" is unknown/],
      [undefined as any, /props are required/],
      [{ namespace: 'p', allowSameNamespace: 'false' as any }, /allowSameNamespace "false" is not a boolean; expected true or false/],
      [{ namespace: 'p', allowDns: 0 as any }, /allowDns 0 is not a boolean/],
      [{ namespace: 'p', createNamespace: 'yes' as any }, /createNamespace "yes" is not a boolean/],
    ])('%j', (props, message) => {
      expect(() => new ZeroTrustNamespace(newChart(), 'zt', props)).toThrow(message);
    });

    test('allowIngress/allowEgress validate their arguments and change nothing on error', () => {
      const chart = newChart();
      const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'prod' });
      expect(() => zt.allowIngress('monitoring' as any)).toThrow(/allowIngress\(\): from "monitoring" is not a Peer/);
      expect(() => zt.allowIngress(undefined as any)).toThrow(/allowIngress\(\): from is required/);
      expect(() => zt.allowEgress(Peer.pods({}), 443 as any)).toThrow(/allowEgress\(\): ports\[0\] 443 is not a Port/);
      expect(() => zt.allowEgress(Peer.fqdn('example.com'), Port.tcp(443))).toThrow(/allowEgress\(\): Peer.fqdn\("example.com"\) cannot be expressed by PolicyEngine.KUBERNETES/);
      expect(() => zt.allowEgress(Peer.kubeApiServer(), Port.tcp(443))).toThrow(/without cidrs cannot be expressed/);
      expect(() => zt.allowEgress(Peer.ipBlock('203.0.113.0/24'), Port.named('https'))).toThrow(/allowEgress\(\): egress rule 0 pairs the named port TCP\/https with 203.0.113.0\/24/);
      expect(synthValid(chart).map((o) => o.metadata.name)).toEqual(['default-deny', 'allow-dns']);
    });

    test('two ZeroTrustNamespaces for one namespace in one app are refused, naming the first', () => {
      const chart = newChart();
      new ZeroTrustNamespace(chart, 'a', { namespace: 'prod' });
      expect(() => new ZeroTrustNamespace(chart, 'b', { namespace: 'prod' }))
        .toThrow(/ZeroTrustNamespace "test\/b": namespace "prod" is already locked down by ZeroTrustNamespace "test\/a"; a namespace has one ZeroTrustNamespace .* add the exceptions to that one/);
      // Another chart of the app: the same cluster, the same refusal.
      expect(() => new ZeroTrustNamespace(new Chart(chart.node.root as any, 'other'), 'c', { namespace: 'prod', engine: PolicyEngine.CALICO }))
        .toThrow(/namespace "prod" is already locked down by ZeroTrustNamespace "test\/a"/);
      // Another namespace is fine.
      expect(() => new ZeroTrustNamespace(chart, 'd', { namespace: 'staging' })).not.toThrow();
    });
  });
});

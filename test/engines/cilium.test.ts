import { PolicyIntent } from '../../src/core/intent';
import { CiliumEntity, Peer } from '../../src/core/peer';
import { Port } from '../../src/core/port';
import { LabelExpression, LabelSelector } from '../../src/core/selector';
import { CiliumRenderer } from '../../src/engines/cilium';
import { expectValidManifests } from '../support/manifests';

const renderer = new CiliumRenderer();
const base: PolicyIntent = { name: 'p', namespace: 'prod', selector: LabelSelector.of({ app: 'api' }) };
const render = (intent: Partial<PolicyIntent>) => {
  const manifest = renderer.render({ ...base, ...intent }, 'test');
  expectValidManifests([manifest]);
  return manifest;
};
const KUBE_DNS = { matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } };

describe('CiliumRenderer', () => {
  test('renders a namespaced CiliumNetworkPolicy with the endpoint selector', () => {
    const m = render({ ingress: [], description: 'Why.' });
    expect(m.apiVersion).toBe('cilium.io/v2');
    expect(m.kind).toBe('CiliumNetworkPolicy');
    expect(m.metadata).toEqual({ name: 'p', namespace: 'prod', annotations: { 'cdk8s-netpol.io/description': 'Why.' } });
    expect(m.spec.endpointSelector).toEqual({ matchLabels: { app: 'api' } });
  });

  test('a governed direction without rules is an empty rule: default deny, nothing allowed', () => {
    expect(render({ ingress: [], egress: [] }).spec).toEqual({ endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{}], egress: [{}] });
    // An ungoverned direction has no section at all (a section, even [{}], would isolate it).
    expect(render({ egress: [] }).spec).toEqual({ endpointSelector: { matchLabels: { app: 'api' } }, egress: [{}] });
    expect(render({ ingress: [], selector: LabelSelector.all() }).spec.endpointSelector).toEqual({});
  });

  test('pods: own namespace named explicitly, other namespaces through the namespace label, AND with pod labels', () => {
    const m = render({
      ingress: [{
        peers: [
          Peer.pods({ app: 'web' }),
          Peer.pods({}),
          Peer.podsInNamespace('monitoring', { app: 'prometheus' }),
          Peer.namespace('team-a'),
          Peer.namespaces({ team: 'b' }),
          Peer.namespaces({}),
          Peer.podsMatching(LabelSelector.of({}, LabelExpression.isIn('tier', ['a']))),
        ],
      }],
    });
    expect(m.spec.ingress).toEqual([{
      fromEndpoints: [
        { matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'prod' } },
        { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'prod' } },
        { matchLabels: { 'app': 'prometheus', 'k8s:io.kubernetes.pod.namespace': 'monitoring' } },
        { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'team-a' } },
        // Naming the namespace key lifts the CNP's own-namespace limit; the namespace labels narrow it.
        { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'b' }, matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] },
        { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] },
        { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'prod' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
      ],
    }]);
  });

  test('mutually exclusive L3 members become separate rules with the same ports (OR)', () => {
    const m = render({
      egress: [{
        peers: [Peer.pods({ app: 'db' }), Peer.ipBlock('203.0.113.0/24', ['203.0.113.128/25']), Peer.kubeApiServer(), Peer.ciliumEntity(CiliumEntity.HOST)],
        ports: [Port.tcp(443)],
      }],
    });
    const toPorts = [{ ports: [{ port: '443', protocol: 'TCP' }] }];
    expect(m.spec.egress).toEqual([
      { toEndpoints: [{ matchLabels: { 'app': 'db', 'k8s:io.kubernetes.pod.namespace': 'prod' } }], toPorts },
      { toCIDRSet: [{ cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] }], toPorts },
      { toEntities: ['kube-apiserver', 'host'], toPorts },
    ]);
  });

  test('the internet is a CIDR set with the private, link-local and metadata holes', () => {
    const m = render({ egress: [{ peers: [Peer.internet()], ports: [Port.tcp(443)] }] });
    const [v4, v6] = (m.spec.egress as any)[0].toCIDRSet;
    expect(v4).toEqual({ cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] });
    expect(v6.cidr).toBe('::/0');
    expect(v6.except).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10', '64:ff9b::a9fe:0/112']));
  });

  test('ports are strings; ranges keep endPort; every port of a protocol is Cilium\'s wildcard "0"', () => {
    const m = render({ ingress: [{ peers: [Peer.pods({})], ports: [Port.tcp(80), Port.udpRange(5000, 5100), Port.named('metrics'), Port.allTcp(), Port.sctp(9)] }] });
    expect((m.spec.ingress as any)[0].toPorts).toEqual([{
      ports: [
        { port: '80', protocol: 'TCP' },
        { port: '5000', endPort: 5100, protocol: 'UDP' },
        { port: 'metrics', protocol: 'TCP' },
        { port: '0', protocol: 'TCP' },
        { port: '9', protocol: 'SCTP' },
      ],
    }]);
  });

  test('more than 40 ports are split over several toPorts entries', () => {
    const ports = Array.from({ length: 45 }, (_, i) => Port.tcp(1000 + i));
    const toPorts = (render({ ingress: [{ peers: [Peer.pods({})], ports }] }).spec.ingress as any)[0].toPorts;
    expect(toPorts.map((t: any) => t.ports.length)).toEqual([40, 5]);
  });

  test('HTTP rules go under toPorts.rules.http', () => {
    const m = render({
      ingress: [{
        peers: [Peer.pods({ app: 'frontend' })],
        ports: [Port.tcp(8080)],
        http: [{ method: 'GET', path: '/api/v1/products' }, { method: 'POST', path: '/api/v1/orders', host: 'shop\\.example\\.com', headers: ['X-Request-Id'] }],
      }],
    });
    expect(m.spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'frontend', 'k8s:io.kubernetes.pod.namespace': 'prod' } }],
      toPorts: [{
        ports: [{ port: '8080', protocol: 'TCP' }],
        rules: { http: [{ method: 'GET', path: '/api/v1/products' }, { method: 'POST', path: '/api/v1/orders', host: 'shop\\.example\\.com', headers: ['X-Request-Id'] }] },
      }],
    }]);
  });

  test('FQDN egress: matchName or matchPattern, plus the DNS-proxy rule to kube-dns', () => {
    const m = render({ egress: [{ peers: [Peer.fqdn('api.stripe.com'), Peer.fqdn('*.github.com')], ports: [Port.tcp(443)] }] });
    expect(m.spec.egress).toEqual([
      { toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    ]);
  });

  test('the DNS-proxy rule follows a custom DNS location, and refuses a non-pod one', () => {
    const m = render({ egress: [{ peers: [Peer.fqdn('a.example.com')] }], dns: Peer.kubeDns({ namespace: 'openshift-dns', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } }) });
    expect((m.spec.egress as any)[1].toEndpoints).toEqual([{ matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default', 'k8s:io.kubernetes.pod.namespace': 'openshift-dns' } }]);
    expect(() => renderer.render({ ...base, egress: [{ peers: [Peer.fqdn('a.example.com')] }], dns: Peer.ipBlock('10.0.0.10/32') }, 'W'))
      .toThrow(/W: the DNS peer for FQDN rules must be the DNS pods/);
  });

  test('no DNS-proxy rule without FQDN peers', () => {
    expect(render({ egress: [{ peers: [Peer.pods({})] }] }).spec.egress).toEqual([{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'prod' } }] }]);
  });

  test('pod labels Cilium reads as identity labels are refused: they would change the selector\'s meaning', () => {
    for (const key of ['io.kubernetes.pod.namespace', 'io.cilium.k8s.namespace.labels.team', 'io.kubernetes.pod.serviceaccount.name']) {
      expect(() => renderer.render({ ...base, ingress: [{ peers: [Peer.pods({ [key]: 'x' })] }] }, 'W'))
        .toThrow(new RegExp(`W: the pod label key "${key.replace(/\./g, '\\.')}" cannot be expressed by PolicyEngine.CILIUM`));
      expect(() => renderer.render({ ...base, selector: LabelSelector.of({ [key]: 'x' }), ingress: [] }, 'W')).toThrow(/cannot be expressed by PolicyEngine.CILIUM/);
    }
  });

  test.each([
    ['an FQDN as ingress source', { ingress: [{ peers: [Peer.fqdn('a.com')] }] }, /W: Peer.fqdn\("a.com"\) cannot be an ingress source/],
    ['HTTP rules on a named port', { ingress: [{ peers: [Peer.pods({})], ports: [Port.named('http')], http: [{ method: 'GET' }] }] },
      /W: HTTP rules on TCP\/http cannot be expressed by PolicyEngine.CILIUM: L7 rules apply to numbered ports and port ranges/],
    ['HTTP rules on every port', { ingress: [{ peers: [Peer.pods({})], ports: [Port.allTcp()], http: [{ method: 'GET' }] }] }, /HTTP rules on TCP\/\* cannot be expressed/],
    ['HTTP rules on UDP', { ingress: [{ peers: [Peer.pods({})], ports: [Port.udp(80)], http: [{ method: 'GET' }] }] }, /HTTP rules on UDP\/80 cannot be expressed: HTTP runs over TCP/],
  ])('refuses %s', (_what, intent, message) => {
    expect(() => renderer.render({ ...base, ...(intent as Partial<PolicyIntent>) }, 'W')).toThrow(message);
  });

  test('HTTP rules on a port range are written with endPort (Cilium applies them on every port of the range)', () => {
    const out = renderer.render({ ...base, ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: [Port.tcpRange(80, 90)], http: [{ method: 'GET' }] }] }, 'W');
    expect((out.spec as any).ingress[0].toPorts).toEqual([{ ports: [{ port: '80', endPort: 90, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }]);
  });

  test('Peer.anywhere() is the entity all, in both directions', () => {
    const spec = render({ ingress: [{ peers: [Peer.anywhere()], ports: [Port.tcp(8080)] }], egress: [{ peers: [Peer.anywhere()] }] }).spec;
    expect(spec.ingress).toEqual([{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);
    expect(spec.egress).toEqual([{ toEntities: ['all'] }]);
  });
});

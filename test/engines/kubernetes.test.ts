import { PolicyIntent } from '../../src/core/intent';
import { Peer } from '../../src/core/peer';
import { Port, Protocol } from '../../src/core/port';
import { LabelExpression, LabelSelector } from '../../src/core/selector';
import { KubernetesRenderer } from '../../src/engines/kubernetes';
import { expectValidManifests } from '../support/manifests';

const renderer = new KubernetesRenderer();
const base: PolicyIntent = { name: 'p', namespace: 'prod', selector: LabelSelector.of({ app: 'api' }) };
const render = (intent: Partial<PolicyIntent>) => {
  const manifest = renderer.render({ ...base, ...intent }, 'test');
  expectValidManifests([manifest]);
  return manifest;
};

describe('KubernetesRenderer', () => {
  test('renders the object frame with apiVersion, kind, name, namespace and selector', () => {
    const m = render({ ingress: [], description: 'Why this exists.' });
    expect(m.apiVersion).toBe('networking.k8s.io/v1');
    expect(m.kind).toBe('NetworkPolicy');
    expect(m.metadata).toEqual({ name: 'p', namespace: 'prod', annotations: { 'cdk8s-netpol.io/description': 'Why this exists.' } });
    expect(m.spec.podSelector).toEqual({ matchLabels: { app: 'api' } });
  });

  test('omits annotations without a description', () => {
    expect(render({ ingress: [] }).metadata).toEqual({ name: 'p', namespace: 'prod' });
  });

  test('always emits explicit policyTypes; an isolated direction without rules omits its list', () => {
    expect(render({ ingress: [], egress: [] }).spec).toEqual({ podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress', 'Egress'] });
    // Egress-only: without explicit policyTypes the server would default to ["Ingress"]
    // (docs/semantics/kubernetes.md#policy-types-and-isolation).
    expect(render({ egress: [] }).spec.policyTypes).toEqual(['Egress']);
    expect(render({ ingress: [] }).spec.policyTypes).toEqual(['Ingress']);
  });

  test('pods in a named namespace are ONE peer (AND) selected through kubernetes.io/metadata.name', () => {
    const m = render({ ingress: [{ peers: [Peer.podsInNamespace('monitoring', { app: 'prometheus' })] }] });
    expect(m.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
        podSelector: { matchLabels: { app: 'prometheus' } },
      }],
    }]);
  });

  test('renders every pod-peer form', () => {
    const m = render({
      ingress: [{
        peers: [
          Peer.pods({ app: 'web' }),
          Peer.pods({}),
          Peer.namespace('team-a'),
          Peer.namespaces({ team: 'b' }),
          Peer.namespaces({}),
          Peer.podsMatching(LabelSelector.of({}, LabelExpression.isIn('tier', ['a', 'b']), LabelExpression.exists('x'))),
        ],
      }],
    });
    expect(m.spec.ingress).toEqual([{
      from: [
        { podSelector: { matchLabels: { app: 'web' } } },
        { podSelector: {} },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } },
        { namespaceSelector: { matchLabels: { team: 'b' } } },
        { namespaceSelector: {} },
        { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'Exists' }] } },
      ],
    }]);
  });

  test('renders IP blocks, the internet as two blocks with holes, and the API server by address', () => {
    const m = render({
      egress: [
        { peers: [Peer.ipBlock('203.0.113.0/24', ['203.0.113.128/25']), Peer.ipBlock('2001:db8::/32')] },
        { peers: [Peer.internet()] },
        { peers: [Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] })] },
      ],
    });
    expect(m.spec.egress).toEqual([
      { to: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }, { ipBlock: { cidr: '2001:db8::/32' } }] },
      {
        to: [
          { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } },
          { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10', '64:ff9b:1::/48', '64:ff9b::a00:0/104', '64:ff9b::6440:0/106', '64:ff9b::a9fe:0/112', '64:ff9b::ac10:0/108', '64:ff9b::c0a8:0/112'] } },
        ],
      },
      { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }] },
    ]);
  });

  test('always emits the protocol, and endPort only for ranges', () => {
    const m = render({
      ingress: [{
        peers: [Peer.pods({})],
        ports: [Port.tcp(80), Port.udp(53), Port.sctp(9), Port.tcpRange(8000, 8100), Port.udpRange(5, 5), Port.named('metrics'), Port.named('dns', Protocol.UDP), Port.allTcp(), Port.allUdp()],
      }],
    });
    expect(m.spec.ingress).toEqual([{
      from: [{ podSelector: {} }],
      ports: [
        { protocol: 'TCP', port: 80 },
        { protocol: 'UDP', port: 53 },
        { protocol: 'SCTP', port: 9 },
        { protocol: 'TCP', port: 8000, endPort: 8100 },
        { protocol: 'UDP', port: 5 },
        { protocol: 'TCP', port: 'metrics' },
        { protocol: 'UDP', port: 'dns' },
        { protocol: 'TCP' },
        { protocol: 'UDP' },
      ],
    }]);
  });

  test('a rule without ports omits ports (every port)', () => {
    expect(render({ egress: [{ peers: [Peer.pods({})] }] }).spec.egress).toEqual([{ to: [{ podSelector: {} }] }]);
  });

  test('refuses FQDN peers instead of emitting a broader policy', () => {
    expect(() => renderer.render({ ...base, egress: [{ peers: [Peer.fqdn('api.example.com')] }] }, 'MyConstruct "c"'))
      .toThrow(/MyConstruct "c": Peer.fqdn\("api.example.com"\) cannot be expressed by PolicyEngine.KUBERNETES.*PolicyEngine.CILIUM/);
  });

  test('refuses the API server without addresses', () => {
    expect(() => renderer.render({ ...base, egress: [{ peers: [Peer.kubeApiServer()] }] }, 'w'))
      .toThrow(/Peer.kubeApiServer\(\) without cidrs cannot be expressed by PolicyEngine.KUBERNETES/);
  });

  test('does not share arrays with the intent (later mutation cannot leak into output)', () => {
    const except = ['10.1.0.0/16'];
    const peer = Peer.ipBlock('10.0.0.0/8', except);
    except.push('10.2.0.0/16');
    const m = render({ egress: [{ peers: [peer] }] });
    expect(m.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }]);
  });

  test('Peer.anywhere() is a rule without from/to (every source), and makes other peers of the rule redundant', () => {
    const spec = render({
      ingress: [{ peers: [Peer.anywhere()], ports: [Port.tcp(8080)] }, { peers: [Peer.pods({ app: 'x' }), Peer.anywhere()] }],
      egress: [{ peers: [Peer.anywhere()], ports: [Port.udp(53)] }],
    }).spec;
    expect(spec.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 8080 }] }, {}]);
    expect(spec.egress).toEqual([{ ports: [{ protocol: 'UDP', port: 53 }] }]);
  });
});

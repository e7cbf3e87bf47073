import { PolicyIntent } from '../../src/core/intent';
import { CiliumEntity, Peer } from '../../src/core/peer';
import { Port } from '../../src/core/port';
import { LabelExpression, LabelSelector } from '../../src/core/selector';
import { CALICO_POLICY_ORDER, CalicoRenderer } from '../../src/engines/calico';
import { calicoSelectorProblem } from '../../src/engines/calico-selector';
import { expectValidManifests } from '../support/manifests';

const renderer = new CalicoRenderer();
const base: PolicyIntent = { name: 'p', namespace: 'prod', selector: LabelSelector.of({ app: 'api' }) };
const render = (intent: Partial<PolicyIntent>) => {
  const manifest = renderer.render({ ...base, ...intent }, 'test');
  expectValidManifests([manifest]);
  // Every selector the renderer writes must parse as Calico's selector language.
  const selectors = JSON.stringify(manifest.spec).match(/"(selector|namespaceSelector)":"[^"]*"/g) ?? [];
  for (const s of selectors) {
    expect(calicoSelectorProblem(JSON.parse(`{${s}}`)[s.startsWith('"selector"') ? 'selector' : 'namespaceSelector'])).toBeUndefined();
  }
  return manifest;
};

describe('CalicoRenderer', () => {
  test('renders a namespaced projectcalico.org/v3 NetworkPolicy with explicit order, selector and types', () => {
    const m = render({ ingress: [], egress: [], description: 'Why.' });
    expect(m.apiVersion).toBe('projectcalico.org/v3');
    expect(m.kind).toBe('NetworkPolicy');
    expect(m.metadata).toEqual({ name: 'p', namespace: 'prod', annotations: { 'cdk8s-netpol.io/description': 'Why.' } });
    // Isolated without rules: the policy selects the endpoints, nothing matches, the tier denies.
    expect(m.spec).toEqual({ order: 1000, selector: "app == 'api'", types: ['Ingress', 'Egress'] });
    expect(CALICO_POLICY_ORDER).toBe(1000);
  });

  test('types are explicit for egress-only policies (Calico would infer them differently)', () => {
    expect(render({ egress: [] }).spec.types).toEqual(['Egress']);
    expect(render({ ingress: [] }).spec.types).toEqual(['Ingress']);
  });

  test('selectors: labels and every expression operator; all() for everything', () => {
    const m = render({
      selector: LabelSelector.of({ app: 'api', tier: 'backend' }, LabelExpression.isIn('track', ['stable', 'canary']), LabelExpression.isNotIn('env', ['dev']),
        LabelExpression.exists('team'), LabelExpression.doesNotExist('debug')),
      ingress: [],
    });
    expect(m.spec.selector).toBe("app == 'api' && tier == 'backend' && track in {'stable', 'canary'} && env not in {'dev'} && has(team) && !has(debug)");
    expect(render({ selector: LabelSelector.all(), ingress: [] }).spec.selector).toBe('all()');
  });

  test('pod peers: pods only (never NetworkSets), same namespace by default, other namespaces by projectcalico.org/name', () => {
    const m = render({
      ingress: [{
        peers: [Peer.pods({ app: 'web' }), Peer.pods({}), Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Peer.namespace('team-a'), Peer.namespaces({ team: 'b' }), Peer.namespaces({})],
      }],
    });
    expect(m.spec.ingress).toEqual([
      { action: 'Allow', source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'web'" } },
      // Never an empty entity rule (it would match every packet, from anywhere), and always the
      // orchestrator term (without it, all() and namespace selectors also match NetworkSets).
      { action: 'Allow', source: { selector: "projectcalico.org/orchestrator == 'k8s'" } },
      { action: 'Allow', source: { namespaceSelector: "projectcalico.org/name == 'monitoring'", selector: "projectcalico.org/orchestrator == 'k8s' && app == 'prometheus'" } },
      { action: 'Allow', source: { namespaceSelector: "projectcalico.org/name == 'team-a'", selector: "projectcalico.org/orchestrator == 'k8s'" } },
      { action: 'Allow', source: { namespaceSelector: "team == 'b'", selector: "projectcalico.org/orchestrator == 'k8s'" } },
      { action: 'Allow', source: { namespaceSelector: 'all()', selector: "projectcalico.org/orchestrator == 'k8s'" } },
    ]);
  });

  test('ports: one rule per protocol, ranges as "a:b", named ports as strings, every port as a protocol alone', () => {
    const m = render({
      ingress: [{ peers: [Peer.pods({ app: 'web' })], ports: [Port.tcp(80), Port.udp(53), Port.tcpRange(8000, 8100), Port.named('metrics'), Port.tcp(80), Port.allSctp()] }],
    });
    expect(m.spec.ingress).toEqual([
      { action: 'Allow', protocol: 'TCP', source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'web'" }, destination: { ports: [80, '8000:8100', 'metrics'] } },
      { action: 'Allow', protocol: 'UDP', source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'web'" }, destination: { ports: [53] } },
      { action: 'Allow', protocol: 'SCTP', source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'web'" } },
    ]);
  });

  test('egress puts the peer and the ports in the destination', () => {
    const m = render({ egress: [{ peers: [Peer.kubeDns()], ports: [Port.udp(53), Port.tcp(53)] }] });
    const dns = { namespaceSelector: "projectcalico.org/name == 'kube-system'", selector: "projectcalico.org/orchestrator == 'k8s' && k8s-app == 'kube-dns'" };
    expect(m.spec.egress).toEqual([
      { action: 'Allow', protocol: 'UDP', destination: { ...dns, ports: [53] } },
      { action: 'Allow', protocol: 'TCP', destination: { ...dns, ports: [53] } },
    ]);
  });

  test('IP blocks: nets and notNets, one rule per block so that no rule mixes IP families', () => {
    const m = render({ egress: [{ peers: [Peer.internet(), Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] })], ports: [Port.tcp(443)] }] });
    const egress = m.spec.egress as any[];
    expect(egress).toHaveLength(3);
    expect(egress[0]).toEqual({
      action: 'Allow',
      protocol: 'TCP',
      destination: { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'], ports: [443] },
    });
    expect(egress[1].destination.nets).toEqual(['::/0']);
    expect(egress[1].destination.notNets).toEqual(expect.arrayContaining(['fc00::/7', 'fe80::/10']));
    expect(egress[2]).toEqual({ action: 'Allow', protocol: 'TCP', destination: { nets: ['10.96.0.1/32'], ports: [443] } });
  });

  test('a rule without ports allows every protocol and port', () => {
    expect(render({ egress: [{ peers: [Peer.pods({})] }] }).spec.egress).toEqual([{ action: 'Allow', destination: { selector: "projectcalico.org/orchestrator == 'k8s'" } }]);
  });

  test('more than 50 ports of one protocol are split over several rules', () => {
    const ports = Array.from({ length: 55 }, (_, i) => Port.tcp(2000 + i));
    const ingress = render({ ingress: [{ peers: [Peer.pods({})], ports }] }).spec.ingress as any[];
    expect(ingress.map((r) => r.destination.ports.length)).toEqual([50, 5]);
  });

  test.each([
    ['FQDN peers', { egress: [{ peers: [Peer.fqdn('api.example.com')] }] }, /Peer.fqdn\("api.example.com"\) cannot be expressed by PolicyEngine.CALICO: Calico open source matches addresses, not DNS names/],
    ['the API server without addresses', { egress: [{ peers: [Peer.kubeApiServer()] }] }, /Peer.kubeApiServer\(\) without cidrs cannot be expressed by PolicyEngine.CALICO/],
    ['Cilium entities', { egress: [{ peers: [Peer.ciliumEntity(CiliumEntity.WORLD)] }] }, /Peer.ciliumEntity\("world"\) cannot be expressed by PolicyEngine.CALICO/],
    ['HTTP rules', { ingress: [{ peers: [Peer.pods({})], ports: [Port.tcp(80)], http: [{ method: 'GET' }] }] }, /HTTP \(L7\) rules with path regexes cannot be expressed by PolicyEngine.CALICO/],
  ])('refuses %s instead of emitting something weaker', (_what, intent, message) => {
    expect(() => renderer.render({ ...base, ...(intent as Partial<PolicyIntent>) }, 'W')).toThrow(message);
  });

  test('Peer.anywhere() is a rule without source (or destination) selectors or nets', () => {
    const spec = render({
      ingress: [{ peers: [Peer.anywhere(), Peer.pods({ app: 'x' })], ports: [Port.tcp(8080)] }, { peers: [Peer.anywhere()] }],
      egress: [{ peers: [Peer.anywhere()], ports: [Port.udp(53)] }],
    }).spec;
    expect(spec.ingress).toEqual([{ action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } }, { action: 'Allow' }]);
    expect(spec.egress).toEqual([{ action: 'Allow', protocol: 'UDP', destination: { ports: [53] } }]);
  });
});

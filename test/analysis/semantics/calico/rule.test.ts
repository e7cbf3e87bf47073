import { Endpoint, PodSide } from '../../../../src/analysis/endpoint';
import { calicoLabels, calicoNamespaceLabels, calicoRuleBounds, calicoSemantics, compileCalicoRule, compileSelector, compileSelectorOf } from '../../../../src/analysis/semantics/calico/rule';
import { SideQuery } from '../../../../src/analysis/semantics/side-evaluator';

const pod = (namespace: string, labels: Record<string, string>, extra: Partial<PodSide> = {}): PodSide => ({
  kind: 'pod',
  id: `${namespace}/${labels.app ?? 'p'}`,
  namespace,
  name: labels.app ?? 'p',
  labels,
  namespaceLabels: { 'kubernetes.io/metadata.name': namespace, 'env': namespace === 'prod' ? 'production' : 'other' },
  ports: [],
  hostNetwork: false,
  ...extra,
});
const self = pod('prod', { app: 'db' });
const ingress = (other: Endpoint, port = 5432, protocol = 'TCP'): SideQuery => ({ pod: self, direction: 'ingress', other, destination: self, port, protocol });
const egress = (other: Endpoint, port = 443, protocol = 'TCP'): SideQuery => ({ pod: self, direction: 'egress', other, destination: other, port, protocol });
const external = (ip: string): Endpoint => ({ kind: 'external', id: ip, ip });
/** A rule of a NetworkPolicy in prod, or of a GlobalNetworkPolicy. */
const rule = (r: object, direction: 'ingress' | 'egress' = 'ingress', scope: 'prod' | 'global' = 'prod') =>
  compileCalicoRule(r, 0, direction, scope === 'global' ? undefined : scope, 'R');

describe('Calico labels', () => {
  test('pods carry Calico\'s namespace and orchestrator labels and their namespace\'s labels under pcns.', () => {
    expect(calicoLabels(pod('prod', { app: 'db' }))).toEqual({
      'app': 'db',
      'projectcalico.org/namespace': 'prod',
      'projectcalico.org/orchestrator': 'k8s',
      'pcns.kubernetes.io/metadata.name': 'prod',
      'pcns.env': 'production',
      'pcns.projectcalico.org/name': 'prod',
      'projectcalico.org/serviceaccount': 'default',
      'pcsa.projectcalico.org/name': 'default',
    });
    expect(calicoLabels(pod('prod', { app: 'db' }, { serviceAccount: 'db', serviceAccountLabels: { role: 'data' } }))).toMatchObject({
      'projectcalico.org/serviceaccount': 'db', 'pcsa.projectcalico.org/name': 'db', 'pcsa.role': 'data',
    });
    // Since projectcalico/calico#4529 the syncer labels an endpoint with its account's name whatever its length.
    expect(calicoLabels(pod('prod', {}, { serviceAccount: 'a'.repeat(70) }))['projectcalico.org/serviceaccount']).toBe('a'.repeat(70));
    expect(calicoNamespaceLabels(pod('prod', {}))).toEqual({ 'kubernetes.io/metadata.name': 'prod', 'env': 'production', 'projectcalico.org/name': 'prod' });
  });

  test('selectors on service accounts match the pod\'s account and its labels; those reading labels say so', () => {
    const sa = pod('prod', {}, { serviceAccount: 'db', serviceAccountLabels: { role: 'data' } });
    expect(compileSelector("projectcalico.org/serviceaccount == 'db'", 'S')(calicoLabels(sa))).toBe(true);
    expect(compileSelector("projectcalico.org/serviceaccount == 'web'", 'S')(calicoLabels(sa))).toBe(false);
    expect(compileSelector("pcsa.role == 'data'", 'S')(calicoLabels(sa))).toBe(true);
    expect(compileSelector("pcsa.role == 'data'", 'S')(calicoLabels(pod('prod', {})))).toBe(false);
    expect(compileSelectorOf("pcsa.role == 'data'", 'S').readsServiceAccountLabels).toBe(true);
    expect(compileSelectorOf("pcsa.projectcalico.org/name == 'db'", 'S').readsServiceAccountLabels).toBe(false);
    expect(compileSelectorOf("role == 'data'", 'S', false, true).readsServiceAccountLabels).toBe(true);
    expect(compileSelectorOf("projectcalico.org/name == 'db'", 'S', false, true).readsServiceAccountLabels).toBe(false);
    expect(() => compileSelector(7, 'S')).toThrow('S 7 is not a selector string');
    expect(() => compileSelector("a = 'b'", 'S')).toThrow(/S "a = 'b'" is not a valid Calico selector/);
  });
});

test('calicoSemantics: HTTP paths by segment from 3.31.6 and 3.32.0 (a release line at its newest patch), names without protocol from 3.32, ' +
  'HTTP matches enforced except on 3.30 and 3.31, named ports under them from 3.33, ClusterNetworkPolicy from 3.32', () => {
  const base = { httpMatchEnforced: true, httpNamedPorts: false, clusterNetworkPolicy: false };
  expect(calicoSemantics(29)).toEqual({ ...base, release: '3.29', httpPaths: 'raw', namedPortsWithoutProtocol: false });
  expect(calicoSemantics(30)).toEqual({ ...base, release: '3.30', httpPaths: 'raw', namedPortsWithoutProtocol: false, httpMatchEnforced: false });
  expect(calicoSemantics(31, 5)).toEqual({ ...base, release: '3.31.5', httpPaths: 'raw', namedPortsWithoutProtocol: false, httpMatchEnforced: false });
  expect(calicoSemantics(31, 6)).toEqual({ ...base, release: '3.31.6', httpPaths: 'segments', namedPortsWithoutProtocol: false, httpMatchEnforced: false });
  expect(calicoSemantics(31)).toEqual({ ...base, release: '3.31', httpPaths: 'segments', namedPortsWithoutProtocol: false, httpMatchEnforced: false });
  expect(calicoSemantics(32, 0)).toEqual({ ...base, release: '3.32.0', httpPaths: 'segments', namedPortsWithoutProtocol: true, clusterNetworkPolicy: true });
  expect(calicoSemantics(33)).toEqual({
    ...base,
    release: '3.33',
    httpPaths: 'segments',
    namedPortsWithoutProtocol: true,
    httpNamedPorts: true,
    clusterNetworkPolicy: true,
  });
});

describe('serviceAccounts and named ports without a protocol (docs/semantics/calico.md#service-accounts)', () => {
  const api = pod('prod', { app: 'api' }, { serviceAccount: 'api', serviceAccountLabels: { tier: 'backend' } });
  const web = pod('prod', { app: 'web' }, { serviceAccount: 'web', serviceAccountLabels: { tier: 'frontend' } });
  const otherApi = pod('other', { app: 'api' }, { serviceAccount: 'api', serviceAccountLabels: { tier: 'backend' } });

  test('names: any of them; selector: the account\'s labels; both: AND; scoped to the policy\'s namespace', () => {
    const byName = rule({ action: 'Allow', source: { serviceAccounts: { names: ['api', 'batch'] } } });
    expect(byName.matches(ingress(api))).toBe(true);
    expect(byName.matches(ingress(web))).toBe(false);
    expect(byName.matches(ingress(otherApi))).toBe(false);
    expect(byName.matches(ingress(external('10.1.1.1')))).toBe(false);
    expect(byName.readsServiceAccountLabels).toBe(false);
    const bySelector = rule({ action: 'Allow', source: { serviceAccounts: { selector: "tier == 'backend'" } } });
    expect(bySelector.matches(ingress(api))).toBe(true);
    expect(bySelector.matches(ingress(web))).toBe(false);
    expect(bySelector.readsServiceAccountLabels).toBe(true);
    const both = rule({ action: 'Allow', source: { serviceAccounts: { names: ['web'], selector: "tier == 'backend'" } } });
    expect(both.matches(ingress(api))).toBe(false);
    expect(both.matches(ingress(web))).toBe(false);
    const global = rule({ action: 'Allow', source: { serviceAccounts: { names: ['api'] } } }, 'ingress', 'global');
    expect(global.matches(ingress(otherApi))).toBe(true);
    const anyNamespace = rule({ action: 'Allow', source: { serviceAccounts: { names: ['api'] }, namespaceSelector: 'all()' } });
    expect(anyNamespace.matches(ingress(otherApi))).toBe(true);
    expect(rule({ action: 'Allow', source: { serviceAccounts: {} } }).matches(ingress(external('10.1.1.1')))).toBe(true);
  });

  test('named ports without a protocol match each protocol the destination names the port with (Calico 3.32 on)', () => {
    const server = pod('prod', { app: 'db' }, { ports: [{ port: 5432, name: 'pg' }, { port: 53, name: 'dns', protocol: 'UDP' }, { port: 9, name: 'sig', protocol: 'SCTP' }] });
    const r = compileCalicoRule({ action: 'Allow', destination: { ports: ['pg', 'dns', 'sig'] } }, 0, 'ingress', 'prod', 'R');
    const q = (port: number, protocol: string): SideQuery => ({ pod: server, direction: 'ingress', other: api, destination: server, port, protocol });
    expect(r.matches(q(5432, 'TCP'))).toBe(true);
    expect(r.matches(q(53, 'UDP'))).toBe(true);
    expect(r.matches(q(9, 'SCTP'))).toBe(true);
    expect(r.matches(q(5432, 'UDP'))).toBe(false);
    expect(r.matches(q(53, 'TCP'))).toBe(false);
    expect(r.matches(q(80, 'TCP'))).toBe(false);
    expect(() => compileCalicoRule({ action: 'Allow', destination: { ports: ['pg'] } }, 0, 'ingress', 'prod', 'R', calicoSemantics(31)))
      .toThrow(/Calico 3.31 needs one even for named ports \(3.32 accepts a rule whose ports are all names without one\)/);
  });
});

describe('compileCalicoRule (docs/semantics/calico.md#actions, docs/semantics/calico.md#entity-rules)', () => {
  test('an ingress rule\'s source is the peer, its destination the selected pod', () => {
    const r = rule({ action: 'Allow', source: { selector: "app == 'api'" }, destination: { selector: "app == 'db'" } });
    expect(r.matches(ingress(pod('prod', { app: 'api' })))).toBe(true);
    expect(r.matches(ingress(pod('prod', { app: 'web' })))).toBe(false);
    expect(r.text).toBe("Allow from selector app == 'api' in namespace prod to selector app == 'db' in namespace prod");
  });

  test('an egress rule\'s destination is the peer', () => {
    const r = rule({ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, 'egress');
    expect(r.matches(egress(external('169.254.169.254')))).toBe(true);
    expect(r.matches(egress(external('203.0.113.1')))).toBe(false);
    // A name's addresses are unknown: it might lie in the nets.
    expect(r.matches(egress({ kind: 'name', id: 'metadata.internal', name: 'metadata.internal' }))).toEqual({ unknown: expect.stringContaining('are unknown and might lie in nets 169.254.169.254/32') });
  });

  test('an empty rule matches everything; a selector never matches an address outside the cluster', () => {
    expect(rule({ action: 'Allow' }).matches(ingress(external('203.0.113.1')))).toBe(true);
    expect(rule({ action: 'Allow', source: { selector: 'all()' } }, 'ingress', 'global').matches(ingress(external('203.0.113.1')))).toBe(false);
  });

  test('a pod without an address: nets holding every address match, narrower nets are unknown, ranges no pod has do not match', () => {
    const noIp = pod('prod', { app: 'api' });
    expect(rule({ action: 'Allow', source: { nets: ['0.0.0.0/0'] } }).matches(ingress(noIp))).toBe(true);
    expect(rule({ action: 'Allow', source: { nets: ['10.0.0.0/8'] } }).matches(ingress(noIp))).toEqual({ unknown: expect.stringContaining('the address of pod prod/') });
    expect(rule({ action: 'Allow', source: { notNets: ['10.0.0.0/8'] } }).matches(ingress(noIp))).toEqual({ unknown: expect.stringContaining('add the pod with its ip') });
    expect(rule({ action: 'Allow', source: { notNets: ['0.0.0.0/0'] } }).matches(ingress(noIp))).toBe(false);
    expect(rule({ action: 'Deny', source: { nets: ['169.254.169.254/32'] } }).matches(ingress(noIp))).toBe(false);
    expect(rule({ action: 'Deny', source: { nets: ['fd00:ec2::254/128'] } }).matches(ingress(noIp))).toBe(false);
    expect(rule({ action: 'Deny', source: { notNets: ['169.254.0.0/16'] } }).matches(ingress(noIp))).toBe(true);
    expect(rule({ action: 'Allow', source: { notNets: ['10.0.0.0/8'] } }).matches(ingress(pod('prod', { app: 'api' }, { ip: '192.168.1.1' })))).toBe(true);
  });

  test('host-network pods are not workload endpoints: selectors skip them, notSelector admits them', () => {
    const host = pod('prod', { app: 'api' }, { hostNetwork: true, ip: '192.168.0.1' });
    expect(rule({ action: 'Allow', source: { selector: "app == 'api'" } }, 'ingress', 'global').matches(ingress(host))).toBe(false);
    expect(rule({ action: 'Allow', source: { notSelector: "app == 'api'" } }, 'ingress', 'global').matches(ingress(host))).toBe(true);
  });

  test('ipVersion compares with the connection\'s family', () => {
    expect(rule({ action: 'Allow', ipVersion: 6 }).matches(ingress(external('2001:db8::1')))).toBe(true);
    expect(rule({ action: 'Allow', ipVersion: 6 }).matches(ingress(external('203.0.113.1')))).toBe(false);
  });

  test('calicoRuleBounds: where the destination ports and notPorts start and end, whatever the protocol; names resolve elsewhere', () => {
    expect(calicoRuleBounds({ protocol: 'TCP', destination: { ports: [80, '8000:8100', 'http'] } })).toEqual([80, 81, 8000, 8101]);
    expect(calicoRuleBounds({ protocol: 17, destination: { notPorts: ['53'] } })).toEqual([53, 54]);
    expect(calicoRuleBounds({ source: { nets: ['10.0.0.0/8'] } })).toEqual([]);
  });

  test.each([
    [{ action: 'Reject' }, /R: action "Reject" is not one of Allow, Deny, Pass, Log/],
    [{ action: 'Allow', ipVersion: 5 }, /ipVersion 5 is not 4 or 6/],
    [{ action: 'Allow', protocol: 'QUIC' }, /protocol "QUIC" is not one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a number from 1 to 255/],
    [{ action: 'Allow', protocol: 300 }, /protocol 300 is not a protocol number from 1 to 255/],
    [{ action: 'Allow', destination: { ports: [80] } }, /ports need protocol TCP, UDP or SCTP \(protocol is not set\)/],
    [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['90:80'] } }, /"90:80" is not a range "min:max" with min <= max <= 65535/],
    [{ action: 'Allow', protocol: 'TCP', destination: { ports: ['a b'] } }, /"a b" is not a port, a range "min:max" or a port name/],
    [{ action: 'Allow', protocol: 'TCP', source: { ports: [1234] } }, /R.source.ports is not modelled: it matches the client's source port/],
    [{ action: 'Allow', icmp: { type: 8 } }, /icmp requires protocol ICMP or ICMPv6/],
    [{ action: 'Deny', http: { methods: ['GET'] } }, /an HTTP match is only valid on Allow rules/],
    [{ action: 'Allow', protocol: 'UDP', http: { methods: ['GET'] } }, /an HTTP match needs protocol TCP or none/],
    [{ action: 'Allow', source: { serviceAccounts: { names: 'a' } } }, /R.source.serviceAccounts.names "a" is not a list of ServiceAccount names/],
    [{ action: 'Allow', source: { serviceAccounts: { name: ['a'] } } }, /R.source.serviceAccounts: unknown field "name"/],
    [{ action: 'Allow', destination: { ports: [80] } }, /ports need protocol TCP, UDP or SCTP \(protocol is not set\); only a rule whose ports are all names may leave protocol out/],
    [{ action: 'Allow', destination: { ports: ['http', 80] } }, /only a rule whose ports are all names may leave protocol out/],
    [{ action: 'Allow', destination: { services: { name: 'a' } } }, /R.destination.services is not modelled: Services are not part of the model/],
    [{ action: 'Allow', destination: { nets: ['10.0.0.0/33'] } }, /R.destination.nets\[0\] "10.0.0.0\/33" is not a valid CIDR/],
    [{ action: 'Allow', destination: { net: ['10.0.0.0/8'] } }, /R.destination: unknown field "net"/],
    [{ action: 'Allow', sources: {} }, /R: unknown field "sources"/],
  ])('refuses %j', (r, message) => {
    expect(() => rule(r)).toThrow(message);
  });
});

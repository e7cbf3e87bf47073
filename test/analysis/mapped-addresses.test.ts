import { ClusterCni, NetworkModel } from '../../src';
import { canonicalIp, cidrContainsIp, cidrProblem, parseCidr } from '../../src/util/cidr';

// IPv4-mapped IPv6 addresses (::ffff:0:0/96) are their IPv4 address on the wire: a dual-stack socket
// connecting to ::ffff:169.254.169.254 sends IPv4 packets to the metadata endpoint. Every engine
// must judge them as the IPv4 address (docs/semantics/kubernetes.md#addresses-dns-names-and-services).

type Json = Record<string, any>;

/** The metadata endpoint in every spelling of its mapped form. */
const METADATA_SPELLINGS = [
  '::ffff:169.254.169.254',
  '::ffff:a9fe:a9fe',
  '::FFFF:A9FE:A9FE',
  '0:0:0:0:0:ffff:169.254.169.254',
  '0000:0000:0000:0000:0000:ffff:a9fe:a9fe',
];

const knp = (name: string, spec: Json) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const cnp = (name: string, spec: Json) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const calico = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: 'prod' }, spec });

/** Egress policies that allow the internet except the metadata endpoint, one per engine and form. */
const DENY_METADATA: [string, ClusterCni, Json][] = [
  ['Kubernetes ipBlock except', ClusterCni.KUBERNETES,
    knp('egress', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] } }] }] })],
  ['Cilium toCIDRSet except', ClusterCni.CILIUM,
    cnp('egress', { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['169.254.169.254/32'] }] }] })],
  ['Cilium egressDeny toCIDR', ClusterCni.CILIUM,
    cnp('egress', { endpointSelector: {}, egress: [{ toCIDR: ['0.0.0.0/0'] }], egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] })],
  ['Calico notNets', ClusterCni.CALICO,
    calico('egress', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', destination: { notNets: ['169.254.169.254/32'] } }] })],
  ['Calico Deny nets', ClusterCni.CALICO,
    calico('egress', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Allow' }] })],
];

function model(cni: ClusterCni, ...objects: Json[]): NetworkModel {
  const m = new NetworkModel({ cni });
  m.addPod({ namespace: 'prod', name: 'app', labels: { app: 'app' }, ip: '10.0.0.5' });
  objects.forEach((o) => m.addManifest(o));
  return m;
}

describe.each(DENY_METADATA)('%s denies the metadata endpoint in its IPv4-mapped forms', (_name, cni, policy) => {
  const m = model(cni, policy);

  test('the IPv4 address itself is denied and another address allowed (the policy works)', () => {
    expect(m.evaluate({ from: 'prod/app', to: '169.254.169.254', port: 80 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/app', to: '1.1.1.1', port: 443 }).allowed).toBe(true);
  });

  test.each(METADATA_SPELLINGS)('to %s is denied', (address) => {
    expect(m.evaluate({ from: 'prod/app', to: address, port: 80 }).allowed).toBe(false);
  });

  test('a mapped address the policy allows is allowed: it lies in 0.0.0.0/0', () => {
    expect(m.evaluate({ from: 'prod/app', to: '::ffff:1.1.1.1', port: 443 }).allowed).toBe(true);
  });
});

describe('pods and the API server added with a mapped address', () => {
  const ingressFrom10 = (cni: ClusterCni): Json => (cni === ClusterCni.CALICO
    ? calico('in', { selector: 'app == "server"', types: ['Ingress'], ingress: [{ action: 'Allow', source: { nets: ['10.0.0.0/24'] } }] })
    : knp('in', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }] }));

  test.each([ClusterCni.KUBERNETES, ClusterCni.CALICO])('%s: a pod added as ::ffff:10.0.0.7 is matched by an IPv4 block', (cni) => {
    const m = new NetworkModel({ cni });
    m.addPod({ namespace: 'prod', name: 'client', labels: { app: 'client' }, ip: '::ffff:10.0.0.7' });
    m.addPod({ namespace: 'prod', name: 'outsider', labels: { app: 'client' }, ip: '::ffff:10.0.1.7' });
    m.addPod({ namespace: 'prod', name: 'server', labels: { app: 'server' }, ip: '10.0.0.9' });
    m.addManifest(ingressFrom10(cni));
    expect(m.evaluate({ from: 'prod/client', to: 'prod/server', port: 80 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/outsider', to: 'prod/server', port: 80 }).allowed).toBe(false);
  });

  test('Cilium: an external client at ::ffff:10.0.0.7 is matched by fromCIDR 10.0.0.0/24', () => {
    const m = new NetworkModel({ cni: ClusterCni.CILIUM });
    m.addPod({ namespace: 'prod', name: 'server', labels: { app: 'server' }, ip: '10.1.0.9' });
    m.addManifest(cnp('in', { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromCIDR: ['10.0.0.0/24'] }] }));
    expect(m.evaluate({ from: '::ffff:10.0.0.7', to: 'prod/server', port: 80 }).allowed).toBe(true);
    expect(m.evaluate({ from: '::ffff:10.0.1.7', to: 'prod/server', port: 80 }).allowed).toBe(false);
  });

  test('a probe to the mapped form of a pod address is that pod', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'server', labels: { app: 'server' }, ip: '10.0.0.9' });
    m.addPod({ namespace: 'prod', name: 'client', labels: { app: 'client' }, ip: '10.0.0.8' });
    m.addManifest(knp('deny-in', { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'] }));
    const verdict = m.evaluate({ from: 'prod/client', to: '::ffff:10.0.0.9', port: 80 });
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons.join('\n')).toMatch(/prod\/server/);
  });

  test('a pod address given mapped and plain is one address: the second pod is refused', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'a', ip: '10.0.0.9' });
    expect(() => m.addPod({ namespace: 'prod', name: 'b', ip: '::ffff:a00:9' })).toThrow(/already the address of prod\/a/);
  });

  test('Cilium: an API server added as ::ffff:10.96.0.1 is the kube-apiserver entity at 10.96.0.1', () => {
    const m = new NetworkModel({ cni: ClusterCni.CILIUM });
    m.addPod({ namespace: 'prod', name: 'app', labels: { app: 'app' }, ip: '10.0.0.5' });
    m.addKubeApiServer('::ffff:10.96.0.1');
    m.addManifest(cnp('api', { endpointSelector: {}, egress: [{ toEntities: ['kube-apiserver'] }] }));
    expect(m.evaluate({ from: 'prod/app', to: '10.96.0.1', port: 443 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/app', to: '::ffff:10.96.0.1', port: 443 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/app', to: '10.96.0.2', port: 443 }).allowed).toBe(false);
  });
});

describe('CIDR helpers', () => {
  test('canonicalIp writes a mapped address as its IPv4 address, other IPv6 addresses canonically', () => {
    expect(METADATA_SPELLINGS.map(canonicalIp)).toEqual(METADATA_SPELLINGS.map(() => '169.254.169.254'));
    expect(canonicalIp('2001:DB8:0::1')).toBe('2001:db8::1');
    // Not mapped: the IPv4-compatible form (::/96, deprecated) and NAT64 (64:ff9b::/96) are IPv6 on the wire.
    expect(canonicalIp('::a9fe:a9fe')).toBe('::a9fe:a9fe');
    expect(canonicalIp('64:ff9b::a9fe:a9fe')).toBe('64:ff9b::a9fe:a9fe');
  });

  test('cidrContainsIp reads a mapped address as IPv4: inside IPv4 blocks, outside IPv6 ones', () => {
    expect(cidrContainsIp(parseCidr('169.254.0.0/16'), '::ffff:a9fe:a9fe')).toBe(true);
    expect(cidrContainsIp(parseCidr('::/0'), '::ffff:a9fe:a9fe')).toBe(false);
    expect(cidrContainsIp(parseCidr('::/0'), '2001:db8::1')).toBe(true);
  });

  test('a CIDR written in the mapped form is refused with a clear error, strict or not', () => {
    expect(cidrProblem('::ffff:169.254.169.254/128')).toMatch(/IPv4-mapped IPv6 address; write the IPv4 block instead/);
    expect(cidrProblem('::ffff:10.0.0.0/104', true)).toMatch(/IPv4-mapped IPv6 address; write the IPv4 block instead/);
  });

  test.each([
    ['Kubernetes', ClusterCni.KUBERNETES, knp('p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '::ffff:a9fe:0/112' } }] }] })],
    ['Cilium', ClusterCni.CILIUM, cnp('p', { endpointSelector: {}, egressDeny: [{ toCIDR: ['::ffff:169.254.169.254/128'] }] })],
    ['Calico', ClusterCni.CALICO, calico('p', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['::ffff:169.254.169.254'] } }] })],
  ])('%s: a policy naming a mapped block is refused, not evaluated as an IPv6 block no IPv4 packet matches', (_name, cni, policy) => {
    expect(() => model(cni, policy)).toThrow(/IPv4-mapped IPv6 address/);
  });
});

import { ClusterCni, NetworkModel } from '../../src';
import { compileFqdnSelector, dnsNameProblem } from '../../src/analysis/fqdn';
import { compileCiliumHttpRule } from '../../src/analysis/http';
import { cidrProblem, ipFamily } from '../../src/util/cidr';
import { dns1123SubdomainProblem, ianaServiceNameProblem, labelKeyProblem, labelValueProblem } from '../../src/util/names';

// Every parser and matcher over user-controlled strings is linear (or bounded) in its input, and no
// error message echoes a long value whole. The inputs are sized so that the earlier backtracking
// matchers take minutes to hours on them: a regression shows as a test that never finishes. No
// test measures time; each asserts the result and the length of the message.

type Json = Record<string, any>;

/**
 * Messages name the object and the field and show the start of the bad value (at most 64
 * characters and its length), never the whole of it.
 */
const MESSAGE_MAX = 400;
const HUGE = 200_000;

const cnp = (name: string, spec: Json) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const knp = (name: string, spec: Json) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const calico = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace: 'prod' }, spec });
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } };
const DNS_PROXY = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };

function model(cni: ClusterCni): NetworkModel {
  const m = new NetworkModel({ cni });
  m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' }, ip: '10.0.1.1', ports: [{ port: 8080, name: 'http' }] });
  m.addPod({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.3.1' });
  return m;
}

/** The message `action` throws, checked to be short. */
function messageOf(action: () => unknown): string {
  let message: string | undefined;
  try {
    action();
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toBeDefined();
  expect(message!.length).toBeLessThan(MESSAGE_MAX);
  expect(message).not.toMatch(/(.)\1{99}/);
  return message!;
}

describe('Cilium FQDN selectors (toFQDNs, rules.dns)', () => {
  test('a near-miss matchName is refused at once (the CRD pattern backtracks exponentially on it)', () => {
    // 41 characters already take minutes with ^([-a-zA-Z0-9_]+[.]?)+$; this is 200.
    const name = `${'a'.repeat(199)}!`;
    expect(messageOf(() => compileFqdnSelector({ matchName: name }, 'toFQDNs[0]'))).toMatch(/^toFQDNs\[0\]\.matchName "a{64}"… \(200 characters\) is not a DNS name/);
    expect(messageOf(() => compileFqdnSelector({ matchPattern: `${'a*'.repeat(99)}!` }, 'p'))).toMatch(/is not a DNS pattern/);
    const m = model(ClusterCni.CILIUM);
    expect(messageOf(() => m.addManifest(cnp('fqdn', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: name }] }] })))).toMatch(/matchName/);
  });

  test('names and patterns longer than the CRD\'s 255 characters are refused, however long', () => {
    const long = `${'a.'.repeat(128)}com`;
    expect(messageOf(() => compileFqdnSelector({ matchName: long }, 'x'))).toMatch(/at most 255 characters/);
    expect(messageOf(() => compileFqdnSelector({ matchPattern: `*${'a'.repeat(HUGE)}` }, 'x'))).toMatch(/\(200001 characters\)/);
    expect(compileFqdnSelector({ matchName: `${'a.'.repeat(126)}com` }, 'x').text).toMatch(/^matchName: /);
  });

  test('a pattern with many stars matches in linear time: the result, on names that nearly match', () => {
    // The earlier regex translation backtracks through every way 20 stars split 62 characters.
    const stars = compileFqdnSelector({ matchPattern: `${'*a'.repeat(20)}*b.example.com` }, 'x');
    expect(stars.matches(`${'a'.repeat(62)}.example.com`)).toBe(false);
    expect(stars.matches(`${'a'.repeat(61)}b.example.com`)).toBe(true);
    expect(stars.matches(`${'a'.repeat(19)}b.example.com`)).toBe(false);
    expect(stars.matches(`${'a'.repeat(20)}b.example.com`)).toBe(true);
    const deep = compileFqdnSelector({ matchPattern: `**.${'*a'.repeat(20)}*b.com` }, 'x');
    expect(deep.matches(`x.y.${'a'.repeat(62)}.com`)).toBe(false);
    expect(deep.matches(`x.y.${'a'.repeat(61)}b.com`)).toBe(true);
    expect(deep.matches(`${'a'.repeat(61)}b.com`)).toBe(false);
    const labels = compileFqdnSelector({ matchPattern: Array(60).fill('*a*').join('.') }, 'x');
    expect(labels.matches(Array(60).fill('xax').join('.'))).toBe(true);
    expect(labels.matches(Array(59).fill('xax').join('.'))).toBe(false);
    // Stars stand for name characters only, one label at a time.
    const p = compileFqdnSelector({ matchPattern: 'a*b*c.example.com' }, 'x');
    expect(p.matches('abc.example.com')).toBe(true);
    expect(p.matches('a-_0b9c.example.com')).toBe(true);
    expect(p.matches('a.bc.example.com')).toBe(false);
    expect(p.matches('a!bc.example.com')).toBe(false);
    expect(p.matches('acb.example.com')).toBe(false);
    expect(p.matches('abcc.example.com')).toBe(true);
    expect(p.matches('ab.example.com')).toBe(false);
    expect(compileFqdnSelector({ matchPattern: 'ab*ba' }, 'x').matches('aba')).toBe(false);
    expect(compileFqdnSelector({ matchPattern: 'ab*ba' }, 'x').matches('abba')).toBe(true);
  });

  test('explain decides a probe against a 20-star pattern through the model', () => {
    const m = model(ClusterCni.CILIUM);
    m.addManifest(cnp('web', { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toFQDNs: [{ matchPattern: `${'*a'.repeat(20)}*b.example.com` }] }, DNS_PROXY] }));
    expect(m.evaluate({ from: 'prod/web', to: `${'a'.repeat(62)}.example.com`, port: 443 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/web', to: `${'a'.repeat(61)}b.example.com`, port: 443 }).allowed).toBe(true);
  });
});

describe('Cilium port names', () => {
  const portPolicy = (port: string) => cnp('in', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port, protocol: 'TCP' }] }] }] });

  test('a 200 KB port name is refused at once and shown by its start', () => {
    const message = messageOf(() => model(ClusterCni.CILIUM).addManifest(portPolicy(`a${'-a'.repeat(HUGE / 2)}!`)));
    expect(message).toMatch(/port "a-a-a.*\(200002 characters\)/);
  });

  test('a name of more than 15 characters is refused, as Cilium\'s IsSvcName does', () => {
    expect(messageOf(() => model(ClusterCni.CILIUM).addManifest(portPolicy('abcdefghijklmnop')))).toMatch(/at most 15 letters/);
    const m = model(ClusterCni.CILIUM);
    m.addManifest(portPolicy('HTTP'));
    expect(m.evaluate({ from: '10.9.9.9', to: 'prod/web', port: 8080 }).allowed).toBe(true);
  });

  test('a number with a leading 0 is octal, as Go\'s ParseUint(port, 0, 16) reads it', () => {
    const m = model(ClusterCni.CILIUM);
    m.addManifest(portPolicy('0443'));
    expect(m.evaluate({ from: '10.9.9.9', to: 'prod/web', port: 291 }).allowed).toBe(true);
    expect(m.evaluate({ from: '10.9.9.9', to: 'prod/web', port: 443 }).allowed).toBe(false);
    expect(messageOf(() => model(ClusterCni.CILIUM).addManifest(portPolicy('0089')))).toMatch(/octal/);
  });
});

describe('other engines\' ports, CIDRs and selectors', () => {
  test('Kubernetes: a 200 KB port name and CIDR are refused and shown by their start', () => {
    const port = messageOf(() => model(ClusterCni.KUBERNETES).addManifest(knp('p', { podSelector: {}, ingress: [{ ports: [{ port: 'a'.repeat(HUGE) }] }] })));
    expect(port).toMatch(/\(200000 characters\)/);
    const cidr = messageOf(() => model(ClusterCni.KUBERNETES).addManifest(knp('p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: `10.0.0.0/${'8'.repeat(HUGE)}` } }] }] })));
    expect(cidr).toMatch(/\(200009 characters\)/);
  });

  test('Calico: a 200 KB port name and net and a 2,000-term selector are refused with short messages', () => {
    const rule = (r: Json) => calico('p', { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', ...r }] });
    expect(messageOf(() => model(ClusterCni.CALICO).addManifest(rule({ protocol: 'TCP', destination: { ports: [`${'a'.repeat(HUGE)}!`] } })))).toMatch(/characters\)/);
    expect(messageOf(() => model(ClusterCni.CALICO).addManifest(rule({ source: { nets: [`${'1:'.repeat(HUGE / 2)}:1/128`] } })))).toMatch(/characters\)/);
    // A selector deep enough to exhaust the parser's stack is refused with a reason, not a RangeError.
    const deep = Array(2000).fill('app == "web"').join(' && ');
    expect(messageOf(() => model(ClusterCni.CALICO).addManifest(calico('p', { selector: deep, types: ['Ingress'], ingress: [{ action: 'Allow' }] }))))
      .toMatch(/it has 1999 operators/);
  });

  test('Cilium HTTP rules are RE2 (linear), and a huge invalid one is shown by its start', () => {
    const evil = compileCiliumHttpRule({ path: '/(a+)+$' }, 'rules.http[0]');
    expect(evil.matches({ method: 'GET', path: `/${'a'.repeat(HUGE)}!`, headers: new Map() })).toBe(false);
    expect(evil.matches({ method: 'GET', path: `/${'a'.repeat(HUGE)}`, headers: new Map() })).toBe(true);
    // Nested repetitions that would expand to a huge program are refused, as Go's regexp refuses them.
    expect(messageOf(() => compileCiliumHttpRule({ path: '((a{1000}){1000}){1000}' }, 'rules.http[0]'))).toMatch(/is not a valid regular expression/);
    expect(messageOf(() => compileCiliumHttpRule({ path: `/${'('.repeat(HUGE)}` }, 'rules.http[0]'))).toMatch(/rules\.http\[0\]\.path "\/\({63}"… \(200001 characters\)/);
  });
});

describe('names, labels and addresses', () => {
  test('every name, label and address check refuses a 200 KB value with a short reason', () => {
    const reasons = [
      labelKeyProblem(`${'a/'.repeat(HUGE / 2)}a`),
      labelKeyProblem(`${'a'.repeat(HUGE)}/a`),
      labelValueProblem('a'.repeat(HUGE)),
      dns1123SubdomainProblem(`${'a.'.repeat(HUGE / 2)}-`),
      ianaServiceNameProblem('a'.repeat(HUGE)),
      cidrProblem(`${'1'.repeat(HUGE)}/8`),
      cidrProblem(`::${'1:'.repeat(HUGE / 2)}/8`),
      dnsNameProblem(`${'a'.repeat(HUGE)}.com`),
    ];
    for (const reason of reasons) {
      expect(reason).toBeDefined();
      expect(reason!.length).toBeLessThan(MESSAGE_MAX);
    }
    expect(ipFamily(`0${'0'.repeat(HUGE)}::1`)).toBeUndefined();
    expect(ipFamily('ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255')).toBe(6);
  });

  test('a label key prefix is shown by its start', () => {
    expect(labelKeyProblem(`${'a'.repeat(254)}/x`)).toMatch(/^its prefix "a{64}"… \(254 characters\) is not a DNS subdomain/);
  });

  test('probes and pods naming 200 KB values get short messages', () => {
    const m = model(ClusterCni.KUBERNETES);
    expect(messageOf(() => m.evaluate({ from: 'prod/web', to: `${'a'.repeat(HUGE)}.com`, port: 80 }))).toMatch(/to "a{64}"…/);
    expect(messageOf(() => m.evaluate({ from: 'prod/web', to: `prod/${'a'.repeat(HUGE)}`, port: 80 }))).toMatch(/is not a pod of the model/);
    expect(messageOf(() => m.addPod({ namespace: 'prod', name: 'x', labels: { app: 'a'.repeat(HUGE) } }))).toMatch(/characters\)/);
    expect(messageOf(() => m.addPod({ namespace: 'prod', name: 'x', ip: '1'.repeat(HUGE) }))).toMatch(/characters\)/);
    expect(messageOf(() => m.evaluate({ from: 'prod/web', to: 'prod/web', port: 80, http: { method: 'GET', path: ` ${'a'.repeat(HUGE)}` } }))).toMatch(/http\.path/);
  });
});

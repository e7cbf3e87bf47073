import { CiliumEntity, INTERNET_EXCLUDED_IPV4, INTERNET_EXCLUDED_IPV6, Peer, PeerKind, PeerSpec } from '../../src/core/peer';
import { LabelExpression, LabelSelector } from '../../src/core/selector';
import { show } from '../../src/util/validation';

type PodSpec = Extract<PeerSpec, { kind: PeerKind.PODS }>;
type BlockSpec = Extract<PeerSpec, { kind: PeerKind.IP_BLOCK | PeerKind.INTERNET }>;

function pods(peer: Peer): PodSpec {
  expect(peer.kind).toBe(PeerKind.PODS);
  return peer._spec as PodSpec;
}

function blocks(peer: Peer): BlockSpec['blocks'] {
  return (peer._spec as BlockSpec).blocks;
}

describe('PeerKind', () => {
  test('string values', () => {
    expect(Object.values(PeerKind)).toEqual(['pods', 'ipBlock', 'internet', 'fqdn', 'kubeApiServer', 'ciliumEntity', 'anywhere']);
  });
});

describe('Peer.pods', () => {
  test('selects labelled pods of the same namespace', () => {
    const peer = Peer.pods({ app: 'api' });
    const spec = pods(peer);
    expect(spec.pods.labels).toEqual({ app: 'api' });
    expect(spec.namespaces).toEqual({ kind: 'same' });
    expect(peer.toString()).toBe('pods {app=api}');
  });

  test('{} selects every pod of the namespace', () => {
    const peer = Peer.pods({});
    expect(pods(peer).pods.isEmpty).toBe(true);
    expect(peer.toString()).toBe('all pods of the namespace');
  });

  test('rejects invalid labels, naming the call', () => {
    expect(() => Peer.pods({ 'bad key': 'x' })).toThrow(/^Peer\.pods\(\): labels key "bad key" is not a valid label key/);
    expect(() => Peer.pods({ app: 'a b' })).toThrow(/^Peer\.pods\(\): labels\["app"\] value "a b" is not a valid label value/);
    expect(() => Peer.pods(['app'] as unknown as Record<string, string>)).toThrow(/^Peer\.pods\(\): labels \["app"\] is not a label map/);
  });

  // BUG (weak validation): Peer.pods(undefined) is accepted and selects every pod of the namespace.
  // `labels` is a required parameter; a missing argument (e.g. from a jsii language or an untyped caller)
  // silently becomes the broadest selection instead of an error.
  test('rejects a missing labels argument', () => {
    expect(() => Peer.pods(undefined as unknown as Record<string, string>)).toThrow(/Peer\.pods\(\)/);
  });
});

describe('Peer.podsMatching', () => {
  test('uses the selector as given', () => {
    const selector = LabelSelector.of({ app: 'api' }, LabelExpression.isIn('tier', ['web']));
    const peer = Peer.podsMatching(selector);
    expect(pods(peer).pods).toBe(selector);
    expect(pods(peer).namespaces).toEqual({ kind: 'same' });
    expect(peer.toString()).toBe('pods {app=api, tier in (web)}');
  });

  test('LabelSelector.all() means all pods of the namespace', () => {
    expect(Peer.podsMatching(LabelSelector.all()).toString()).toBe('all pods of the namespace');
  });

  test('rejects something that is not a LabelSelector', () => {
    expect(() => Peer.podsMatching({ app: 'api' } as unknown as LabelSelector)).toThrow(
      'Peer.podsMatching(): selector {"app":"api"} is not a LabelSelector; use LabelSelector.of({...}) or LabelSelector.all()');
  });
});

describe('Peer.podsInNamespace', () => {
  test('pods AND namespace in one peer', () => {
    const peer = Peer.podsInNamespace('monitoring', { app: 'prometheus' });
    const spec = pods(peer);
    expect(spec.pods.labels).toEqual({ app: 'prometheus' });
    expect(spec.namespaces).toEqual({ kind: 'name', name: 'monitoring' });
    expect(peer.toString()).toBe('pods {app=prometheus} in namespace monitoring');
  });

  test('without labels: every pod of the namespace', () => {
    const peer = Peer.podsInNamespace('monitoring');
    expect(pods(peer).pods.isEmpty).toBe(true);
    expect(peer.toString()).toBe('namespace monitoring');
  });

  test('rejects a bad namespace name', () => {
    expect(() => Peer.podsInNamespace('Monitoring', { app: 'x' })).toThrow(
      /^Peer\.podsInNamespace\(\): namespace "Monitoring" is not a valid namespace name: .*lowercase.* \(e\.g\. "production"\)$/);
    expect(() => Peer.podsInNamespace('')).toThrow('Peer.podsInNamespace(): namespace "" is not a valid namespace name: it is empty');
  });

  test('rejects bad labels', () => {
    expect(() => Peer.podsInNamespace('ns', { 'a/b/c': 'x' })).toThrow(/^Peer\.podsInNamespace\(\): labels key "a\/b\/c" is not a valid label key/);
  });
});

describe('Peer.podsMatchingInNamespace', () => {
  test('a selector with expressions AND a named namespace, one peer', () => {
    const selector = LabelSelector.of({ app: 'web' }, LabelExpression.isIn('track', ['stable', 'canary']));
    const peer = Peer.podsMatchingInNamespace('shop', selector);
    expect(pods(peer).pods).toBe(selector);
    expect(pods(peer).namespaces).toEqual({ kind: 'name', name: 'shop' });
    expect(peer.toString()).toBe('pods {app=web, track in (stable, canary)} in namespace shop');
  });

  test('rejects a bad namespace or a selector that is not one', () => {
    expect(() => Peer.podsMatchingInNamespace('Shop', LabelSelector.all())).toThrow(/^Peer\.podsMatchingInNamespace\(\): namespace "Shop" is not a valid namespace name/);
    expect(() => Peer.podsMatchingInNamespace('shop', { app: 'web' } as any)).toThrow(/^Peer\.podsMatchingInNamespace\(\): selector \{"app":"web"\} is not a LabelSelector/);
  });
});

describe('Peer.anywhere', () => {
  test('is its own kind, described plainly', () => {
    const peer = Peer.anywhere();
    expect(peer.kind).toBe(PeerKind.ANYWHERE);
    expect(peer._spec).toEqual({ kind: PeerKind.ANYWHERE });
    expect(peer.toString()).toBe('anywhere (every pod and every address)');
  });
});

describe('Peer.namespace', () => {
  test('every pod of the named namespace', () => {
    const peer = Peer.namespace('ingress-nginx');
    const spec = pods(peer);
    expect(spec.pods.isEmpty).toBe(true);
    expect(spec.namespaces).toEqual({ kind: 'name', name: 'ingress-nginx' });
    expect(peer.toString()).toBe('namespace ingress-nginx');
  });

  test.each(['', 'Prod', 'a.b', 'x'.repeat(64), '-a'])('rejects %j', (name) => {
    expect(() => Peer.namespace(name)).toThrow(new RegExp(`^Peer\\.namespace\\(\\): name ${JSON.stringify(name).replace(/\./g, '\\.')} is not a valid namespace name`));
  });
});

describe('Peer.namespaces', () => {
  test('every pod of namespaces with these labels', () => {
    const peer = Peer.namespaces({ team: 'payments' });
    const spec = pods(peer);
    expect(spec.pods.isEmpty).toBe(true);
    expect(spec.namespaces.kind).toBe('selector');
    expect(spec.namespaces.kind === 'selector' && spec.namespaces.selector.labels).toEqual({ team: 'payments' });
    expect(peer.toString()).toBe('all pods in namespaces {team=payments}');
  });

  test('{} means every namespace', () => {
    expect(Peer.namespaces({}).toString()).toBe('all pods in every namespace');
  });

  test('rejects bad labels', () => {
    expect(() => Peer.namespaces({ team: '-x' })).toThrow(/^Peer\.namespaces\(\): labels\["team"\] value "-x" is not a valid label value/);
  });

  // BUG (weak validation): Peer.namespaces(undefined) is accepted and selects every pod of every
  // namespace, the broadest possible peer, instead of reporting the missing required argument.
  test('rejects a missing labels argument', () => {
    expect(() => Peer.namespaces(undefined as unknown as Record<string, string>)).toThrow(/Peer\.namespaces\(\)/);
  });
});

describe('Peer.ipBlock', () => {
  test('IPv4 block without exceptions', () => {
    const peer = Peer.ipBlock('203.0.113.0/24');
    expect(peer.kind).toBe(PeerKind.IP_BLOCK);
    expect(blocks(peer)).toEqual([{ cidr: '203.0.113.0/24', except: [] }]);
    expect(peer.toString()).toBe('203.0.113.0/24');
  });

  test('IPv4 block with exceptions strictly inside', () => {
    const peer = Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/16', '10.2.3.4/32']);
    expect(blocks(peer)).toEqual([{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.4/32'] }]);
    expect(peer.toString()).toBe('10.0.0.0/8 except 10.1.0.0/16, 10.2.3.4/32');
  });

  test('IPv6 block with an exception', () => {
    const peer = Peer.ipBlock('2001:db8::/32', ['2001:db8:ff::/48']);
    expect(blocks(peer)).toEqual([{ cidr: '2001:db8::/32', except: ['2001:db8:ff::/48'] }]);
  });

  test('copies the except list', () => {
    const except = ['10.1.0.0/16'];
    const peer = Peer.ipBlock('10.0.0.0/8', except);
    except.push('10.2.0.0/16');
    expect(blocks(peer)[0].except).toEqual(['10.1.0.0/16']);
  });

  test('rejects an invalid cidr with the reason and an example', () => {
    expect(() => Peer.ipBlock('10.0.0.1/8')).toThrow(
      'Peer.ipBlock(): cidr "10.0.0.1/8" is not a valid CIDR: host bits are set (the network address of this block is 10.0.0.0/8); expected e.g. "203.0.113.0/24" or "2001:db8::/32"');
    expect(() => Peer.ipBlock('10.0.0.0')).toThrow(/^Peer\.ipBlock\(\): cidr "10\.0\.0\.0" is not a valid CIDR: it has no prefix length/);
    expect(() => Peer.ipBlock('010.0.0.0/8')).toThrow(/cidr "010\.0\.0\.0\/8" is not a valid CIDR: "010\.0\.0\.0" is not an IPv4 or IPv6 address/);
    expect(() => Peer.ipBlock('fe80::%eth0/64')).toThrow(/cidr "fe80::%eth0\/64" is not a valid CIDR: "fe80::%eth0" is not an IPv4 or IPv6 address/);
    expect(() => Peer.ipBlock('10.0.0.0/33')).toThrow(/prefix length "33" must be an integer from 0 to 32 for IPv4/);
    expect(() => Peer.ipBlock('2001:db8::/129')).toThrow(/prefix length "129" must be an integer from 0 to 128 for IPv6/);
    expect(() => Peer.ipBlock('')).toThrow(/cidr "" is not a valid CIDR: it is empty/);
  });

  test('rejects an invalid except entry, naming its index', () => {
    expect(() => Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/16', '10.2.0.1/16'])).toThrow(
      /^Peer\.ipBlock\(\): except\[1\] "10\.2\.0\.1\/16" is not a valid CIDR: host bits are set/);
  });

  test('rejects an exception with an equal prefix (must be a strict subset)', () => {
    expect(() => Peer.ipBlock('10.0.0.0/8', ['10.0.0.0/8'])).toThrow(
      'Peer.ipBlock(): except[0] "10.0.0.0/8" is not strictly inside cidr "10.0.0.0/8"; an exception must lie inside the block and have a longer prefix');
    expect(() => Peer.ipBlock('2001:db8::/32', ['2001:db8::/32'])).toThrow(/except\[0\] "2001:db8::\/32" is not strictly inside cidr "2001:db8::\/32"/);
  });

  test('rejects an exception outside or wider than the block', () => {
    expect(() => Peer.ipBlock('10.0.0.0/8', ['11.0.0.0/16'])).toThrow(/except\[0\] "11\.0\.0\.0\/16" is not strictly inside cidr "10\.0\.0\.0\/8"/);
    expect(() => Peer.ipBlock('10.0.0.0/16', ['10.0.0.0/8'])).toThrow(/except\[0\] "10\.0\.0\.0\/8" is not strictly inside cidr "10\.0\.0\.0\/16"/);
  });

  test('rejects an exception of the other family', () => {
    expect(() => Peer.ipBlock('10.0.0.0/8', ['2001:db8::/32'])).toThrow(
      'Peer.ipBlock(): except[0] "2001:db8::/32" is IPv6 but cidr "10.0.0.0/8" is IPv4; an exception must be of the same family');
    expect(() => Peer.ipBlock('::/0', ['10.0.0.0/8'])).toThrow(/except\[0\] "10\.0\.0\.0\/8" is IPv4 but cidr "::\/0" is IPv6/);
  });

  test('rejects a duplicate exception', () => {
    expect(() => Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/16', '10.1.0.0/16'])).toThrow('Peer.ipBlock(): except[1] "10.1.0.0/16" repeats except[0]');
    // Equal blocks written differently are the same block.
    expect(() => Peer.ipBlock('2001:db8::/32', ['2001:db8:1::/48', '2001:DB8:1::/48'])).toThrow('except[1] "2001:DB8:1::/48" repeats except[0]');
  });

  test('rejects an except that is not a list', () => {
    expect(() => Peer.ipBlock('10.0.0.0/8', '10.1.0.0/16' as unknown as string[])).toThrow(
      'Peer.ipBlock(): except "10.1.0.0/16" is not a list of CIDRs');
  });
});

describe('Peer.internet', () => {
  test('default: IPv4 and IPv6 minus private, shared, link-local and ULA ranges', () => {
    const peer = Peer.internet();
    expect(peer.kind).toBe(PeerKind.INTERNET);
    expect(blocks(peer)).toEqual([
      { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] },
      { cidr: '::/0', except: ['fc00::/7', 'fe80::/10', '64:ff9b:1::/48', '64:ff9b::a00:0/104', '64:ff9b::6440:0/106', '64:ff9b::a9fe:0/112', '64:ff9b::ac10:0/108', '64:ff9b::c0a8:0/112'] },
    ]);
    expect(peer.toString()).toBe('the internet (public addresses only)');
  });

  test('the built-in lists hold metadata, RFC 1918 and IPv6 local ranges', () => {
    expect(INTERNET_EXCLUDED_IPV4).toEqual(expect.arrayContaining(['169.254.0.0/16', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10']));
    // ULA (AWS metadata fd00:ec2::254), link-local, local-use NAT64, and the NAT64 images of the IPv4 exclusions:
    // 64:ff9b::a9fe:0/112 is 169.254.0.0/16 seen through a NAT64 gateway.
    expect(INTERNET_EXCLUDED_IPV6).toEqual(['fc00::/7', 'fe80::/10', '64:ff9b:1::/48', '64:ff9b::a00:0/104', '64:ff9b::6440:0/106', '64:ff9b::a9fe:0/112', '64:ff9b::ac10:0/108', '64:ff9b::c0a8:0/112']);
  });

  test('ipv6: false drops ::/0', () => {
    const b = blocks(Peer.internet({ ipv6: false }));
    expect(b).toHaveLength(1);
    expect(b[0].cidr).toBe('0.0.0.0/0');
    expect(b.some((x) => x.cidr === '::/0')).toBe(false);
  });

  test('ipv6: true is the default', () => {
    expect(blocks(Peer.internet({ ipv6: true }))).toEqual(blocks(Peer.internet()));
  });

  test('extra excludes go to the block of their family', () => {
    const b = blocks(Peer.internet({ excludeCidrs: ['203.0.113.0/24', '2001:db8::/32', '198.51.100.0/24'] }));
    expect(b[0].except).toEqual([...INTERNET_EXCLUDED_IPV4, '203.0.113.0/24', '198.51.100.0/24']);
    expect(b[1].except).toEqual([...INTERNET_EXCLUDED_IPV6, '2001:db8::/32']);
  });

  test('an IPv4 extra exclude works with ipv6: false', () => {
    const b = blocks(Peer.internet({ ipv6: false, excludeCidrs: ['203.0.113.0/24'] }));
    expect(b).toEqual([{ cidr: '0.0.0.0/0', except: [...INTERNET_EXCLUDED_IPV4, '203.0.113.0/24'] }]);
  });

  test('an extra exclude equal to a built-in one is not listed twice', () => {
    const b = blocks(Peer.internet({ excludeCidrs: ['10.0.0.0/8', 'fe80::/10'] }));
    expect(b[0].except).toEqual(INTERNET_EXCLUDED_IPV4);
    expect(b[1].except).toEqual(INTERNET_EXCLUDED_IPV6);
  });

  test('an IPv6 extra exclude with ipv6: false is an error', () => {
    expect(() => Peer.internet({ ipv6: false, excludeCidrs: ['2001:db8::/32'] })).toThrow(
      'Peer.internet(): excludeCidrs lists an IPv6 CIDR but ipv6 is false; remove it or set ipv6: true');
  });

  test.each(['0.0.0.0/0', '::/0'])('rejects prefix 0 in excludeCidrs (%s)', (cidr) => {
    expect(() => Peer.internet({ excludeCidrs: ['203.0.113.0/24', cidr] })).toThrow(
      `Peer.internet(): excludeCidrs[1] "${cidr}" would exclude every address; to allow no internet traffic, do not add this peer`);
  });

  test('rejects an invalid extra exclude, naming its index', () => {
    expect(() => Peer.internet({ excludeCidrs: ['203.0.113.1/24'] })).toThrow(
      /^Peer\.internet\(\): excludeCidrs\[0\] "203\.0\.113\.1\/24" is not a valid CIDR: host bits are set/);
    expect(() => Peer.internet({ excludeCidrs: ['203.0.113.0'] })).toThrow(/excludeCidrs\[0\] "203\.0\.113\.0" is not a valid CIDR: it has no prefix length/);
  });

  test('rejects excludeCidrs that is not a list', () => {
    expect(() => Peer.internet({ excludeCidrs: '10.0.0.0/8' as unknown as string[] })).toThrow(
      'Peer.internet(): excludeCidrs "10.0.0.0/8" is not a list of CIDRs');
  });

  // BUG: a duplicate in excludeCidrs is reported with its index in the merged list (built-ins first),
  // not in the user's list: excludeCidrs ['203.0.113.0/24', '203.0.113.0/24'] throws
  // 'excludeCidrs[6] "203.0.113.0/24" is listed twice' although the user's list has only 2 entries.
  test('reports a duplicate extra exclude at its index in the user\'s list', () => {
    expect(() => Peer.internet({ excludeCidrs: ['203.0.113.0/24', '203.0.113.0/24'] })).toThrow(/excludeCidrs\[1\] "203\.0\.113\.0\/24" repeats excludeCidrs\[0\]/);
  });

  // BUG (weak spot): built-in de-duplication compares text, so 'FC00::/7' (same block as the built-in
  // 'fc00::/7') is appended and the ::/0 block lists the same range twice: ['fc00::/7','fe80::/10','FC00::/7'].
  test('does not list a built-in range twice when written in another case', () => {
    expect(blocks(Peer.internet({ excludeCidrs: ['FC00::/7'] }))[1].except).toEqual(INTERNET_EXCLUDED_IPV6);
  });
});

describe('Peer.kubeDns', () => {
  test('defaults: kube-system, k8s-app=kube-dns', () => {
    const peer = Peer.kubeDns();
    const spec = pods(peer);
    expect(spec.pods.labels).toEqual({ 'k8s-app': 'kube-dns' });
    expect(spec.namespaces).toEqual({ kind: 'name', name: 'kube-system' });
    expect(peer.toString()).toBe('pods {k8s-app=kube-dns} in namespace kube-system');
  });

  test('custom namespace and labels', () => {
    const peer = Peer.kubeDns({ namespace: 'dns', labels: { app: 'coredns' } });
    const spec = pods(peer);
    expect(spec.pods.labels).toEqual({ app: 'coredns' });
    expect(spec.namespaces).toEqual({ kind: 'name', name: 'dns' });
  });

  test('custom labels keep the default namespace', () => {
    expect(pods(Peer.kubeDns({ labels: { app: 'coredns' } })).namespaces).toEqual({ kind: 'name', name: 'kube-system' });
  });

  test('two calls do not share the default labels object', () => {
    const a = pods(Peer.kubeDns()).pods.labels;
    a['k8s-app'] = 'mutated';
    expect(pods(Peer.kubeDns()).pods.labels).toEqual({ 'k8s-app': 'kube-dns' });
  });

  test('rejects labels {} because it would select every DNS-namespace pod', () => {
    expect(() => Peer.kubeDns({ labels: {} })).toThrow(/^Peer\.kubeDns\(\): labels \{\} would select every pod of the DNS namespace; give the DNS pods' labels/);
  });

  test('rejects a bad namespace and bad labels', () => {
    expect(() => Peer.kubeDns({ namespace: 'Kube_System' })).toThrow(/^Peer\.kubeDns\(\): namespace "Kube_System" is not a valid namespace name/);
    expect(() => Peer.kubeDns({ namespace: '' })).toThrow(/^Peer\.kubeDns\(\): namespace "" is not a valid namespace name: it is empty/);
    expect(() => Peer.kubeDns({ labels: { 'k8s-app': 'kube dns' } })).toThrow(/^Peer\.kubeDns\(\): labels\["k8s-app"\] value "kube dns" is not a valid label value/);
  });
});

describe('Peer.kubeApiServer', () => {
  test('without cidrs: identity only (no blocks)', () => {
    const peer = Peer.kubeApiServer();
    expect(peer.kind).toBe(PeerKind.KUBE_API_SERVER);
    expect(blocks(peer)).toEqual([]);
    expect(peer.toString()).toBe('the Kubernetes API server');
  });

  test('with cidrs of both families', () => {
    const peer = Peer.kubeApiServer({ cidrs: ['172.20.0.10/32', '2001:db8::10/128'] });
    expect(blocks(peer)).toEqual([
      { cidr: '172.20.0.10/32', except: [] },
      { cidr: '2001:db8::10/128', except: [] },
    ]);
    expect(peer.toString()).toBe('the Kubernetes API server');
  });

  test('rejects an invalid cidr, naming its index', () => {
    expect(() => Peer.kubeApiServer({ cidrs: ['172.20.0.10/32', '172.20.0.10'] })).toThrow(
      /^Peer\.kubeApiServer\(\): cidrs\[1\] "172\.20\.0\.10" is not a valid CIDR: it has no prefix length/);
  });

  test('rejects cidrs that is not a list', () => {
    expect(() => Peer.kubeApiServer({ cidrs: '172.20.0.10/32' as unknown as string[] })).toThrow(
      'Peer.kubeApiServer(): cidrs "172.20.0.10/32" is not a list of CIDRs');
  });
});

describe('Peer.fqdn', () => {
  test.each([
    ['api.example.com', 'api.example.com'],
    ['*.example.com', '*.example.com'],
    ['**.example.com', '**.example.com'],
    ['api-*.example.com', 'api-*.example.com'],
    ['API.Example.COM', 'api.example.com'],
    ['api.example.com.', 'api.example.com'],
    ['_service._tcp.example.com', '_service._tcp.example.com'],
    ['localhost', 'localhost'],
  ])('accepts %j as %j', (input, pattern) => {
    const peer = Peer.fqdn(input);
    expect(peer.kind).toBe(PeerKind.FQDN);
    expect(peer._spec).toEqual({ kind: PeerKind.FQDN, pattern });
    expect(peer.toString()).toBe(pattern);
  });

  test.each(['*', '*.*', '**.*', '*.*.*'])('rejects %j, which matches every name (every address DNS returns)', (pattern) => {
    expect(() => Peer.fqdn(pattern)).toThrow(new RegExp(`Peer.fqdn\\(\\): pattern "${pattern.replace(/\*/g, '\\*').replace(/\./g, '\\.')}" is not a valid DNS name or pattern: it matches every DNS name`));
  });

  test('accepts the maximum lengths (label 63, name 253)', () => {
    expect(() => Peer.fqdn(`${'a'.repeat(63)}.com`)).not.toThrow();
    const name = [61, 63, 63, 63].map((n) => 'a'.repeat(n)).join('.');
    expect(name).toHaveLength(253);
    expect(() => Peer.fqdn(name)).not.toThrow();
  });

  const expectProblem = (input: string, why: RegExp) => {
    expect(() => Peer.fqdn(input)).toThrow(why);
    expect(() => Peer.fqdn(input)).toThrow(/expected e\.g\. "api\.example\.com", "\*\.example\.com" or "\*\*\.example\.com"$/);
    // A long pattern is echoed cut to its first characters, with its length (show()).
    expect(() => Peer.fqdn(input)).toThrow(`Peer.fqdn(): pattern ${show(input)} is not a valid DNS name or pattern`);
  };

  test('rejects empty', () => {
    expectProblem('', /it is empty/);
  });

  test.each(['a..b', '.example.com', 'example..com', '.', 'a.b..'])('rejects %j: empty label', (input) => {
    expectProblem(input, /it has an empty label \(two dots in a row, or a leading dot\)/);
  });

  test.each(['foo.**', 'a.**.example.com', '**'])('rejects %j: "**" not first', (input) => {
    expectProblem(input, /"\*\*" is only valid as the first label of a pattern, as in "\*\*\.example\.com"/);
  });

  test.each(['***.example.com', 'a**.example.com', 'x.b**c.com'])('rejects %j: "**" inside a label', (input) => {
    expectProblem(input, /contains "\*\*"; use "\*\*\." as a prefix for any depth, or "\*" inside one label/);
  });

  test.each(['exa mple.com', 'example.com/path', 'https://example.com', 'ex!ample.com', 'ü.example.com'])('rejects %j: bad characters', (input) => {
    expectProblem(input, /may only contain letters, digits, "-", "_" and "\*"/);
  });

  test('rejects a label of 64 characters, naming the label', () => {
    expectProblem(`${'a'.repeat(64)}.com`, new RegExp(`label "${'a'.repeat(64)}" is longer than 63 characters`));
  });

  test('rejects a name longer than 253 characters', () => {
    const name = [62, 63, 63, 63].map((n) => 'a'.repeat(n)).join('.');
    expectProblem(name, /it is 254 characters long \(at most 253\)/);
  });

  test('rejects a non-string', () => {
    expect(() => Peer.fqdn(undefined as unknown as string)).toThrow(/Peer\.fqdn\(\): pattern undefined is not a valid DNS name or pattern/);
  });
});

describe('options objects', () => {
  test('null options mean the defaults', () => {
    expect(Peer.internet(null as any).toString()).toBe('the internet (public addresses only)');
    expect(Peer.kubeDns(null as any).toString()).toBe('pods {k8s-app=kube-dns} in namespace kube-system');
    expect(Peer.kubeApiServer(null as any).kind).toBe(PeerKind.KUBE_API_SERVER);
  });

  test('options that are not objects are refused', () => {
    expect(() => Peer.internet('ipv4' as any)).toThrow(/Peer.internet\(\): options "ipv4" is not an options object/);
    expect(() => Peer.kubeDns([] as any)).toThrow(/Peer.kubeDns\(\): options \[\] is not an options object/);
  });

  test('ipv6 must be a boolean: the string "false" does not mean false', () => {
    expect(() => Peer.internet({ ipv6: 'false' as any })).toThrow(/Peer.internet\(\): ipv6 "false" is not a boolean/);
  });
});

describe('Peer.ciliumEntity', () => {
  test('names a Cilium entity', () => {
    const peer = Peer.ciliumEntity(CiliumEntity.CLUSTER);
    expect(peer.kind).toBe(PeerKind.CILIUM_ENTITY);
    expect(peer._spec).toEqual({ kind: PeerKind.CILIUM_ENTITY, entity: 'cluster' });
    expect(peer.toString()).toBe('the Cilium entity cluster');
  });

  test('the enum holds the CRD\'s entities', () => {
    expect(Object.values(CiliumEntity).sort()).toEqual(['all', 'cluster', 'health', 'host', 'ingress', 'init', 'kube-apiserver', 'remote-node', 'unmanaged', 'world']);
  });

  test('rejects anything else, listing the entities', () => {
    expect(() => Peer.ciliumEntity('internet' as CiliumEntity)).toThrow(/Peer.ciliumEntity\(\): entity "internet" is not a Cilium entity; expected one of "world", "cluster"/);
  });
});

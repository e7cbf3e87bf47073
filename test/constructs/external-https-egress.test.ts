import { ApiObject, Chart, Testing } from 'cdk8s';
import { ExternalHttpsEgress, NetworkModel, Peer, PolicyProofs, Port, PolicyEngine } from '../../src';
import { policyNamed, synthValid } from '../support/manifests';

const newChart = () => new Chart(Testing.app(), 'test');
/** The DNS rule the policy carries so that the pods it isolates still resolve names. */
const DNS_RULE = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

describe('ExternalHttpsEgress', () => {
  test('defaults: every pod may reach public IPv4 and IPv6 on TCP 443, never private, link-local or metadata ranges', () => {
    const chart = newChart();
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'production' });
    const objects = synthValid(chart);
    const spec = policyNamed(objects, 'egress').spec;
    expect(spec.podSelector).toEqual({});
    expect(spec.policyTypes).toEqual(['Egress']);
    expect(spec.egress).toEqual([{
      to: [
        { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'] } },
        { ipBlock: { cidr: '::/0', except: ['fc00::/7', 'fe80::/10', '64:ff9b:1::/48', '64:ff9b::a00:0/104', '64:ff9b::6440:0/106', '64:ff9b::a9fe:0/112', '64:ff9b::ac10:0/108', '64:ff9b::c0a8:0/112'] } },
      ],
      ports: [{ protocol: 'TCP', port: 443 }],
    }, DNS_RULE]);
    expect(objects).toMatchSnapshot();
  });

  test('non-default: selector, ports, IPv4 only, extra exclusions, name', () => {
    const chart = newChart();
    new ExternalHttpsEgress(chart, 'egress', {
      namespace: 'payments',
      selector: { app: 'api' },
      ports: [Port.tcp(443), Port.udp(443)],
      ipv6: false,
      excludeCidrs: ['198.51.100.0/24'],
      name: 'api-to-internet',
    });
    const objects = synthValid(chart);
    const spec = policyNamed(objects, 'api-to-internet').spec;
    expect(spec.podSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '198.51.100.0/24'] } }],
      ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'UDP', port: 443 }],
    }, DNS_RULE]);
    expect(objects).toMatchSnapshot();
  });

  test('excluding the documentation ranges the proofs use does not break synthesis: the proof picks an address left open', () => {
    const chart = newChart();
    const egress = new ExternalHttpsEgress(chart, 'egress', { namespace: 'p', excludeCidrs: ['203.0.113.0/24', '2001:db8::/32'] });
    expect(() => synthValid(chart)).not.toThrow();
    const promises = PolicyProofs.promisesOf(egress);
    expect(promises).toContain('internet-tcp-443: the selected pods reach 198.51.100.10 on TCP/443');
    expect(promises).toContain('internet-ipv6-tcp-443: the selected pods reach 2606:4700:4700::1111 on TCP/443');
    expect(promises.join('\n')).not.toMatch(/203\.0\.113|2001:db8/);
  });

  test('when every stand-in address is excluded, no internet promise is made and the metadata promises stay', () => {
    const chart = newChart();
    const egress = new ExternalHttpsEgress(chart, 'egress', { namespace: 'p', ipv6: false, excludeCidrs: ['0.0.0.0/1', '128.0.0.0/1'] });
    expect(() => synthValid(chart)).not.toThrow();
    expect(PolicyProofs.promisesOf(egress)).toEqual([
      'no-metadata-tcp-443: the selected pods cannot reach 169.254.169.254 on TCP/443',
      'no-metadata-tcp-80: the selected pods cannot reach 169.254.169.254 on TCP/80',
      'client-dns-udp: client reaches pods {k8s-app=kube-dns} in namespace kube-system on UDP/53',
      'client-dns-tcp: client reaches pods {k8s-app=kube-dns} in namespace kube-system on TCP/53',
    ]);
  });

  test('used alone, the selected pods still resolve names (the lint and the model agree), and allowDns: false is respected', () => {
    const chart = newChart();
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'p', selector: { app: 'api' } });
    const model = NetworkModel.fromManifests(synthValid(chart));
    model.addPod({ namespace: 'p', name: 'api', labels: { app: 'api' } });
    model.addPod({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } });
    model.assertAllowed({ from: 'p/api', to: 'kube-system/coredns', port: 53, protocol: 'UDP' });
    model.assertAllowed({ from: 'p/api', to: 'kube-system/coredns', port: 53, protocol: 'TCP' });
    model.assertDenied({ from: 'p/api', to: 'kube-system/coredns', port: 8080 });
    model.assertDenied({ from: 'p/api', to: '169.254.169.254', port: 80 });

    const without = newChart();
    // Of some pods only: all of them, with no DNS anywhere, is a missing-dns-egress error at synth.
    new ExternalHttpsEgress(without, 'egress', { namespace: 'p', selector: { app: 'api' }, allowDns: false });
    expect(synthValid(without)[0].spec.egress).toHaveLength(1);
  });

  test('a metadata endpoint opened on HTTP 80 by another policy breaks the promise, though the construct only allows 443', () => {
    const chart = newChart();
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'p' });
    new ApiObject(chart, 'open-metadata', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open-metadata', namespace: 'p' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '169.254.169.254/32' } }], ports: [{ protocol: 'TCP', port: 80 }] }] },
    });
    expect(() => Testing.synth(chart)).toThrow(/\[no-metadata-tcp-80\], but p\/open-metadata opens it/);
  });

  test('the default name is the construct id: two constructs with different ids never collide', () => {
    const chart = newChart();
    new ExternalHttpsEgress(chart, 'api-https', { namespace: 'p', selector: { app: 'api' } });
    new ExternalHttpsEgress(chart, 'worker-https', { namespace: 'p', selector: { app: 'worker' } });
    expect(synthValid(chart).map((o) => o.metadata.name)).toEqual(['api-https', 'worker-https']);
  });

  test('two charts of one app cannot both emit one name in one namespace', () => {
    const app = Testing.app();
    new ExternalHttpsEgress(new Chart(app, 'api'), 'egress', { namespace: 'p', selector: { app: 'api' } });
    expect(() => new ExternalHttpsEgress(new Chart(app, 'worker'), 'egress', { namespace: 'p', selector: { app: 'worker' } }))
      .toThrow(/ExternalHttpsEgress "worker\/egress": NetworkPolicy "egress" \(networking.k8s.io\/v1\) in namespace "p" is already emitted by ExternalHttpsEgress "api\/egress".*`name`/);
  });

  test('fqdns need Cilium: Kubernetes throws instead of allowing every address', () => {
    expect(() => new ExternalHttpsEgress(newChart(), 'e', { namespace: 'p', fqdns: ['api.stripe.com'] }))
      .toThrow(/ExternalHttpsEgress "test\/e": fqdns needs engine PolicyEngine.CILIUM; PolicyEngine.KUBERNETES matches IP addresses, not DNS names/);
    expect(() => new ExternalHttpsEgress(newChart(), 'e', { namespace: 'p', fqdns: ['api.stripe.com'], engine: PolicyEngine.CALICO }))
      .toThrow(/fqdns needs engine PolicyEngine.CILIUM; PolicyEngine.CALICO matches IP addresses/);
  });

  test('fqdns on Cilium: toFQDNs instead of CIDRs, with the DNS-proxy rule for the same pods', () => {
    const chart = newChart();
    new ExternalHttpsEgress(chart, 'e', { namespace: 'p', selector: { app: 'api' }, fqdns: ['api.stripe.com', '*.s3.amazonaws.com'], engine: PolicyEngine.CILIUM });
    const [policy] = synthValid(chart);
    expect(policy.kind).toBe('CiliumNetworkPolicy');
    expect(policy.spec).toEqual({
      endpointSelector: { matchLabels: { app: 'api' } },
      egress: [
        { toFQDNs: [{ matchName: 'api.stripe.com' }, { matchPattern: '*.s3.amazonaws.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        {
          toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
          toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
        },
      ],
    });
    expect(policy).toMatchSnapshot();
  });

  test('fqdns on Cilium with the DNS somewhere else', () => {
    const chart = newChart();
    new ExternalHttpsEgress(chart, 'e', { namespace: 'p', fqdns: ['example.com'], engine: PolicyEngine.CILIUM, dnsPeer: Peer.kubeDns({ namespace: 'dns' }) });
    expect(synthValid(chart)[0].spec.egress[1].toEndpoints).toEqual([{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'dns' } }]);
    expect(() => new ExternalHttpsEgress(newChart(), 'e', { namespace: 'p', dnsPeer: Peer.kubeDns(), allowDns: false }))
      .toThrow(/ExternalHttpsEgress "test\/e": dnsPeer is set but allowDns is false; remove one of them/);
    expect(() => new ExternalHttpsEgress(newChart(), 'e', { namespace: 'p', fqdns: ['example.com'], engine: PolicyEngine.CILIUM, allowDns: false }))
      .toThrow(/allowDns cannot be false with fqdns: Cilium learns the addresses of the names from the DNS lookups its proxy sees/);
  });

  test.each([
    [{ namespace: 'p', excludeCidrs: ['10.0.0.1/8'] }, /ExternalHttpsEgress "test\/e": excludeCidrs\[0\] "10.0.0.1\/8" is not a valid CIDR: host bits are set/],
    [{ namespace: 'p', excludeCidrs: ['0.0.0.0/0'] }, /excludeCidrs\[0\] "0.0.0.0\/0" would exclude every address/],
    [{ namespace: 'p', ipv6: false, excludeCidrs: ['2001:db8::/32'] }, /excludeCidrs lists an IPv6 CIDR but ipv6 is false/],
    [{ namespace: 'p', ports: [] }, /ports \[\] must list at least one Port/],
    [{ namespace: 'p', selector: { 'a/b/c': 'x' } }, /selector key "a\/b\/c" is not a valid label key/],
    [{ namespace: 'p', fqdns: [], engine: PolicyEngine.CILIUM }, /fqdns \[\] must list at least one name/],
    // An external address has no container ports to name: this would allow nothing.
    [{ namespace: 'p', ports: [Port.named('https')] }, /ExternalHttpsEgress "test\/e": egress rule 0 pairs the named port TCP\/https with the internet .* use a numbered port such as Port.tcp\(443\)/],
    [{ namespace: 'p', ipv6: 'false' }, /ipv6 "false" is not a boolean; expected true or false/],
    [{ namespace: 'p', engine: PolicyEngine.CILIUM, fqdns: ['api.example.com', 'bad..name'] }, /ExternalHttpsEgress "test\/e": fqdns\[1\] "bad..name" is not a valid DNS name or pattern/],
    [{ namespace: 'p', engine: PolicyEngine.CILIUM, fqdns: ['*'] }, /fqdns\[0\] "\*" is not a valid DNS name or pattern: it matches every DNS name/],
  ])('rejects %j', (props, message) => {
    expect(() => new ExternalHttpsEgress(newChart(), 'e', props as any)).toThrow(message);
  });
});

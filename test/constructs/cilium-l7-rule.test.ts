import { Chart, Testing } from 'cdk8s';
import { CiliumL7Rule, Peer, Port, PolicyEngine } from '../../src';
import { describeHttp } from '../../src/constructs/cilium-l7-rule';
import { synthValid } from '../support/manifests';

const newChart = () => new Chart(Testing.app(), 'test');
const SEED_RULES = [{ method: 'GET', path: '/api/v1/products' }, { method: 'POST', path: '/api/v1/orders' }];

describe('CiliumL7Rule', () => {
  test('the seed example: frontend may GET /api/v1/products and POST /api/v1/orders on api:8080, nothing else', () => {
    const chart = newChart();
    const rule = new CiliumL7Rule(chart, 'api-http', {
      namespace: 'production',
      selector: { app: 'api' },
      from: [Peer.pods({ app: 'frontend' })],
      port: Port.tcp(8080),
      http: SEED_RULES,
    });
    const objects = synthValid(chart);
    expect(rule.engine).toBe(PolicyEngine.CILIUM);
    expect(objects).toHaveLength(1);
    expect(objects[0].kind).toBe('CiliumNetworkPolicy');
    expect(objects[0].metadata.name).toBe('api-http');
    expect(objects[0].metadata.namespace).toBe('production');
    expect(objects[0].spec).toEqual({
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [{
        fromEndpoints: [{ matchLabels: { 'app': 'frontend', 'k8s:io.kubernetes.pod.namespace': 'production' } }],
        toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: SEED_RULES } }],
      }],
    });
    expect(objects[0].metadata.annotations['cdk8s-netpol.io/description'])
      .toBe('Pods {app=api} accept from pods {app=frontend} on TCP/8080 only: GET /api/v1/products; POST /api/v1/orders.');
    expect(objects).toMatchSnapshot();
  });

  test('non-default: several peers of different kinds, host and headers, explicit name', () => {
    const chart = newChart();
    new CiliumL7Rule(chart, 'rule', {
      namespace: 'shop',
      selector: { app: 'api', tier: 'backend' },
      from: [Peer.podsInNamespace('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }), Peer.ipBlock('203.0.113.0/24')],
      port: Port.tcp(443),
      http: [{ method: 'GET|HEAD', path: '/healthz', host: 'api\\.shop\\.example', headers: ['X-Probe: true'] }],
      name: 'api-public-http',
    });
    const [policy] = synthValid(chart);
    expect(policy.metadata.name).toBe('api-public-http');
    expect(policy.spec.ingress.map((r: any) => Object.keys(r).sort())).toEqual([['fromEndpoints', 'toPorts'], ['fromCIDRSet', 'toPorts']]);
    expect(policy.spec.ingress[1].toPorts).toEqual(policy.spec.ingress[0].toPorts);
    expect(policy).toMatchSnapshot();
  });

  test('describeHttp summarises a rule', () => {
    expect(describeHttp({ path: '/x', host: 'h', headers: ['A', 'B: c'] })).toBe('any method /x host h with A, B: c');
    expect(describeHttp({ method: 'GET' })).toBe('GET any path');
  });

  const valid = { namespace: 'p', selector: { app: 'api' }, from: [Peer.pods({ app: 'web' })], port: Port.tcp(8080), http: SEED_RULES };
  test.each([
    [{ ...valid, port: Port.udp(53) }, /CiliumL7Rule "test\/r": port UDP\/53 is not TCP; HTTP rules apply to TCP ports only/],
    [{ ...valid, port: Port.tcpRange(80, 90) }, /port TCP\/80-90 must be one numbered TCP port/],
    [{ ...valid, port: Port.allTcp() }, /port TCP\/\* must be one numbered TCP port/],
    [{ ...valid, port: Port.named('http') }, /port TCP\/http must be one numbered TCP port/],
    [{ ...valid, port: 8080 }, /port 8080 is not a Port/],
    [{ ...valid, http: [] }, /http \[\] must list at least one HttpRule/],
    [{ ...valid, http: [{}] }, /http\[0\] is empty and would allow every request/],
    [{ ...valid, http: [{ method: 'get' }] }, /http\[0\].method "get" is not an HTTP method .*"GET"/],
    [{ ...valid, http: [{ path: '/api/(' }] }, /http\[0\].path "\/api\/\(" is not a valid RE2 regular expression \(the syntax Cilium and Envoy use\)/],
    [{ ...valid, http: [{ path: 'api/v1' }] }, /http\[0\].path "api\/v1" must start with "\/"/],
    [{ ...valid, from: [] }, /from \[\] must list at least one Peer/],
    [{ ...valid, from: ['frontend'] }, /from\[0\] "frontend" is not a Peer/],
    [{ ...valid, selector: {} }, /selector \{\} would put every pod of the namespace behind these HTTP rules/],
    [{ ...valid, selector: undefined }, /selector is required/],
    [{ ...valid, namespace: 'Prod' }, /namespace "Prod" is not a valid namespace name/],
    [{ ...valid, from: [Peer.fqdn('a.com')] }, /from\[0\] Peer.fqdn\("a.com"\) is a DNS name; Cilium matches DNS names on egress only/],
  ])('rejects %j', (props, message) => {
    expect(() => new CiliumL7Rule(newChart(), 'r', props as any)).toThrow(message);
  });
});

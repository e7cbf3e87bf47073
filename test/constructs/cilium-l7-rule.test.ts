import { ApiObject, Chart, Testing } from 'cdk8s';
import { CiliumL7Rule, HttpRule, NetworkModel, Peer, PolicyEngine, PolicyProofs, Port, ZeroTrustNamespace } from '../../src';
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

  test('HTTP rules on a port range (Cilium applies them on every port of it): rendered with endPort, proven at synth, checked by the model', () => {
    const chart = newChart();
    new CiliumL7Rule(chart, 'range', { ...valid, port: Port.tcpRange(8080, 8089) });
    const [policy] = synthValid(chart);
    expect(policy.spec.ingress[0].toPorts).toEqual([{ ports: [{ port: '8080', endPort: 8089, protocol: 'TCP' }], rules: { http: SEED_RULES } }]);
    const model = NetworkModel.fromManifests([policy]);
    model.addPod({ namespace: 'p', name: 'web', labels: { app: 'web' } });
    model.addPod({ namespace: 'p', name: 'api', labels: { app: 'api' } });
    for (const port of [8080, 8085, 8089]) {
      expect(model.evaluate({ from: 'p/web', to: 'p/api', port, http: { method: 'GET', path: '/api/v1/products' } }).allowed).toBe(true);
      expect(model.evaluate({ from: 'p/web', to: 'p/api', port, http: { method: 'DELETE', path: '/api/v1/products' } }).allowed).toBe(false);
    }
    expect(model.evaluate({ from: 'p/web', to: 'p/api', port: 8090, http: { method: 'GET', path: '/api/v1/products' } }).allowed).toBe(false);
  });

  test('describeHttp summarises a rule', () => {
    expect(describeHttp({ path: '/x', host: 'h', headers: ['A', 'B: c'] })).toBe('any method /x host h with A, B: c');
    expect(describeHttp({ method: 'GET' })).toBe('GET any path');
  });

  const valid = { namespace: 'p', selector: { app: 'api' }, from: [Peer.pods({ app: 'web' })], port: Port.tcp(8080), http: SEED_RULES };
  test.each([
    [{ ...valid, port: Port.udp(53) }, /CiliumL7Rule "test\/r": port UDP\/53 is not TCP; HTTP rules apply to TCP ports only/],
    [{ ...valid, port: Port.allTcp() }, /port TCP\/\* must be a numbered TCP port or range such as Port.tcp\(8080\) or Port.tcpRange\(8080, 8090\), not a name or every port/],
    [{ ...valid, port: Port.named('http') }, /port TCP\/http must be a numbered TCP port or range/],
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

describe('CiliumL7Rule synth-time promises (on the serving pods\' ingress)', () => {
  const l7 = (chart: Chart, http: HttpRule[] = SEED_RULES, from = [Peer.pods({ app: 'frontend' })]) => new CiliumL7Rule(chart, 'api-http', {
    namespace: 'production', selector: { app: 'api' }, from, port: Port.tcp(8080), http,
  });

  test('a request no rule admits is refused, and the first rule\'s plain request admitted: both hold for the rule alone and beside a default deny', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    const rule = l7(chart);
    expect(PolicyProofs.promisesOf(rule)).toEqual([
      'unlisted-request-refused: the pods {app=api} refuse NETPOLPROOF /netpol-proof/not-admitted on TCP/8080 from pods {app=frontend}, as no HTTP rule ' +
        'admits it (an allowance of the port without HTTP rules would cancel them)',
      'first-rule-admitted: the pods {app=api} admit GET /api/v1/products on TCP/8080 from pods {app=frontend}',
    ]);
    // The default deny also denies the frontend's egress: the promises are about what the api admits.
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('an allowance of the same port without HTTP rules cancels them (L4 over L7): synth fails naming it, unless accepted', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    zt.allowIngress(Peer.pods({ app: 'frontend' }), Port.tcp(8080));
    const rule = l7(chart);
    expect(() => Testing.synth(chart)).toThrow(new RegExp('CiliumL7Rule "test/api-http" promises that the pods \\{app=api\\} refuse NETPOLPROOF ' +
      '/netpol-proof/not-admitted on TCP/8080 from pods \\{app=frontend\\}, as no HTTP rule admits it .* \\[unlisted-request-refused\\], but CiliumNetworkPolicy ' +
      'production/allow-ingress \\(from ZeroTrustNamespace "test/zt"\\) opens it'));
    PolicyProofs.accept(rule, 'unlisted-request-refused', 'the frontend is trusted with every path until the migration ends');
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('a deny of the port for the clients breaks the admitted request, named as a deny; the client\'s egress is not asked', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    l7(chart);
    new ApiObject(chart, 'deny', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'deny-frontend', namespace: 'production' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
      },
    });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/\[first-rule-admitted\], but a deny rule of CiliumNetworkPolicy production\/deny-frontend refuses it: ingress of production\/netpol-proof-\d+-server: denied by CiliumNetworkPolicy production\/deny-frontend/);
    // Only the ingress side is named: the client's egress (denied by the default deny) is not this construct's business.
    expect(message).toMatch(/The model's reasons: ingress of production\/netpol-proof-\d+-server/);
    expect(message).not.toMatch(/egress of production\/netpol-proof-\d+-client/);
    expect(message).not.toMatch(/\[unlisted-request-refused\]/);
  });

  test('an allowance of another port, or from other clients, leaves the promises standing', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    zt.allowIngress(Peer.pods({ app: 'frontend' }), Port.tcp(9090));
    zt.allowIngress(Peer.pods({ app: 'batch' }), Port.tcp(8080));
    l7(chart);
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('rules with regular expressions: the refused request is still promised, the admitted one only when it can be written down', () => {
    const regex = l7(newChart(), [{ method: 'GET|HEAD', path: '/api/v1/products(\\?.*)?' }]);
    expect(PolicyProofs.promisesOf(regex).map((p) => p.split(':')[0])).toEqual(['unlisted-request-refused']);
    const anyPath = l7(newChart(), [{ method: 'GET' }]);
    expect(PolicyProofs.promisesOf(anyPath).map((p) => p.split(':')[0])).toEqual(['unlisted-request-refused', 'first-rule-admitted']);
    expect(PolicyProofs.promisesOf(anyPath)[1]).toMatch(/admit GET \/ on TCP\/8080/);
    // A rule admitting every method on every path below /: no request is refused, nothing to promise.
    const everything = l7(newChart(), [{ path: '/.*' }]);
    expect(PolicyProofs.promisesOf(everything)).toEqual([]);
    // Clients only known by namespace labels: no representative pod, no promise.
    const bySelector = l7(newChart(), SEED_RULES, [Peer.namespaces({ team: 'web' })]);
    expect(PolicyProofs.promisesOf(bySelector)).toEqual([]);
  });

  test('every client peer is proven: an L4 allowance for the second one is found too', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    zt.allowIngress(Peer.pods({ app: 'admin' }), Port.tcp(8080));
    // The first peer has no representative (namespaces by labels): the others still get theirs.
    const rule = l7(chart, SEED_RULES, [Peer.namespaces({ team: 'web' }), Peer.pods({ app: 'frontend' }), Peer.pods({ app: 'admin' })]);
    expect(PolicyProofs.promisesOf(rule).map((p) => p.split(':')[0])).toEqual([
      'unlisted-request-refused-from-1', 'first-rule-admitted-from-1', 'unlisted-request-refused-from-2', 'first-rule-admitted-from-2',
    ]);
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/from pods \{app=admin\}, as no HTTP rule admits it .*\[unlisted-request-refused-from-2\], but CiliumNetworkPolicy production\/allow-ingress/);
    expect(message).not.toMatch(/\[unlisted-request-refused-from-1\]/);
  });

  test('rules the refused request or a plain request cannot be written for, and a method that is no plain text', () => {
    // Host or headers only: the refused request (no host, no header) is refused; no admitted request is written.
    expect(PolicyProofs.promisesOf(l7(newChart(), [{ host: 'api\\.example\\.com' }])).map((p) => p.split(':')[0])).toEqual(['unlisted-request-refused']);
    expect(PolicyProofs.promisesOf(l7(newChart(), [{ headers: ['X-Token: 1'] }])).map((p) => p.split(':')[0])).toEqual(['unlisted-request-refused']);
    // Any method on any path: nothing is refused.
    expect(PolicyProofs.promisesOf(l7(newChart(), [{ method: '.*', path: '/.*' }]))).toEqual([]);
    expect(PolicyProofs.promisesOf(l7(newChart(), [{ method: '[A-Z]+' }]))).toEqual([]);
    // A method that is a regular expression (or a typo of one) makes no admitted request, and no crash.
    expect(PolicyProofs.promisesOf(l7(newChart(), [{ method: 'GET/POST' }])).map((p) => p.split(':')[0])).toEqual(['unlisted-request-refused']);
    // A path with dots is plain: the admitted request is written.
    expect(PolicyProofs.promisesOf(l7(newChart(), [{ method: 'GET', path: '/static/index.html' }]))[1]).toMatch(/admit GET \/static\/index\.html/);
  });

  test('clients of another namespace are represented there', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine: PolicyEngine.CILIUM });
    const rule = l7(chart, SEED_RULES, [Peer.podsInNamespace('web', { app: 'frontend' })]);
    expect(PolicyProofs.promisesOf(rule)).toHaveLength(2);
    expect(PolicyProofs.promisesOf(l7(newChart(), SEED_RULES, [Peer.namespace('web')]))[0]).toMatch(/on TCP\/8080 from namespace web, as no HTTP rule admits it/);
    expect(() => synthValid(chart)).not.toThrow();
    // Another chart's rule admitting every request from the web namespace on the port breaks the refusal promise.
    const open = new Chart(chart.node.root as any, 'open');
    new CiliumL7Rule(open, 'wide', {
      namespace: 'production', selector: { app: 'api' }, from: [Peer.namespace('web')], port: Port.tcp(8080), http: [{ path: '/.*' }],
    });
    expect(() => Testing.synth(chart)).toThrow(/\[unlisted-request-refused\], but CiliumNetworkPolicy production\/wide \(from CiliumL7Rule "open\/wide"\) opens it/);
  });
});

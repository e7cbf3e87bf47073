import { NetworkModel } from '../../../../src';

// Cilium semantics end to end (docs/semantics/cilium.md), through NetworkModel: every feature with an
// allowed and a denied flow, and the traps.

type Json = Record<string, any>;
const cnp = (name: string, spec: Json, namespace = 'prod') => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const ccnp = (name: string, spec: Json) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
const knp = (name: string, spec: Json, namespace = 'prod') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const app = (name: string) => ({ matchLabels: { app: name } });
const tcp = (port: string) => ({ ports: [{ port, protocol: 'TCP' }] });
const KUBE_DNS = { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } };
const DNS_PROXY = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] };

/** Pods of prod (web, api, db), of other (web), kube-dns, and a host-network exporter. */
function model(...objects: Json[]): NetworkModel {
  const m = new NetworkModel();
  m.addNamespace('prod', { team: 'shop' });
  m.addNamespace('other', { team: 'blue' });
  m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' }, ip: '10.0.1.1' });
  m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api', tier: 'backend' }, ip: '10.0.1.2', ports: [{ port: 8080, name: 'http' }] });
  m.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db', tier: 'data' }, ip: '10.0.1.3' });
  m.addPod({ namespace: 'other', name: 'web', labels: { app: 'web' }, ip: '10.0.2.1' });
  m.addPod({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.3.1' });
  m.addPod({ namespace: 'mon', name: 'exporter', labels: { app: 'exporter' }, ip: '192.168.0.10', hostNetwork: true });
  objects.forEach((o) => m.addManifest(o));
  return m;
}

const allowed = (m: NetworkModel, from: string, to: string, port: number, protocol?: string) => m.evaluate({ from, to, port, protocol }).allowed;
const reasons = (m: NetworkModel, from: string, to: string, port: number, protocol?: string) => m.evaluate({ from, to, port, protocol }).reasons.join('\n');

describe('endpointSelector', () => {
  test('selects by matchLabels and matchExpressions, in the CNP\'s own namespace only', () => {
    const m = model(cnp('db', {
      endpointSelector: { matchLabels: { app: 'db' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['data'] }] },
      ingress: [{ fromEndpoints: [app('api')] }],
    }));
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
    expect(reasons(m, 'prod/web', 'prod/db', 5432)).toContain('ingress of prod/db: denied, isolated by CiliumNetworkPolicy prod/db and no rule of these allows TCP/5432 from prod/web');
    // api is not selected (tier backend): not isolated.
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(true);
  });

  test('a CNP selects pods of its namespace only; a CCNP selects pods of every namespace', () => {
    const deny = { endpointSelector: app('web'), ingress: [{}] };
    const namespaced = model(cnp('web', deny));
    expect(allowed(namespaced, 'prod/api', 'prod/web', 80)).toBe(false);
    expect(allowed(namespaced, 'prod/api', 'other/web', 80)).toBe(true);
    const clusterwide = model(ccnp('web', deny));
    expect(allowed(clusterwide, 'prod/api', 'prod/web', 80)).toBe(false);
    expect(allowed(clusterwide, 'prod/api', 'other/web', 80)).toBe(false);
    expect(reasons(clusterwide, 'prod/api', 'other/web', 80)).toContain('isolated by CiliumClusterwideNetworkPolicy web');
  });

  test('the k8s: source prefix on a key matches the pod label', () => {
    const m = model(cnp('db', { endpointSelector: { matchLabels: { 'k8s:app': 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:app': 'api' } }] }] }));
    expect(allowed(m, 'prod/api', 'prod/db', 1)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(false);
  });

  test('host-network pods are no Cilium endpoints: never selected, never isolated', () => {
    const m = model(ccnp('all', { endpointSelector: {}, ingress: [{}], egress: [{}] }));
    expect(reasons(m, 'prod/web', 'mon/exporter', 9100)).toContain('ingress of mon/exporter: allowed, the pod uses the node\'s network: it is no Cilium endpoint');
    expect(allowed(m, 'prod/web', 'mon/exporter', 9100)).toBe(false);
  });
});

describe('fromEndpoints / toEndpoints', () => {
  test('trap: a CNP\'s fromEndpoints is limited to its namespace unless it names one', () => {
    const limited = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('web')] }] }));
    expect(allowed(limited, 'prod/web', 'prod/db', 5432)).toBe(true);
    expect(allowed(limited, 'other/web', 'prod/db', 5432)).toBe(false);
    expect(reasons(limited, 'prod/web', 'prod/db', 5432)).toContain('from endpoints {app=web} in namespace prod on every port');
    const byName = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{ matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'other' } }] }] }));
    expect(allowed(byName, 'other/web', 'prod/db', 5432)).toBe(true);
    expect(allowed(byName, 'prod/web', 'prod/db', 5432)).toBe(false);
    const byLabel = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{ matchLabels: { 'app': 'web', 'k8s:io.cilium.k8s.namespace.labels.team': 'blue' } }] }] }));
    expect(allowed(byLabel, 'other/web', 'prod/db', 5432)).toBe(true);
    expect(allowed(byLabel, 'prod/web', 'prod/db', 5432)).toBe(false);
  });

  test('a CCNP\'s toEndpoints is not namespace-limited', () => {
    const m = model(ccnp('web-out', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, egress: [{ toEndpoints: [app('db')] }] }));
    expect(allowed(m, 'other/web', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'other/web', 'prod/api', 8080)).toBe(false);
  });

  test('trap: fromEndpoints: [] selects nothing, [{}] every pod of the namespace', () => {
    const nothing = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [], toPorts: [tcp('5432')] }] }));
    expect(allowed(nothing, 'prod/api', 'prod/db', 5432)).toBe(false);
    const every = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{}], toPorts: [tcp('5432')] }] }));
    expect(allowed(every, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(every, 'other/web', 'prod/db', 5432)).toBe(false);
    expect(allowed(every, '203.0.113.1', 'prod/db', 5432)).toBe(false);
  });

  test('an empty rule {} isolates and allows nothing; a rule with toPorts only allows every peer on those ports', () => {
    const empty = model(cnp('db', { endpointSelector: app('db'), ingress: [{}] }));
    expect(allowed(empty, 'prod/api', 'prod/db', 5432)).toBe(false);
    const portsOnly = model(cnp('db', { endpointSelector: app('db'), ingress: [{ toPorts: [tcp('5432')] }] }));
    expect(allowed(portsOnly, 'other/web', 'prod/db', 5432)).toBe(true);
    expect(allowed(portsOnly, '203.0.113.1', 'prod/db', 5432)).toBe(true);
    expect(allowed(portsOnly, 'prod/api', 'prod/db', 5433)).toBe(false);
    expect(reasons(portsOnly, '203.0.113.1', 'prod/db', 5432)).toContain('from anyone on TCP/5432');
  });

  test('members of a rule are ANDed, rules ORed', () => {
    const m = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('api')], toPorts: [tcp('5432')] }, { fromEndpoints: [app('web')], toPorts: [tcp('80')] }] }));
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 80)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 80)).toBe(false);
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
  });
});

describe('CIDR rules', () => {
  test('toCIDRSet with except: inside the block allowed, inside except denied', () => {
    const m = model(cnp('web', { endpointSelector: app('web'), egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['169.254.0.0/16'] }], toPorts: [tcp('443')] }] }));
    expect(allowed(m, 'prod/web', '203.0.113.5', 443)).toBe(true);
    expect(allowed(m, 'prod/web', '169.254.169.254', 443)).toBe(false);
    expect(reasons(m, 'prod/web', '203.0.113.5', 443)).toContain('to CIDR 0.0.0.0/0 except 169.254.0.0/16 on TCP/443');
  });

  test('fromCIDR admits addresses outside the cluster, never pods, even inside the block', () => {
    const m = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromCIDR: ['10.0.0.0/8'] }] }));
    expect(allowed(m, '10.200.0.1', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, '10.0.1.2', 'prod/db', 5432)).toBe(false); // prod/api's address
    expect(allowed(m, '203.0.113.1', 'prod/db', 5432)).toBe(false);
  });

  test('a Kubernetes ipBlock is a CIDR rule on Cilium: it does not match pods by address', () => {
    const m = model(cnp('isolate', { endpointSelector: app('db'), ingress: [{}] }), knp('db', { podSelector: app('db'), ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }));
    expect(allowed(m, '10.9.9.9', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(false);
  });
});

describe('entities', () => {
  test('world: outside the cluster only', () => {
    const m = model(cnp('web', { endpointSelector: app('web'), egress: [{ toEntities: ['world'] }] }));
    expect(allowed(m, 'prod/web', '203.0.113.5', 443)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(false);
  });

  test('cluster: every pod, nothing outside', () => {
    const m = model(cnp('web', { endpointSelector: app('web'), egress: [{ toEntities: ['cluster'] }] }));
    expect(allowed(m, 'prod/web', 'other/web', 80)).toBe(true);
    expect(allowed(m, 'prod/web', '203.0.113.5', 443)).toBe(false);
  });

  test('all: everything', () => {
    const m = model(cnp('web', { endpointSelector: app('web'), egress: [{ toEntities: ['all'] }] }));
    expect(allowed(m, 'prod/web', 'other/web', 80)).toBe(true);
    expect(allowed(m, 'prod/web', '203.0.113.5', 443)).toBe(true);
  });

  test('host and remote-node never match a pod or an outside address, only host-network pods', () => {
    const m = model(cnp('web', { endpointSelector: app('web'), egress: [{ toEntities: ['host', 'remote-node', 'health', 'unmanaged', 'init', 'ingress', 'none'] }] }));
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(false);
    expect(allowed(m, 'prod/web', '203.0.113.5', 443)).toBe(false);
    expect(allowed(m, 'prod/web', 'mon/exporter', 9100)).toBe(true);
  });

  test('kube-apiserver: the addresses given with addKubeApiServer', () => {
    const policy = cnp('web', { endpointSelector: app('web'), egress: [{ toEntities: ['kube-apiserver'], toPorts: [tcp('443')] }] });
    const unknown = model(policy);
    expect(allowed(unknown, 'prod/web', '172.18.0.2', 443)).toBe(false);
    expect(reasons(unknown, 'prod/web', '172.18.0.2', 443)).toContain('the model knows no API server address, so the kube-apiserver entity matches nothing');
    const known = model(policy);
    known.addKubeApiServer('172.18.0.2');
    expect(allowed(known, 'prod/web', '172.18.0.2', 443)).toBe(true);
    expect(allowed(known, 'prod/web', '172.18.0.3', 443)).toBe(false);
    expect(reasons(known, 'prod/web', '172.18.0.2', 443)).toContain('to entity kube-apiserver on TCP/443');
  });
});

describe('toFQDNs', () => {
  const fqdnPolicy = (patterns: Json[], extra: Json[] = [DNS_PROXY]) => cnp('web', { endpointSelector: app('web'), egress: [{ toFQDNs: patterns, toPorts: [tcp('443')] }, ...extra] });

  test('matchName with the DNS proxy rule: the name allowed, another name denied', () => {
    const m = model(fqdnPolicy([{ matchName: 'api.stripe.com' }]));
    expect(allowed(m, 'prod/web', 'api.stripe.com', 443)).toBe(true);
    expect(allowed(m, 'prod/web', 'API.Stripe.com.', 443)).toBe(true);
    expect(allowed(m, 'prod/web', 'api.paypal.com', 443)).toBe(false);
    expect(allowed(m, 'prod/web', 'api.stripe.com', 80)).toBe(false);
    expect(reasons(m, 'prod/web', 'api.stripe.com', 443)).toContain('(to FQDN matchName: api.stripe.com on TCP/443), the name learnt through Cilium\'s DNS proxy by CiliumNetworkPolicy prod/web egress rule #2 ' +
      '(to endpoints {k8s:io.kubernetes.pod.namespace=kube-system, k8s-app=kube-dns} on ANY/53)');
  });

  test('trap: without a DNS-proxy rule to kube-dns the FQDN rule allows nothing', () => {
    const m = model(fqdnPolicy([{ matchName: 'api.stripe.com' }], [{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }]));
    expect(allowed(m, 'prod/web', 'api.stripe.com', 443)).toBe(false);
    expect(reasons(m, 'prod/web', 'api.stripe.com', 443)).toContain('has no allowed egress rule to kube-dns on port 53 with rules.dns, so Cilium\'s DNS proxy never sees its lookups');
    // DNS itself is still allowed (at L4).
    expect(allowed(m, 'prod/web', 'kube-system/coredns', 53, 'UDP')).toBe(true);
  });

  test('a DNS rule that does not admit the name: the proxy refuses the lookup', () => {
    const proxy = { toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*.internal.example' }] } }] };
    const m = model(fqdnPolicy([{ matchName: 'api.stripe.com' }], [proxy]));
    expect(allowed(m, 'prod/web', 'api.stripe.com', 443)).toBe(false);
    expect(reasons(m, 'prod/web', 'api.stripe.com', 443)).toContain('Cilium\'s DNS proxy refuses lookups of api.stripe.com');
  });

  test('the DNS-proxy rule must itself be allowed: an egressDeny on kube-dns defeats it', () => {
    const m = model(fqdnPolicy([{ matchName: 'api.stripe.com' }]), cnp('no-dns', { endpointSelector: app('web'), egressDeny: [{ toEndpoints: [KUBE_DNS] }] }));
    expect(allowed(m, 'prod/web', 'api.stripe.com', 443)).toBe(false);
  });

  test.each([
    ['*.stripe.com', 'api.stripe.com', true],
    ['*.stripe.com', 'stripe.com', false],
    ['*.stripe.com', 'a.b.stripe.com', false],
    ['sub*.stripe.com', 'subdomain.stripe.com', true],
    ['sub*.stripe.com', 'www.stripe.com', false],
    ['**.stripe.com', 'a.b.stripe.com', true],
    ['**.stripe.com', 'stripe.com', false],
    ['*', 'anything.example.org', true],
  ])('matchPattern %s on %s: %s', (pattern, name, expected) => {
    expect(allowed(model(fqdnPolicy([{ matchPattern: pattern }])), 'prod/web', name, 443)).toBe(expected);
  });

  test('toFQDNs matches names, not addresses; CIDR rules match a name only when they admit every address', () => {
    const m = model(fqdnPolicy([{ matchName: 'api.stripe.com' }]));
    expect(allowed(m, 'prod/web', '203.0.113.5', 443)).toBe(false);
    expect(reasons(m, 'prod/web', '203.0.113.5', 443)).toContain('toFQDNs rules match DNS names, not addresses: probe the name');
    const cidr = model(cnp('web', { endpointSelector: app('web'), egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }] }));
    expect(allowed(cidr, 'prod/web', 'api.stripe.com', 443)).toBe(false);
    expect(reasons(cidr, 'prod/web', 'api.stripe.com', 443)).toContain('CIDR rules match it only when they admit every address');
    const everything = model(cnp('web', { endpointSelector: app('web'), egress: [{ toCIDR: ['0.0.0.0/0'] }] }));
    expect(allowed(everything, 'prod/web', 'api.stripe.com', 443)).toBe(true);
    const world = model(cnp('web', { endpointSelector: app('web'), egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] }));
    // The name's addresses might lie in the denied CIDR: the deny fails closed.
    expect(allowed(world, 'prod/web', 'api.stripe.com', 443)).toBe(false);
    expect(reasons(world, 'prod/web', 'api.stripe.com', 443)).toContain('the model cannot tell whether the deny rule matches, so it fails closed');
    expect(allowed(world, 'prod/web', '169.254.169.254', 443)).toBe(false);
  });
});

describe('toPorts', () => {
  test('ports are strings; endPort makes a range', () => {
    const m = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '8000', endPort: 8100, protocol: 'TCP' }] }] }] }));
    expect(allowed(m, 'prod/api', 'prod/db', 8000)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 8100)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 8101)).toBe(false);
  });

  test('protocol ANY (or none) covers TCP, UDP and SCTP; TCP covers TCP only', () => {
    const any = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '53' }] }] }] }));
    expect(allowed(any, 'prod/api', 'prod/db', 53, 'UDP')).toBe(true);
    expect(allowed(any, 'prod/api', 'prod/db', 53, 'SCTP')).toBe(true);
    const tcpOnly = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{}], toPorts: [tcp('53')] }] }));
    expect(allowed(tcpOnly, 'prod/api', 'prod/db', 53, 'UDP')).toBe(false);
  });

  test('named ports resolve on the destination pod', () => {
    const m = model(cnp('api', { endpointSelector: app('api'), ingress: [{ fromEndpoints: [{}], toPorts: [tcp('http')] }] }),
      cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{}], toPorts: [tcp('http')] }] }));
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 8081)).toBe(false);
    expect(allowed(m, 'prod/web', 'prod/db', 8080)).toBe(false); // db has no port named http
  });

  test('icmps without toPorts allow no TCP, UDP or SCTP connection', () => {
    const m = model(cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [{}], icmps: [{ fields: [{ type: 8 }] }] }] }));
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(false);
  });
});

describe('L7 HTTP rules', () => {
  const l7 = cnp('api-l7', {
    endpointSelector: app('api'),
    ingress: [{
      fromEndpoints: [app('web')],
      toPorts: [{
        ports: [{ port: '8080', protocol: 'TCP' }],
        rules: {
          http: [
            { method: 'GET', path: '/api/v1/products' },
            { method: 'POST|PUT', path: '/api/v1/orders', headers: ['X-Tenant: blue'] },
            { method: 'GET', path: '/admin/.*', host: 'admin\\.example\\.com' },
          ],
        },
      }],
    }],
  });
  const request = (method: string, path: string, extra: Json = {}) => ({ from: 'prod/web', to: 'prod/api', port: 8080, http: { method, path, ...extra } });

  test('a request matching an HTTP rule is allowed, naming the rule', () => {
    const m = model(l7);
    const verdict = m.evaluate(request('GET', '/api/v1/products'));
    expect(verdict.allowed).toBe(true);
    expect(verdict.reasons[1]).toContain('allowed by CiliumNetworkPolicy prod/api-l7 ingress rule #1 (from endpoints {app=web} in namespace prod on TCP/8080), ' +
      'whose HTTP rule GET /api/v1/products matches HTTP GET /api/v1/products');
  });

  test('a request matching none is denied at L7, listing the rules', () => {
    const verdict = model(l7).evaluate(request('DELETE', '/api/v1/orders'));
    expect(verdict.allowed).toBe(false);
    expect(verdict.reasons[1]).toMatch(/^ingress of prod\/api: denied at L7 \(Cilium's proxy answers 403\): HTTP DELETE \/api\/v1\/orders matches no HTTP rule of .*\[GET \/api\/v1\/products; POST\|PUT \/api\/v1\/orders header X-Tenant: blue;/);
  });

  test('paths are regular expressions matched against the whole path, query string included', () => {
    const m = model(l7);
    expect(m.evaluate(request('GET', '/api/v1/products/42')).allowed).toBe(false);
    expect(m.evaluate(request('GET', '/api/v1/products?page=2')).allowed).toBe(false);
    expect(m.evaluate(request('GET', '/x/api/v1/products')).allowed).toBe(false);
  });

  test('methods are regexes too; headers must be present with their value', () => {
    const m = model(l7);
    expect(m.evaluate(request('PUT', '/api/v1/orders', { headers: { 'x-tenant': 'blue' } })).allowed).toBe(true);
    expect(m.evaluate(request('PUT', '/api/v1/orders', { headers: { 'X-Tenant': 'red' } })).allowed).toBe(false);
    expect(m.evaluate(request('PUT', '/api/v1/orders')).allowed).toBe(false);
  });

  test('host is a regex on the Host header; a request without a host does not match it', () => {
    const m = model(l7);
    expect(m.evaluate(request('GET', '/admin/users', { host: 'admin.example.com' })).allowed).toBe(true);
    expect(m.evaluate(request('GET', '/admin/users', { host: 'adminXexample.com' })).allowed).toBe(false);
    expect(m.evaluate(request('GET', '/admin/users')).allowed).toBe(false);
  });

  test('without a request the probe is allowed at L3/L4, and the reasons say L7 rules restrict requests', () => {
    const verdict = model(l7).evaluate({ from: 'prod/web', to: 'prod/api', port: 8080 });
    expect(verdict.allowed).toBe(true);
    expect(verdict.reasons[1]).toContain('allowed at L3/L4 by CiliumNetworkPolicy prod/api-l7 ingress rule #1');
    expect(verdict.reasons[1]).toContain('L7 rules restrict the HTTP requests on this port');
  });

  test('an L4 allow of the same peer and port makes the HTTP rules moot (Cilium merges it into allow-all)', () => {
    const m = model(l7, cnp('api-l4', { endpointSelector: app('api'), ingress: [{ fromEndpoints: [app('web')], toPorts: [tcp('8080')] }] }));
    const verdict = m.evaluate(request('DELETE', '/api/v1/orders'));
    expect(verdict.allowed).toBe(true);
    expect(verdict.reasons[1]).toContain('allowed by CiliumNetworkPolicy prod/api-l4 ingress rule #1');
    // Only for the peers the L4 rule admits: other pods of prod are still held to L7... none is allowed here at all.
    expect(m.evaluate({ from: 'prod/db', to: 'prod/api', port: 8080, http: { method: 'GET', path: '/api/v1/products' } }).allowed).toBe(false);
  });

  test('HTTP rules on egress restrict the client\'s requests', () => {
    const m = model(cnp('web-out', { endpointSelector: app('web'), egress: [{ toEndpoints: [app('api')], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] }));
    expect(m.evaluate(request('GET', '/anything')).allowed).toBe(true);
    expect(m.evaluate(request('POST', '/anything')).reasons[0]).toContain('egress of prod/web: denied at L7');
  });
});

describe('deny rules', () => {
  test('trap: a Cilium deny beats a Kubernetes NetworkPolicy allow', () => {
    const m = model(
      knp('db-from-api', { podSelector: app('db'), ingress: [{ from: [{ podSelector: app('api') }] }] }),
      cnp('no-api', { endpointSelector: app('db'), ingressDeny: [{ fromEndpoints: [app('api')], toPorts: [tcp('22')] }] }),
    );
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 22)).toBe(false);
    expect(reasons(m, 'prod/api', 'prod/db', 22)).toContain('ingress of prod/db: denied by CiliumNetworkPolicy prod/no-api ingressDeny rule #1 ' +
      '(from endpoints {app=api} in namespace prod on TCP/22); deny rules take precedence over every allow');
  });

  test('a deny beats a Cilium allow of the same flow; egressDeny with CIDRs', () => {
    const m = model(cnp('web', { endpointSelector: app('web'), egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDR: ['169.254.169.254/32'] }] }));
    expect(allowed(m, 'prod/web', '203.0.113.5', 80)).toBe(true);
    expect(allowed(m, 'prod/web', '169.254.169.254', 80)).toBe(false);
  });

  test('a deny-only rule puts the endpoint into default deny for that direction', () => {
    const m = model(cnp('deny', { endpointSelector: app('db'), ingressDeny: [{ fromEndpoints: [app('api')] }] }));
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
    expect(reasons(m, 'prod/web', 'prod/db', 5432)).toContain('isolated by CiliumNetworkPolicy prod/deny');
  });
});

describe('isolation and union', () => {
  test('Kubernetes and Cilium allows are a union per direction', () => {
    const m = model(
      knp('db-web', { podSelector: app('db'), ingress: [{ from: [{ podSelector: app('web') }] }] }),
      cnp('db-api', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('api')] }] }),
    );
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'other/web', 'prod/db', 5432)).toBe(false);
    expect(reasons(m, 'other/web', 'prod/db', 5432)).toContain('isolated by NetworkPolicy prod/db-web, CiliumNetworkPolicy prod/db-api');
  });

  test('enableDefaultDeny: false adds allows without isolating', () => {
    const m = model(ccnp('dns-visibility', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egress: [DNS_PROXY] }));
    expect(allowed(m, 'prod/web', '203.0.113.5', 443)).toBe(true);
    expect(reasons(m, 'prod/web', '203.0.113.5', 443)).toContain('egress of prod/web: allowed, not isolated');
    // Another policy isolates: the opted-out rule's allow still counts.
    const both = model(ccnp('dns-visibility', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egress: [DNS_PROXY] }),
      cnp('web', { endpointSelector: app('web'), egress: [{}] }));
    expect(allowed(both, 'prod/web', 'kube-system/coredns', 53, 'UDP')).toBe(true);
    expect(allowed(both, 'prod/web', '203.0.113.5', 443)).toBe(false);
  });

  test('an egress-only policy does not isolate ingress; `egress: []` isolates nothing', () => {
    const m = model(cnp('web', { endpointSelector: app('web'), egress: [{}] }));
    expect(allowed(m, 'prod/api', 'prod/web', 80)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(false);
    const empty = model(cnp('web', { endpointSelector: app('web'), egress: [], ingress: [{}] }));
    expect(allowed(empty, 'prod/web', 'prod/api', 8080)).toBe(true);
  });

  test('spec and specs are both rules of the policy', () => {
    const m = model({
      ...cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('api')] }] }),
      specs: [{ endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('web')], toPorts: [tcp('80')] }] }],
    });
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 80)).toBe(true);
    expect(reasons(m, 'prod/web', 'prod/db', 80)).toContain('CiliumNetworkPolicy prod/db specs[0] ingress rule #1');
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
  });
});

describe('review fixes: Cilium', () => {
  const build = (objs: any[], webLabels: Record<string, string> = { app: 'web' }, options?: any) => {
    const m = NetworkModel.fromManifests(objs, options);
    m.addPod({ namespace: 'prod', name: 'web', labels: webLabels, ip: '10.0.0.1' });
    m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api' }, ip: '10.0.0.2' });
    return m;
  };
  const fromWeb = { matchLabels: { app: 'web' } };
  const api = { matchLabels: { app: 'api' } };

  test('egressDeny toCIDRSet 0.0.0.0/0 except 10.0.0.0/8 might match a DNS name: denied, failing closed', () => {
    const m = build([cnp('d', { endpointSelector: {}, egressDeny: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] }] }], egress: [{ toEntities: ['world'] }] })]);
    const v = m.evaluate({ from: 'prod/web', to: 'api.stripe.com', port: 443 });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toContain('the model cannot tell whether the deny rule matches, so it fails closed: the addresses of the DNS name api.stripe.com are unknown');
    expect(m.evaluate({ from: 'prod/web', to: '8.8.8.8', port: 443 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/web', to: '10.9.9.9', port: 443 }).allowed).toBe(true);
  });

  test('toCIDR ::/0 does not admit a name; 0.0.0.0/0 does', () => {
    expect(build([cnp('p', { endpointSelector: fromWeb, egress: [{ toCIDR: ['::/0'] }] })]).evaluate({ from: 'prod/web', to: 'api.stripe.com', port: 443 }).allowed).toBe(false);
    expect(build([cnp('p', { endpointSelector: fromWeb, egress: [{ toCIDR: ['0.0.0.0/0'] }] })]).evaluate({ from: 'prod/web', to: 'api.stripe.com', port: 443 }).allowed).toBe(true);
  });

  test('enableDefaultDeny: false does not switch off L7 rules: a request no HTTP rule admits is denied, one that matches is allowed', () => {
    const m = build([cnp('p', {
      endpointSelector: api,
      enableDefaultDeny: { ingress: false },
      ingress: [{ fromEndpoints: [fromWeb], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    })]);
    const post = m.evaluate({ from: 'prod/web', to: 'prod/api', port: 80, http: { method: 'POST', path: '/' } });
    expect(post.allowed).toBe(false);
    expect(post.reasons[1]).toContain('denied at L7');
    expect(post.reasons[1]).toContain('L7 rules apply on this port whatever enableDefaultDeny says');
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 80, http: { method: 'GET', path: '/' } }).allowed).toBe(true);
    // Other ports, and peers the L7 rule does not select, stay open (no default deny).
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 81, http: { method: 'POST', path: '/' } }).allowed).toBe(true);
    expect(m.evaluate({ from: '1.2.3.4', to: 'prod/api', port: 80, http: { method: 'POST', path: '/' } }).allowed).toBe(true);
  });

  test('toPorts: [] is L3-only (every port), in allow and in deny rules', () => {
    const allow = build([cnp('p', { endpointSelector: api, ingress: [{ fromEndpoints: [fromWeb], toPorts: [] }] })]);
    expect(allow.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(allow.evaluate({ from: '1.2.3.4', to: 'prod/api', port: 80 }).allowed).toBe(false);
    const deny = build([cnp('p', { endpointSelector: api, ingress: [{ fromEndpoints: [{}] }], ingressDeny: [{ fromEndpoints: [fromWeb], toPorts: [] }] })]);
    expect(deny.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
  });

  test('rules: {http: []} is a plain L4 allow', () => {
    const m = build([cnp('p', { endpointSelector: api, ingress: [{ fromEndpoints: [fromWeb], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [] } }] }] })]);
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 80, http: { method: 'GET', path: '/' } }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 81 }).allowed).toBe(false);
  });

  test('HTTP rules on a port range (endPort) restrict requests on every port of the range; DNS rules on a range are refused', () => {
    const m = build([cnp('p', {
      endpointSelector: api,
      ingress: [{ fromEndpoints: [fromWeb], toPorts: [{ ports: [{ port: '80', endPort: 90, protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
    })]);
    for (const port of [80, 85, 90]) {
      expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port, http: { method: 'GET', path: '/' } }).allowed).toBe(true);
      expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port, http: { method: 'POST', path: '/' } }).allowed).toBe(false);
    }
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 91, http: { method: 'GET', path: '/' } }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 79, http: { method: 'GET', path: '/' } }).allowed).toBe(false);
    expect(() => build([cnp('p', {
      endpointSelector: api,
      egress: [{ toPorts: [{ ports: [{ port: '53', endPort: 54, protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }],
    })])).toThrow(/ports\[0\]: DNS rules cannot be used with port ranges \(endPort\)/);
  });

  test('the cluster and service-account identity labels: io.cilium.k8s.policy.cluster is the model\'s clusterName', () => {
    const byCluster = (cluster: string) => [cnp('p', {
      endpointSelector: api,
      ingress: [{ fromEndpoints: [{ matchLabels: { 'app': 'web', 'io.cilium.k8s.policy.cluster': cluster } }] }],
    })];
    expect(build(byCluster('default')).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(build(byCluster('eu-prod')).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    expect(build(byCluster('eu-prod'), undefined, { clusterName: 'eu-prod' }).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    const k8s = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'k', namespace: 'prod' },
      spec: { podSelector: { matchLabels: { 'io.cilium.k8s.policy.cluster': 'default', 'app': 'api' } }, ingress: [{ from: [{ podSelector: fromWeb }] }] },
    };
    const onCilium = build([k8s], undefined, { cni: 'cilium' });
    expect(onCilium.evaluate({ from: 'prod/api', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(onCilium.evaluate({ from: '10.9.9.9', to: 'prod/api', port: 80 }).allowed).toBe(false);
    // Without Cilium no pod carries the label: the policy selects nothing and isolates no one.
    expect(build([k8s]).evaluate({ from: '10.9.9.9', to: 'prod/api', port: 80 }).allowed).toBe(true);
    const bySa = (sa: string) => build([cnp('p', {
      endpointSelector: api,
      ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': sa } }] }],
    })]);
    expect(bySa('default').evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(bySa('frontend').evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    const m = bySa('frontend');
    m.addPod({ namespace: 'prod', name: 'web2', labels: { app: 'web' }, serviceAccount: 'frontend' });
    expect(m.evaluate({ from: 'prod/web2', to: 'prod/api', port: 80 }).allowed).toBe(true);
  });

  test('labels outside Cilium\'s identity (pod-template-hash, kubernetes.io/*) match nothing, in CNPs and in K8s NPs on Cilium', () => {
    const labels = { 'app': 'web', 'pod-template-hash': 'abc', 'kubernetes.io/role': 'fe', 'app.kubernetes.io/name': 'web' };
    const by = (matchLabels: Record<string, string>) => [cnp('p', { endpointSelector: api, ingress: [{ fromEndpoints: [{ matchLabels }] }] })];
    expect(build(by({ 'pod-template-hash': 'abc' }), labels).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    expect(build(by({ 'kubernetes.io/role': 'fe' }), labels).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    expect(build(by({ 'app.kubernetes.io/name': 'web' }), labels).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    const notExists = [cnp('p', { endpointSelector: api, ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'pod-template-hash', operator: 'DoesNotExist' }] }] }] })];
    expect(build(notExists, labels).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    const k = knp('k', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { 'pod-template-hash': 'abc' } } }] }] });
    expect(build([k], labels).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(build([k], labels, { cni: 'cilium' }).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
  });

  // cilium/cilium pkg/k8s/utils/utils.go filterPodLabels: a pod's own labels under io.cilium.k8s
  // (k8sConst.LabelPrefix) are dropped before Cilium adds its own, so a pod cannot claim an account,
  // a cluster or another namespace's labels.
  test('trap: a pod cannot spoof Cilium\'s labels (io.cilium.k8s*) with its own, in CNPs and in K8s NPs on Cilium', () => {
    const spoofing = { 'app': 'web', 'io.cilium.k8s.policy.serviceaccount': 'admin', 'io.cilium.k8s.namespace.labels.team': 'platform' };
    const bySa = [cnp('p', { endpointSelector: api, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'admin' } }] }] })];
    expect(build(bySa, spoofing).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    const byNamespaceLabel = [cnp('p', {
      endpointSelector: api,
      ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'platform', 'k8s:io.kubernetes.pod.namespace': 'prod' } }] }],
    })];
    expect(build(byNamespaceLabel, spoofing).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    const k = knp('k', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'admin' } } }] }] });
    const onCilium = build([k], spoofing, { cni: 'cilium' });
    expect(onCilium.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    // The real account still matches: the pod's ServiceAccount, not its label.
    onCilium.addPod({ namespace: 'prod', name: 'admin', labels: { app: 'tool' }, serviceAccount: 'admin' });
    expect(onCilium.evaluate({ from: 'prod/admin', to: 'prod/api', port: 80 }).allowed).toBe(true);
  });

  // cilium pkg/k8s/network_policy.go parseNetworkPolicyPeer: a Kubernetes NetworkPolicy's selectors become
  // endpoint selectors over the identity, which carries the namespace and its labels (SanitizePodLabels
  // in pkg/k8s/utils/utils.go replaces a pod's own copies).
  test('Kubernetes NPs on Cilium see the namespace identity labels, and a pod cannot claim another namespace with its own label', () => {
    const onCilium = (objs: any[], webLabels?: Record<string, string>) => {
      const m = build(objs, webLabels, { cni: 'cilium' });
      m.addNamespace('prod', { team: 'blue' });
      m.addPod({ namespace: 'dev', name: 'evil', labels: { 'app': 'evil', 'io.kubernetes.pod.namespace': 'prod' }, ip: '10.0.9.9' });
      return m;
    };
    const byNamespaceLabel = knp('k', { podSelector: { matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'blue' } }, policyTypes: ['Ingress'] });
    expect(onCilium([byNamespaceLabel]).evaluate({ from: 'dev/evil', to: 'prod/api', port: 8080 }).allowed).toBe(false);
    // Without Cilium no pod carries the label: the policy selects nothing.
    expect(build([byNamespaceLabel]).evaluate({ from: 'prod/web', to: 'prod/api', port: 8080 }).allowed).toBe(true);
    const byNamespaceName = knp('k', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'prod' } } }] }],
    });
    const m = onCilium([byNamespaceName]);
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 8080 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'dev/evil', to: 'prod/api', port: 8080 }).allowed).toBe(false);
  });

  test('other io.cilium.k8s.policy.* keys label policies, not endpoints: they select nothing and DoesNotExist on them matches every pod', () => {
    const byName = [cnp('p', { endpointSelector: api, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.policy.name': 'p' } }] }] })];
    const m = build(byName, { 'app': 'web', 'io.cilium.k8s.policy.name': 'p' });
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    const notExists = [cnp('p', {
      endpointSelector: api,
      ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'io.cilium.k8s.policy.uid', operator: 'DoesNotExist' }] }] }],
    })];
    expect(build(notExists).evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
  });
});

// docs/semantics/cilium.md#host-policies: a host policy selects nodes; a host-network pod's traffic is
// its node's. The model knows no nodes, so with a host policy present it fails closed on the traffic
// of host-network pods and decides every other flow as before.
describe('host policies (CCNP nodeSelector)', () => {
  const host = ccnp('host-fw', { nodeSelector: { matchLabels: { 'node-role.kubernetes.io/worker': '' } }, ingress: [{ fromEntities: ['cluster'] }] });

  test('flows of host-network pods cannot be decided: denied, failing closed, naming the host policy', () => {
    const m = model(host);
    const v = m.evaluate({ from: 'prod/web', to: 'mon/exporter', port: 9100 });
    expect(v.allowed).toBe(false);
    expect(v.reasons.join('\n')).toContain('ingress of mon/exporter: denied, failing closed: the pod uses the node\'s network, so its traffic is the ' +
      'node\'s, and host policy CiliumClusterwideNetworkPolicy host-fw may select that node; the model does not evaluate host policies');
    // host-fw has ingress rules only: the node's egress is not policed by it.
    expect(m.evaluate({ from: 'mon/exporter', to: 'prod/web', port: 80 }).allowed).toBe(true);
    const both = model(ccnp('host-fw', { nodeSelector: {}, ingress: [{ fromEntities: ['cluster'] }], egressDeny: [{ toEntities: ['world'] }] }));
    expect(both.evaluate({ from: 'mon/exporter', to: 'prod/web', port: 80 }).reasons.join('\n')).toMatch(/egress of mon\/exporter: denied, failing closed/);
    // Without default deny and without deny rules a host policy changes nothing for host-network pods.
    const open = model(ccnp('host-fw', { nodeSelector: {}, enableDefaultDeny: { ingress: false }, ingress: [{ fromEntities: ['cluster'] }] }));
    expect(open.evaluate({ from: 'prod/web', to: 'mon/exporter', port: 9100 }).reasons.join('\n'))
      .toContain('no host policy (nodeSelector) of the model isolates nodes for ingress or denies there');
    // Without a host policy the node's traffic is not policed.
    expect(allowed(model(), 'prod/web', 'mon/exporter', 9100)).toBe(true);
  });

  test('flows between ordinary pods are decided as without it', () => {
    const m = model(host, cnp('db', { endpointSelector: app('db'), ingress: [{ fromEndpoints: [app('api')] }] }));
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
    expect(allowed(m, 'prod/web', 'prod/api', 80)).toBe(true);
  });
});

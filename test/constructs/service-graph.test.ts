import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus28 from 'cdk8s-plus-28';
import * as kplus33 from 'cdk8s-plus-33';
import { KubeCronJob, KubeDaemonSet, KubeDeployment, KubeJob, KubePod, KubeService, KubeStatefulSet } from 'cdk8s-plus-33/lib/imports/k8s';
import {
  ExternalHttpsEgress, NetworkModel, Peer, PodEndpoint, PolicyEngine, PolicyProofs, Port, ServiceGraph, ServiceWorkload, ZeroTrustNamespace,
} from '../../src';
import { expectValidManifests, synthValid } from '../support/manifests';
import '../support/network-matchers';

const ENGINES = [PolicyEngine.KUBERNETES, PolicyEngine.CILIUM, PolicyEngine.CALICO];
const CNI: Record<PolicyEngine, 'kubernetes' | 'cilium' | 'calico'> = { kubernetes: 'kubernetes', cilium: 'cilium', calico: 'calico' };
const newChart = () => new Chart(Testing.app(), 'test');
const COREDNS: PodEndpoint = { namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } };
const PUBLIC_IP = '203.0.113.10';

/**
 * A small shop: a public frontend, a cart with its redis, and a payments service in another
 * namespace; the frontend may call a payments provider on the internet.
 */
function shop(chart: Chart, engine: PolicyEngine): Record<string, ServiceWorkload> {
  const graph = new ServiceGraph(chart, 'shop', { namespace: 'shop', engine });
  const frontend = graph.workload('frontend', { ports: [Port.tcp(8080)] });
  const cart = graph.workload('cart', { ports: [Port.tcp(7070)] });
  const redis = graph.workload('redis', { labels: { app: 'redis', role: 'cache' }, ports: [Port.tcp(6379)] });
  const payments = graph.workload('payments', { namespace: 'pay', ports: [Port.tcp(50051), Port.tcp(9090)] });
  frontend.allowFrom(Peer.anywhere());
  frontend.calls(cart);
  cart.calls(redis);
  frontend.calls(payments, Port.tcp(50051));
  payments.allowTo(Peer.internet(), Port.tcp(443));
  payments.allowFrom(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Port.tcp(9090));
  return { frontend, cart, redis, payments };
}

const SHOP_PODS: PodEndpoint[] = [
  { namespace: 'shop', name: 'frontend', labels: { app: 'frontend' }, ports: [{ port: 8080 }] },
  { namespace: 'shop', name: 'cart', labels: { app: 'cart' }, ports: [{ port: 7070 }] },
  { namespace: 'shop', name: 'redis', labels: { app: 'redis', role: 'cache' }, ports: [{ port: 6379 }] },
  { namespace: 'pay', name: 'payments', labels: { app: 'payments' }, ports: [{ port: 50051 }, { port: 9090 }] },
  { namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' } },
  { namespace: 'monitoring', name: 'grafana', labels: { app: 'grafana' } },
  COREDNS,
];

function shopModel(engine: PolicyEngine): NetworkModel {
  const chart = newChart();
  shop(chart, engine);
  const model = NetworkModel.fromManifests(synthValid(chart), { cni: CNI[engine] as any });
  SHOP_PODS.forEach((pod) => model.addPod(pod));
  return model;
}

describe('ServiceGraph', () => {
  describe.each(ENGINES)('on %s', (engine) => {
    test('one policy per workload, named <graph>-<workload>, in the workload\'s namespace, governing both directions', () => {
      const chart = newChart();
      shop(chart, engine);
      const objects = synthValid(chart);
      expect(objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['shop/shop-frontend', 'shop/shop-cart', 'shop/shop-redis', 'pay/shop-payments']);
      for (const o of objects) {
        const governed = o.apiVersion === 'cilium.io/v2' ? Object.keys(o.spec).filter((k) => k === 'ingress' || k === 'egress') : (o.spec.policyTypes ?? o.spec.types);
        expect(governed.length).toBe(2);
      }
      expect(objects).toMatchSnapshot();
    });

    const model = (() => {
      let built: NetworkModel | undefined;
      return () => (built ??= shopModel(engine));
    })();
    test.each([
      ['monitoring/grafana', 'shop/frontend', 8080, 'TCP'],
      [PUBLIC_IP, 'shop/frontend', 8080, 'TCP'],
      ['shop/frontend', 'shop/cart', 7070, 'TCP'],
      ['shop/cart', 'shop/redis', 6379, 'TCP'],
      ['shop/frontend', 'pay/payments', 50051, 'TCP'],
      ['monitoring/prometheus', 'pay/payments', 9090, 'TCP'],
      ['pay/payments', PUBLIC_IP, 443, 'TCP'],
      ['shop/frontend', 'kube-system/coredns', 53, 'UDP'],
      ['shop/redis', 'kube-system/coredns', 53, 'TCP'],
      ['pay/payments', 'kube-system/coredns', 53, 'UDP'],
    ])('allowed: %s -> %s on %s/%s', (from, to, port, protocol) => {
      expect(model()).toAllow(from as string, to as string, port as number, protocol as string);
    });
    test.each([
      ['monitoring/grafana', 'shop/frontend', 9999, 'TCP', 'a port the frontend does not serve'],
      ['shop/frontend', 'shop/redis', 6379, 'TCP', 'no call frontend -> redis'],
      ['shop/cart', 'shop/frontend', 8080, 'TCP', 'the cart calls nobody but redis (the frontend\'s ingress is open, its egress is not)'],
      ['shop/redis', PUBLIC_IP, 443, 'TCP', 'no internet for redis'],
      ['shop/frontend', PUBLIC_IP, 443, 'TCP', 'no internet for the frontend'],
      ['shop/frontend', 'pay/payments', 9090, 'TCP', 'the frontend calls payments on 50051 only'],
      ['monitoring/grafana', 'pay/payments', 9090, 'TCP', 'only prometheus scrapes'],
      ['monitoring/prometheus', 'pay/payments', 50051, 'TCP', 'prometheus scrapes 9090 only'],
      ['pay/payments', '10.0.0.1', 443, 'TCP', 'Peer.internet() keeps private ranges out'],
      ['pay/payments', '169.254.169.254', 443, 'TCP', 'nor the metadata endpoint'],
      [PUBLIC_IP, 'shop/cart', 7070, 'TCP', 'only the frontend is public'],
      ['pay/payments', 'shop/cart', 7070, 'TCP', 'no call payments -> cart'],
    ])('denied: %s -> %s on %s/%s (%s)', (from, to, port, protocol) => {
      expect(model()).toDeny(from as string, to as string, port as number, protocol as string);
    });
  });

  test('callers on the same ports share one rule, as a person writes it; a repeated call adds its ports', () => {
    const chart = newChart();
    const graph = new ServiceGraph(chart, 'g', { namespace: 'p', allowDns: false });
    const catalog = graph.workload('catalog', { ports: [Port.tcp(3550), Port.tcp(9090)] });
    const frontend = graph.workload('frontend');
    const checkout = graph.workload('checkout');
    const reco = graph.workload('reco');
    frontend.calls(catalog, Port.tcp(3550));
    checkout.calls(catalog, Port.tcp(3550));
    reco.calls(catalog, Port.tcp(3550));
    reco.calls(catalog, Port.tcp(9090));
    const catalogPolicy = synthValid(chart).find((o) => o.metadata.name === 'g-catalog');
    expect(catalogPolicy.spec.ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: 'frontend' } } }, { podSelector: { matchLabels: { app: 'checkout' } } }], ports: [{ protocol: 'TCP', port: 3550 }] },
      { from: [{ podSelector: { matchLabels: { app: 'reco' } } }], ports: [{ protocol: 'TCP', port: 3550 }, { protocol: 'TCP', port: 9090 }] },
    ]);
    expect(catalogPolicy.spec.egress).toBeUndefined();
    expect(catalogPolicy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
  });

  test('calls without ports take every port the target serves; a workload may call its own replicas', () => {
    const chart = newChart();
    const graph = new ServiceGraph(chart, 'g', { namespace: 'p', allowDns: false });
    const db = graph.workload('db', { ports: [Port.tcp(5432), Port.tcp(8008)] });
    const api = graph.workload('api');
    api.calls(db);
    db.calls(db, Port.tcp(8008));
    const model = NetworkModel.fromManifests(synthValid(chart));
    model.addPod({ namespace: 'p', name: 'db-0', labels: { app: 'db' } });
    model.addPod({ namespace: 'p', name: 'db-1', labels: { app: 'db' } });
    model.addPod({ namespace: 'p', name: 'api', labels: { app: 'api' } });
    expect(model).toAllow('p/api', 'p/db-0', 5432);
    expect(model).toAllow('p/api', 'p/db-0', 8008);
    expect(model).toAllow('p/db-1', 'p/db-0', 8008);
    expect(model).toDeny('p/db-1', 'p/db-0', 5432);
    expect(model).toDeny('p/db-0', 'p/api', 80);
  });

  test('restrictEgress: false isolates ingress only: egress is left to other policies', () => {
    const chart = newChart();
    const graph = new ServiceGraph(chart, 'g', { namespace: 'p', restrictEgress: false });
    const web = graph.workload('web', { ports: [Port.tcp(80)] });
    const api = graph.workload('api', { ports: [Port.tcp(8080)] });
    web.calls(api);
    const objects = synthValid(chart);
    expect(objects.map((o) => o.spec.policyTypes)).toEqual([['Ingress'], ['Ingress']]);
    expect(objects.every((o) => o.spec.egress === undefined)).toBe(true);
    expect(objects[0].metadata.annotations['cdk8s-netpol.io/description']).toBe('web (pods {app=web}) accepts nothing; its egress is not restricted by this graph.');
    const model = NetworkModel.fromManifests(objects);
    model.addPod({ namespace: 'p', name: 'web', labels: { app: 'web' } });
    model.addPod({ namespace: 'p', name: 'api', labels: { app: 'api' } });
    expect(model).toAllow('p/web', 'p/api', 8080);
    expect(model).toAllow('p/api', PUBLIC_IP, 443);
    expect(model).toDeny('p/api', 'p/web', 80);
    expect(() => web.allowTo(Peer.internet(), Port.tcp(443)))
      .toThrow(/ServiceGraph "test\/g".workload\("web"\).allowTo\(\): the graph does not restrict egress \(restrictEgress: false\)/);
    expect(PolicyProofs.promisesOf(graph).map((p) => p.split(':')[0])).toEqual([
      'web-to-api', 'no-api-to-web', 'no-other-namespaces-to-web', 'no-internet-to-web', 'no-other-namespaces-to-api', 'no-internet-to-api',
    ]);
  });

  test('allowDns: false on the graph, or on one workload', () => {
    const chart = newChart();
    const graph = new ServiceGraph(chart, 'g', { namespace: 'p' });
    graph.workload('web', { ports: [Port.tcp(80)] });
    graph.workload('db', { ports: [Port.tcp(5432)], allowDns: false });
    const [web, db] = synthValid(chart);
    expect(web.spec.egress).toHaveLength(1);
    expect(db.spec.egress).toBeUndefined();
    expect(db.metadata.annotations['cdk8s-netpol.io/description']).toBe('db (pods {app=db}) accepts nothing; initiates nothing.');
    const quiet = new ServiceGraph(newChart(), 'g', { namespace: 'p', allowDns: false });
    quiet.workload('web', { ports: [Port.tcp(80)] });
    expect(PolicyProofs.promisesOf(quiet).map((p) => p.split(':')[0])).toEqual([
      'no-other-namespaces-to-web', 'no-internet-to-web', 'no-web-to-other-namespaces', 'no-web-to-internet', 'no-web-to-internet-tcp-80', 'no-web-to-internet-udp-53',
    ]);
  });

  test('allowTo: DNS names on Cilium get the DNS-proxy rule; the API server by identity on Cilium, by address elsewhere', () => {
    const chart = newChart();
    const graph = new ServiceGraph(chart, 'g', { namespace: 'p', engine: PolicyEngine.CILIUM });
    const api = graph.workload('api', { ports: [Port.tcp(8080)] });
    api.allowTo(Peer.fqdn('api.stripe.com'), Port.tcp(443));
    api.allowTo(Peer.kubeApiServer(), Port.tcp(443));
    const [policy] = synthValid(chart);
    expect(policy.spec.egress).toEqual([
      { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }] },
      { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
    ]);
    expect(PolicyProofs.promisesOf(graph)).toContain('api-to-fqdn-api-stripe-com: api may send to api.stripe.com on TCP/443');
    const k8s = new ServiceGraph(newChart(), 'g', { namespace: 'p' }).workload('api', { ports: [Port.tcp(8080)] });
    expect(() => k8s.allowTo(Peer.fqdn('api.stripe.com'), Port.tcp(443)))
      .toThrow(/ServiceGraph "test\/g".workload\("api"\).allowTo\(\): Peer.fqdn\("api.stripe.com"\) cannot be expressed by PolicyEngine.KUBERNETES/);
    expect(() => k8s.allowTo(Peer.kubeApiServer(), Port.tcp(443))).toThrow(/allowTo\(\): Peer.kubeApiServer\(\) without cidrs cannot be expressed/);
    expect(() => k8s.allowTo(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }), Port.tcp(443))).not.toThrow();
  });

  describe('callsHttp (Cilium)', () => {
    const build = () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'empire', { namespace: 'default', engine: PolicyEngine.CILIUM, restrictEgress: false });
      const deathstar = graph.workload('deathstar', { labels: { org: 'empire', class: 'deathstar' }, ports: [Port.tcp(80)] });
      const tiefighter = graph.workload('tiefighter', { labels: { org: 'empire', class: 'tiefighter' } });
      graph.workload('xwing', { labels: { org: 'alliance', class: 'xwing' } });
      tiefighter.callsHttp(deathstar, Port.tcp(80), [{ method: 'POST', path: '/v1/request-landing' }]);
      return { chart, graph, deathstar, tiefighter };
    };

    test('the target admits the listed requests only, from the caller only', () => {
      const { chart } = build();
      const objects = synthValid(chart);
      expect(objects[0].spec.ingress).toEqual([{
        fromEndpoints: [{ matchLabels: { 'class': 'tiefighter', 'org': 'empire', 'k8s:io.kubernetes.pod.namespace': 'default' } }],
        toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'POST', path: '/v1/request-landing' }] } }],
      }]);
      const model = NetworkModel.fromManifests(objects, { cni: 'cilium' as any });
      model.addPod({ namespace: 'default', name: 'deathstar', labels: { org: 'empire', class: 'deathstar' }, ports: [{ port: 80 }] });
      model.addPod({ namespace: 'default', name: 'tiefighter', labels: { org: 'empire', class: 'tiefighter' } });
      model.addPod({ namespace: 'default', name: 'xwing', labels: { org: 'alliance', class: 'xwing' } });
      expect(model).toAllowProbe({ from: 'default/tiefighter', to: 'default/deathstar', port: 80, http: { method: 'POST', path: '/v1/request-landing' } });
      expect(model).toDenyProbe({ from: 'default/tiefighter', to: 'default/deathstar', port: 80, http: { method: 'PUT', path: '/v1/exhaust-port' } });
      expect(model).toDenyProbe({ from: 'default/xwing', to: 'default/deathstar', port: 80, http: { method: 'POST', path: '/v1/request-landing' } });
    });

    test('the proofs promise the refused request and the admitted one', () => {
      const { graph } = build();
      expect(PolicyProofs.promisesOf(graph).map((p) => p.split(':')[0])).toEqual([
        'tiefighter-to-deathstar', 'tiefighter-to-deathstar-unlisted-request-refused', 'tiefighter-to-deathstar-first-rule-admitted',
        // The ships declare no ports: TCP/80 is tried.
        'no-deathstar-to-tiefighter', 'no-deathstar-to-xwing', 'no-tiefighter-to-xwing', 'no-xwing-to-deathstar', 'no-xwing-to-tiefighter',
        'no-other-namespaces-to-deathstar', 'no-internet-to-deathstar', 'no-other-namespaces-to-tiefighter', 'no-internet-to-tiefighter',
        'no-other-namespaces-to-xwing', 'no-internet-to-xwing',
      ]);
    });

    test('an L4 call on the same port would cancel the rules: refused both ways', () => {
      const { deathstar, tiefighter } = build();
      expect(() => tiefighter.calls(deathstar, Port.tcp(80)))
        .toThrow(/workload\("tiefighter"\).calls\(\): tiefighter.calls\(deathstar\) admits tiefighter on TCP\/80 for some HTTP requests only; an allowance of that port without HTTP rules would admit every request and cancel those rules/);
      const other = build();
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p', engine: PolicyEngine.CILIUM });
      const a = graph.workload('a');
      const b = graph.workload('b', { ports: [Port.tcp(80)] });
      a.calls(b);
      expect(() => a.callsHttp(b, Port.tcp(80), [{ method: 'GET' }])).toThrow(/a.calls\(b\) admits every request from a on TCP\/80 \(no HTTP rules\), which would cancel these HTTP rules/);
      expect(other.graph.workloads).toHaveLength(3);
    });

    test('HTTP rules on a port range: rendered with endPort, the requests checked on every port of it, an L4 call inside the range refused', () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p', engine: PolicyEngine.CILIUM, restrictEgress: false });
      const a = graph.workload('a');
      const b = graph.workload('b', { ports: [Port.tcpRange(8080, 8089)] });
      a.callsHttp(b, Port.tcpRange(8080, 8089), [{ method: 'GET', path: '/v1/' }]);
      const objects = synthValid(chart);
      const ingress = objects.find((o) => o.metadata.name.includes('b')).spec.ingress;
      expect(ingress[0].toPorts).toEqual([{ ports: [{ port: '8080', endPort: 8089, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1/' }] } }]);
      const model = NetworkModel.fromManifests(objects, { cni: 'cilium' as any });
      model.addPod({ namespace: 'p', name: 'a', labels: { app: 'a' } });
      model.addPod({ namespace: 'p', name: 'b', labels: { app: 'b' } });
      expect(model).toAllowProbe({ from: 'p/a', to: 'p/b', port: 8087, http: { method: 'GET', path: '/v1/' } });
      expect(model).toDenyProbe({ from: 'p/a', to: 'p/b', port: 8087, http: { method: 'POST', path: '/v1/' } });
      expect(() => a.calls(b, Port.tcp(8085))).toThrow(/for some HTTP requests only; an allowance of that port without HTTP rules would admit every request/);
    });

    test('another request set for the same port adds rules', () => {
      const { chart, deathstar, tiefighter } = build();
      tiefighter.callsHttp(deathstar, Port.tcp(80), [{ method: 'GET', path: '/v1/' }]);
      expect(synthValid(chart)[0].spec.ingress[0].toPorts[0].rules.http).toEqual([
        { method: 'POST', path: '/v1/request-landing' }, { method: 'GET', path: '/v1/' },
      ]);
    });

    test.each([PolicyEngine.KUBERNETES, PolicyEngine.CALICO])('on %s: refused at the call', (engine) => {
      const graph = new ServiceGraph(newChart(), 'g', { namespace: 'p', engine });
      const a = graph.workload('a');
      const b = graph.workload('b', { ports: [Port.tcp(80)] });
      expect(() => a.callsHttp(b, Port.tcp(80), [{ method: 'GET' }]))
        .toThrow(new RegExp(`workload\\("a"\\).callsHttp\\(\\): HTTP rules need engine PolicyEngine.CILIUM; PolicyEngine.${engine.toUpperCase()} cannot express HTTP`));
      expect(() => b.allowFromHttp(Peer.namespace('ingress'), Port.tcp(80), [{ method: 'GET' }])).toThrow(/allowFromHttp\(\): HTTP rules need engine PolicyEngine.CILIUM/);
    });
  });

  describe('workload objects: labels, namespace and ports read from any cdk8s-plus major or Kube* object', () => {
    test('cdk8s-plus-28 and cdk8s-plus-33 Deployments: their own selector, their container ports', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const web33 = new kplus33.Deployment(chart, 'web33', { containers: [{ image: 'nginx', portNumber: 8080, securityContext: { ensureNonRoot: false } }] });
      const api28 = new kplus28.Deployment(chart, 'api28', { containers: [{ image: 'api', portNumber: 9000, securityContext: { ensureNonRoot: false } }] });
      const graph = new ServiceGraph(chart, 'g', { namespace: 'shop' });
      const web = graph.workload('web', { workload: web33 });
      const api = graph.workload('api', { workload: api28 });
      expect(web.ports.map(String)).toEqual(['TCP/8080']);
      expect(api.ports.map(String)).toEqual(['TCP/9000']);
      web.calls(api);
      const objects = synthValid(chart);
      const policy = objects.find((o) => o.metadata.name === 'g-api');
      expect(policy.spec.podSelector).toEqual({ matchLabels: { ...api28.matchLabels } });
      expect(policy.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { ...web33.matchLabels } } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
      // The model, fed the Deployments themselves, agrees.
      const model = NetworkModel.fromManifests(objects);
      const pod = (name: string) => `shop/${objects.find((o) => o.kind === 'Deployment' && o.metadata.name.includes(name)).metadata.name}`;
      expect(model).toAllow(pod('web33'), pod('api28'), 9000);
      expect(model).toDeny(pod('api28'), pod('web33'), 8080);
    });

    test('Kube* workloads: Deployment, StatefulSet, DaemonSet, Job, CronJob and Pod', () => {
      const chart = newChart();
      const template = (app: string, ports: any[] = []) => ({ metadata: { labels: { app, tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i', ports }] } });
      const md = { namespace: 'p' };
      const objects: Record<string, ApiObject> = {
        deployment: new KubeDeployment(chart, 'd', { metadata: md, spec: { selector: { matchLabels: { app: 'd' } }, template: template('d', [{ containerPort: 7000, name: 'grpc' }]) } }),
        statefulset: new KubeStatefulSet(chart, 's', { metadata: md, spec: { serviceName: 's', selector: { matchLabels: { app: 's' } }, template: template('s', [{ containerPort: 5432 }]) } }),
        daemonset: new KubeDaemonSet(chart, 'ds', { metadata: md, spec: { selector: { matchLabels: { app: 'ds' } }, template: template('ds', [{ containerPort: 53, protocol: 'UDP' }]) } }),
        // A Job's pods run to completion: the API server refuses the default restartPolicy (Always).
        job: new KubeJob(chart, 'j', { metadata: md, spec: { template: { ...template('j'), spec: { ...template('j').spec, restartPolicy: 'Never' } } } }),
        cronjob: new KubeCronJob(chart, 'cj', { metadata: md, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: { ...template('cj'), spec: { ...template('cj').spec, restartPolicy: 'OnFailure' } } } } } }),
        pod: new KubePod(chart, 'pod', { metadata: { ...md, labels: { app: 'pod' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }),
      };
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p' });
      const read = Object.fromEntries(Object.entries(objects).map(([name, workload]) => [name, graph.workload(name, { workload })]));
      expect(Object.fromEntries(Object.entries(read).map(([name, w]) => [name, `${w.selector} ${w.ports.join(',')}`]))).toEqual({
        deployment: '{app=d} TCP/7000',
        statefulset: '{app=s} TCP/5432',
        daemonset: '{app=ds} UDP/53',
        job: '{app=j, tier=x} ',
        cronjob: '{app=cj, tier=x} ',
        pod: '{app=pod} ',
      });
      read.job.calls(read.deployment);
      read.cronjob.calls(read.statefulset);
      expectValidManifests(Testing.synth(chart));
    });

    test('a workload whose containers come later (cdk8s-plus) is read through cdk8s-plus\'s accessors', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const later = new kplus33.Deployment(chart, 'later');
      const graph = new ServiceGraph(chart, 'g', { namespace: 'shop' });
      const w = graph.workload('later', { workload: later, ports: [Port.tcp(8080)] });
      later.addContainer({ image: 'nginx', portNumber: 8080 });
      expect(w.selector.labels).toEqual(later.matchLabels);
      expect(w.ports.map(String)).toEqual(['TCP/8080']);
    });

    test('the namespace comes from the workload; a workload without one, or in another than given, is refused', () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p' });
      const elsewhere = new KubeDeployment(chart, 'o', { metadata: { namespace: 'other' }, spec: { selector: { matchLabels: { app: 'o' } }, template: { metadata: { labels: { app: 'o' } } } } });
      expect(graph.workload('o', { workload: elsewhere }).namespace).toBe('other');
      expect(() => graph.workload('o2', { workload: elsewhere, namespace: 'p' }))
        .toThrow(/ServiceGraph "test\/g".workload\("o2"\): workload test\/o is in namespace "other", but the namespace given for it is "p"/);
      const nowhere = new KubeDeployment(chart, 'n', { spec: { selector: { matchLabels: { app: 'n' } }, template: { metadata: { labels: { app: 'n' } } } } });
      expect(() => graph.workload('n', { workload: nowhere }))
        .toThrow(/workload\("n"\): workload test\/n has no namespace, so it would deploy wherever kubectl points .* to "p"/);
    });

    test.each([
      ['not a construct', () => ({ kind: 'Deployment' }), /workload \{"kind":"Deployment"\} is not a construct; expected a Deployment, StatefulSet/],
      ['a Service', (c: Chart) => new KubeService(c, 'svc', { metadata: { namespace: 'p' }, spec: {} }), /workload test\/svc is a Service, not a workload/],
      ['a construct without an object', (c: Chart) => new Chart(c, 'inner'), /workload test\/inner is not a workload: it holds no Kubernetes object/],
      ['an empty selector', (c: Chart) => new KubeDeployment(c, 'e', { metadata: { namespace: 'p' }, spec: { selector: {}, template: { metadata: { labels: { app: 'e' } } } } }),
        /workload test\/e has an empty pod selector, so a policy for it would select every pod of the namespace/],
      ['a selector that misses its template', (c: Chart) => new KubeDeployment(c, 'm', { metadata: { namespace: 'p' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'y' } } } } }),
        /workload test\/m selects \{app=x\} but its pod template carries \{"app":"y"\}, so it selects none of its own pods/],
      ['a pod without labels', (c: Chart) => new KubePod(c, 'bare', { metadata: { namespace: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } }), /workload test\/bare has no pod labels/],
      ['a host-network pod', (c: Chart) => new KubePod(c, 'h', { metadata: { namespace: 'p', labels: { app: 'h' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } }),
        /workload test\/h runs on the host network: network policies neither select nor protect it/],
      ['an invalid selector operator', (c: Chart) => new KubeDeployment(c, 'op', { metadata: { namespace: 'p' }, spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }, template: { metadata: { labels: { a: '2' } } } } }),
        /workload test\/op selector is not usable: operator "Gt" is not one of In, NotIn, Exists, DoesNotExist/],
    ])('refused: %s', (_, make, message) => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p' });
      expect(() => graph.workload('w', { workload: make(chart) as any })).toThrow(message);
    });
  });

  describe('bad input throws at the call, naming the prop and the value', () => {
    const graph = () => new ServiceGraph(newChart(), 'g', { namespace: 'p' });
    test.each([
      ['an empty name', (g: ServiceGraph) => g.workload(''), /ServiceGraph "test\/g".workload\(\): name "" is not a valid workload name: it is empty/],
      ['an invalid name', (g: ServiceGraph) => g.workload('Front End'), /name "Front End" is not a valid workload name/],
      ['a name constructs takes as taken', (g: ServiceGraph) => g.workload('constructor'),
        /ServiceGraph "test\/g".workload\(\): name "constructor" cannot be a workload name: it is a property of every JavaScript object/],
      ['a repeated name', (g: ServiceGraph) => { g.workload('a'); g.workload('a'); }, /workload\("a"\): a workload named "a" is already declared in this graph/],
      ['labels {}', (g: ServiceGraph) => g.workload('a', { labels: {} }), /workload\("a"\): labels \{\} would select every pod of namespace "p" as "a"/],
      ['an invalid label value', (g: ServiceGraph) => g.workload('a', { labels: { app: 'no good' } }), /workload\("a"\): labels\["app"\] value "no good" is not a valid label value/],
      ['labels and workload', (g: ServiceGraph) => g.workload('a', { labels: { app: 'a' }, workload: g }), /options set both labels and workload/],
      ['an unknown option', (g: ServiceGraph) => g.workload('a', { lables: { app: 'a' } } as any), /workload\("a"\): options has an unknown key "lables"/],
      ['an empty ports list', (g: ServiceGraph) => g.workload('a', { ports: [] }), /workload\("a"\): ports \[\] must list at least one Port/],
      ['a port that is not a Port', (g: ServiceGraph) => g.workload('a', { ports: [8080 as any] }), /ports\[0\] 8080 is not a Port/],
      ['an invalid namespace', (g: ServiceGraph) => g.workload('a', { namespace: 'Prod' }), /workload\("a"\): namespace "Prod" is not a valid namespace name/],
      ['allowDns not a boolean', (g: ServiceGraph) => g.workload('a', { allowDns: 'no' as any }), /allowDns "no" is not a boolean/],
      ['overlapping workloads', (g: ServiceGraph) => { g.workload('shop', { labels: { app: 'shop' } }); g.workload('api', { labels: { app: 'shop', tier: 'api' } }); },
        /workload\("api"\): shop \{app=shop\} and api \{app=shop, tier=api\} can select the same pods in namespace "p", which would get both workloads' allowances/],
      ['a call to a workload of another graph', (g: ServiceGraph) => {
        const other = new ServiceGraph(g.node.scope as Chart, 'other', { namespace: 'p' }).workload('db', { ports: [Port.tcp(5432)] });
        g.workload('api').calls(other);
      }, /workload\("api"\).calls\(\): target db belongs to ServiceGraph "test\/other", not to this graph; .* allowTo\(db.peer\)/],
      ['a call to something else', (g: ServiceGraph) => g.workload('api').calls(Peer.pods({ app: 'db' }) as any), /calls\(\): target .* is not a ServiceWorkload; pass what graph.workload\(\) returned/],
      ['a port the target does not serve', (g: ServiceGraph) => g.workload('api').calls(g.workload('db', { ports: [Port.tcp(5432)] }), Port.tcp(5433)),
        /workload\("api"\).calls\(\): port TCP\/5433 is not served by db, which serves TCP\/5432; use one of those, or declare TCP\/5433 in its ports/],
      ['a call without ports to a target without ports', (g: ServiceGraph) => g.workload('api').calls(g.workload('db')),
        /calls\(\): db declares no ports, so there is nothing to call by default; name the ports, e.g. api.calls\(db, Port.tcp\(8080\)\)/],
      ['allowFrom without ports on a workload without ports', (g: ServiceGraph) => g.workload('api').allowFrom(Peer.namespace('ingress')),
        /allowFrom\(\): api declares no ports, so there is nothing to allow by default/],
      ['allowFrom of a DNS name', (g: ServiceGraph) => g.workload('api', { ports: [Port.tcp(80)] }).allowFrom(Peer.fqdn('example.com')),
        /allowFrom\(\): peer example.com is a DNS name; engines match DNS names on egress only/],
      ['allowFrom of a workload of the graph', (g: ServiceGraph) => { const web = g.workload('web'); g.workload('api', { ports: [Port.tcp(80)] }).allowFrom(web.peer); },
        /allowFrom\(\): peer pods \{app=web\} in namespace p selects the pods of the workload "web" of this graph, and would allow one end only; write web.calls\(api\), which allows both ends/],
      ['allowFrom of something else', (g: ServiceGraph) => g.workload('api', { ports: [Port.tcp(80)] }).allowFrom('10.0.0.0/8' as any), /allowFrom\(\): peer "10.0.0.0\/8" is not a Peer/],
      ['allowTo with a named port to an address', (g: ServiceGraph) => g.workload('api').allowTo(Peer.internet(), Port.named('https')),
        /allowTo\(\): egress rule 0 pairs the named port TCP\/https with the internet/],
      ['callsHttp on a named port', (g: ServiceGraph) => {
        const c = new ServiceGraph(g.node.scope as Chart, 'cil', { namespace: 'p', engine: PolicyEngine.CILIUM });
        c.workload('a').callsHttp(c.workload('b'), Port.named('http'), [{ method: 'GET' }]);
      }, /callsHttp\(\): port TCP\/http must be a numbered TCP port or range such as Port.tcp\(8080\) or Port.tcpRange\(8080, 8090\)/],
    ])('%s', (_, act, message) => {
      expect(() => act(graph())).toThrow(message);
    });

    test.each([
      [{}, /props has an unknown key|namespace/],
      [{ namespace: 'p', restrictEgress: 'no' }, /restrictEgress "no" is not a boolean/],
      [{ namespace: 'p', restrictEgress: false, allowDns: true }, /allowDns is set but restrictEgress is false/],
      [{ namespace: 'p', restrictEgress: false, dnsPeer: Peer.kubeDns() }, /dnsPeer is set but restrictEgress is false/],
      [{ namespace: 'p', allowDns: false, dnsPeer: Peer.kubeDns() }, /dnsPeer is set but allowDns is false/],
      [{ namespace: 'p', name: 'Bad' }, /name "Bad" is not a valid object name/],
      [{ namespace: 'p', engine: 'envoy' }, /engine "envoy" is unknown/],
    ])('props %j', (props, message) => {
      expect(() => new ServiceGraph(newChart(), 'g', props as any)).toThrow(message);
    });

    test('an option of a workload with restrictEgress: false', () => {
      const g = new ServiceGraph(newChart(), 'g', { namespace: 'p', restrictEgress: false });
      expect(() => g.workload('a', { allowDns: true })).toThrow(/allowDns is set but the graph does not restrict egress/);
    });

    test('nothing is kept from a refused call', () => {
      const chart = newChart();
      const g = new ServiceGraph(chart, 'g', { namespace: 'p' });
      const a = g.workload('a');
      const b = g.workload('b', { ports: [Port.tcp(80)] });
      expect(() => a.calls(b, Port.tcp(81))).toThrow(/not served/);
      expect(() => a.allowTo(Peer.fqdn('x.example.com'), Port.tcp(443))).toThrow(/cannot be expressed/);
      const [policyA, policyB] = synthValid(chart);
      expect(policyA.spec.egress).toHaveLength(1);
      expect(policyB.spec.ingress).toBeUndefined();
    });
  });

  describe('synth-time proofs', () => {
    test('a hand-written policy that opens an undeclared call fails synth, naming both workloads and the policy', () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'shop', { namespace: 'p' });
      const frontend = graph.workload('frontend', { ports: [Port.tcp(8080)] });
      const db = graph.workload('db', { ports: [Port.tcp(5432)] });
      const api = graph.workload('api', { ports: [Port.tcp(9000)] });
      frontend.calls(api);
      api.calls(db);
      new ApiObject(chart, 'shortcut', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'shortcut', namespace: 'p' },
        spec: {
          podSelector: { matchLabels: { app: 'db' } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }],
        },
      });
      const extra = new ApiObject(chart, 'shortcut-egress', {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'shortcut-egress', namespace: 'p' },
        spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] },
      });
      expect(extra.kind).toBe('NetworkPolicy');
      expect(() => Testing.synth(chart)).toThrow(/ServiceGraph "test\/shop" promises that frontend cannot reach db on TCP\/5432 \[no-frontend-to-db\], but p\/shortcut-egress and p\/shortcut open it. Narrow those policies, or, if frontend calls db, declare it with frontend.calls\(db\)/);
      PolicyProofs.accept(graph, 'no-frontend-to-db', 'migration: the frontend reads the db until the api serves reports');
      expect(() => Testing.synth(chart)).not.toThrow();
    });

    test('an ExternalHttpsEgress for a graph workload breaks "no internet" and names the graph\'s way', () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'shop', { namespace: 'p' });
      graph.workload('api', { ports: [Port.tcp(8080)] });
      new ExternalHttpsEgress(chart, 'api-https', { namespace: 'p', selector: { app: 'api' } });
      expect(() => Testing.synth(chart)).toThrow(/\[no-api-to-internet\], but p\/api-https \(from ExternalHttpsEgress "test\/api-https"\) opens it. Narrow that policy, or, if api needs the internet, declare it with api.allowTo\(Peer.internet\(\), Port.tcp\(443\)\)/);
    });

    test('a default deny beside the graph keeps every promise; a same-namespace allowance breaks the pairs', () => {
      const chart = newChart();
      new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop' });
      shop(chart, PolicyEngine.KUBERNETES);
      expect(() => synthValid(chart)).not.toThrow();
      const open = newChart();
      new ZeroTrustNamespace(open, 'zt', { namespace: 'shop', allowSameNamespace: true });
      shop(open, PolicyEngine.KUBERNETES);
      expect(() => Testing.synth(open)).toThrow(/\[no-redis-to-frontend\], but shop\/allow-same-namespace \(from ZeroTrustNamespace "test\/zt"\) opens it/);
    });

    test('the promise list of the shop is pinned', () => {
      const chart = newChart();
      shop(chart, PolicyEngine.KUBERNETES);
      const graph = chart.node.findChild('shop') as ServiceGraph;
      expect(PolicyProofs.promisesOf(graph)).toEqual([
        'anywhere-to-frontend: anywhere (every pod and every address) reaches frontend on TCP/8080',
        'monitoring-prometheus-to-payments: pods {app=prometheus} in namespace monitoring reaches payments on TCP/9090',
        'frontend-to-cart: frontend reaches cart on TCP/7070',
        'frontend-to-payments: frontend reaches payments on TCP/50051',
        'cart-to-redis: cart reaches redis on TCP/6379',
        'payments-to-internet: payments may send to the internet (public addresses only) on TCP/443',
        'no-frontend-to-redis: frontend cannot reach redis on TCP/6379',
        'no-frontend-to-payments-tcp-9090: frontend cannot reach payments on TCP/9090',
        'no-cart-to-frontend: cart cannot reach frontend on TCP/8080',
        'no-cart-to-payments-tcp-50051: cart cannot reach payments on TCP/50051',
        'no-cart-to-payments-tcp-9090: cart cannot reach payments on TCP/9090',
        'no-redis-to-frontend: redis cannot reach frontend on TCP/8080',
        'no-redis-to-cart: redis cannot reach cart on TCP/7070',
        'no-redis-to-payments-tcp-50051: redis cannot reach payments on TCP/50051',
        'no-redis-to-payments-tcp-9090: redis cannot reach payments on TCP/9090',
        'no-payments-to-frontend: payments cannot reach frontend on TCP/8080',
        'no-payments-to-cart: payments cannot reach cart on TCP/7070',
        'no-payments-to-redis: payments cannot reach redis on TCP/6379',
        'no-anywhere-to-cart: anywhere (every pod and every address) cannot reach cart on TCP/7070',
        'no-anywhere-to-redis: anywhere (every pod and every address) cannot reach redis on TCP/6379',
        'no-anywhere-to-payments-tcp-50051: anywhere (every pod and every address) cannot reach payments on TCP/50051',
        'no-anywhere-to-payments-tcp-9090: anywhere (every pod and every address) cannot reach payments on TCP/9090',
        'no-monitoring-prometheus-to-cart: pods {app=prometheus} in namespace monitoring cannot reach cart on TCP/7070',
        'no-monitoring-prometheus-to-redis: pods {app=prometheus} in namespace monitoring cannot reach redis on TCP/6379',
        'no-monitoring-prometheus-to-payments-tcp-50051: pods {app=prometheus} in namespace monitoring cannot reach payments on TCP/50051',
        'no-other-namespaces-to-cart: pods of other namespaces (netpol-proof-outside tried) cannot reach cart on TCP/7070',
        'no-other-namespaces-to-redis: pods of other namespaces (netpol-proof-outside tried) cannot reach redis on TCP/6379',
        'no-other-namespaces-to-payments-tcp-50051: pods of other namespaces (netpol-proof-outside tried) cannot reach payments on TCP/50051',
        'no-other-namespaces-to-payments-tcp-9090: pods of other namespaces (netpol-proof-outside tried) cannot reach payments on TCP/9090',
        'no-frontend-to-other-namespaces: frontend cannot reach pods of other namespaces (netpol-proof-outside tried) on TCP/80',
        'no-frontend-to-internet: frontend cannot reach the internet (203.0.113.10) on TCP/443',
        'no-frontend-to-internet-tcp-80: frontend cannot reach the internet (203.0.113.10) on TCP/80',
        'no-frontend-to-internet-udp-53: frontend cannot reach the internet (203.0.113.10) on UDP/53',
        'no-cart-to-other-namespaces: cart cannot reach pods of other namespaces (netpol-proof-outside tried) on TCP/80',
        'no-cart-to-internet: cart cannot reach the internet (203.0.113.10) on TCP/443',
        'no-cart-to-internet-tcp-80: cart cannot reach the internet (203.0.113.10) on TCP/80',
        'no-cart-to-internet-udp-53: cart cannot reach the internet (203.0.113.10) on UDP/53',
        'no-redis-to-other-namespaces: redis cannot reach pods of other namespaces (netpol-proof-outside tried) on TCP/80',
        'no-redis-to-internet: redis cannot reach the internet (203.0.113.10) on TCP/443',
        'no-redis-to-internet-tcp-80: redis cannot reach the internet (203.0.113.10) on TCP/80',
        'no-redis-to-internet-udp-53: redis cannot reach the internet (203.0.113.10) on UDP/53',
        'no-payments-to-other-namespaces: payments cannot reach pods of other namespaces (netpol-proof-outside tried) on TCP/80',
        'frontend-dns-udp: frontend reaches pods {k8s-app=kube-dns} in namespace kube-system on UDP/53',
        'frontend-dns-tcp: frontend reaches pods {k8s-app=kube-dns} in namespace kube-system on TCP/53',
        'cart-dns-udp: cart reaches pods {k8s-app=kube-dns} in namespace kube-system on UDP/53',
        'cart-dns-tcp: cart reaches pods {k8s-app=kube-dns} in namespace kube-system on TCP/53',
        'redis-dns-udp: redis reaches pods {k8s-app=kube-dns} in namespace kube-system on UDP/53',
        'redis-dns-tcp: redis reaches pods {k8s-app=kube-dns} in namespace kube-system on TCP/53',
        'payments-dns-udp: payments reaches pods {k8s-app=kube-dns} in namespace kube-system on UDP/53',
        'payments-dns-tcp: payments reaches pods {k8s-app=kube-dns} in namespace kube-system on TCP/53',
      ]);
    });

    test('the graph can grow after it is first synthesized: the next synthesis proves the new state', () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p' });
      const a = graph.workload('a', { ports: [Port.tcp(80)] });
      const b = graph.workload('b', { ports: [Port.tcp(80)] });
      expect(() => Testing.synth(chart)).not.toThrow();
      a.calls(b);
      const objects = synthValid(chart);
      expect(objects[1].spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: 'a' } } }], ports: [{ protocol: 'TCP', port: 80 }] }]);
      expect(PolicyProofs.promisesOf(graph).map((p) => p.split(':')[0])).toContain('a-to-b');
    });
  });

  describe('review findings', () => {
    test('HTTP calls without rules are refused, never widened to every request', () => {
      const graph = new ServiceGraph(newChart(), 'g', { namespace: 'p', engine: PolicyEngine.CILIUM });
      const a = graph.workload('a');
      const b = graph.workload('b', { ports: [Port.tcp(80)] });
      expect(() => a.callsHttp(b, Port.tcp(80), undefined as any)).toThrow(/workload\("a"\).callsHttp\(\): rules undefined must list at least one HttpRule/);
      expect(() => b.allowFromHttp(Peer.namespace('ing'), Port.tcp(80), undefined as any)).toThrow(/allowFromHttp\(\): rules undefined must list at least one HttpRule/);
      const k8s = new ServiceGraph(newChart(), 'g', { namespace: 'p' });
      expect(() => k8s.workload('a').callsHttp(k8s.workload('b', { ports: [Port.tcp(80)] }), Port.tcp(80), undefined as any))
        .toThrow(/HTTP rules need engine PolicyEngine.CILIUM/);
    });

    test('an allowance without HTTP rules that would cancel a call\'s rules is refused, in either order, named ports included', () => {
      const graph = new ServiceGraph(newChart(), 'g', { namespace: 'p', engine: PolicyEngine.CILIUM });
      const a = graph.workload('a');
      const b = graph.workload('b', { ports: [Port.tcp(80), Port.named('http'), Port.tcp(9090)] });
      a.callsHttp(b, Port.tcp(80), [{ method: 'GET', path: '/public/.*' }]);
      expect(() => b.allowFrom(Peer.anywhere(), Port.tcp(80))).toThrow(/allowFrom\(\): a.calls\(b\) admits anywhere .* on TCP\/80 for some HTTP requests only/);
      // "http" may be port 80 on the pods: the graph cannot tell, so it refuses.
      expect(() => a.calls(b, Port.named('http'))).toThrow(/calls\(\): a.calls\(b\) admits a on TCP\/http for some HTTP requests only/);
      expect(() => b.allowFrom(Peer.anywhere(), Port.tcp(9090))).not.toThrow();
      const other = new ServiceGraph(newChart(), 'g', { namespace: 'p', engine: PolicyEngine.CILIUM });
      const c = other.workload('c');
      const d = other.workload('d', { ports: [Port.tcp(80)] });
      d.allowFrom(Peer.pods({}));
      expect(() => c.callsHttp(d, Port.tcp(80), [{ method: 'GET' }])).toThrow(/callsHttp\(\): d.allowFrom\(all pods of the namespace\) admits every request from c on TCP\/80 \(no HTTP rules\)/);
    });

    test('a peer naming a workload of the graph is refused however it is spelt', () => {
      const graph = new ServiceGraph(newChart(), 'g', { namespace: 'shop' });
      const frontend = graph.workload('frontend');
      const cart = graph.workload('cart', { ports: [Port.tcp(7070)] });
      for (const peer of [Peer.pods({ app: 'frontend' }), Peer.podsMatching(frontend.selector), Peer.podsInNamespace('shop', { app: 'frontend' }), frontend.peer]) {
        expect(() => cart.allowFrom(peer)).toThrow(/selects the pods of the workload "frontend" of this graph, and would allow one end only; write frontend.calls\(cart\)/);
      }
      expect(() => frontend.allowTo(Peer.pods({ app: 'cart' }), Port.tcp(7070))).toThrow(/allowTo\(\): .*workload "cart" .* write frontend.calls\(cart\)/);
      // Broader peers are allowances of their own.
      expect(() => cart.allowFrom(Peer.pods({}))).not.toThrow();
      expect(() => cart.allowFrom(Peer.podsInNamespace('other', { app: 'frontend' }))).not.toThrow();
    });

    test('workloads on different label keys are two conventions, not an overlap', () => {
      const graph = new ServiceGraph(newChart(), 'g', { namespace: 'p' });
      graph.workload('web');
      expect(() => graph.workload('redis', { labels: { 'app.kubernetes.io/name': 'redis' } })).not.toThrow();
    });

    test('declared ports must be ports of the workload object\'s containers, when they declare any', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const web = new kplus33.Deployment(chart, 'web', { containers: [{ image: 'nginx', portNumber: 8080 }] });
      const graph = new ServiceGraph(chart, 'g', { namespace: 'shop' });
      expect(() => graph.workload('web', { workload: web, ports: [Port.tcp(80)] }))
        .toThrow(/workload\("web"\): ports\[0\] TCP\/80 is not a port of the containers of workload c\/web \(they declare TCP\/8080\); declare it on the container/);
      expect(graph.workload('web', { workload: web, ports: [Port.tcpRange(8000, 8100)] }).ports.map(String)).toEqual(['TCP/8000-8100']);
    });

    test('container ports the API server would refuse are refused', () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p' });
      const deployment = (id: string, ports: any[]) => new KubeDeployment(chart, id, {
        metadata: { namespace: 'p' },
        spec: { selector: { matchLabels: { app: id } }, template: { metadata: { labels: { app: id } }, spec: { containers: [{ name: 'c', image: 'i', ports }] } } },
      });
      expect(() => graph.workload('a', { workload: deployment('a', [{ containerPort: '8080' }]) })).toThrow(/container port #1 "8080" is not a port number/);
      expect(() => graph.workload('b', { workload: deployment('b', [{ containerPort: 70000 }]) })).toThrow(/container port #1 70000 is not a port number/);
      expect(() => graph.workload('c', { workload: deployment('c', [{ containerPort: 80, protocol: 'tcp' }]) })).toThrow(/protocol "tcp" is not TCP, UDP or SCTP/);
      expect(() => graph.workload('j', { workload: new KubeJob(chart, 'j', { metadata: { namespace: 'p' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'i' }] } } } }) }))
        .toThrow(/workload test\/j has no pod labels, so a policy for it would select every pod of the namespace; give its pod template labels/);
    });

    test('a DNS name needs DNS: allowTo(Peer.fqdn()) with allowDns: false is refused', () => {
      const graph = new ServiceGraph(newChart(), 'g', { namespace: 'p', engine: PolicyEngine.CILIUM });
      const w = graph.workload('w', { allowDns: false });
      expect(() => w.allowTo(Peer.fqdn('api.stripe.com'), Port.tcp(443))).toThrow(/allowTo\(\): peer api.stripe.com is a DNS name, .* but the workload has allowDns: false/);
    });

    test('a repeated allowance adds nothing; a name taken by another construct names the workload call', () => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p' });
      const w = graph.workload('w', { ports: [Port.tcp(80)] });
      w.allowFrom(Peer.namespace('ingress'));
      w.allowFrom(Peer.namespace('ingress'));
      expect(synthValid(chart)[0].spec.ingress).toHaveLength(1);
      const same = new ServiceGraph(chart, 'other', { namespace: 'p', name: 'g' });
      expect(() => same.workload('w')).toThrow(/ServiceGraph "test\/other".workload\("w"\): NetworkPolicy "g-w" \(networking.k8s.io\/v1\) in namespace "p" is already emitted by ServiceGraph "test\/g"/);
    });

    test('peer names never take a workload\'s promise ids', () => {
      const graph = new ServiceGraph(newChart(), 'g', { namespace: 'p' });
      const frontend = graph.workload('frontend', { labels: { app: 'web' } });
      const cart = graph.workload('cart', { ports: [Port.tcp(7070)] });
      cart.allowFrom(Peer.pods({ app: 'frontend' }));
      frontend.calls(cart);
      const ids = PolicyProofs.promisesOf(graph).map((p) => p.split(':')[0]);
      expect(ids).toContain('frontend-to-cart');
      expect(ids).toContain('frontend-peer-to-cart');
    });

    describe('what the proofs catch beyond the calls', () => {
      const build = (engine: PolicyEngine = PolicyEngine.KUBERNETES) => {
        const chart = newChart();
        new ZeroTrustNamespace(chart, 'zt', { namespace: 'p', engine });
        const graph = new ServiceGraph(chart, 'g', { namespace: 'p', engine });
        const frontend = graph.workload('frontend', { ports: [Port.tcp(8080)] });
        const api = graph.workload('api', { ports: [Port.tcp(9000)] });
        const loadgen = graph.workload('loadgen');
        frontend.calls(api);
        loadgen.calls(frontend);
        return { chart, graph, frontend, api, loadgen };
      };
      const handWritten = (chart: Chart, name: string, spec: any) =>
        new ApiObject(chart, name, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'p' }, spec });

      test('the graph as built keeps every promise', () => {
        expect(() => synthValid(build().chart)).not.toThrow();
      });

      test.each([
        ['ingress from everywhere', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{}] }, /\[no-other-namespaces-to-api\]/],
        ['every namespace', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }] }, /\[no-other-namespaces-to-api\]/],
        ['the internet in', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }, /\[no-internet-to-api\]/],
        ['the internet out on port 80', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 80 }] }] },
          /\[no-api-to-internet-tcp-80\]/],
        ['public DNS', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 53, protocol: 'UDP' }] }] },
          /\[no-api-to-internet-udp-53\]/],
        ['pods of every namespace out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }] }] },
          /\[no-frontend-to-other-namespaces\]/],
      ])('%s fails synth', (_, spec, message) => {
        const { chart } = build();
        handWritten(chart, 'opener', spec);
        expect(() => Testing.synth(chart)).toThrow(message);
      });

      test('a workload that declares no ports is tried on TCP/80', () => {
        const { chart, graph } = build();
        expect(PolicyProofs.promisesOf(graph).map((p) => p.split(':')[0])).toContain('no-api-to-loadgen');
        handWritten(chart, 'in', { podSelector: { matchLabels: { app: 'loadgen' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }] }] });
        handWritten(chart, 'out', { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'loadgen' } } }] }] });
        expect(() => Testing.synth(chart)).toThrow(/\[no-frontend-to-loadgen\]/);
      });

      test('an allowTo range with the stand-in address moves the internet promise to another public address', () => {
        const { chart, graph, api } = build();
        api.allowTo(Peer.ipBlock('203.0.113.0/24'), Port.tcp(443));
        expect(PolicyProofs.promisesOf(graph)).toContain('no-api-to-internet: api cannot reach the internet (198.51.100.10) on TCP/443');
        new ExternalHttpsEgress(chart, 'api-https', { namespace: 'p', selector: { app: 'api' } });
        expect(() => Testing.synth(chart)).toThrow(/\[no-api-to-internet\], but p\/api-https/);
      });

      test('without restrictEgress, a broken call says that the graph leaves the caller\'s egress to others', () => {
        const chart = newChart();
        new ZeroTrustNamespace(chart, 'zt', { namespace: 'p' });
        const graph = new ServiceGraph(chart, 'g', { namespace: 'p', restrictEgress: false });
        graph.workload('a').calls(graph.workload('b', { ports: [Port.tcp(80)] }));
        expect(() => Testing.synth(chart)).toThrow(/\[a-to-b\], but no policy allows it: .* or, as the graph leaves a's egress to other policies \(restrictEgress: false\), allow it there, or set restrictEgress: true/);
      });
    });

    test.each(ENGINES)('the API server by address or identity synthesizes on %s (its address is not probed)', (engine) => {
      const chart = newChart();
      const graph = new ServiceGraph(chart, 'g', { namespace: 'p', engine });
      graph.workload('controller').allowTo(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }), Port.tcp(443));
      graph.workload('webhook', { ports: [Port.tcp(9443)] }).allowFrom(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }));
      expect(() => synthValid(chart)).not.toThrow();
    });
  });

  test('two graphs with different ids never collide; one workload name in two graphs is two policies', () => {
    const chart = newChart();
    new ServiceGraph(chart, 'team-a', { namespace: 'p' }).workload('api', { labels: { app: 'api', team: 'a' } });
    new ServiceGraph(chart, 'team-b', { namespace: 'p' }).workload('api', { labels: { app: 'api', team: 'b' } });
    expect(synthValid(chart).map((o) => o.metadata.name)).toEqual(['team-a-api', 'team-b-api']);
  });

  test('the workload handle says what it is', () => {
    const graph = new ServiceGraph(newChart(), 'g', { namespace: 'p' });
    const w = graph.workload('api', { ports: [Port.tcp(8080)] });
    expect(String(w)).toBe('api (pods {app=api} in namespace p)');
    expect(w.policyName).toBe('g-api');
    expect(String(w.peer)).toBe('pods {app=api} in namespace p');
    expect(graph.workloads).toEqual([w]);
    // The ports list is a copy.
    w.ports.push(Port.tcp(1));
    expect(w.ports).toHaveLength(1);
  });
});

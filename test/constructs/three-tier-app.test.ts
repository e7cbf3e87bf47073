import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { NetworkModel, Peer, PolicyEngine, ThreeTierApp } from '../../src';
import { policyNamed, synthValid } from '../support/manifests';
import '../support/network-matchers';

const newChart = () => new Chart(Testing.app(), 'test');
const DNS = {
  to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
};

describe('ThreeTierApp', () => {
  test('defaults: ingress-nginx -> frontend:80 -> api:8080 -> postgres:5432, DNS for frontend and api, database initiates nothing', () => {
    const chart = newChart();
    const app = new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    const objects = synthValid(chart);
    expect(objects.map((o) => o.metadata.name)).toEqual(['shop-frontend', 'shop-api', 'shop-database']);
    expect(objects.every((o) => o.metadata.namespace === 'production')).toBe(true);

    expect(policyNamed(objects, 'shop-frontend').spec).toEqual({
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }, DNS],
    });
    expect(policyNamed(objects, 'shop-api').spec).toEqual({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }, DNS],
    });
    // Egress listed with no rules: the database may not open any connection.
    expect(policyNamed(objects, 'shop-database').spec).toEqual({
      podSelector: { matchLabels: { app: 'postgres' } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 5432 }] }],
    });
    expect(app.apiSelector.labels).toEqual({ app: 'api' });
    expect(objects).toMatchSnapshot();
  });

  test('non-default: name, labels, ports, ingress controller pods, no DNS', () => {
    const chart = newChart();
    new ThreeTierApp(chart, 'Storefront', {
      namespace: 'shop',
      name: 'store',
      frontend: { labels: { 'app.kubernetes.io/name': 'web' }, port: 3000 },
      api: { labels: { 'app.kubernetes.io/name': 'orders' }, port: 9000 },
      database: { labels: { 'app.kubernetes.io/name': 'mysql' }, port: 3306 },
      ingressNamespace: 'traefik',
      ingressLabels: { 'app.kubernetes.io/name': 'traefik' },
      allowDns: false,
    });
    const objects = synthValid(chart);
    expect(objects.map((o) => o.metadata.name)).toEqual(['store-frontend', 'store-api', 'store-database']);
    const frontend = policyNamed(objects, 'store-frontend');
    expect(frontend.spec.ingress).toEqual([{
      from: [{
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'traefik' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'traefik' } },
      }],
      ports: [{ protocol: 'TCP', port: 3000 }],
    }]);
    expect(frontend.spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'orders' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
    expect(policyNamed(objects, 'store-api').spec.egress).toEqual([{ to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'mysql' } } }], ports: [{ protocol: 'TCP', port: 3306 }] }]);
    expect(objects).toMatchSnapshot();
  });

  test('tier HTTP rules (Cilium): the api accepts only the listed requests from the frontend', () => {
    const chart = newChart();
    const http = [{ method: 'GET', path: '/api/v1/products' }, { method: 'POST', path: '/api/v1/orders' }];
    new ThreeTierApp(chart, 'shop', { namespace: 'production', api: { http }, engine: PolicyEngine.CILIUM });
    const api = synthValid(chart).find((o) => o.metadata.name === 'shop-api');
    expect(api.spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'frontend', 'k8s:io.kubernetes.pod.namespace': 'production' } }],
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http } }],
    }]);
  });

  test('tier HTTP rules on Kubernetes or Calico are refused, naming the engine', () => {
    expect(() => new ThreeTierApp(newChart(), 'shop', { namespace: 'p', api: { http: [{ method: 'GET' }] } }))
      .toThrow(/ThreeTierApp "test\/shop": api.http needs engine PolicyEngine.CILIUM; PolicyEngine.KUBERNETES cannot express HTTP \(L7\) rules/);
    expect(() => new ThreeTierApp(newChart(), 'shop', { namespace: 'p', api: { http: [{ method: 'GET' }] }, engine: PolicyEngine.CALICO }))
      .toThrow(/ThreeTierApp "test\/shop": api.http needs engine PolicyEngine.CILIUM; PolicyEngine.CALICO cannot express HTTP \(L7\) rules/);
    expect(() => new ThreeTierApp(newChart(), 'shop', { namespace: 'p', api: { http: [{ path: 'x' }] }, engine: PolicyEngine.CILIUM }))
      .toThrow(/api.http\[0\].path "x" must start with "\/"/);
  });

  test('policy names come from the construct id as a DNS label', () => {
    const chart = newChart();
    new ThreeTierApp(chart, 'MyShop_V2', { namespace: 'prod' });
    expect(synthValid(chart).map((o) => o.metadata.name)).toEqual(['my-shop-v2-frontend', 'my-shop-v2-api', 'my-shop-v2-database']);
  });

  test('very long ids are shortened with a stable hash, never invalid', () => {
    const chart = newChart();
    const id = 'A'.repeat(40) + 'VeryLongApplicationNameThatKeepsGoing';
    new ThreeTierApp(chart, id, { namespace: 'prod' });
    const names = synthValid(chart).map((o) => o.metadata.name);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(63);
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    const again = newChart();
    new ThreeTierApp(again, id, { namespace: 'prod' });
    expect(synthValid(again).map((o) => o.metadata.name)).toEqual(names);
  });

  test('tiers selected from cdk8s-plus-28 workloads use their pod selector labels', () => {
    const chart = newChart();
    const deployment = (name: string, port: number) => new kplus.Deployment(chart, name, {
      metadata: { namespace: 'shop' },
      containers: [{ image: 'nginx:1.27', portNumber: port, securityContext: { ensureNonRoot: false } }],
    });
    const web = deployment('web', 80);
    const api = deployment('api', 8080);
    const db = new kplus.StatefulSet(chart, 'db', {
      metadata: { namespace: 'shop' },
      containers: [{ image: 'postgres:16', portNumber: 5432, securityContext: { ensureNonRoot: false } }],
      service: new kplus.Service(chart, 'db-svc', { metadata: { namespace: 'shop' }, ports: [{ port: 5432 }] }),
    });
    new ThreeTierApp(chart, 'shop', { namespace: 'shop', frontend: { workload: web }, api: { workload: api }, database: { workload: db } });
    const objects = synthValid(chart);
    const podLabels = (kind: string, name: string) =>
      objects.find((o) => o.kind === kind && o.metadata.name.startsWith(`test-${name}`)).spec.template.metadata.labels;
    expect(policyNamed(objects, 'shop-frontend').spec.podSelector.matchLabels).toEqual(web.matchLabels);
    expect(policyNamed(objects, 'shop-api').spec.podSelector.matchLabels).toEqual(api.matchLabels);
    expect(policyNamed(objects, 'shop-database').spec.podSelector.matchLabels).toEqual(db.matchLabels);
    // The selected labels really are on the pods the workloads create.
    for (const [key, value] of Object.entries(web.matchLabels)) {
      expect(podLabels('Deployment', 'web')[key]).toBe(value);
    }
    expect(policyNamed(objects, 'shop-api').spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: web.matchLabels } }]);
  });

  test('a tier given by its workload is called on its container\'s port, so policy and pods cannot drift apart', () => {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const image = (name: string, port: number) => ({ image: name, portNumber: port, securityContext: { ensureNonRoot: false } });
    const frontend = new kplus.Deployment(chart, 'frontend', { containers: [image('nginx', 8080)] });
    const api = new kplus.Deployment(chart, 'api', { containers: [image('api', 3000)] });
    const db = new kplus.Deployment(chart, 'db', { containers: [image('mysql', 3306)] });
    new ThreeTierApp(chart, 'shop', { namespace: 'shop', frontend: { workload: frontend }, api: { workload: api }, database: { workload: db } });
    const objects = synthValid(chart);
    const model = NetworkModel.fromManifests(objects);
    model.addPod({ namespace: 'ingress-nginx', name: 'controller' });
    const pod = (name: string) => `shop/${objects.find((o) => o.kind === 'Deployment' && o.metadata.name.startsWith(`shop-${name}`)).metadata.name}`;
    expect(model).toAllow('ingress-nginx/controller', pod('frontend'), 8080);
    expect(model).toAllow(pod('frontend'), pod('api'), 3000);
    expect(model).toAllow(pod('api'), pod('db'), 3306);
    expect(model).toDeny(pod('frontend'), pod('db'), 3306);
    // A port the containers do not declare, or a choice the tier must make, is refused.
    const other = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const web = new kplus.Deployment(other, 'web', { containers: [image('nginx', 8080)] });
    expect(() => new ThreeTierApp(other, 'a', { namespace: 'shop', frontend: { workload: web, port: 80 } }))
      .toThrow(/ThreeTierApp "shop\/a".frontend: ports\[0\] TCP\/80 is not a port of the containers of workload shop\/web \(they declare TCP\/8080\)/);
    const two = new kplus.Deployment(other, 'two', { containers: [image('api', 3000), { ...image('sidecar', 9090), name: 'metrics' }] });
    expect(() => new ThreeTierApp(other, 'b', { namespace: 'shop', api: { workload: two } }))
      .toThrow(/ThreeTierApp "shop\/b": api.workload shop\/two serves TCP 3000, 9090; set api.port to the one the tier is called on/);
    expect(() => new ThreeTierApp(other, 'c', { namespace: 'shop', api: { workload: two, port: 3000 } })).not.toThrow();
  });

  test('workload selectors with expressions are carried over', () => {
    const chart = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: 'nginx' }], select: false, podMetadata: { labels: { tier: 'web', track: 'stable' } } });
    web.select(kplus.LabelSelector.of({ labels: { tier: 'web' }, expressions: [kplus.LabelExpression.in('track', ['stable', 'canary']), kplus.LabelExpression.doesNotExist('debug')] }));
    // A custom selector does not identify the workload's pods alone: a tier selected on a key it
    // shares (tier) must be provably disjoint from it.
    expect(() => new ThreeTierApp(chart, 'bad', { namespace: 'shop', frontend: { workload: web }, api: { labels: { tier: 'web', app: 'api' } } }))
      .toThrow(/frontend \{tier=web, track in \(stable, canary\), !debug\} and api \{app=api, tier=web\} can select the same pods/);
    // On keys it does not share, it is another labelling convention: accepted.
    expect(() => new ThreeTierApp(chart, 'conventions', { namespace: 'shop', name: 'conventions', frontend: { workload: web } })).not.toThrow();
    new ThreeTierApp(chart, 'shop', { namespace: 'shop', frontend: { workload: web }, api: { labels: { tier: 'api' } }, database: { labels: { tier: 'db' } } });
    expect(policyNamed(synthValid(chart), 'shop-frontend').spec.podSelector).toEqual({
      matchLabels: { tier: 'web' },
      matchExpressions: [{ key: 'track', operator: 'In', values: ['stable', 'canary'] }, { key: 'debug', operator: 'DoesNotExist' }],
    });
  });

  test('a workload whose pods also match another tier is refused', () => {
    const chart = newChart();
    const web = new kplus.Deployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: 'nginx' }], podMetadata: { labels: { app: 'api' } } });
    expect(() => new ThreeTierApp(chart, 'shop', { namespace: 'shop', frontend: { workload: web } }))
      .toThrow(/frontend \{cdk8s.io\/metadata.addr=test-web-[0-9a-f]+\} and api \{app=api\} can select the same pods/);
  });

  describe('rejects bad input at the call site', () => {
    const web = () => {
      const chart = newChart();
      return { chart, workload: new kplus.Deployment(chart, 'web', { metadata: { namespace: 'other' }, containers: [{ image: 'nginx' }] }) };
    };
    test.each([
      [{ namespace: 'Prod' }, /ThreeTierApp "test\/app": namespace "Prod" is not a valid namespace name/],
      [{ namespace: 'p', api: { port: 70000 } }, /api.port 70000 is not a valid port; expected an integer from 1 to 65535/],
      [{ namespace: 'p', database: { port: 0 } }, /database.port 0 is not a valid port/],
      [{ namespace: 'p', frontend: { port: 80.5 } }, /frontend.port 80.5 is not a valid port/],
      [{ namespace: 'p', frontend: { labels: {} } }, /frontend.labels \{\} would select every pod of the namespace/],
      [{ namespace: 'p', api: { labels: { app: 'frontend' } } }, /frontend \{app=frontend\} and api \{app=frontend\} can select the same pods/],
      // Different labels are not enough: an api pod carries app=shop too, so the frontend policy would select it.
      [{ namespace: 'p', frontend: { labels: { app: 'shop' } }, api: { labels: { app: 'shop', tier: 'api' } }, database: { labels: { app: 'shop', tier: 'db' } } },
        /ThreeTierApp "test\/app"\.api: frontend \{app=shop\} and api \{app=shop, tier=api\} can select the same pods in namespace "p", which would get both workloads' allowances/],
      // The same labels in another order are the same selector.
      [{ namespace: 'p', frontend: { labels: { a: 'x', b: 'y' } }, api: { labels: { b: 'y', a: 'x' } } }, /frontend \{a=x, b=y\} and api \{a=x, b=y\} can select the same pods/],
      [{ namespace: 'p', allowDns: 'false' }, /allowDns "false" is not a boolean; expected true or false/],
      [{ namespace: 'p', name: 'a'.repeat(250) }, /name "a{64}"… \(250 characters\) is too long: with the 9-character suffix .* \(at most 244\)/],
      [{ namespace: 'p', api: { labels: { 'app/x/y': 'a' } } }, /api.labels key "app\/x\/y" is not a valid label key/],
      [{ namespace: 'p', ingressNamespace: 'Ingress_Nginx' }, /ingressNamespace "Ingress_Nginx" is not a valid namespace name/],
      [{ namespace: 'p', name: 'Shop' }, /name "Shop" is not a valid object name/],
      [{ namespace: 'p', allowDns: false, dnsPeer: Peer.kubeDns() }, /dnsPeer is set but allowDns is false/],
      [{ namespace: 'p', frontend: 'web' as any }, /frontend "web" is not an object; expected \{ labels, port, workload, http \}/],
      [{ namespace: 'p', api: { workload: {} as any } }, /ThreeTierApp "test\/app": api.workload \{\} is not a construct; expected a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod/],
    ])('%j', (props, message) => {
      expect(() => new ThreeTierApp(newChart(), 'app', props as any)).toThrow(message);
    });

    test('a workload in another namespace', () => {
      const { chart, workload } = web();
      expect(() => new ThreeTierApp(chart, 'app', { namespace: 'shop', frontend: { workload } }))
        .toThrow(/ThreeTierApp "test\/app"\.frontend: workload test\/web is in namespace "other", but the namespace given for it is "shop"/);
    });

    test('labels and workload together', () => {
      const { chart, workload } = web();
      expect(() => new ThreeTierApp(chart, 'app', { namespace: 'other', frontend: { workload, labels: { app: 'x' } } }))
        .toThrow(/frontend sets both labels and workload; give one of them/);
    });

    test('a workload without a pod selector', () => {
      const chart = newChart();
      const workload = new kplus.Deployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: 'nginx' }], select: false });
      expect(() => new ThreeTierApp(chart, 'app', { namespace: 'shop', frontend: { workload } })).toThrow(/ThreeTierApp "test\/app": frontend.workload test\/web has an empty pod selector/);
    });

    test('a workload without any namespace', () => {
      const chart = newChart();
      const workload = new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx' }] });
      expect(() => new ThreeTierApp(chart, 'app', { namespace: 'shop', frontend: { workload } }))
        .toThrow(/ThreeTierApp "test\/app"\.frontend: workload test\/web has no namespace, so it would deploy wherever kubectl points .* set its metadata.namespace \(or its chart's namespace\) to "shop"/);
    });

    test('a workload in a chart with that namespace is accepted', () => {
      const chart = new Chart(Testing.app(), 'c', { namespace: 'shop' });
      const workload = new kplus.Deployment(chart, 'web', { containers: [{ image: 'nginx' }] });
      new ThreeTierApp(chart, 'app', { namespace: 'shop', frontend: { workload } });
      expect(policyNamed(synthValid(chart), 'app-frontend').spec.podSelector.matchLabels).toEqual(workload.matchLabels);
    });

    test('two apps with one name in one namespace collide', () => {
      const chart = newChart();
      new ThreeTierApp(chart, 'shop', { namespace: 'p' });
      expect(() => new ThreeTierApp(chart, 'other', { namespace: 'p', name: 'shop' }))
        .toThrow(/NetworkPolicy "shop-frontend" \(networking.k8s.io\/v1\) in namespace "p" is already emitted by ThreeTierApp "test\/shop"/);
    });
  });
});

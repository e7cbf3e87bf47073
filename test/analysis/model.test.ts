import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { CalicoGlobalDeny, ClusterCni, NetworkModel, ThreeTierApp, ZeroTrustNamespace } from '../../src';

const policy = (name: string, spec: Record<string, unknown>, namespace = 'prod') => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec,
});
const cilium = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'prod' }, spec: { endpointSelector: {}, ingress: [{}] } };
const calico = { apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'g' }, spec: { selector: 'all()', ingress: [{ action: 'Deny' }] } };
const tier = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 't' }, spec: { order: 10 } };

describe('NetworkModel', () => {
  test('namespaces carry kubernetes.io/metadata.name; pods create their namespace if needed', () => {
    const m = new NetworkModel();
    m.addNamespace('team-a', { team: 'a' });
    m.addPod({ namespace: 'team-b', name: 'web' });
    m.addPod({ namespace: 'team-a', name: 'api', labels: { app: 'api' } });
    m.addManifest(policy('by-name', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-b' } } }] }] }, 'team-a'));
    m.addManifest(policy('by-label', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }] }, 'team-b'));
    expect(m.namespaceNames).toEqual(['team-a', 'team-b']);
    expect(m.podIds).toEqual(['team-a/api', 'team-b/web']);
    expect(m.evaluate({ from: 'team-b/web', to: 'team-a/api', port: 80 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'team-a/api', to: 'team-b/web', port: 80 }).allowed).toBe(true);
  });

  test('a namespace added after its pods still gives them its labels', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'mon', name: 'prom' });
    m.addPod({ namespace: 'prod', name: 'api' });
    m.addManifest(policy('p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { role: 'monitoring' } } }] }] }));
    expect(m.evaluate({ from: 'mon/prom', to: 'prod/api', port: 9090 }).allowed).toBe(false);
    m.addNamespace('mon', { role: 'monitoring' });
    expect(m.evaluate({ from: 'mon/prom', to: 'prod/api', port: 9090 }).allowed).toBe(true);
  });

  test('verdicts explain both sides', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
    m.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db' } });
    m.addManifest(policy('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }));
    m.addManifest(policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }] }));
    expect(m.evaluate({ from: 'prod/web', to: 'prod/db', port: 5432 })).toEqual({
      allowed: false,
      reasons: [
        'egress of prod/web: allowed by prod/web egress rule #1 (to pods {app=db} of the policy\'s namespace on TCP/5432); isolated by prod/deny, prod/web',
        'ingress of prod/db: denied, isolated by prod/deny and no rule of these allows TCP/5432 from prod/web',
      ],
    });
  });

  test('IP literals: outside the cluster unless they are a pod\'s address', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'web', ip: '10.0.0.5' });
    m.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db' } });
    m.addManifest(policy('db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }] }] }));
    expect(m.evaluate({ from: '10.0.0.5', to: 'prod/db', port: 1 }).allowed).toBe(true);
    expect(m.evaluate({ from: '10.0.0.6', to: 'prod/db', port: 1 })).toEqual({
      allowed: false, reasons: ['ingress of prod/db: denied, isolated by prod/db and no rule of these allows TCP/1 from 10.0.0.6'],
    });
  });

  test('fromChart reads policies, Namespace labels and the pods of cdk8s-plus workloads with their ports', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop', createNamespace: true, namespaceLabels: { env: 'prod' } });
    const web = new kplus.Deployment(chart, 'web', { metadata: { namespace: 'shop' }, containers: [{ image: 'nginx', portNumber: 80, securityContext: { ensureNonRoot: false } }] });
    const api = new kplus.StatefulSet(chart, 'api', {
      metadata: { namespace: 'shop' },
      containers: [{ image: 'api', ports: [{ number: 8080, name: 'http' }], securityContext: { ensureNonRoot: false } }],
      service: new kplus.Service(chart, 'api-svc', { metadata: { namespace: 'shop' }, ports: [{ port: 8080 }] }),
    });
    new kplus.CronJob(chart, 'report', { metadata: { namespace: 'shop' }, schedule: Cron.daily(), containers: [{ image: 'report', securityContext: { ensureNonRoot: false } }] });
    new ThreeTierApp(chart, 'app', { namespace: 'shop', frontend: { workload: web }, api: { workload: api, port: 8080 } });
    const m = NetworkModel.fromChart(chart);
    // A StatefulSet's pod is named by its ordinal, as the controller names it.
    expect(m.podIds).toEqual(expect.arrayContaining([`shop/${web.name}`, `shop/${api.name}-0`]));
    expect(m.podIds.some((id) => id.startsWith('shop/c-report'))).toBe(true);
    expect(m.evaluate({ from: `shop/${web.name}`, to: `shop/${api.name}-0`, port: 8080 }).allowed).toBe(true);
    expect(m.evaluate({ from: `shop/${api.name}-0`, to: `shop/${web.name}`, port: 80 }).allowed).toBe(false);
  });

  test('hostNetwork pods are neither isolated nor selected: their traffic is the node\'s', () => {
    const m = NetworkModel.fromManifests([
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'exporter', namespace: 'mon' }, spec: { selector: { matchLabels: { app: 'exporter' } }, template: { metadata: { labels: { app: 'exporter' } }, spec: { hostNetwork: true, containers: [{ name: 'c' }] } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'mon', labels: { app: 'web' } }, spec: { containers: [{ name: 'c' }] } },
      policy('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }, 'mon'),
      policy('from-exporter', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'exporter' } } }] }] }, 'mon'),
    ]);
    expect(m.evaluate({ from: 'mon/web', to: 'mon/exporter', port: 9100 }).reasons).toEqual([
      'egress of mon/web: denied, isolated by mon/deny and no rule of these allows TCP/9100 to mon/exporter',
      'ingress of mon/exporter: allowed, the pod uses the node\'s network, where NetworkPolicy does not apply',
    ]);
    // The pod selector does not match the host-network pod as a peer.
    expect(m.evaluate({ from: 'mon/exporter', to: 'mon/web', port: 80 }).allowed).toBe(false);
    expect(() => new NetworkModel().addPod({ namespace: 'a', name: 'b', hostNetwork: 'yes' as any })).toThrow(/hostNetwork "yes" of a\/b is not a boolean/);
  });

  test('one address, however it is written', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'v6', ip: '2001:db8::1' });
    m.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db' } });
    m.addManifest(policy('db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }] }] }));
    expect(m.evaluate({ from: '2001:DB8:0::1', to: 'prod/db', port: 1 }).allowed).toBe(true);
    expect(() => m.addPod({ namespace: 'prod', name: 'other', ip: '2001:DB8::1' })).toThrow(/ip 2001:DB8::1 of prod\/other is already the address of prod\/v6/);
  });

  test('workloads that share a name get kind-qualified pod names', () => {
    const template = { metadata: { labels: { app: 'b' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } };
    const m = NetworkModel.fromManifests([
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'backup', namespace: 'p' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'p' }, spec: { jobTemplate: { spec: { template } } } },
    ]);
    expect(m.podIds).toEqual(['p/backup', 'p/backup-cronjob']);
  });

  test('fromManifests skips kinds that do not affect connectivity and refuses kinds it does not model', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'prod' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ ports: [{ containerPort: 80 }] }] } } } },
    ];
    expect(NetworkModel.fromManifests(objects).podIds).toEqual(['default/web']);
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'x' } }]))
      .toThrow(/NetworkModel.addManifest\(\): policy.networking.k8s.io\/v1alpha1 AdminNetworkPolicy x is not supported: admin network policies/);
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkSet', metadata: { name: 'cdn' } }]))
      .toThrow(/GlobalNetworkSet cdn is not supported: Calico network sets give labels to address ranges/);
    // Staged Calico policies are previews that are never enforced: skipped like a ConfigMap.
    expect(NetworkModel.fromManifests([{ apiVersion: 'projectcalico.org/v3', kind: 'StagedGlobalNetworkPolicy', metadata: { name: 's' }, spec: {} }]).podIds).toEqual([]);
    // Cilium and Calico policies are evaluated now (their own test files cover how).
    const ciliumModel = NetworkModel.fromManifests([{
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'x', namespace: 'p' },
      spec: { endpointSelector: {}, ingress: [{}] },
    }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'p' }, spec: { containers: [{ name: 'c' }] } }]);
    expect(ciliumModel.evaluate({ from: '203.0.113.1', to: 'p/a', port: 80 }).allowed).toBe(false);
  });

  test('a DNS-name destination: only an ipBlock admitting every address admits it, and the reasons say why', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
    m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api' } });
    m.addManifest(policy('web', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] }] }));
    m.addManifest(policy('api', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] }));
    expect(m.evaluate({ from: 'prod/web', to: 'api.stripe.com', port: 443 })).toEqual({
      allowed: false,
      reasons: ['egress of prod/web: denied, isolated by prod/web and no rule of these allows TCP/443 to api.stripe.com; a DNS name\'s addresses are unknown: ' +
        'only ipBlocks admitting every address of the connection\'s family (0.0.0.0/0 without except; for a client with an IPv6 address also ::/0) admit it'],
    });
    expect(m.evaluate({ from: 'prod/api', to: 'API.stripe.com.', port: 443 }).allowed).toBe(true);
  });

  test('Cilium and Calico policies, Tiers and the API server survive _clone; their ports bound the segments', () => {
    const m = NetworkModel.fromManifests([tier, { ...calico, spec: { tier: 't', selector: 'all()', ingress: [{ action: 'Deny', protocol: 'TCP', destination: { ports: [8443] } }] } }]);
    m.addPod({ namespace: 'prod', name: 'web' });
    m.addKubeApiServer('10.96.0.1');
    const copy = m._clone();
    expect(copy.evaluate({ from: '203.0.113.1', to: 'prod/web', port: 8443 }).allowed).toBe(false);
    expect(copy.evaluate({ from: '203.0.113.1', to: 'prod/web', port: 80 }).allowed).toBe(false);
    expect(copy._segments('203.0.113.1', 'prod/web').filter((s) => !s.allowed).map((s) => `${s.protocol}/${s.from}-${s.to}`)).toContain('TCP/8443-8443');
    expect(copy._policyObjects().map((o) => o.kind)).toEqual(['GlobalNetworkPolicy']);
    expect(() => copy.addManifest(cilium)).toThrow(/cannot join a model that holds Calico policies/);
  });

  test('fromChart reads a chart\'s Calico Tier and GlobalNetworkPolicy', () => {
    const chart = new Chart(Testing.app(), 'c');
    new CalicoGlobalDeny(chart, 'deny-metadata');
    const m = NetworkModel.fromChart(chart);
    m.addPod({ namespace: 'prod', name: 'web' });
    expect(m.evaluate({ from: 'prod/web', to: '169.254.169.254', port: 80 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/web', to: '203.0.113.1', port: 80 }).allowed).toBe(true);
  });

  test('an API server on the nodes is a node for Cilium: its entities reach it, CIDR rules, ipBlocks and world do not', () => {
    const cnp = (rule: Record<string, unknown>) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'prod' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [rule] },
    });
    const verdict = (object: any, onNodes: boolean) => {
      const m = NetworkModel.fromManifests([object], { cni: ClusterCni.CILIUM });
      m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
      m.addKubeApiServer('172.18.0.2', onNodes);
      return m.evaluate({ from: 'prod/web', to: '172.18.0.2', port: 6443 }).allowed;
    };
    for (const rule of [{ toEntities: ['kube-apiserver'] }, { toEntities: ['remote-node'] }, { toEntities: ['cluster'] }]) {
      expect(verdict(cnp(rule), true)).toBe(true);
    }
    for (const rule of [{ toEntities: ['world'] }, { toCIDR: ['172.18.0.0/16'] }]) {
      expect([verdict(cnp(rule), true), verdict(cnp(rule), false)]).toEqual([false, true]);
    }
    const np = policy('web', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '172.18.0.0/16' } }] }] });
    expect([verdict(np, true), verdict(np, false)]).toEqual([false, true]);
    expect(() => new NetworkModel().addKubeApiServer('10.0.0.1', 'yes' as any)).toThrow(/addKubeApiServer\(\): onNodes "yes" is not true or false/);
  });

  test('the Kubernetes API server\'s address is one more address outside the cluster', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
    m.addKubeApiServer('2001:DB8::1');
    m.addManifest(policy('web', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '2001:db8::1/128' } }] }] }));
    expect(m.evaluate({ from: 'prod/web', to: '2001:db8::1', port: 443 }).allowed).toBe(true);
    expect(() => m.addPod({ namespace: 'prod', name: 'api', ip: '2001:db8::2' })).not.toThrow();
  });

  describe('rejects bad input clearly', () => {
    const m = () => {
      const model = new NetworkModel();
      model.addPod({ namespace: 'prod', name: 'web', ip: '10.0.0.1' });
      return model;
    };
    test.each([
      [() => m().addNamespace('Prod'), /addNamespace\(\): name "Prod" is not a valid namespace name/],
      [() => { const x = m(); x.addNamespace('a'); x.addNamespace('a'); }, /namespace "a" was already added/],
      [() => m().addNamespace('a', { 'bad key': 'x' }), /labels "bad key"="x" is not a valid label/],
      [() => m().addPod({ namespace: 'prod', name: 'web' }), /pod prod\/web was already added/],
      [() => m().addPod({ namespace: 'prod', name: 'db', ip: '10.0.0.1' }), /ip 10.0.0.1 of prod\/db is already the address of prod\/web/],
      [() => m().addPod({ namespace: 'prod', name: 'db', ip: '10.0.0.256' }), /ip "10.0.0.256" of prod\/db is not an IPv4 or IPv6 address/],
      [() => m().addPod({ namespace: 'prod', name: 'Db' }), /name "Db" is not a valid pod name/],
      [() => m().addPod({ namespace: 'prod', name: 'db', ports: [{ port: 0 }] }), /ports\[0\] of prod\/db \{"port":0\} needs a port number from 1 to 65535/],
      [() => m().addPod({ namespace: 'prod', name: 'db', ports: [{ port: 80, name: 'HTTP' }] }), /name "HTTP" is not a valid port name/],
      [() => m().addPod({ namespace: 'prod', name: 'db', ports: [{ port: 80, protocol: 'ICMP' }] }), /protocol "ICMP" is not one of TCP, UDP, SCTP/],
      [() => m().addPod(undefined as any), /pod undefined is not an object; expected \{ namespace, name, labels, ip, ports, hostNetwork, serviceAccount \}/],
      [() => m().addManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), /v1 Pod x is not supported/],
      [() => m().addManifest(null), /null is not a manifest object/],
      [() => { const x = m(); x.addManifest(policy('p', { podSelector: {} })); x.addManifest(policy('p', { podSelector: {} })); }, /NetworkPolicy prod\/p was already added/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ from: [{}] }] })), /NetworkPolicy prod\/p would be refused by the API server .*spec\.ingress\[0\]\.from\[0\] must specify a peer/],
      [() => m().addManifest(policy('p', { podSelector: {}, policyTypes: ['Inbound'] })), /spec\.policyTypes \["Inbound"\] may hold at most two entries, each Ingress or Egress/],
      [() => m().addManifest(policy('p', { podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] })), /policyTypes \["Ingress","Egress","Ingress"\] may hold at most two entries, each Ingress or Egress/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] })), /protocol "ICMP" is not TCP, UDP or SCTP/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ endPort: 90 }] }] })), /ports\[0\]\.endPort 90 needs a numeric port/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] })), /ports\[0\]\.endPort 90 needs a numeric port \(it cannot follow a named port/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] })), /endPort 80 must be from port 90 to 65535/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] })), /ipBlock.cidr "10.0.0.0\/33" is not a valid CIDR/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] })), /may not specify both ipBlock and another peer/],
      [() => m().addManifest(policy('p', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Is' }] } })), /operator "Is" is not In, NotIn, Exists or DoesNotExist/],
      [() => m().addManifest(policy('p', { podSelector: 'app=web' })), /spec\.podSelector must be a map, got a string "app=web"/],
      [() => m().evaluate({ from: 'prod/web', to: 'prod/nope', port: 80 }), /to "prod\/nope" is not a pod of the model; known pods: prod\/web/],
      [() => m().evaluate({ from: 'web', to: 'prod/web', port: 80 }), /from "web" is neither "namespace\/pod" nor an IP address/],
      [() => m().evaluate({ from: '1.1.1.1', to: '8.8.8.8', port: 80 }), /neither 1.1.1.1 nor 8.8.8.8 is a pod of the model/],
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 0 }), /port 0 is not a valid port/],
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 80, protocol: 'tcp' }), /protocol "tcp" is not one of TCP, UDP, SCTP/],
      [() => m().evaluate(undefined as any), /probe undefined is not a Probe/],
      [() => NetworkModel.fromChart({} as any), /chart \{\} is not a cdk8s Chart/],
      [() => NetworkModel.fromManifests('x' as any), /objects "x" is not a list of manifest objects/],
      // Probes: unknown keys, DNS names, HTTP requests.
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 80, HTTP: {} } as any), /probe has an unknown key "HTTP"; the keys are from, to, port, protocol, http/],
      [() => m().evaluate({ from: 'prod/web', to: 'web', port: 80 }), /to "web" is neither "namespace\/pod", an IP address nor a DNS name \(e.g. "api.example.com"\)/],
      [() => m().evaluate({ from: 'api.example.com', to: 'prod/web', port: 80 }), /from "api.example.com" is a DNS name, which can only be a destination \(to\)/],
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 53, protocol: 'UDP', http: { method: 'GET', path: '/' } }), /http is given with protocol UDP; HTTP requests travel over TCP/],
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 80, http: { method: 'GET', path: 'index.html' } }), /http.path "index.html" is not a request path/],
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 80, http: 'GET /' as any }), /http "GET \/" is not an object; expected \{ method, path, host, headers \}/],
      [() => m().evaluate({ from: 'api.example.com', to: '8.8.8.8', port: 80 }), /from "api.example.com" is a DNS name/],
      // The API server's address.
      [() => m().addKubeApiServer('api.example.com'), /addKubeApiServer\(\): address "api.example.com" is not an IPv4 or IPv6 address; expected e.g. "10.96.0.1"/],
      [() => m().addKubeApiServer('10.0.0.1'), /address 10.0.0.1 is already the address of the pod prod\/web/],
      // Other kinds, and one CNI per model.
      [() => m().addManifest({ apiVersion: 'projectcalico.org/v3', kind: 'StagedNetworkPolicy', metadata: { name: 's' } }), /StagedNetworkPolicy s is not supported: staged policies are previews Calico never enforces/],
      [() => m().addManifest({ apiVersion: 'projectcalico.org/v3', kind: 'HostEndpoint', metadata: { name: 'h' } }), /HostEndpoint h is not supported: Calico host endpoints put policy on nodes/],
      [() => { const x = m(); x.addManifest(cilium); x.addManifest(calico); }, new RegExp('projectcalico.org/v3 GlobalNetworkPolicy g cannot join a model that holds Cilium policies ' +
        '\\(cilium.io/v2 CiliumNetworkPolicy c\\): a cluster runs one CNI, so Cilium and Calico policies never apply together')],
      [() => { const x = m(); x.addManifest(tier); x.addManifest(cilium); }, /CiliumNetworkPolicy c cannot join a model that holds Calico policies \(projectcalico.org\/v3 Tier t\)/],
      [() => { const x = m(); x.addManifest(cilium); x.addManifest(cilium); }, /CiliumNetworkPolicy prod\/c was already added/],
      [() => { const x = m(); x.addManifest(tier); x.addManifest(tier); }, /Tier t was already added/],
      [() => m().addManifest({ ...cilium, spec: { ingress: [{}] } }), /NetworkModel.addManifest\(\): CiliumNetworkPolicy prod\/c: endpointSelector is required/],
      // Service accounts, the cluster name, the Calico release.
      [() => m().addPod({ namespace: 'prod', name: 'db', serviceAccount: 'Db' }), /serviceAccount "Db" of prod\/db is not a valid ServiceAccount name/],
      [() => m().addServiceAccount('prod', 'db_sa'), /addServiceAccount\(\): name "db_sa" is not a valid ServiceAccount name/],
      [() => m().addServiceAccount('Prod', 'db'), /addServiceAccount\(\): namespace "Prod" is not a valid namespace name/],
      [() => m().addServiceAccount('prod', 'db', { 'a b': 'c' }), /addServiceAccount\(\): labels "a b"="c" is not a valid label/],
      [() => { const x = m(); x.addServiceAccount('prod', 'db'); x.addServiceAccount('prod', 'db'); }, /ServiceAccount prod\/db was already added/],
      [() => new NetworkModel({ clusterName: 'EU_prod' }), /new NetworkModel\(\): clusterName "EU_prod" is not a Cilium cluster name: at most 32 lower-case letters/],
      [() => new NetworkModel({ clusterName: 'a'.repeat(33) }), /clusterName "a{33}" is not a Cilium cluster name/],
      [() => new NetworkModel({ calicoVersion: '3' }), /calicoVersion "3" is not a Calico release; expected "major.minor" or "major.minor.patch" of Calico 3/],
      [() => new NetworkModel({ calicoVersion: 3.32 as any }), /calicoVersion 3.32 is not a Calico release/],
      [() => NetworkModel.fromManifests([], { calicoVersion: 'latest' }), /fromManifests\(\): calicoVersion "latest" is not a Calico release/],
      [() => NetworkModel.fromManifests([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Bad', namespace: 'prod' } }]),
        /fromManifests\(\): objects\[0\] \(ServiceAccount prod\/Bad\): name "Bad" is not a valid ServiceAccount name/],
    ])('%#', (call, message) => {
      expect(call).toThrow(message);
    });
  });
});

describe('service accounts, the Cilium cluster name and the Calico release', () => {
  const deployment = (name: string, serviceAccountName?: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'prod' },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'c', image: 'i' }] } } },
  });
  const gnp = (spec: any) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'g' }, spec: { order: 1, ...spec } });
  const account = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'prod', labels } });

  test('workloads run as their serviceAccountName (default "default"); ServiceAccount manifests give the labels Calico selects', () => {
    const objects = [deployment('web', 'frontend'), deployment('api', 'backend'), deployment('batch'), account('frontend', { tier: 'web' }), account('backend', { tier: 'api' }),
      gnp({ selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { serviceAccounts: { selector: "tier == 'web'" } } }] })];
    const m = NetworkModel.fromManifests(objects, { cni: 'calico' as any });
    expect(m._pod('prod/web')?.serviceAccount).toBe('frontend');
    expect(m._pod('prod/batch')?.serviceAccount).toBeUndefined();
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/batch', to: 'prod/api', port: 80 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'prod/api', to: 'prod/api', port: 80 }).allowed).toBe(true);
    // Names need no labels; a pod running as an account the model lacks is fine for them.
    const byName = NetworkModel.fromManifests([deployment('web', 'frontend'), deployment('api'),
      gnp({ selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['frontend'] } } }] })]);
    expect(byName.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    expect(byName.evaluate({ from: 'prod/api', to: 'prod/api', port: 80 }).allowed).toBe(true);
    const other = NetworkModel.fromManifests([deployment('web', 'frontend'), deployment('api'), deployment('batch', 'jobs'),
      gnp({ selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['frontend'] } } }] })]);
    expect(other.evaluate({ from: 'prod/batch', to: 'prod/api', port: 80 }).allowed).toBe(false);
  });

  test('a policy reading ServiceAccount labels cannot decide the flows of a pod whose account the model does not know: those fail closed, the others are decided', () => {
    const objects = [deployment('web', 'frontend'), deployment('api'), deployment('batch', 'jobs'),
      gnp({ selector: "app == 'api' || app == 'batch'", serviceAccountSelector: "tier == 'api'", types: ['Ingress'] })];
    const m = NetworkModel.fromManifests(objects);
    // api runs as "default" (no labels, known): the policy does not select it.
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(true);
    // batch runs as "jobs", whose labels are unknown: whether the policy isolates it cannot be told.
    const batch = m.evaluate({ from: 'prod/api', to: 'prod/batch', port: 80 });
    expect(batch.allowed).toBe(false);
    expect(batch.reasons.join('\n')).toMatch(/ingress of prod\/batch: denied, failing closed: whether GlobalNetworkPolicy g \(tier default\) applies to it cannot be told: GlobalNetworkPolicy g reads the labels of ServiceAccounts .*does not know those of ServiceAccount prod\/jobs, which pod prod\/batch runs as: add its manifest/);
    // web's account is unknown too, but the policy's selector rules web out: decided.
    expect(m.evaluate({ from: 'prod/api', to: 'prod/web', port: 80 }).allowed).toBe(true);
    const labelled = NetworkModel.fromManifests([...objects, account('jobs', {}), account('default', { tier: 'api' })]);
    expect(labelled.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 }).allowed).toBe(false);
    expect(labelled.evaluate({ from: 'prod/api', to: 'prod/batch', port: 80 }).allowed).toBe(true);
    // A rule's peer reading account labels: the unknown peer is not admitted (an Allow never allows on a guess).
    const rule = NetworkModel.fromManifests([deployment('web', 'frontend'), deployment('api'), account('default', {}),
      gnp({ selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { serviceAccounts: { selector: "tier == 'web'" } } }] })]);
    const v = rule.evaluate({ from: 'prod/web', to: 'prod/api', port: 80 });
    expect(v.allowed).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/was not applied: .*does not know those of ServiceAccount prod\/frontend/);
    // A pod added later is taken, and its flows fail closed in turn.
    expect(() => labelled.addPod({ namespace: 'prod', name: 'late', labels: { app: 'batch' }, serviceAccount: 'ghost' })).not.toThrow();
    expect(labelled.evaluate({ from: 'prod/api', to: 'prod/late', port: 80 }).reasons.join('\n')).toMatch(/failing closed: .*ServiceAccount prod\/ghost/);
  });

  test('Calico 3.31.5 refuses named ports without a protocol, which 3.32 accepts; a copy of the model keeps its options', () => {
    const named = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'n', namespace: 'prod' },
      spec: { selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Allow', destination: { ports: ['http'] } }] },
    };
    expect(() => NetworkModel.fromManifests([named], { calicoVersion: '3.31.5' })).toThrow(/Calico 3.31.5 needs one even for named ports/);
    const m = NetworkModel.fromManifests([named]);
    m.addPod({ namespace: 'prod', name: 'web', ports: [{ port: 8080, name: 'http' }, { port: 53, name: 'http-udp', protocol: 'UDP' }] });
    expect(m.evaluate({ from: '10.1.1.1', to: 'prod/web', port: 8080 }).allowed).toBe(true);
    expect(m.evaluate({ from: '10.1.1.1', to: 'prod/web', port: 53, protocol: 'UDP' }).allowed).toBe(false);
    const mesh = new NetworkModel({ cni: 'cilium' as any, clusterName: 'eu-prod' });
    mesh.addManifest({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'c', namespace: 'prod' },
      spec: { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'eu-prod' } }] }] },
    });
    mesh.addPod({ namespace: 'prod', name: 'a' });
    const copy = mesh._clone();
    copy.addPod({ namespace: 'prod', name: 'b' });
    expect(copy.evaluate({ from: 'prod/b', to: 'prod/a', port: 80 }).allowed).toBe(true);
  });
});

describe('review fixes: the model', () => {
  const knp = (name: string, namespace: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
  const cnp = (name: string, namespace: string, spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
  const pods = (m: NetworkModel) => {
    m.addPod({ namespace: 'a', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1' });
    m.addPod({ namespace: 'a', name: 'api', labels: { app: 'api' }, ip: '10.0.0.2' });
    return m;
  };

  test('policy kinds under an apiVersion the model does not evaluate are refused, naming the apiVersion it expects', () => {
    for (const kind of ['GlobalNetworkPolicy', 'Tier', 'NetworkPolicy']) {
      expect(() => NetworkModel.fromManifests([{ apiVersion: 'crd.projectcalico.org/v1', kind, metadata: { name: 'x', namespace: 'a' }, spec: { selector: 'all()' } }]))
        .toThrow(new RegExp(`crd\\.projectcalico\\.org/v1 ${kind} x is not supported; the model evaluates ${kind} under apiVersion .*projectcalico\\.org/v3`));
    }
    // ClusterNetworkPolicy is evaluated under v1alpha2 only: the next API version (v1beta1) is refused, naming the one evaluated.
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'policy.networking.k8s.io/v1beta1', kind: 'ClusterNetworkPolicy', metadata: { name: 'deny' }, spec: {} }]))
      .toThrow(/policy\.networking\.k8s\.io\/v1beta1 ClusterNetworkPolicy deny is not supported; the model evaluates ClusterNetworkPolicy under apiVersion policy\.networking\.k8s\.io\/v1alpha2 only/);
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'projectcalico.org/v3', kind: 'Profile', metadata: { name: 'p' }, spec: {} }]))
      .toThrow(/projectcalico\.org\/v3 Profile p is not supported/);
    // Staged policies are still skipped: never enforced.
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'projectcalico.org/v3', kind: 'StagedGlobalNetworkPolicy', metadata: { name: 's' }, spec: {} }])).not.toThrow();
  });

  test('cni option: ipBlock against pod addresses follows the CNI; CNPs decide the default', () => {
    const k = knp('k', 'a', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] });
    const probe = { from: 'a/web', to: 'a/api', port: 80 };
    expect(pods(NetworkModel.fromManifests([k])).evaluate(probe).allowed).toBe(true);
    expect(pods(NetworkModel.fromManifests([k], { cni: ClusterCni.KUBERNETES })).evaluate(probe).allowed).toBe(true);
    expect(pods(NetworkModel.fromManifests([k], { cni: ClusterCni.CALICO })).evaluate(probe).allowed).toBe(true);
    expect(pods(NetworkModel.fromManifests([k], { cni: ClusterCni.CILIUM })).evaluate(probe).allowed).toBe(false);
    expect(pods(NetworkModel.fromManifests([k, cnp('x', 'zzz', { endpointSelector: {}, ingress: [{}] })])).evaluate(probe).allowed).toBe(false);
    const m = pods(new NetworkModel({ cni: ClusterCni.CILIUM }));
    m.addManifest(k);
    expect(m.evaluate(probe).allowed).toBe(false);
  });

  test('cni option: CNPs with cni calico (or kubernetes), Calico objects with cni cilium, and bad options are errors', () => {
    const c = cnp('x', 'a', { endpointSelector: {}, ingress: [{}] });
    expect(() => NetworkModel.fromManifests([c], { cni: ClusterCni.CALICO }))
      .toThrow(/CiliumNetworkPolicy x cannot join a model whose cni is "calico": Cilium policies are enforced only by Cilium/);
    expect(() => NetworkModel.fromManifests([c], { cni: ClusterCni.KUBERNETES })).toThrow(/cannot join a model whose cni is "kubernetes"/);
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 't' }, spec: { order: 1 } }], { cni: ClusterCni.CILIUM }))
      .toThrow(/Tier t cannot join a model whose cni is "cilium"/);
    expect(() => new NetworkModel({ cni: 'flannel' as any })).toThrow(/new NetworkModel\(\): cni "flannel" is not one of kubernetes, cilium, calico/);
    expect(() => NetworkModel.fromManifests([], { cnii: 'x' } as any)).toThrow(/options has an unknown key "cnii"/);
    const chart = Testing.chart();
    expect(NetworkModel.fromChart(chart, { cni: ClusterCni.CILIUM }).podIds).toEqual([]);
  });

  test('cluster-internal DNS names as destination are refused', () => {
    const m = pods(new NetworkModel());
    for (const to of ['api.a.svc.cluster.local', 'api.a.svc', 'api.a.svc.corp.example', 'x.cluster.local']) {
      expect(() => m.evaluate({ from: 'a/web', to, port: 80 })).toThrow(/is a cluster-internal DNS name: it resolves to a Service's ClusterIP .* probe the pod instead/);
    }
    expect(m.evaluate({ from: 'a/web', to: 'svc.example.com', port: 80 }).allowed).toBe(true);
  });

  // How long the build takes is measured by the benchmark (bench/model-bench.ts, "Calico build"),
  // never by a timed test: here, that 5,000 policies of one namespace build and decide.
  test('many Calico policies in one namespace build and decide', () => {
    const objs = Array.from({ length: 5000 }, (_, i) => ({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: `p${i}`, namespace: 'a' },
      spec: { order: i, selector: `app == "x${i}"`, ingress: [{ action: 'Allow', source: { selector: `app == "y${i}"` } }] },
    }));
    const m = NetworkModel.fromManifests(objs);
    m.addPod({ namespace: 'a', name: 'a', labels: { app: 'x1' } });
    m.addPod({ namespace: 'a', name: 'b', labels: { app: 'y1' } });
    m.addPod({ namespace: 'a', name: 'c', labels: { app: 'y2' } });
    expect(m.evaluate({ from: 'a/b', to: 'a/a', port: 80 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'a/c', to: 'a/a', port: 80 }).allowed).toBe(false);
  });
});

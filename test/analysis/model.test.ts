import { Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { NetworkModel, ThreeTierApp, ZeroTrustNamespace } from '../../src';

const policy = (name: string, spec: Record<string, unknown>, namespace = 'prod') => ({
  apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec,
});

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
    expect(m.podIds).toEqual(expect.arrayContaining([`shop/${web.name}`, `shop/${api.name}`]));
    expect(m.podIds.some((id) => id.startsWith('shop/c-report'))).toBe(true);
    expect(m.evaluate({ from: `shop/${web.name}`, to: `shop/${api.name}`, port: 8080 }).allowed).toBe(true);
    expect(m.evaluate({ from: `shop/${api.name}`, to: `shop/${web.name}`, port: 80 }).allowed).toBe(false);
  });

  test('hostNetwork pods are neither isolated nor selected: their traffic is the node\'s', () => {
    const m = NetworkModel.fromManifests([
      { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'exporter', namespace: 'mon' }, spec: { template: { metadata: { labels: { app: 'exporter' } }, spec: { hostNetwork: true, containers: [] } } } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'mon', labels: { app: 'web' } }, spec: { containers: [] } },
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
    const template = { metadata: { labels: { app: 'b' } }, spec: { containers: [] } };
    const m = NetworkModel.fromManifests([
      { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'backup', namespace: 'p' }, spec: { template } },
      { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'p' }, spec: { jobTemplate: { spec: { template } } } },
    ]);
    expect(m.podIds).toEqual(['p/backup', 'p/backup-cronjob']);
  });

  test('fromManifests skips kinds that do not affect connectivity and refuses other engines\' policies', () => {
    const objects = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'prod' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ ports: [{ containerPort: 80 }] }] } } } },
    ];
    expect(NetworkModel.fromManifests(objects).podIds).toEqual(['default/web']);
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'x', namespace: 'p' } }]))
      .toThrow(/NetworkModel.addManifest\(\): cilium.io\/v2 CiliumNetworkPolicy x is not supported: the model evaluates networking.k8s.io\/v1 NetworkPolicy only/);
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
      [() => m().addPod(undefined as any), /pod undefined is not an object; expected \{ namespace, name, labels, ip, ports, hostNetwork \}/],
      [() => m().addManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), /v1 Pod x is not supported/],
      [() => m().addManifest(null), /null is not a manifest object/],
      [() => { const x = m(); x.addManifest(policy('p', { podSelector: {} })); x.addManifest(policy('p', { podSelector: {} })); }, /NetworkPolicy prod\/p was already added/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ from: [{}] }] })), /NetworkPolicy prod\/p spec.ingress\[0\] peer #1: must specify a peer/],
      [() => m().addManifest(policy('p', { podSelector: {}, policyTypes: ['Inbound'] })), /policyTypes entry "Inbound" is not Ingress or Egress/],
      [() => m().addManifest(policy('p', { podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] })), /policyTypes \["Ingress","Egress","Ingress"\] may hold at most 2 entries/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] })), /protocol "ICMP" is not TCP, UDP or SCTP/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ endPort: 90 }] }] })), /endPort requires a numeric port/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] })), /endPort cannot be used with the named port "http"/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ ports: [{ port: 90, endPort: 80 }] }] })), /endPort 80 must be from port 90 to 65535/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] })), /ipBlock.cidr "10.0.0.0\/33" is not a valid CIDR/],
      [() => m().addManifest(policy('p', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] })), /may not specify both ipBlock and another peer/],
      [() => m().addManifest(policy('p', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Is' }] } })), /operator "Is" is not In, NotIn, Exists or DoesNotExist/],
      [() => m().addManifest(policy('p', { podSelector: 'app=web' })), /a label selector must be an object/],
      [() => m().evaluate({ from: 'prod/web', to: 'prod/nope', port: 80 }), /to "prod\/nope" is not a pod of the model; known pods: prod\/web/],
      [() => m().evaluate({ from: 'web', to: 'prod/web', port: 80 }), /from "web" is neither "namespace\/pod" nor an IP address/],
      [() => m().evaluate({ from: '1.1.1.1', to: '8.8.8.8', port: 80 }), /neither 1.1.1.1 nor 8.8.8.8 is a pod of the model/],
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 0 }), /port 0 is not a valid port/],
      [() => m().evaluate({ from: 'prod/web', to: '8.8.8.8', port: 80, protocol: 'tcp' }), /protocol "tcp" is not one of TCP, UDP, SCTP/],
      [() => m().evaluate(undefined as any), /probe undefined is not a Probe/],
      [() => NetworkModel.fromChart({} as any), /chart \{\} is not a cdk8s Chart/],
      [() => NetworkModel.fromManifests('x' as any), /objects "x" is not a list of manifest objects/],
    ])('%#', (call, message) => {
      expect(call).toThrow(message);
    });
  });
});

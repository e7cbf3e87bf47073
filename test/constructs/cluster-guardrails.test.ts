import { Chart, Testing } from 'cdk8s';
import {
  ClusterCni, ClusterGuardrails, NetworkModel, Peer, PolicyEngine, PolicyProofs, Port, ServiceGraph, ZeroTrustNamespace,
} from '../../src';
import { toUniqueDnsLabel } from '../../src/util/names';
import { expectValidManifests, synthValid } from '../support/manifests';

const ENGINES = [PolicyEngine.KUBERNETES, PolicyEngine.CALICO, PolicyEngine.CILIUM];
const CNI = { kubernetes: ClusterCni.KUBERNETES, calico: ClusterCni.CALICO, cilium: ClusterCni.CILIUM };
const newChart = () => new Chart(Testing.app(), 'test');
const METADATA = '169.254.169.254';

/** The platform's guardrails: no metadata endpoint, tenant A never reaches tenant B; and (where the engine has them) Prometheus scrapes everyone. */
function platform(chart: Chart, engine: PolicyEngine): ClusterGuardrails {
  const guardrails = new ClusterGuardrails(chart, 'platform', { engine });
  guardrails.deny(Peer.namespaces({}), Peer.ipBlock(`${METADATA}/32`));
  guardrails.deny(Peer.namespace('tenant-a'), Peer.namespace('tenant-b'));
  if (engine !== PolicyEngine.CILIUM) {
    guardrails.allow(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Peer.namespace('tenant-b'), Port.tcp(9090));
    guardrails.baselineDeny(Peer.namespaces({}), Peer.internet());
  }
  return guardrails;
}

/** The cluster: two tenants (tenant B locked down by its own default deny, and opening 8080 to tenant A), Prometheus, an open namespace. */
function cluster(engine: PolicyEngine): NetworkModel {
  const chart = newChart();
  platform(chart, engine);
  new ZeroTrustNamespace(chart, 'tenant-b', { namespace: 'tenant-b', engine }).allowIngress(Peer.namespace('tenant-a'));
  const model = NetworkModel.fromManifests(synthValid(chart), { cni: CNI[engine] });
  model.addPod({ namespace: 'tenant-a', name: 'web', labels: { app: 'web' }, ip: '10.0.1.1' });
  model.addPod({ namespace: 'tenant-b', name: 'api', labels: { app: 'api' }, ip: '10.0.2.1', ports: [{ port: 8080 }, { port: 9090 }] });
  model.addPod({ namespace: 'monitoring', name: 'prometheus', labels: { app: 'prometheus' }, ip: '10.0.3.1' });
  model.addPod({ namespace: 'open', name: 'job', labels: { app: 'job' }, ip: '10.0.4.1' });
  return model;
}

describe.each(ENGINES)('ClusterGuardrails on %s', (engine) => {
  test('every emitted object is valid against its CRD (v0.2.0 ClusterNetworkPolicy, Calico 3.32, Cilium)', () => {
    const chart = newChart();
    platform(chart, engine);
    const objects = synthValid(chart);
    const kind = { kubernetes: 'ClusterNetworkPolicy', calico: 'GlobalNetworkPolicy', cilium: 'CiliumClusterwideNetworkPolicy' }[engine];
    expect(objects.every((o) => o.kind === kind && o.metadata.namespace === undefined)).toBe(true);
    expect(objects.map((o) => o.metadata.name)).toEqual(engine === PolicyEngine.CILIUM ? ['platform-deny-1', 'platform-deny-2']
      : ['platform-deny-1', 'platform-deny-2', 'platform-allow-1-egress', 'platform-allow-1-ingress', 'platform-baseline-deny-1']);
  });

  test('a deny is denied although a namespace\'s policy allows it; other traffic is not touched', () => {
    const model = cluster(engine);
    // tenant-b's own policy admits tenant-a: the admin deny wins.
    const denied = model.evaluate({ from: 'tenant-a/web', to: 'tenant-b/api', port: 8080 });
    expect(denied.allowed).toBe(false);
    expect(denied.reasons.join(' ')).toMatch(engine === PolicyEngine.CILIUM ? /CiliumClusterwideNetworkPolicy platform-deny-2/
      : engine === PolicyEngine.CALICO ? /GlobalNetworkPolicy platform-deny-2/ : /ClusterNetworkPolicy platform-deny-2 \(tier Admin, priority 101\)/);
    expect(model.evaluate({ from: 'open/job', to: METADATA, port: 80 }).allowed).toBe(false);
    expect(model.evaluate({ from: 'tenant-a/web', to: 'open/job', port: 8080 }).allowed).toBe(true);
    expect(model.evaluate({ from: 'open/job', to: 'tenant-a/web', port: 80 }).allowed).toBe(true);
  });

  if (engine !== PolicyEngine.CILIUM) {
    test('an allow is allowed through a namespace\'s default deny, on its ports only', () => {
      const model = cluster(engine);
      expect(model.evaluate({ from: 'monitoring/prometheus', to: 'tenant-b/api', port: 9090 }).allowed).toBe(true);
      expect(model.evaluate({ from: 'monitoring/prometheus', to: 'tenant-b/api', port: 8080 }).allowed).toBe(false);
    });

    test('a baseline deny decides only where no namespace policy does', () => {
      const model = cluster(engine);
      // open/job: no namespace policy, so the baseline denies the internet.
      expect(model.evaluate({ from: 'open/job', to: '203.0.113.10', port: 443 }).allowed).toBe(false);
      // private addresses are not "the internet"
      expect(model.evaluate({ from: 'open/job', to: '10.9.9.9', port: 443 }).allowed).toBe(true);
    });
  }

  test('a ServiceGraph call that a guardrail denies fails synth, naming the guardrail', () => {
    const chart = newChart();
    platform(chart, engine);
    const graph = new ServiceGraph(chart, 'apps', { namespace: 'tenant-a', engine });
    const web = graph.workload('web', { ports: [Port.tcp(8080)] });
    const api = graph.workload('api', { namespace: 'tenant-b', ports: [Port.tcp(8080)] });
    web.calls(api);
    expect(() => Testing.synth(chart)).toThrow(new RegExp(`a deny rule of ${engine === PolicyEngine.KUBERNETES ? 'ClusterNetworkPolicy'
      : engine === PolicyEngine.CALICO ? 'GlobalNetworkPolicy' : 'CiliumClusterwideNetworkPolicy'} platform-deny-2 \\(from ClusterGuardrails "test/platform"\\.deny\\(\\)\\) refuses it`));
  });

  test('the guardrails\' own promises are proven at synth, and a namespace policy cannot break them', () => {
    const chart = newChart();
    const guardrails = platform(chart, engine);
    new ZeroTrustNamespace(chart, 'tenant-b', { namespace: 'tenant-b', engine });
    expect(() => synthValid(chart)).not.toThrow();
    const promises = PolicyProofs.promisesOf(guardrails);
    expect(promises).toContain('platform-deny-1-tcp-80: all pods in every namespace does not reach 169.254.169.254/32 on TCP/80, whatever the namespaces\' policies say');
    expect(promises.length).toBe(engine === PolicyEngine.CILIUM ? 4 : 5);
  });
});

describe('ClusterGuardrails: an allow shadowed by an earlier deny is caught at synth', () => {
  test.each([PolicyEngine.KUBERNETES, PolicyEngine.CALICO])('%s', (engine) => {
    const chart = newChart();
    const guardrails = new ClusterGuardrails(chart, 'g', { engine });
    guardrails.deny(Peer.namespaces({}), Peer.namespace('db'));
    guardrails.allow(Peer.namespace('backup'), Peer.namespace('db'), Port.tcp(5432));
    expect(() => Testing.synth(chart)).toThrow(/g-allow-1-tcp-5432\], but a deny rule of .* g-deny-1 \(from ClusterGuardrails "test\/g"\.deny\(\)\) refuses it/);
  });
});

describe('ClusterGuardrails: review fixes', () => {
  test('long and dotted names: the stand-in namespaces stay apart, and the proofs are made', () => {
    for (const name of ['a'.repeat(42), 'guard.rails']) {
      const chart = newChart();
      const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        const g = new ClusterGuardrails(chart, 'g', { name });
        g.deny(Peer.namespaces({ team: 'a' }), Peer.namespaces({ team: 'b' }));
        expect(() => synthValid(chart)).not.toThrow();
        expect(warn.mock.calls.flat().join(' ')).not.toMatch(/not proven/);
      } finally {
        warn.mockRestore();
      }
    }
  });

  test('names one slug apart ("guard.rails" and "guard-rails") get stand-in namespaces of their own', () => {
    const chart = newChart();
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      new ClusterGuardrails(chart, 'dotted', { name: 'guard.rails' }).deny(Peer.namespaces({ team: 'a' }), Peer.namespaces({ team: 'b' }));
      new ClusterGuardrails(chart, 'dashed', { name: 'guard-rails' }).deny(Peer.namespaces({ team: 'c' }), Peer.namespaces({ team: 'd' }));
      expect(() => synthValid(chart)).not.toThrow();
      expect(warn.mock.calls.flat().join(' ')).not.toMatch(/not proven/);
    } finally {
      warn.mockRestore();
    }
    expect(toUniqueDnsLabel('netpol-proof-guard-rails-deny-1-from')).toBe('netpol-proof-guard-rails-deny-1-from');
    expect(toUniqueDnsLabel('netpol-proof-guard.rails-deny-1-from')).toMatch(/^netpol-proof-guard-rails-deny-1-from-[0-9a-f]{8}$/);
    expect(toUniqueDnsLabel('x'.repeat(80), 63)).toHaveLength(63);
  });

  test('allow() towards everything opens the pods\' ingress too, through their namespaces\' default deny', () => {
    for (const engine of [PolicyEngine.KUBERNETES, PolicyEngine.CALICO]) {
      const chart = newChart();
      new ClusterGuardrails(chart, 'g', { engine }).allow(Peer.podsInNamespace('monitoring', { app: 'probe' }), Peer.anywhere(), Port.tcp(8443));
      new ZeroTrustNamespace(chart, 'shop', { namespace: 'shop', engine });
      const objects = synthValid(chart);
      expect(objects.filter((o) => o.metadata.name.startsWith('g-allow-1')).map((o) => o.metadata.name)).toEqual(['g-allow-1-egress', 'g-allow-1-ingress']);
      const model = NetworkModel.fromManifests(objects, { cni: CNI[engine] });
      model.addPod({ namespace: 'monitoring', name: 'probe', labels: { app: 'probe' } });
      model.addPod({ namespace: 'shop', name: 'web', labels: { app: 'web' } });
      expect(model.evaluate({ from: 'monitoring/probe', to: 'shop/web', port: 8443 }).allowed).toBe(true);
      expect(model.evaluate({ from: 'monitoring/probe', to: 'shop/web', port: 80 }).allowed).toBe(false);
    }
  });

  test('a ClusterNetworkPolicy beside Cilium policies: not proven (warned), never a synth error on every construct', () => {
    const chart = newChart();
    new ClusterGuardrails(chart, 'g', { engine: PolicyEngine.KUBERNETES }).deny(Peer.namespaces({}), Peer.ipBlock(`${METADATA}/32`));
    new ZeroTrustNamespace(chart, 'z', { namespace: 'a', engine: PolicyEngine.CILIUM });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => synthValid(chart)).not.toThrow();
      expect(warn.mock.calls.flat().join(' ')).toMatch(/not proven: the app holds ClusterNetworkPolicy objects and Cilium policies/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('ClusterGuardrails: what each engine writes', () => {
  test('Kubernetes: an IP block with exceptions becomes networks without them; the internet fits in a few peers; all TCP ports is a range', () => {
    const chart = newChart();
    const guardrails = new ClusterGuardrails(chart, 'g', { engine: PolicyEngine.KUBERNETES });
    guardrails.deny(Peer.namespaces({ env: 'prod' }), Peer.ipBlock('10.0.0.0/8', ['10.1.0.0/16']), Port.allTcp(), Port.udpRange(53, 53));
    guardrails.baselineDeny(Peer.namespaces({}), Peer.internet());
    const [deny, baseline] = synthValid(chart);
    expect(deny.spec.egress[0].to).toEqual([{
      networks: ['10.0.0.0/16', '10.2.0.0/15', '10.4.0.0/14', '10.8.0.0/13', '10.16.0.0/12', '10.32.0.0/11', '10.64.0.0/10', '10.128.0.0/9'],
    }]);
    expect(deny.spec.egress[0].protocols).toEqual([
      { tcp: { destinationPort: { range: { start: 1, end: 65535 } } } },
      { udp: { destinationPort: { number: 53 } } },
    ]);
    expect(deny.spec.subject).toEqual({ namespaces: { matchLabels: { env: 'prod' } } });
    expect(baseline.spec.tier).toBe('Baseline');
    expect(baseline.spec.egress[0].to.length).toBeLessThanOrEqual(25);
    expect(baseline.spec.egress[0].to.every((p: any) => p.networks.length <= 25)).toBe(true);
    // The networks cover exactly the internet: a public address is denied, private and metadata ones are not.
    const model = NetworkModel.fromManifests([baseline]);
    model.addPod({ namespace: 'a', name: 'x', labels: {}, ip: '10.0.0.5' });
    expect(model.evaluate({ from: 'a/x', to: '8.8.8.8', port: 53, protocol: 'UDP' }).allowed).toBe(false);
    expect(model.evaluate({ from: 'a/x', to: '2001:4860::8888', port: 53, protocol: 'UDP' }).allowed).toBe(false);
    for (const inside of ['10.1.2.3', '172.16.0.1', '192.168.1.1', METADATA, '100.64.0.1', 'fd00:ec2::254']) {
      expect({ inside, allowed: model.evaluate({ from: 'a/x', to: inside, port: 80 }).allowed }).toEqual({ inside, allowed: true });
    }
  });

  test('Calico: GlobalNetworkPolicies in kube-admin / kube-baseline at order = priority, pods only', () => {
    const chart = newChart();
    const guardrails = new ClusterGuardrails(chart, 'g', { engine: PolicyEngine.CALICO, priority: 7 });
    guardrails.deny(Peer.podsInNamespace('shop', { app: 'web' }), Peer.ipBlock(`${METADATA}/32`), Port.tcp(80));
    guardrails.baselineAllow(Peer.namespace('shop'), Peer.namespace('shared'));
    const [deny, egress, ingress] = synthValid(chart);
    expect(deny.spec).toEqual({
      tier: 'kube-admin',
      order: 7,
      selector: "projectcalico.org/orchestrator == 'k8s' && app == 'web'",
      namespaceSelector: "projectcalico.org/name == 'shop'",
      types: ['Egress'],
      egress: [{ action: 'Deny', protocol: 'TCP', destination: { nets: [`${METADATA}/32`], ports: [80] } }],
    });
    expect([egress.metadata.name, egress.spec.tier, egress.spec.order]).toEqual(['g-baseline-allow-1-egress', 'kube-baseline', 7]);
    expect(ingress.spec.ingress[0]).toMatchObject({ action: 'Allow', source: { namespaceSelector: "projectcalico.org/name == 'shop'" } });
  });

  test('Cilium: a CiliumClusterwideNetworkPolicy deny section that does not turn default deny on', () => {
    const chart = newChart();
    const guardrails = new ClusterGuardrails(chart, 'g', { engine: PolicyEngine.CILIUM });
    guardrails.deny(Peer.namespaces({}), Peer.ipBlock(`${METADATA}/32`));
    guardrails.deny(Peer.anywhere(), Peer.namespace('db'), Port.tcp(5432));
    const [egress, ingress] = synthValid(chart);
    expect(egress.spec).toEqual({
      endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] },
      enableDefaultDeny: { ingress: false, egress: false },
      egressDeny: [{ toCIDRSet: [{ cidr: `${METADATA}/32` }] }],
    });
    expect(ingress.spec.ingressDeny).toEqual([{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }]);
  });
});

describe('ClusterGuardrails: refused at the call, naming the prop and what works', () => {
  const guardrails = (engine = PolicyEngine.KUBERNETES, props = {}) => new ClusterGuardrails(newChart(), 'g', { engine, ...props });

  test.each([
    ['a same-namespace peer', (g: ClusterGuardrails) => g.deny(Peer.pods({ app: 'web' }), Peer.namespace('db')), /from pods \{app=web\}.*a cluster-wide guardrail has none: name the namespace/],
    ['a DNS name', (g: ClusterGuardrails) => g.deny(Peer.namespaces({}), Peer.fqdn('api.example.com')), /DNS names are not guardrail peers/],
    ['the API server', (g: ClusterGuardrails) => g.deny(Peer.namespaces({}), Peer.kubeApiServer()), /name the API server by its addresses/],
    ['no pods at either end', (g: ClusterGuardrails) => g.deny(Peer.anywhere(), Peer.internet()), /neither from .* nor to .* is pods/],
    ['a named port towards addresses', (g: ClusterGuardrails) => g.deny(Peer.namespaces({}), Peer.internet(), Port.named('https')), /has no container ports to name/],
    ['a source outside the cluster (ClusterNetworkPolicy ingress has no networks)', (g: ClusterGuardrails) => g.deny(Peer.ipBlock('203.0.113.0/24'), Peer.namespace('db')),
      /cannot be the source of a ClusterNetworkPolicy guardrail \(PolicyEngine.KUBERNETES\)/],
    ['a port that is not a Port', (g: ClusterGuardrails) => g.deny(Peer.namespaces({}), Peer.namespace('db'), 5432 as any), /ports\[0\] 5432 is not a Port/],
  ])('%s', (_what, call, message) => {
    expect(() => call(guardrails())).toThrow(message);
  });

  test('Cilium: allow and the baseline tier throw, naming the engine and the alternative', () => {
    expect(() => guardrails(PolicyEngine.CILIUM).allow(Peer.namespace('a'), Peer.namespace('b')))
      .toThrow(/allow\(\) cannot be expressed by PolicyEngine.CILIUM: .*Use the Kubernetes engine|use the Kubernetes engine/);
    expect(() => guardrails(PolicyEngine.CILIUM).baselineDeny(Peer.namespace('a'), Peer.namespace('b')))
      .toThrow(/baseline guardrails cannot be expressed by PolicyEngine.CILIUM/);
  });

  test('priorities: out of range refused; a collision between guardrails refused, naming the holder; a failed call frees its priority', () => {
    expect(() => guardrails(PolicyEngine.KUBERNETES, { priority: 1001 })).toThrow(/priority 1001 is not an integer from 0 to 1000/);
    const chart = newChart();
    const first = new ClusterGuardrails(chart, 'first', { priority: 10 });
    first.deny(Peer.namespaces({}), Peer.namespace('db'));
    const second = new ClusterGuardrails(chart, 'second', { priority: 10 });
    expect(() => second.deny(Peer.namespaces({}), Peer.namespace('cache')))
      .toThrow(/priority 10 of the admin tier is already taken by ClusterGuardrails "test\/first".deny\(\)/);
    // Another tier has priorities of its own.
    second.baselineDeny(Peer.namespaces({}), Peer.namespace('cache'));
    // Defaults skip taken priorities: one app, one order.
    const third = new ClusterGuardrails(chart, 'third');
    expect(() => third.deny(Peer.ipBlock('203.0.113.0/24'), Peer.namespace('x'))).toThrow(/cannot be the source/);
    third.deny(Peer.namespaces({}), Peer.namespace('x'));
    third.deny(Peer.namespaces({}), Peer.namespace('y'));
    const priorities = synthValid(chart).map((o) => `${o.metadata.name}=${o.spec.tier}/${o.spec.priority}`);
    expect(priorities).toEqual(['first-deny-1=Admin/10', 'second-baseline-deny-1=Baseline/10', 'third-deny-1=Admin/100', 'third-deny-2=Admin/101']);
  });

  test('Calico before 3.32 (context key cdk8s-netpol/calico-version): refused, naming CalicoGlobalDeny', () => {
    const chart = newChart();
    chart.node.setContext('cdk8s-netpol/calico-version', '3.31');
    expect(() => new ClusterGuardrails(chart, 'g', { engine: PolicyEngine.CALICO }))
      .toThrow(/context key cdk8s-netpol\/calico-version is "3.31", but Calico's kube-admin and kube-baseline tiers.*exist from Calico 3.32/);
  });

  test('unknown props are refused', () => {
    expect(() => new ClusterGuardrails(newChart(), 'g', { prio: 1 } as any)).toThrow(/prio/);
  });

  test('every object it emits validates (internet, many ports)', () => {
    const chart = newChart();
    const g = new ClusterGuardrails(chart, 'g');
    g.allow(Peer.namespace('a'), Peer.internet(), Port.tcp(443), Port.tcp(80), Port.tcpRange(8000, 8100));
    expect(() => expectValidManifests(Testing.synth(chart))).not.toThrow();
  });
});

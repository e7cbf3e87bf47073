import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AllowPrometheusScrape, CalicoGlobalDeny, ExternalHttpsEgress, NetworkModel, Peer, PolicyEngine, PolicyProofs, Port, ThreeTierApp, ZeroTrustNamespace } from '../../src';
import { DecisionCause, SideDecision } from '../../src/analysis/semantics/decision';
import { labelsSatisfying } from '../../src/constructs/proofs';
import { LabelExpression, LabelSelector } from '../../src/core/selector';
import { synthValid } from '../support/manifests';

const newChart = () => new Chart(Testing.app(), 'production');

describe('synth-time proofs', () => {
  test('the seed scenario keeps every promise', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production' });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production' });
    new ExternalHttpsEgress(chart, 'external', { namespace: 'production', selector: { app: 'api' } });
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('allowSameNamespace next to a ThreeTierApp breaks "frontend cannot reach database": synth fails naming both constructs and the policy', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(
      /ThreeTierApp "production\/shop" promises that frontend cannot reach database on TCP\/5432 \[no-frontend-to-database\], but production\/allow-same-namespace \(from ZeroTrustNamespace "production\/zero-trust"\) opens it/);
    // The verdict's reasons are in the message, for the person reading the failure.
    expect(() => Testing.synth(chart)).toThrow(/ingress of production\/netpol-proof-\d+-database: allowed by production\/allow-same-namespace ingress rule #1/);
  });

  test('an accepted conflict, with its reason, lets synthesis pass', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    const shop = new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    for (const id of ['no-frontend-to-database', 'no-api-to-frontend', 'no-database-to-api', 'no-database-to-frontend']) {
      PolicyProofs.accept(shop, id, 'the namespace is a sandbox; tiers talk freely until the migration ends');
    }
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('a broken allowed promise names the policies that isolate the pod and asks for an allowance', () => {
    const chart = newChart();
    // Monitoring locked down without an egress exception: Prometheus cannot scrape anything.
    new ZeroTrustNamespace(chart, 'monitoring', { namespace: 'monitoring' });
    new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(
      /AllowPrometheusScrape "production\/scrape" promises that Prometheus reaches the targets on TCP\/9090 \[scrape-tcp-9090\], but no policy allows it: the egress of monitoring\/netpol-proof-\d+-prometheus is isolated by monitoring\/allow-dns \(from ZeroTrustNamespace "production\/monitoring"\), monitoring\/default-deny .* and none of their rules admits it. Allow it/);
  });

  test('a namespace-wide internet egress breaks "the database initiates nothing"', () => {
    const chart = newChart();
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    new ExternalHttpsEgress(chart, 'everyone', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(/\[no-database-to-internet\], but production\/everyone \(from ExternalHttpsEgress "production\/everyone"\) opens it. Narrow that policy, or, if database needs the internet, declare it with database.allowTo\(Peer.internet\(\), Port.tcp\(443\)\)/);
  });

  test('an exception that opens the metadata endpoint breaks ExternalHttpsEgress\'s promise', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    zt.allowEgress(Peer.ipBlock('169.254.0.0/16'));
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(/\[no-metadata-tcp-443\], but production\/allow-egress \(from ZeroTrustNamespace "production\/zt"\) opens it/);
  });

  test('named metrics ports are proven through a container port of that name', () => {
    const chart = newChart();
    const scrape = new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production', ports: [Port.tcp(9090), Port.named('metrics')] });
    expect(PolicyProofs.promisesOf(scrape)).toEqual([
      'scrape-tcp-9090: Prometheus reaches the targets on TCP/9090',
      'no-scrape-from-namespace-tcp-9090: another pod of monitoring cannot reach the targets on TCP/9090',
      'no-scrape-from-elsewhere-tcp-9090: a Prometheus-labelled pod of another namespace cannot reach the targets on TCP/9090',
      'scrape-tcp-metrics: Prometheus reaches the targets on TCP/metrics',
      'no-scrape-from-namespace-tcp-metrics: another pod of monitoring cannot reach the targets on TCP/metrics',
      'no-scrape-from-elsewhere-tcp-metrics: a Prometheus-labelled pod of another namespace cannot reach the targets on TCP/metrics',
    ]);
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('proofs can be turned off with the cdk8s-netpol/proofs context', () => {
    const app = Testing.app();
    app.node.setContext('cdk8s-netpol/proofs', false);
    const chart = new Chart(app, 'production');
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('charts rendered for Cilium or Calico are proven too, naming the engine\'s policy; accept works the same', () => {
    for (const engine of [PolicyEngine.CILIUM, PolicyEngine.CALICO]) {
      const chart = newChart();
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true, engine });
      const shop = new ThreeTierApp(chart, 'shop', { namespace: 'production', engine });
      expect(PolicyProofs.promisesOf(shop)).toContain('no-frontend-to-database: frontend cannot reach database on TCP/5432');
      const kind = engine === PolicyEngine.CILIUM ? 'CiliumNetworkPolicy' : 'Calico NetworkPolicy';
      expect(() => Testing.synth(chart)).toThrow(new RegExp(`\\[no-frontend-to-database\\], but ${kind} production/allow-same-namespace ` +
        '\\(from ZeroTrustNamespace "production/zero-trust"\\) opens it'));
      for (const promise of ['no-frontend-to-database', 'no-api-to-frontend', 'no-database-to-api', 'no-database-to-frontend']) {
        PolicyProofs.accept(shop, promise, 'sandbox namespace, tiers talk freely');
      }
      expect(() => Testing.synth(chart)).not.toThrow();
    }
  });

  test('a promise the model cannot decide (a pod address against a Calico guardrail) is reported as not provable; the pod ranges decide it', () => {
    const build = (podCidrs?: string[]) => {
      const app = Testing.app();
      if (podCidrs) {
        // A list, or as `cdk8s synth -c` gives it, a comma-separated string.
        app.node.setContext('cdk8s-netpol/pod-cidrs', podCidrs.length === 1 ? podCidrs : podCidrs.join(','));
      }
      const chart = new Chart(app, 'production');
      new CalicoGlobalDeny(chart, 'guardrail', { nets: ['100.100.100.200/32'] });
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', engine: PolicyEngine.CALICO });
      return chart;
    };
    expect(() => Testing.synth(build())).toThrow(/promises that pod reaches pods \{k8s-app=kube-dns\} in namespace kube-system on UDP\/53 \[pod-dns-udp\], but this cannot be proven: .*might lie in nets 100\.100\.100\.200\/32.*Set the context key cdk8s-netpol\/pod-cidrs/);
    expect(() => Testing.synth(build(['10.244.0.0/16', 'fd00:10::/64']))).not.toThrow();
    // Inside the pod range, the guardrail really might block kube-dns: still not provable.
    expect(() => Testing.synth(build(['100.64.0.0/10']))).toThrow(/\[pod-dns-udp\], but this cannot be proven/);
  });

  test('policies selecting Cilium\'s cluster and service-account labels are proven (they were refused as not modelled); cdk8s-netpol/cluster-name names the cluster', () => {
    const build = (clusterName?: string) => {
      const app = Testing.app();
      if (clusterName !== undefined) {
        app.node.setContext('cdk8s-netpol/cluster-name', clusterName);
      }
      const chart = new Chart(app, 'production');
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', engine: PolicyEngine.CILIUM });
      new ThreeTierApp(chart, 'shop', { namespace: 'production', engine: PolicyEngine.CILIUM });
      // A Cluster Mesh guardrail: pods of the eu-prod cluster's frontend never reach the api.
      new ApiObject(chart, 'mesh-guardrail', {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'mesh-guardrail', namespace: 'production' },
        spec: {
          endpointSelector: { matchLabels: { 'app': 'api', 'io.cilium.k8s.policy.serviceaccount': 'default' } },
          ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'app': 'frontend', 'io.cilium.k8s.policy.cluster': 'eu-prod' } }] }],
        },
      });
      return chart;
    };
    expect(() => synthValid(build())).not.toThrow();
    expect(() => Testing.synth(build('eu-prod'))).toThrow(/promises that frontend reaches api on TCP\/8080 .*CiliumNetworkPolicy production\/mesh-guardrail/);
    expect(() => Testing.synth(build('EU'))).toThrow(/\[cdk8s-netpol\] proofs: context key cdk8s-netpol\/cluster-name "EU" is not a Cilium cluster name/);
  });

  test('cdk8s-netpol/calico-version gives the proofs the cluster\'s Calico release', () => {
    const build = (version: unknown) => {
      const app = Testing.app();
      app.node.setContext('cdk8s-netpol/calico-version', version);
      const chart = new Chart(app, 'production');
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', engine: PolicyEngine.CALICO });
      return chart;
    };
    expect(() => synthValid(build('3.31.5'))).not.toThrow();
    expect(() => synthValid(build('3.32'))).not.toThrow();
    // A number is refused: 3.30 would read as 3.3.
    expect(() => Testing.synth(build(3.30))).toThrow(/\[cdk8s-netpol\] proofs: context key cdk8s-netpol\/calico-version is the number 3.3: .*as a string/);
    expect(() => Testing.synth(build('4.0'))).toThrow(/\[cdk8s-netpol\] proofs: context key cdk8s-netpol\/calico-version "4.0" is not a Calico release/);
    expect(() => Testing.synth(build('3.34'))).toThrow(/lint: context key cdk8s-netpol\/calico-version "3.34" is newer than the newest Calico release the model knows, 3.33/);
  });

  test('a tier the app does not hold (CalicoGlobalDeny with createTier: false) leaves the promises unproven, with a warning, never a crash', () => {
    const chart = newChart();
    new CalicoGlobalDeny(chart, 'guardrail', { createTier: false, tier: 'security' });
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', engine: PolicyEngine.CALICO });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => Testing.synth(chart)).not.toThrow();
      expect(warn.mock.calls.map((c) => c[0]).join('\n')).toMatch(/promises of 1 constructs are not proven: .*tier "security"/);
    } finally {
      warn.mockRestore();
    }
  });

  test('a promise broken by an explicit deny names the deny, not a missing allowance', () => {
    const chart = newChart();
    new CalicoGlobalDeny(chart, 'no-dns', { nets: ['0.0.0.0/0'], ports: [Port.udp(53)] });
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', engine: PolicyEngine.CALICO });
    expect(() => Testing.synth(chart)).toThrow(/\[pod-dns-udp\], but a deny rule of GlobalNetworkPolicy no-dns \(from CalicoGlobalDeny "production\/no-dns"\) refuses it: egress of production\/netpol-proof-\d+-pod: denied by GlobalNetworkPolicy no-dns .*Narrow that deny/);
  });

  describe('the proofs act on the decisions\' data, never on their words', () => {
    // The model's reasons are for people: reworded, they must not change what the proofs advise
    // or which construct they blame. These stub the model's decisions with reasons that follow
    // none of the usual wording.
    const reworded = (sides: Partial<SideDecision>[]) => jest.spyOn(NetworkModel.prototype, '_explain').mockImplementation(() => {
      const full = sides.map((side) => ({ direction: 'egress', pod: 'p/q', isolatedBy: [], reason: 'reworded: no usual words here', ...side }) as SideDecision);
      return { allowed: full.every((d) => d.allowed), reasons: full.map((d) => d.reason), sides: full };
    });

    test('an explicit deny is told from a missing allowance by its cause', () => {
      const chart = newChart();
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production' });
      const spy = reworded([{ allowed: false, cause: DecisionCause.DENY_RULE }]);
      try {
        expect(() => Testing.synth(chart)).toThrow(/\[pod-dns-udp\], but a deny rule refuses it: reworded.*Narrow that deny/);
      } finally {
        spy.mockRestore();
      }
      const other = newChart();
      new ZeroTrustNamespace(other, 'zero-trust', { namespace: 'production' });
      // The words "denied by" no longer make a tier's default action (or anything) an explicit deny.
      const spy2 = reworded([{ allowed: false, cause: DecisionCause.TIER_DEFAULT, reason: 'egress of p/q: denied by the tier, which reads like a deny' }]);
      try {
        expect(() => Testing.synth(other)).toThrow(/\[pod-dns-udp\], but no policy allows it: .*Allow it/);
      } finally {
        spy2.mockRestore();
      }
    });

    test('the construct that emitted an opening policy is found from its reference, whatever its id reads', () => {
      const chart = newChart();
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true, engine: PolicyEngine.CILIUM });
      new ThreeTierApp(chart, 'shop', { namespace: 'production', engine: PolicyEngine.CILIUM });
      const opener = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', namespace: 'production', name: 'allow-same-namespace', id: 'the same-namespace policy' };
      const spy = reworded([{ allowed: true, cause: DecisionCause.ALLOWED, allowedBy: opener }]);
      try {
        expect(() => Testing.synth(chart)).toThrow(/\[no-frontend-to-database\], but the same-namespace policy \(from ZeroTrustNamespace "production\/zero-trust"\) opens it/);
      } finally {
        spy.mockRestore();
      }
    });
  });

  test('an app with both Cilium and Calico policies is not proven (one cluster runs one CNI), with a warning', () => {
    const app = Testing.app();
    new ThreeTierApp(new Chart(app, 'a'), 'shop', { namespace: 'a', engine: PolicyEngine.CILIUM });
    new ThreeTierApp(new Chart(app, 'b'), 'shop', { namespace: 'b', engine: PolicyEngine.CALICO });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => app.synth()).not.toThrow();
      expect(warn.mock.calls.map((c) => c[0]).join('\n')).toMatch(/are not proven: the app holds both Cilium and Calico policies \(one cluster runs one CNI\)/);
    } finally {
      warn.mockRestore();
    }
  });

  test('a policy kind the model does not evaluate makes the proofs skip, with a warning, never a crash', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    new ApiObject(chart, 'anp', { apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'x' } });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => Testing.synth(chart)).not.toThrow();
      expect(warn.mock.calls.map((c) => c[0]).join('\n')).toMatch(/promises of 2 constructs are not proven: the app also holds policy.networking.k8s.io\/v1alpha1 AdminNetworkPolicy/);
    } finally {
      warn.mockRestore();
    }
  });

  test('a Cilium local redirect policy (DNS sent to a node-local cache) makes the proofs skip too: the DNS promises would be unfounded', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', engine: PolicyEngine.CILIUM });
    new ApiObject(chart, 'lrp', {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumLocalRedirectPolicy',
      metadata: { name: 'node-local-dns', namespace: 'kube-system' },
      spec: {
        redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } },
        redirectBackend: { localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } }, toPorts: [{ port: '53', protocol: 'UDP' }] },
      },
    });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => Testing.synth(chart)).not.toThrow();
      expect(warn.mock.calls.map((c) => c[0]).join('\n')).toMatch(/are not proven: the app also holds cilium.io\/v2 CiliumLocalRedirectPolicy/);
    } finally {
      warn.mockRestore();
    }
  });

  test('a conflict across charts of one app is found, and reported on the promising chart', () => {
    const app = Testing.app();
    new ZeroTrustNamespace(new Chart(app, 'base'), 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    const shopChart = new Chart(app, 'shop');
    new ThreeTierApp(shopChart, 'shop', { namespace: 'production' });
    expect(() => Testing.synth(shopChart)).toThrow(/ThreeTierApp "shop\/shop" promises that frontend cannot reach database .* production\/allow-same-namespace \(from ZeroTrustNamespace "base\/zero-trust"\) opens it/);
  });

  test('two apps with ids that slug alike do not share representative pods', () => {
    const chart = newChart();
    new ThreeTierApp(chart, 'ShopA', { namespace: 'production', name: 'a', frontend: { labels: { app: 'fe1' } }, database: { labels: { app: 'db1' } }, api: { labels: { app: 'api1' } } });
    new ThreeTierApp(chart, 'Shop-A', { namespace: 'production', name: 'b', frontend: { labels: { app: 'fe2' } }, database: { labels: { app: 'db2' } }, api: { labels: { app: 'api2' } } });
    // A hand-written policy opens fe2 -> db2 only: the second app's promise must break.
    new ApiObject(chart, 'open', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open', namespace: 'production' },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'fe2' } } }] }], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db2' } } }] }] },
    });
    expect(() => Testing.synth(chart)).toThrow(/ThreeTierApp "production\/Shop-A" promises that frontend cannot reach database/);
  });

  test('workloads sharing a name (a Job and a CronJob) do not crash the proofs', () => {
    const chart = newChart();
    new kplus.Job(chart, 'backup-job', { metadata: { name: 'backup', namespace: 'production' }, containers: [{ image: 'b', securityContext: { ensureNonRoot: false } }] });
    new kplus.CronJob(chart, 'backup-cron', { metadata: { name: 'backup', namespace: 'production' }, schedule: Cron.daily(), containers: [{ image: 'b', securityContext: { ensureNonRoot: false } }] });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('an accepted conflict that no longer happens is reported as stale', () => {
    const chart = newChart();
    const shop = new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    PolicyProofs.accept(shop, 'no-frontend-to-database', 'was needed during the migration');
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      Testing.synth(chart);
      expect(warn.mock.calls.map((c) => c[0]).join('\n')).toMatch(/the accepted conflict "no-frontend-to-database" no longer happens; remove its PolicyProofs.accept/);
    } finally {
      warn.mockRestore();
    }
  });

  test('the promise lists are pinned', () => {
    const chart = newChart();
    const shop = new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', allowSameNamespace: true });
    const egress = new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', selector: { app: 'api' }, ports: [Port.allTcp()] });
    expect(PolicyProofs.promisesOf(shop).map((p) => p.split(':')[0])).toEqual([
      'ingress-to-frontend', 'frontend-to-api', 'api-to-database',
      'no-frontend-to-database', 'no-api-to-frontend', 'no-database-to-frontend', 'no-database-to-api', 'no-ingress-to-api', 'no-ingress-to-database',
      'no-other-namespaces-to-frontend', 'no-internet-to-frontend', 'no-other-namespaces-to-api', 'no-internet-to-api',
      'no-other-namespaces-to-database', 'no-internet-to-database',
      'no-frontend-to-other-namespaces', 'no-api-to-other-namespaces', 'no-database-to-other-namespaces',
      'no-database-to-internet', 'no-database-to-internet-tcp-80', 'no-database-to-internet-udp-53',
      'frontend-dns-udp', 'frontend-dns-tcp', 'api-dns-udp', 'api-dns-tcp',
    ]);
    expect(PolicyProofs.promisesOf(zt).map((p) => p.split(':')[0])).toEqual(['pod-dns-udp', 'pod-dns-tcp', 'same-namespace']);
    expect(PolicyProofs.promisesOf(egress).map((p) => p.split(':')[0])).toEqual([
      'internet-tcp-443', 'internet-ipv6-tcp-443', 'no-metadata-tcp-443', 'no-metadata-ipv6-tcp-443',
      'no-metadata-tcp-80', 'no-metadata-ipv6-tcp-80', 'client-dns-udp', 'client-dns-tcp',
    ]);
  });

  test('nothing is written when a promise is broken', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-proofs-'));
    try {
      const app = new App({ outdir });
      const chart = new Chart(app, 'production');
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
      new ThreeTierApp(chart, 'shop', { namespace: 'production' });
      expect(() => app.synth()).toThrow(/no-frontend-to-database/);
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  describe('PolicyProofs.accept validates its arguments', () => {
    const shop = () => new ThreeTierApp(newChart(), 'shop', { namespace: 'production' });
    test.each([
      [() => PolicyProofs.accept(shop(), 'no-such-promise', 'because we want it so'), /ThreeTierApp "production\/shop" makes no promise "no-such-promise"; its promises are ingress-to-frontend, frontend-to-api/],
      [() => PolicyProofs.accept(shop(), 'no-frontend-to-database', ''), /reason "" must say why breaking "no-frontend-to-database" is acceptable/],
      [() => PolicyProofs.accept(shop(), 'no-frontend-to-database', 'ok'), /reason "ok" must say why/],
      [() => PolicyProofs.accept(newChart(), 'x', 'a long enough reason'), /"production" is not a construct of cdk8s-netpol that makes promises/],
    ])('%#', (call, message) => {
      expect(call).toThrow(message);
    });
  });

  test('labelsSatisfying picks labels that a selector selects', () => {
    expect(labelsSatisfying(LabelSelector.of({ app: 'a' }, LabelExpression.isIn('tier', ['x', 'y']), LabelExpression.exists('team'), LabelExpression.doesNotExist('debug'))))
      .toEqual({ app: 'a', tier: 'x', team: 'present' });
  });
});


describe('promises are made when proven, from the props as they were at construction', () => {
  test('changing the props object or its arrays afterwards changes nothing', () => {
    const chart = newChart();
    const scrapeProps = { namespace: 'production', ports: [Port.tcp(9090)], prometheusLabels: { app: 'prometheus' } as Record<string, string> };
    const scrape = new AllowPrometheusScrape(chart, 'scrape', scrapeProps);
    const egressProps = { namespace: 'production', ports: [Port.tcp(443)], excludeCidrs: ['203.0.113.0/24'] as string[] };
    const egress = new ExternalHttpsEgress(chart, 'egress', egressProps);
    const shopProps = { namespace: 'production', ingressLabels: { app: 'nginx' } as Record<string, string> };
    const shop = new ThreeTierApp(chart, 'shop', shopProps);
    const before = [PolicyProofs.promisesOf(scrape), PolicyProofs.promisesOf(egress), PolicyProofs.promisesOf(shop)];
    scrapeProps.ports.push(Port.tcp(1234));
    scrapeProps.prometheusLabels.app = 'impostor';
    (scrapeProps as any).namespace = 'elsewhere';
    egressProps.ports.push(Port.tcp(8443));
    egressProps.excludeCidrs.push('0.0.0.0/0');
    shopProps.ingressLabels.app = 'other';
    expect([PolicyProofs.promisesOf(scrape), PolicyProofs.promisesOf(egress), PolicyProofs.promisesOf(shop)]).toEqual(before);
    expect(before[0]).toHaveLength(3);
    expect(before[1].some((p) => p.startsWith('internet-tcp-443'))).toBe(true);
    expect(() => synthValid(chart)).not.toThrow();
  });
});

import { ApiObject, Chart, Testing } from 'cdk8s';
import { AllowPrometheusScrape, CalicoGlobalDeny, ExternalHttpsEgress, Linter, Peer, PolicyEngine, ThreeTierApp, ZeroTrustNamespace } from '../../../src';

const brokenPolicy = (chart: Chart) => new ApiObject(chart, 'hand-written', {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-egress', namespace: 'production' },
  spec: { podSelector: {}, egress: [] },
});

describe('Linter at synth', () => {
  test('objects the library emits are never reported, on any engine', () => {
    for (const engine of Object.values(PolicyEngine)) {
      const chart = new Chart(Testing.app(), 'c');
      const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', createNamespace: true, allowSameNamespace: true, engine });
      zt.allowIngress(Peer.namespaces({}));
      new ThreeTierApp(chart, 'shop', { namespace: 'production', engine });
      new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production', engine });
      new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', engine });
      if (engine === PolicyEngine.CALICO) {
        new CalicoGlobalDeny(chart, 'deny');
      }
      expect(new Linter().lint(chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson()))).toEqual([]);
    }
  });

  test('what the constructs emit is clean even without the mark, on every engine', () => {
    for (const engine of Object.values(PolicyEngine)) {
      const chart = new Chart(Testing.app(), 'c');
      const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', createNamespace: true, allowSameNamespace: true, engine });
      zt.allowEgress(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }));
      new ThreeTierApp(chart, 'shop', { namespace: 'production', engine });
      new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production', engine });
      new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', engine });
      const unmarked = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => {
        const json = o.toJson();
        delete json.metadata.annotations?.['cdk8s-netpol.io/generated'];
        return json;
      });
      expect(new Linter().lint(unmarked)).toEqual([]);
    }
  });

  test('a hand-edited copy of generated YAML is linted like any other manifest', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    const objects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
    const edited = objects.map((o) => (o.metadata.name === 'allow-dns' ? { ...o, spec: { ...o.spec, policyTypes: undefined, egress: [] } } : o));
    expect(new Linter().lint(objects)).toEqual([]);
    expect(new Linter().lint(edited).map((f) => `${f.rule} ${f.name}`)).toEqual(['missing-dns-egress default-deny', 'policy-types-mismatch allow-dns']);
  });

  test('a hand-written mistake next to the constructs fails synthesis', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    brokenPolicy(chart);
    expect(() => Testing.synth(chart)).toThrow(/\[cdk8s-netpol\] policy-types-mismatch: NetworkPolicy production\/deny-egress: "egress: \[\]" isolates nothing/);
  });

  test('Linter.validateChart lints charts without the constructs; warnings are printed, not fatal', () => {
    const chart = new Chart(Testing.app(), 'c');
    Linter.validateChart(chart);
    Linter.validateChart(chart);
    new ApiObject(chart, 'open', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'open', namespace: 'p' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] },
    });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(Testing.synth(chart)).toHaveLength(1);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/^\[cdk8s-netpol\] warning allow-all: NetworkPolicy p\/open: ingress rule #1 has no from and no ports/);
    } finally {
      warn.mockRestore();
    }
    brokenPolicy(chart);
    expect(() => Testing.synth(chart)).toThrow(/policy-types-mismatch/);
    expect(() => Linter.validateChart({} as any)).toThrow(/Linter.validateChart\(\): chart \{\} is not a cdk8s Chart/);
  });

  test('the cdk8s-netpol/lint context turns it off; cdk8s-netpol/cni sets the plugin', () => {
    const off = Testing.app();
    off.node.setContext('cdk8s-netpol/lint', false);
    const quiet = new Chart(off, 'c');
    new ZeroTrustNamespace(quiet, 'zt', { namespace: 'production' });
    brokenPolicy(quiet);
    expect(() => Testing.synth(quiet)).not.toThrow();

    const cilium = Testing.app();
    cilium.node.setContext('cdk8s-netpol/cni', 'cilium');
    const chart = new Chart(cilium, 'c');
    Linter.validateChart(chart);
    new ApiObject(chart, 'range', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'range', namespace: 'p' },
      spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }] },
    });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      Testing.synth(chart);
      expect(warn.mock.calls.map((c) => c[0]).join('\n')).toMatch(/cilium-ignores-endport/);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('the seed scenario written by hand, with the classic mistakes', () => {
  const yaml = [
    { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'production' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'frontend', namespace: 'production' }, spec: { template: { metadata: { labels: { app: 'frontend' } }, spec: { containers: [{ ports: [{ containerPort: 80 }] }] } } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'production' }, spec: { template: { metadata: { labels: { app: 'api', metrics: 'enabled' } }, spec: { containers: [{ ports: [{ containerPort: 8080 }] }] } } } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'production' }, spec: { template: { metadata: { labels: { app: 'postgres' } }, spec: { containers: [{ ports: [{ containerPort: 5432 }] }] } } } },
    // Default deny, but DNS forgotten.
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'production' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    // frontend <- ingress controller, selected by a hand-made label.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'frontend', namespace: 'production' },
      spec: {
        podSelector: { matchLabels: { app: 'frontend' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'ingress-nginx' } } }], ports: [{ port: 80 }] }],
      },
    },
    // api <- frontend, with a typo in the label.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api', namespace: 'production' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'fronted' } } }], ports: [{ port: 8080 }] }],
      },
    },
    // Prometheus: a misplaced dash turns AND into OR.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'scrape', namespace: 'production' },
      spec: {
        podSelector: { matchLabels: { metrics: 'enabled' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }, { podSelector: { matchLabels: { app: 'prometheus' } } }], ports: [{ port: 9090 }] }],
      },
    },
    // External HTTPS for the api, metadata endpoint included.
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'external', namespace: 'production' },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }],
      },
    },
  ];

  test('produces exactly the expected findings', () => {
    expect(new Linter().lint(yaml).map((f) => `${f.severity} ${f.rule} ${f.kind} ${f.namespace ?? ''}/${f.name}`)).toEqual([
      'error missing-dns-egress NetworkPolicy production/default-deny',
      'warning namespace-selector-by-custom-label NetworkPolicy production/frontend',
      'warning or-instead-of-and NetworkPolicy production/scrape',
      'warning egress-to-metadata NetworkPolicy production/external',
      'warning selector-matches-nothing NetworkPolicy production/api',
      // The misplaced dash again: the pod-only peer looks for Prometheus in production itself.
      'warning selector-matches-nothing NetworkPolicy production/scrape',
    ]);
  });
});

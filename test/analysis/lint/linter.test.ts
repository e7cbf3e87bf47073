import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart, Testing } from 'cdk8s';
import { KubeDeployment } from 'cdk8s-plus-28/lib/imports/k8s';
import { stringify } from 'yaml';
import {
  AllowPrometheusScrape, CalicoGlobalDeny, CiliumL7Rule, ClusterCni, ExternalHttpsEgress, Linter, Peer, PolicyEngine, Port, ServiceGraph,
  ThreeTierApp, ZeroTrustNamespace,
} from '../../../src';
import { runCli } from '../../../src/cli/main';
import { GENERATED_ANNOTATION, generatedMark } from '../../../src/util/mark';

/** The chart's objects as they are synthesized, without running its validations. */
const jsonsOf = (chart: Chart) => chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());

/** The CNI that enforces each engine's output. */
const CNI: Record<PolicyEngine, ClusterCni> = {
  [PolicyEngine.KUBERNETES]: ClusterCni.KUBERNETES,
  [PolicyEngine.CILIUM]: ClusterCni.CILIUM,
  [PolicyEngine.CALICO]: ClusterCni.CALICO,
};

/** What synthesis prints on stderr (the synth-time warnings), and what it throws. */
function synthOutcome(chart: Chart): { warnings: string; error?: string } {
  const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    Testing.synth(chart);
    return { warnings: write.mock.calls.map((c) => String(c[0])).join('') };
  } catch (e) {
    return { warnings: write.mock.calls.map((c) => String(c[0])).join(''), error: (e as Error).message };
  } finally {
    write.mockRestore();
  }
}

/** A wide-open policy with a lint error (its egress rules are ignored: policyTypes lacks Egress), carrying a mark computed as the library does. */
function forgedPolicy(): any {
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'open', namespace: 'production', annotations: {} as Record<string, string> },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{}] },
  };
  policy.metadata.annotations[GENERATED_ANNOTATION] = generatedMark(policy);
  return policy;
}

describe('the generated mark grants nothing', () => {
  test('a wide-open policy with a mark computed as the library does is reported by Linter.lint', () => {
    expect(new Linter().lint([forgedPolicy()]).map((f) => `${f.severity} ${f.rule}`)).toEqual([
      'error policy-types-mismatch',
      // Its egress rule, were it enforced, would reach the metadata endpoint over IPv4 and IPv6.
      'warning egress-to-metadata',
      'warning egress-to-metadata',
      'warning allow-all',
      'warning allow-all',
    ]);
  });

  test('and by cdk8s-netpol lint, which exits 1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-forged-'));
    const file = path.join(dir, 'forged.yaml');
    fs.writeFileSync(file, stringify(forgedPolicy()));
    const out: string[] = [];
    const err: string[] = [];
    expect(await runCli(['lint', file], { out: (t) => out.push(t), err: (t) => err.push(t) })).toBe(1);
    expect(out.join('\n')).toMatch(/^error {3}policy-types-mismatch +NetworkPolicy production\/open:/);
    expect(err.join('\n')).toBe('1 error(s), 4 warning(s) in 1 object(s) of 1 file(s)');
  });

  test('nor at synth: a hand-written object with a forged mark next to the constructs fails synthesis', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    const { apiVersion, kind, metadata, spec } = forgedPolicy();
    new ApiObject(chart, 'forged', { apiVersion, kind, metadata, spec } as any);
    expect(synthOutcome(chart).error).toMatch(/\[cdk8s-netpol\] policy-types-mismatch: NetworkPolicy production\/open/);
  });
});

const deployment = (chart: Chart, name: string, port: number) => new KubeDeployment(chart, name, {
  metadata: { namespace: 'production', name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `${name}:1`, ports: [{ containerPort: port }] }] } },
  },
});

/**
 * Every construct, with the options that change what it emits, as users write them. Each is
 * synthesized on every engine it renders for, and linted without exemption (the lint knows no
 * other way): the output must be clean.
 */
const CONSTRUCTS: Record<string, (chart: Chart, engine: PolicyEngine) => void> = {
  'ZeroTrustNamespace, defaults': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine });
  },
  'ZeroTrustNamespace, every option and exception': (chart, engine) => {
    const zt = new ZeroTrustNamespace(chart, 'zt', {
      namespace: 'production',
      engine,
      createNamespace: true,
      namespaceLabels: { team: 'a' },
      allowSameNamespace: true,
      dnsPeer: Peer.kubeDns({ namespace: 'openshift-dns', labels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } }),
    });
    zt.allowIngress(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Port.tcp(9100));
    zt.allowIngress(Peer.anywhere(), Port.HTTPS);
    zt.allowEgress(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }), Port.tcp(443));
    zt.allowEgress(Peer.internet(), Port.HTTPS);
    if (engine === PolicyEngine.CILIUM) {
      zt.allowEgress(Peer.fqdn('api.stripe.com'), Port.HTTPS);
    }
  },
  'ZeroTrustNamespace, ingress only': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine, restrictEgress: false });
  },
  'ZeroTrustNamespace, allowDns: false (stated on the deny)': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine, allowDns: false });
  },
  'ThreeTierApp, defaults and with a ZeroTrustNamespace': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine });
    new ThreeTierApp(chart, 'shop', { namespace: 'production', engine, ingressLabels: { 'app.kubernetes.io/name': 'ingress-nginx' } });
    new ThreeTierApp(chart, 'other', { namespace: 'other', engine, allowDns: false });
  },
  'ThreeTierApp over workload objects': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine });
    new ThreeTierApp(chart, 'shop', {
      namespace: 'production',
      engine,
      frontend: { workload: deployment(chart, 'frontend', 80) },
      api: { workload: deployment(chart, 'api', 8080) },
      database: { workload: deployment(chart, 'postgres', 5432) },
    });
  },
  'AllowPrometheusScrape': (chart, engine) => {
    new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production', engine, ports: [Port.tcp(9090), Port.named('metrics')] });
  },
  'ExternalHttpsEgress, defaults and narrowed': (chart, engine) => {
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', engine, selector: { app: 'api' } });
    new ExternalHttpsEgress(chart, 'v4', { namespace: 'production', engine, selector: { app: 'web' }, ipv6: false, excludeCidrs: ['100.64.0.0/10'], ports: [Port.HTTPS, Port.tcp(8443)] });
    if (engine === PolicyEngine.CILIUM) {
      new ExternalHttpsEgress(chart, 'named', { namespace: 'production', engine, selector: { app: 'billing' }, fqdns: ['api.stripe.com', '*.github.com'] });
    }
  },
  'ExternalHttpsEgress, allowDns: false where a ZeroTrustNamespace gives DNS': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine });
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', engine, allowDns: false });
  },
  'ServiceGraph with a ZeroTrustNamespace, workload objects, allowDns: false on one workload': (chart, engine) => {
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine });
    const graph = new ServiceGraph(chart, 'shop', { namespace: 'production', engine });
    const frontend = graph.workload('frontend', { workload: deployment(chart, 'frontend', 80) });
    const api = graph.workload('api', { workload: deployment(chart, 'api', 8080) });
    const db = graph.workload('db', { workload: deployment(chart, 'db', 5432), allowDns: false });
    frontend.allowFrom(Peer.namespace('ingress-nginx'));
    frontend.calls(api);
    api.calls(db);
    api.allowTo(Peer.internet(), Port.HTTPS);
  },
  'ServiceGraph alone, ingress only': (chart, engine) => {
    const graph = new ServiceGraph(chart, 'shop', { namespace: 'production', engine, restrictEgress: false });
    const web = graph.workload('web', { ports: [Port.tcp(80)] });
    web.allowFrom(Peer.anywhere());
    web.calls(graph.workload('api', { ports: [Port.tcp(8080)] }));
  },
  'CiliumL7Rule': (chart, engine) => {
    if (engine === PolicyEngine.CILIUM) {
      new CiliumL7Rule(chart, 'l7', { namespace: 'production', selector: { app: 'api' }, from: [Peer.pods({ app: 'web' })], port: Port.tcp(8080), http: [{ method: 'GET', path: '/v1/.*' }] });
    }
  },
  'CalicoGlobalDeny, defaults and custom': (chart, engine) => {
    if (engine === PolicyEngine.CALICO) {
      new CalicoGlobalDeny(chart, 'deny');
      new CalicoGlobalDeny(chart, 'ssh', { nets: ['10.0.0.0/8', 'fd00::/8'], ports: [Port.tcp(22)], createTier: false, order: 50 });
    }
  },
};

describe('what every construct emits is lint-clean, judged by content alone', () => {
  describe.each(Object.keys(CONSTRUCTS))('%s', (name) => {
    test.each(Object.values(PolicyEngine))('on %s: no finding from Linter.lint, and synthesis warns of nothing', (engine) => {
      const chart = new Chart(Testing.app(), 'c');
      chart.node.setContext('cdk8s-netpol/cni', CNI[engine]);
      CONSTRUCTS[name](chart, engine);
      expect(new Linter({ cni: CNI[engine] }).lint(jsonsOf(chart))).toEqual([]);
      // Without the mark too: it changes nothing.
      const unmarked = jsonsOf(chart).map((o) => {
        delete o.metadata?.annotations?.[GENERATED_ANNOTATION];
        return o;
      });
      expect(new Linter({ cni: CNI[engine] }).lint(unmarked)).toEqual([]);
      expect(synthOutcome(chart)).toEqual({ warnings: expect.not.stringMatching(/\[cdk8s-netpol\] warning/) });
    });
  });
});

describe('a real finding on what a construct emits appears at synth, as its rule\'s severity says', () => {
  test.each(Object.values(PolicyEngine))('the user\'s own egress to 0.0.0.0/0 reaches the metadata endpoint: egress-to-metadata warns, on %s', (engine) => {
    const chart = new Chart(Testing.app(), 'c');
    chart.node.setContext('cdk8s-netpol/cni', CNI[engine]);
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', engine });
    zt.allowEgress(Peer.ipBlock('0.0.0.0/0'));
    const outcome = synthOutcome(chart);
    expect(outcome.error).toBeUndefined();
    expect(outcome.warnings).toMatch(/\[cdk8s-netpol\] warning egress-to-metadata: \w+ production\/allow-egress: egress rule #1 to 0.0.0.0\/0 includes the metadata endpoint 169.254.169.254/);
  });

  test('an ExternalHttpsEgress of every pod with allowDns: false, and no other DNS allowance, fails synthesis with missing-dns-egress', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'production', allowDns: false });
    expect(synthOutcome(chart).error).toMatch(/\[cdk8s-netpol\] missing-dns-egress: NetworkPolicy production\/egress: denies all egress in namespace production/);
  });

  test('ZeroTrustNamespace\'s allowDns: false is stated on its deny as a suppression with the reason; without it the lint reports the cut', () => {
    const chart = new Chart(Testing.app(), 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', allowDns: false });
    const deny = jsonsOf(chart).find((o) => o.metadata.name === 'default-deny');
    expect(deny.metadata.annotations['cdk8s-netpol.io/suppress']).toBe('missing-dns-egress: allowDns is false on ZeroTrustNamespace "c/zt": DNS is left to other policies on purpose');
    delete deny.metadata.annotations['cdk8s-netpol.io/suppress'];
    expect(new Linter().lint([deny]).map((f) => f.rule)).toEqual(['missing-dns-egress']);
  });
});


const brokenPolicy = (chart: Chart) => new ApiObject(chart, 'hand-written', {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-egress', namespace: 'production' },
  spec: { podSelector: {}, egress: [] },
});

describe('Linter at synth', () => {
  test('the constructs\' output is judged by its content: what the user asks of them is reported like the same hand-written policy', () => {
    const chart = new Chart(Testing.app(), 'c');
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    zt.allowIngress(Peer.namespaces({}));
    const findings = new Linter().lint(jsonsOf(chart));
    expect(findings.map((f) => `${f.rule} ${f.name}`)).toEqual(['allow-all allow-ingress']);
    expect(findings[0].message).toMatch(/from\[0\] \{namespaceSelector: \{\}\} matches every pod of every namespace/);
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
    new ApiObject(chart, 'range', RANGE_POLICY);
    expect(stderrOf(() => Testing.synth(chart))).toMatch(/cilium-ignores-endport/);
  });
});

// Calico's release decides which rules its agent takes: a rule whose ports are all names may leave
// out its protocol from 3.32.0 (projectcalico/calico#11916; libcalico-go validator validateRule).
describe('the Calico release (LinterOptions.calicoVersion, --calico-version, cdk8s-netpol/calico-version)', () => {
  const namedNoProtocol = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'NetworkPolicy',
    metadata: { name: 'named', namespace: 'p' },
    spec: { selector: "app == 'db'", order: 100, types: ['Ingress'], ingress: [{ action: 'Allow', destination: { ports: ['pg'] } }] },
  };
  const rejects = (findings: { rule: string; message: string }[]) => findings.filter((f) => f.rule === 'api-server-rejects').map((f) => f.message);

  test('a rule of named ports without a protocol is refused by the agent of 3.31, taken by 3.32 on (the default 3.33)', () => {
    expect(rejects(new Linter({ cni: ClusterCni.CALICO }).lint([namedNoProtocol]))).toEqual([]);
    expect(rejects(new Linter({ cni: ClusterCni.CALICO, calicoVersion: '3.32' }).lint([namedNoProtocol]))).toEqual([]);
    expect(rejects(new Linter({ cni: ClusterCni.CALICO, calicoVersion: '3.31.5' }).lint([namedNoProtocol]))).toEqual([
      expect.stringMatching(/^NetworkPolicy p\/named: spec.ingress\[0\]: ports need protocol TCP, UDP or SCTP \(protocol is not set\); Calico 3.31.5 needs one/),
    ]);
    expect(() => new Linter({ calicoVersion: '3.40' })).toThrow(/new Linter\(\): calicoVersion "3.40" is newer than the newest Calico release the model knows, 3.33/);
    expect(() => new Linter({ calicoVersion: 'latest' })).toThrow(/new Linter\(\): calicoVersion "latest" is not a Calico release/);
  });

  test('an HTTP match on Calico 3.30 or 3.31, whose application layer policy answers every request with 403, is reported (not-modelled)', () => {
    const http = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'api', namespace: 'p' },
      spec: { selector: "app == 'api'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] } }] },
    };
    const notModelled = (calicoVersion?: string) => new Linter({ cni: ClusterCni.CALICO, ...(calicoVersion ? { calicoVersion } : {}) }).lint([http])
      .filter((f) => f.rule === 'not-modelled').map((f) => f.message);
    expect(notModelled()).toEqual([]);
    expect(notModelled('3.32')).toEqual([]);
    expect(notModelled('3.31')).toEqual([expect.stringMatching(/an HTTP match is not modelled for Calico 3.31: .*answers every request it checks with 403.*#11986/)]);
  });

  test('the CLI\'s lint takes --calico-version, and names the flag on a bad value', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-lint-calico-'));
    const file = path.join(dir, 'p.yaml');
    fs.writeFileSync(file, stringify(namedNoProtocol));
    const run = async (...args: string[]) => {
      let out = '';
      let err = '';
      const code = await runCli(['lint', file, '--cni', 'calico', ...args], { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; } });
      return { code, out, err };
    };
    expect((await run()).code).toBe(0);
    const old = await run('--calico-version', '3.31');
    expect(old.code).toBe(1);
    expect(old.out).toMatch(/api-server-rejects .*Calico 3.31 needs one even for named ports/);
    const bad = await run('--calico-version', '3.x');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/cdk8s-netpol lint: --calico-version "3.x" is not a Calico release/);
  });

  test('the synth-time lint reads cdk8s-netpol/calico-version, and names the key on a bad value', () => {
    const build = (version: unknown) => {
      const app = Testing.app();
      app.node.setContext('cdk8s-netpol/cni', 'calico');
      if (version !== undefined) {
        app.node.setContext('cdk8s-netpol/calico-version', version);
      }
      const chart = new Chart(app, 'c');
      Linter.validateChart(chart);
      new ApiObject(chart, 'named', namedNoProtocol);
      return chart;
    };
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => Testing.synth(build(undefined))).not.toThrow();
      expect(() => Testing.synth(build('3.31'))).toThrow(/api-server-rejects: .*Calico 3.31 needs one even for named ports/);
      expect(() => Testing.synth(build('three'))).toThrow(/lint: context key cdk8s-netpol\/calico-version "three" is not a Calico release/);
      expect(() => Testing.synth(build(3.31))).toThrow(/lint: context key cdk8s-netpol\/calico-version is the number 3.31: .*as a string/);
      // Set on a chart other than the first, as the proofs read it too.
      const app = Testing.app();
      app.node.setContext('cdk8s-netpol/cni', 'calico');
      const one = new Chart(app, 'one');
      Linter.validateChart(one);
      const two = new Chart(app, 'two');
      two.node.setContext('cdk8s-netpol/calico-version', '3.31');
      Linter.validateChart(two);
      new ApiObject(two, 'named', namedNoProtocol);
      expect(() => app.synth()).toThrow(/Calico 3.31 needs one even for named ports/);
    } finally {
      warn.mockRestore();
    }
  });
});

/** A port range, which Cilium may ignore (cilium-ignores-endport under cni cilium). */
const RANGE_POLICY = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'range', namespace: 'p' },
  spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }], ports: [{ protocol: 'TCP', port: 80, endPort: 90 }] }] },
};

/** What `run` writes to standard error (the synth-time warnings). */
function stderrOf(run: () => void): string {
  const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    run();
    return warn.mock.calls.map((c) => c[0]).join('\n');
  } finally {
    warn.mockRestore();
  }
}

test('the synth-time lint reads cdk8s-netpol/cni from any registered chart, as the proofs read their keys', () => {
  const app = Testing.app();
  const one = new Chart(app, 'one');
  Linter.validateChart(one);
  const two = new Chart(app, 'two');
  two.node.setContext('cdk8s-netpol/cni', 'cilium');
  Linter.validateChart(two);
  new ApiObject(two, 'range', RANGE_POLICY);
  expect(stderrOf(() => app.synth())).toMatch(/cilium-ignores-endport/);
});

describe('the seed scenario written by hand, with the classic mistakes', () => {
  const yaml = [
    { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'production' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'frontend', namespace: 'production' }, spec: { selector: { matchLabels: { app: 'frontend' } }, template: { metadata: { labels: { app: 'frontend' } }, spec: { containers: [{ ports: [{ containerPort: 80 }] }] } } } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'production' }, spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api', metrics: 'enabled' } }, spec: { containers: [{ ports: [{ containerPort: 8080 }] }] } } } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'postgres', namespace: 'production' }, spec: { selector: { matchLabels: { app: 'postgres' } }, template: { metadata: { labels: { app: 'postgres' } }, spec: { containers: [{ ports: [{ containerPort: 5432 }] }] } } } },
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

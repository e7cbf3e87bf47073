import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { ClusterCni, LintFinding, Linter, Severity } from '../../../src';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'lint');

function load(rule: string, which: 'positive' | 'negative'): { objects: any[]; cni: ClusterCni } {
  const text = fs.readFileSync(path.join(FIXTURES, rule, `${which}.yaml`), 'utf8');
  const cni = /^# cni: (\w+)/m.exec(text)?.[1] as ClusterCni | undefined;
  return { objects: parseAllDocuments(text).map((d) => d.toJSON()).filter((o) => o), cni: cni ?? ClusterCni.KUBERNETES };
}

function lint(rule: string, which: 'positive' | 'negative'): LintFinding[] {
  const { objects, cni } = load(rule, which);
  return new Linter({ cni }).lint(objects);
}

/** How many findings of its own rule each positive fixture holds, and a phrase of the message. */
const EXPECTED: Record<string, [number, RegExp]> = {
  'missing-dns-egress': [1, /NetworkPolicy shop\/default-deny: denies all egress in namespace shop, and no policy there allows DNS \(TCP 53\) to kube-dns/],
  'namespace-selector-by-custom-label': [1, /selects namespaces by the label "name", which a namespace may lack; select them by kubernetes.io\/metadata.name/],
  'or-instead-of-and': [1, /ingress rule #1 ORs from\[0\] \(every pod of the selected namespaces\) with from\[1\] \(pods of this namespace\)/],
  'egress-to-metadata': [5, /includes the metadata endpoint 169.254.169.254; exclude 169.254.0.0\/16/],
  'allow-all': [2, /has no from and no ports, so it allows all ingress/],
  'policy-types-mismatch': [3, /"egress: \[\]" isolates nothing without policyTypes/],
  'api-server-rejects': [6, /must be a strict subset of cidr "10.0.0.0\/16"/],
  'fqdn-without-dns-proxy': [1, /uses toFQDNs, but no policy gives the same endpoints a DNS rule/],
  'calico-deny-without-order': [1, /GlobalNetworkPolicy deny-metadata: has Deny rules but no order/],
  'cluster-same-priority': [1, /^ClusterNetworkPolicy isolate-tenants: has the tier and priority of ClusterNetworkPolicy allow-monitoring \(Admin, 10\), and their ingress rules differ in action/],
  'cluster-pass-to-nothing': [2, /^ClusterNetworkPolicy (defer-egress: egress rule #1 "let-namespaces-decide" passes, and no NetworkPolicy and no Baseline egress rule in the input decides after it|baseline: ingress rule #1 "skip" passes, and a Pass in the Baseline tier skips to the default)/],
  'cluster-deny-without-dns': [1, /^ClusterNetworkPolicy no-cross-namespace: egress rule #1 "deny-everything" denies UDP\/53 to the cluster DNS pods for every pod it selects, and no namespace policy can open it/],
  'cilium-ignores-endport': [1, /port range 8000-8100 uses endPort, which Cilium may ignore/],
  'selector-matches-nothing': [1, /spec.podSelector \{"matchLabels":\{"app":"fronted"\}\} matches none of the workloads of namespace shop/],
  'selector-on-controller-label': [2, /spec\.podSelector selects by "pod-template-hash", which holds a hash of a Deployment's pod template/],
  'namespace-without-default-deny': [1, /Namespace shop: has workloads but no default-deny policy/],
  'invalid-suppression': [2, /suppresses "allow-all" without a reason/],
  'not-modelled': [1, /^NetworkPolicy shop\/api: the tools do not evaluate it: .*source.services is not modelled: Services are not part of the model/],
  'service-account-labels-unknown': [1, /^NetworkPolicy shop\/payments: reads the labels of ServiceAccounts .*the input has no ServiceAccount shop\/checkout \(run by shop\/checkout\)/],
};

describe('allow-all advice fits the finding', () => {
  const lintSpec = (spec: any) => new Linter().lint([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'ns' }, spec }])
    .filter((f) => f.rule === 'allow-all').map((f) => f.message);

  test('an every-namespace peer is named as such, with the way to say it is meant', () => {
    const [message] = lintSpec({ podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }] });
    expect(message).toMatch(/from\[0\] \{namespaceSelector: \{\}\} matches every pod of every namespace; name the namespaces meant .*, or, if every namespace is meant, suppress this finding with the reason/);
    expect(message).not.toMatch(/^.*; select the namespaces by kubernetes.io\/metadata.name$/);
  });

  test('a rule without peers or ports says what it opens and how to keep it deliberately', () => {
    expect(lintSpec({ podSelector: {}, policyTypes: ['Egress'], egress: [{}] })).toEqual([
      expect.stringMatching(/egress rule #1 has no to and no ports, so it allows all egress \(every destination, every port\); list the peers and ports needed, or, if everyone is meant .*suppress/),
    ]);
  });
});

describe('selector-matches-nothing and Cilium\'s identity labels', () => {
  const echo = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'echo', namespace: 'cilium-test' },
    spec: { selector: { matchLabels: { kind: 'echo' } }, template: { metadata: { labels: { kind: 'echo' } }, spec: { serviceAccountName: 'echo', containers: [{ name: 'c', image: 'i' }] } } },
  };
  const knp = (podSelector: any) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'cilium-test' },
    spec: { podSelector, policyTypes: ['Ingress'] },
  });
  const found = (cni: ClusterCni, podSelector: any) => new Linter({ cni }).lint([echo, knp(podSelector)]).filter((f) => f.rule === 'selector-matches-nothing').map((f) => f.message);
  // cilium-cli's client-egress-to-echo-knp.yaml selects by the cluster label (Exists) and kind.
  const byCluster = { matchLabels: { kind: 'echo' }, matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' }] };

  test('under Cilium the cluster label is not checked and the service-account label is the workload\'s serviceAccountName', () => {
    expect(found(ClusterCni.CILIUM, byCluster)).toEqual([]);
    expect(found(ClusterCni.CILIUM, { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'echo' } })).toEqual([]);
    expect(found(ClusterCni.CILIUM, { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'ehco' } })).toEqual([expect.stringMatching(/matches none of the workloads of namespace cilium-test/)]);
  });

  test('elsewhere no pod carries them: the finding says to lint with cni cilium if the cluster runs it', () => {
    expect(found(ClusterCni.KUBERNETES, byCluster)).toEqual([
      expect.stringMatching(/matches none of the workloads of namespace cilium-test, so the policy protects nothing; check the labels \(Cilium gives endpoints the io.cilium.k8s.policy.\* labels: if the cluster runs Cilium, lint with --cni cilium\)/),
    ]);
  });

  test('under Cilium labels left out of identities match nothing, and the finding says why', () => {
    const hashed = { ...echo, spec: { ...echo.spec, template: { ...echo.spec.template, metadata: { labels: { 'kind': 'echo', 'pod-template-hash': 'abc' } } } } };
    const lintWith = (cni: ClusterCni) => new Linter({ cni }).lint([hashed, knp({ matchLabels: { 'pod-template-hash': 'abc' } })])
      .filter((f) => f.rule === 'selector-matches-nothing').map((f) => f.message);
    expect(lintWith(ClusterCni.KUBERNETES)).toEqual([]);
    expect(lintWith(ClusterCni.CILIUM)).toEqual([expect.stringMatching(/check the labels \(Cilium leaves pod-template-hash out of pod identities, so no selector sees it/)]);
  });

  test('a pod\'s own io.cilium.k8s.* labels are dropped by Cilium: selecting on them matches nothing', () => {
    const spoof = { ...echo, spec: { ...echo.spec, template: { ...echo.spec.template, metadata: { labels: { 'kind': 'echo', 'io.cilium.k8s.policy.serviceaccount': 'admin' } } } } };
    const findings = new Linter({ cni: ClusterCni.CILIUM }).lint([spoof, knp({ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'admin' } })])
      .filter((f) => f.rule === 'selector-matches-nothing');
    expect(findings.map((f) => f.message)).toEqual([expect.stringMatching(/matches none of the workloads of namespace cilium-test/)]);
  });
});

describe('selector-matches-nothing and Calico\'s endpoint labels', () => {
  const api = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { serviceAccountName: 'api', containers: [{ name: 'c', image: 'i' }] } } },
  };
  const shop = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'payments' } } };
  const knp = (podSelector: any) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'p', namespace: 'shop' },
    spec: { podSelector, policyTypes: ['Ingress'] },
  });
  const found = (cni: ClusterCni, podSelector: any) => new Linter({ cni }).lint([shop, api, knp(podSelector)])
    .filter((f) => f.rule === 'selector-matches-nothing').map((f) => f.message);

  test('under Calico a podSelector sees projectcalico.org/serviceaccount and the namespace\'s labels under pcns.', () => {
    expect(found(ClusterCni.CALICO, { matchLabels: { 'projectcalico.org/serviceaccount': 'api' } })).toEqual([]);
    expect(found(ClusterCni.CALICO, { matchLabels: { 'pcns.team': 'payments' } })).toEqual([]);
    expect(found(ClusterCni.CALICO, { matchLabels: { 'projectcalico.org/serviceaccount': 'apj' } })).toEqual([expect.stringMatching(/matches none of the workloads of namespace shop/)]);
    expect(found(ClusterCni.CALICO, { matchLabels: { 'pcns.team': 'payment' } })).toEqual([expect.stringMatching(/matches none of the workloads of namespace shop/)]);
    // A ServiceAccount's own labels are not in the input the rule reads: not checked.
    expect(found(ClusterCni.CALICO, { matchLabels: { 'pcsa.role': 'x' } })).toEqual([]);
  });

  test('elsewhere no pod carries them: the finding says to lint with --cni calico if the cluster runs it', () => {
    expect(found(ClusterCni.KUBERNETES, { matchLabels: { 'projectcalico.org/serviceaccount': 'api' } })).toEqual([
      expect.stringMatching(/check the labels \(Calico gives endpoints the projectcalico.org\/\* and pcns.\* labels: if the cluster runs Calico, lint with --cni calico\)/),
    ]);
  });
});

describe('service-account-labels-unknown and Kubernetes NetworkPolicies under Calico', () => {
  const web = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { serviceAccountName: 'web', containers: [{ name: 'c', image: 'i' }] } } },
  };
  const knp = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'restricted', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { 'pcsa.tier': 'restricted' } }, policyTypes: ['Ingress'] },
  };
  const found = (cni: ClusterCni, ...objects: any[]) => new Linter({ cni }).lint(objects).filter((f) => f.rule === 'service-account-labels-unknown').map((f) => f.message);

  test('under Calico a pcsa. key in a NetworkPolicy reads the account\'s labels: named when the account is missing', () => {
    expect(found(ClusterCni.CALICO, web, knp)).toEqual([expect.stringMatching(/^NetworkPolicy shop\/restricted: reads the labels of ServiceAccounts .*ServiceAccount shop\/web \(run by shop\/web\)/)]);
    expect(found(ClusterCni.CALICO, web, knp, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop' } })).toEqual([]);
    // Elsewhere no pod carries the label (selector-matches-nothing says so): not this rule's business.
    expect(found(ClusterCni.KUBERNETES, web, knp)).toEqual([]);
  });
});

describe('lint rules', () => {
  test('every rule has documentation, a positive and a negative fixture, and an expectation here', () => {
    const ids = Linter.rules().map((r) => r.id);
    expect(ids.sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const rule of Linter.rules()) {
      expect(rule.title.length).toBeGreaterThan(20);
      expect(rule.explanation.length).toBeGreaterThan(100);
      expect(fs.existsSync(path.join(FIXTURES, rule.id, 'positive.yaml'))).toBe(true);
      expect(fs.existsSync(path.join(FIXTURES, rule.id, 'negative.yaml'))).toBe(true);
    }
  });

  describe.each(Object.entries(EXPECTED))('%s', (rule, [count, message]) => {
    test('reports the positive fixture', () => {
      const own = lint(rule, 'positive').filter((f) => f.rule === rule);
      expect(own).toHaveLength(count);
      expect(own.map((f) => f.message).join('\n')).toMatch(message);
      const info = Linter.rules().find((r) => r.id === rule)!;
      expect(own.every((f) => f.severity === info.severity)).toBe(true);
    });

    test('stays quiet on the negative fixture', () => {
      expect(lint(rule, 'negative').filter((f) => f.rule === rule)).toEqual([]);
    });
  });

  test('findings have the documented JSON shape, errors first', () => {
    const findings = new Linter().lint(load('api-server-rejects', 'positive').objects.concat(load('allow-all', 'positive').objects));
    expect(findings[0]).toEqual({
      rule: 'api-server-rejects',
      severity: 'error',
      kind: 'NetworkPolicy',
      namespace: 'shop',
      name: 'broken',
      message: expect.stringMatching(/^NetworkPolicy shop\/broken: spec.egress\[0\]/),
    });
    const severities = findings.map((f) => f.severity);
    expect(severities.indexOf(Severity.WARNING)).toBeGreaterThan(severities.lastIndexOf(Severity.ERROR));
  });

  test('a suppression with a reason hides exactly that rule on that object', () => {
    const findings = lint('invalid-suppression', 'negative');
    expect(findings.filter((f) => f.rule === 'allow-all')).toEqual([]);
    // Without the annotation the finding is there.
    const { objects } = load('invalid-suppression', 'negative');
    delete objects[0].metadata.annotations;
    expect(new Linter().lint(objects).map((f) => f.rule)).toContain('allow-all');
  });

  test('a suppression without a reason does not suppress', () => {
    expect(lint('invalid-suppression', 'positive').map((f) => f.rule)).toContain('allow-all');
  });

  test('missing-dns-egress reads the labels of the kube-system Namespace object, and of no other namespace', () => {
    const deny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Egress'] } };
    // DNS allowed to namespaces labelled tier=infra: kube-system carries the label only when its Namespace object says so.
    const dns = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-dns', namespace: 'shop' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { tier: 'infra' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
        }],
      },
    };
    const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
    const rules = (objects: any[]) => new Linter().lint(objects).map((f) => f.rule);
    expect(rules([deny, dns, namespace('kube-system', { tier: 'infra' })])).not.toContain('missing-dns-egress');
    expect(rules([deny, dns])).toContain('missing-dns-egress');
    // The label on another namespace does not make kube-system's DNS pods reachable.
    expect(rules([deny, dns, namespace('shop', { tier: 'infra' }), namespace('kube-system', {})])).toContain('missing-dns-egress');
  });

  test('rejects bad arguments', () => {
    expect(() => new Linter({ cni: 'flannel' as ClusterCni })).toThrow(/new Linter\(\): cni "flannel" is not one of kubernetes, cilium, calico/);
    expect(() => new Linter().lint('x' as any)).toThrow(/Linter.lint\(\): objects "x" is not a list/);
  });
});

describe('cluster-deny-without-dns weighs the tier', () => {
  const denyAll = (tier: string) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha2',
    kind: 'ClusterNetworkPolicy',
    metadata: { name: `deny-${tier.toLowerCase()}` },
    spec: { tier, priority: 10, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ networks: ['0.0.0.0/0'] }] }] },
  });
  test('an Admin deny is an error (no namespace can open it); a Baseline deny a warning (a namespace policy can)', () => {
    const findings = new Linter().lint([denyAll('Admin'), denyAll('Baseline')]).filter((f) => f.rule === 'cluster-deny-without-dns');
    expect(findings.map((f) => [f.name, f.severity])).toEqual([['deny-admin', Severity.ERROR], ['deny-baseline', Severity.WARNING]]);
    expect(findings[1].message).toMatch(/for every selected pod whose namespace has no egress policy/);
  });
});

describe('cluster-deny-without-dns reads what decides first', () => {
  const policy = (name: string, tier: string, priority: number, subject: any, egress: any[]) => ({
    apiVersion: 'policy.networking.k8s.io/v1alpha2', kind: 'ClusterNetworkPolicy', metadata: { name }, spec: { tier, priority, subject, egress },
  });
  const dnsAccept = { action: 'Accept', to: [{ pods: { namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } } }] };
  const denyAll = { action: 'Deny', to: [{ namespaces: {} }] };
  const found = (objects: any[]) => new Linter().lint(objects).filter((f) => f.rule === 'cluster-deny-without-dns').map((f) => f.name);

  test('an earlier DNS Accept counts only when its subject covers the deny\'s pods', () => {
    const narrow = policy('other', 'Admin', 1, { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } } }, [dnsAccept]);
    expect(found([narrow, policy('all', 'Admin', 2, { namespaces: {} }, [denyAll])])).toEqual(['all']);
    expect(found([policy('dns', 'Admin', 1, { namespaces: {} }, [dnsAccept]), policy('all', 'Admin', 2, { namespaces: {} }, [denyAll])])).toEqual([]);
  });

  test('an Admin DNS Accept decides before any Baseline deny', () => {
    expect(found([policy('dns', 'Admin', 50, { namespaces: {} }, [dnsAccept]), policy('floor', 'Baseline', 1, { namespaces: {} }, [denyAll])])).toEqual([]);
  });

  test('an Admin DNS Pass does not reach past a Baseline deny (it hands DNS to the NetworkPolicies, then the Baseline tier)', () => {
    const dnsPass = { ...dnsAccept, action: 'Pass' };
    expect(found([policy('dns', 'Admin', 50, { namespaces: {} }, [dnsPass]), policy('floor', 'Baseline', 1, { namespaces: {} }, [denyAll])])).toEqual(['floor']);
    // Within one tier a Pass before the deny still keeps DNS from it.
    expect(found([policy('dns', 'Admin', 1, { namespaces: {} }, [dnsPass]), policy('all', 'Admin', 2, { namespaces: {} }, [denyAll])])).toEqual([]);
    expect(found([policy('floor', 'Baseline', 1, { namespaces: {} }, [dnsPass, denyAll])])).toEqual([]);
  });

  test('subjects compare whatever the order of their keys and expressions', () => {
    const subject = (a: any, b: any) => ({ namespaces: { matchLabels: a, matchExpressions: b } });
    const accept = policy('dns', 'Admin', 1, subject({ team: 'a', env: 'prod' }, [{ key: 'x', operator: 'In', values: ['2', '1'] }]), [dnsAccept]);
    const deny = policy('all', 'Admin', 2, { namespaces: { matchExpressions: [{ values: ['1', '2'], operator: 'In', key: 'x' }], matchLabels: { env: 'prod', team: 'a' } } },
      [denyAll]);
    expect(found([accept, deny])).toEqual([]);
  });

  test('malformed peers are read, not tripped over', () => {
    const findings = new Linter().lint([policy('odd', 'Admin', 1, { namespaces: {} }, [{ action: 'Deny', to: [{ pods: null }, null] }])]);
    expect(findings.filter((f) => /could not read the input/.test(f.message))).toEqual([]);
  });
});

describe('cluster-same-priority reads the subjects', () => {
  test('two namespaces by name never overlap: no finding', () => {
    const policy = (name: string, ns: string, action: string) => ({
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name },
      spec: { tier: 'Admin', priority: 5, subject: { namespaces: { matchLabels: { 'kubernetes.io/metadata.name': ns } } }, ingress: [{ action, from: [{ namespaces: {} }] }] },
    });
    expect(new Linter().lint([policy('a', 'a', 'Accept'), policy('b', 'b', 'Deny')]).filter((f) => f.rule === 'cluster-same-priority')).toEqual([]);
  });
});

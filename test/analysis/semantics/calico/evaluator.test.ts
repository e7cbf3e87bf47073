import { ClusterCni, NetworkModel } from '../../../../src';

// Calico semantics end to end (docs/semantics/calico.md), through NetworkModel: tiers, orders, actions,
// types defaulting, entity rules and scopes, with allowed and denied flows and the traps.

type Json = Record<string, any>;
const np = (name: string, spec: Json, namespace = 'prod') => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const gnp = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });
const tier = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name }, spec });
const knp = (name: string, spec: Json, namespace = 'prod') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });

/** Pods of prod (web, api, db), of other (web, api), and a host-network exporter. */
function model(...objects: Json[]): NetworkModel {
  const m = new NetworkModel();
  m.addNamespace('prod', { env: 'production' });
  m.addNamespace('other', { env: 'staging' });
  m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' }, ip: '10.0.1.1' });
  m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api', tier: 'backend' }, ip: '10.0.1.2', ports: [{ port: 8080, name: 'http' }] });
  m.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db', tier: 'data' }, ip: '10.0.1.3' });
  m.addPod({ namespace: 'other', name: 'web', labels: { app: 'web' }, ip: '10.0.2.1' });
  m.addPod({ namespace: 'other', name: 'api', labels: { app: 'api' }, ip: '2001:db8::2' });
  m.addPod({ namespace: 'mon', name: 'exporter', labels: { app: 'exporter' }, ip: '192.168.0.10', hostNetwork: true });
  objects.forEach((o) => m.addManifest(o));
  return m;
}

const allowed = (m: NetworkModel, from: string, to: string, port: number, protocol?: string) => m.evaluate({ from, to, port, protocol }).allowed;
const reasons = (m: NetworkModel, from: string, to: string, port: number, protocol?: string) => m.evaluate({ from, to, port, protocol }).reasons.join('\n');

describe('tiers and orders', () => {
  test('trap: a Calico Deny at a lower order beats a Kubernetes allow at 1000', () => {
    const m = model(
      knp('db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
      np('no-web', { order: 500, selector: "app == 'db'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }] }),
    );
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
    expect(reasons(m, 'prod/web', 'prod/db', 5432)).toContain("ingress of prod/db: denied by Calico NetworkPolicy prod/no-web (tier default) ingress rule #1 (Deny from selector app == 'web' in namespace prod)");
    expect(reasons(m, 'prod/api', 'prod/db', 5432)).toContain('allowed by NetworkPolicy prod/db ingress rule #1 (from pods {} of the policy\'s namespace on every port) (tier default, order 1000)');
  });

  test('a Calico Deny at a higher order comes after a Kubernetes allow at 1000, which decides first', () => {
    const m = model(
      knp('db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
      np('no-web', { order: 2000, selector: "app == 'db'", ingress: [{ action: 'Deny', source: { selector: "app == 'web'" } }] }),
    );
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(true);
  });

  test('policies without order come last; equal orders are broken by name', () => {
    const deny = { selector: "app == 'db'", ingress: [{ action: 'Deny' }] };
    const allow = { selector: "app == 'db'", ingress: [{ action: 'Allow' }] };
    expect(allowed(model(np('a-deny', { ...deny }), np('b-allow', { ...allow, order: 10 })), 'prod/web', 'prod/db', 1)).toBe(true);
    expect(allowed(model(np('a-deny', { ...deny, order: 10 }), np('b-allow', { ...allow, order: 10 })), 'prod/web', 'prod/db', 1)).toBe(false);
    expect(allowed(model(np('b-deny', { ...deny, order: 10 }), np('a-allow', { ...allow, order: 10 })), 'prod/web', 'prod/db', 1)).toBe(true);
  });

  test('trap: Pass skips the rest of its tier and the next tier decides', () => {
    const m = model(
      tier('security', { order: 100 }),
      gnp('pass-web', { tier: 'security', order: 1, selector: "app == 'db'", ingress: [{ action: 'Pass', source: { selector: "app == 'web'" } }, { action: 'Allow' }] }),
      np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { selector: "app == 'api'" } }] }),
    );
    // api: the security tier allows at once.
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(reasons(m, 'prod/api', 'prod/db', 5432)).toContain('allowed by GlobalNetworkPolicy pass-web (tier security) ingress rule #2 (Allow)');
    // web: passed to the default tier, where nothing allows web: the default tier denies.
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
    expect(reasons(m, 'prod/web', 'prod/db', 5432)).toContain('denied by the default action (Deny) of tier default: Calico NetworkPolicy prod/db applies and none of its rules matches TCP/5432 from prod/web ' +
      "after passed to the next tier by GlobalNetworkPolicy pass-web (tier security) ingress rule #1 (Pass from selector app == 'web')");
  });

  test('trap: a tier whose applying policy matches no rule denies with its default action', () => {
    const m = model(tier('security', { order: 100 }), gnp('only-api', { tier: 'security', selector: "app == 'db'", ingress: [{ action: 'Allow', source: { selector: "app == 'api'" } }] }));
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
    expect(reasons(m, 'prod/web', 'prod/db', 5432)).toContain('denied by the default action (Deny) of tier security: GlobalNetworkPolicy only-api applies');
  });

  test('a Pass tier passes unmatched traffic on; when every tier passes, the namespace profile allows', () => {
    const m = model(tier('security', { order: 100, defaultAction: 'Pass' }), gnp('deny-meta', {
      tier: 'security', selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }],
    }));
    expect(allowed(m, 'prod/web', '169.254.169.254', 80)).toBe(false);
    expect(allowed(m, 'prod/web', '203.0.113.1', 80)).toBe(true);
    expect(reasons(m, 'prod/web', '203.0.113.1', 80)).toContain('egress of prod/web: allowed, every tier passed it on (passed on by the default action (Pass) of tier security');
  });

  test('a Pass skips the later policies of its tier: their Deny rules never apply', () => {
    const m = model(
      tier('guardrails', { order: 100, defaultAction: 'Pass' }),
      gnp('a-deny-meta', { tier: 'guardrails', order: 100, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Pass' }] }),
      gnp('b-deny-alibaba', { tier: 'guardrails', order: 110, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['100.100.100.200/32'] } }, { action: 'Pass' }] }),
    );
    expect(allowed(m, 'prod/web', '169.254.169.254', 80)).toBe(false);
    expect(allowed(m, 'prod/web', '100.100.100.200', 80)).toBe(true);
    expect(reasons(m, 'prod/web', '100.100.100.200', 80)).toContain('passed to the next tier by GlobalNetworkPolicy a-deny-meta (tier guardrails) egress rule #2 (Pass)');
    // Without the first policy's closing Pass, the tier's default Pass still passes what no rule denies.
    const fixed = model(
      tier('guardrails', { order: 100, defaultAction: 'Pass' }),
      gnp('a-deny-meta', { tier: 'guardrails', order: 100, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }] }),
      gnp('b-deny-alibaba', { tier: 'guardrails', order: 110, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['100.100.100.200/32'] } }] }),
    );
    expect(allowed(fixed, 'prod/web', '100.100.100.200', 80)).toBe(false);
    expect(allowed(fixed, 'prod/web', '203.0.113.1', 80)).toBe(true);
  });

  test('a Pass in the default tier skips the Kubernetes policies after it', () => {
    const m = model(
      knp('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
      np('pass', { order: 1, selector: 'all()', ingress: [{ action: 'Pass', source: { selector: "app == 'web'" } }] }),
    );
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 1)).toBe(false);
  });

  test('Log rules log and go on', () => {
    const m = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Log' }, { action: 'Deny', source: { selector: "app == 'web'" } }, { action: 'Allow' }] }));
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(false);
    expect(allowed(m, 'prod/api', 'prod/db', 1)).toBe(true);
    expect(reasons(m, 'prod/api', 'prod/db', 1)).toContain('ingress rule #3 (Allow)');
  });

  test('a pod no policy applies to is allowed by its profile', () => {
    const m = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Deny' }] }));
    expect(reasons(m, 'prod/db', 'prod/web', 80)).toContain('egress of prod/db: allowed, no Calico or Kubernetes policy applies to it for Egress (its namespace\'s profile allows)');
    expect(allowed(m, 'prod/db', 'prod/web', 80)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 80)).toBe(false);
  });

  test('a policy in a tier the model has no Tier object for is a clear error', () => {
    const m = model(gnp('x', { tier: 'security', selector: 'all()', ingress: [{ action: 'Allow' }] }));
    expect(() => m.evaluate({ from: 'prod/web', to: 'prod/db', port: 1 })).toThrow(
      'NetworkModel.evaluate(): GlobalNetworkPolicy x is in tier "security", but the model has no Tier "security": add the Tier object');
    m.addManifest(tier('security', { order: 100 }));
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(true);
  });
});

describe('types defaulting', () => {
  test('trap: an egress-only policy without types does not isolate ingress', () => {
    const m = model(np('web', { selector: "app == 'web'", egress: [{ action: 'Allow', destination: { selector: "app == 'api'" } }] }));
    expect(allowed(m, 'prod/db', 'prod/web', 80)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/db', 5432)).toBe(false);
  });

  test('no rules and no types: Ingress; both kinds of rules: both', () => {
    const none = model(np('web', { selector: "app == 'web'" }));
    expect(allowed(none, 'prod/db', 'prod/web', 80)).toBe(false);
    expect(allowed(none, 'prod/web', 'prod/db', 80)).toBe(true);
    const both = model(np('web', { selector: "app == 'web'", ingress: [{ action: 'Allow', source: { selector: "app == 'api'" } }], egress: [{ action: 'Allow', destination: { selector: "app == 'api'" } }] }));
    expect(allowed(both, 'prod/db', 'prod/web', 80)).toBe(false);
    expect(allowed(both, 'prod/web', 'prod/db', 80)).toBe(false);
    expect(allowed(both, 'prod/web', 'prod/api', 8080)).toBe(true);
  });

  test('explicit types win: rules of another direction are not applied', () => {
    const m = model(np('web', { selector: "app == 'web'", types: ['Ingress'], egress: [{ action: 'Deny' }] }));
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/web', 80)).toBe(false);
  });
});

describe('selectors', () => {
  test('trap: != and not in also match pods without the label', () => {
    const m = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { selector: "tier != 'backend'" } }] }));
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(true); // web has no tier label
    expect(allowed(m, 'prod/api', 'prod/db', 1)).toBe(false);
    const notIn = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { selector: "tier not in {'backend', 'x'}" } }] }));
    expect(allowed(notIn, 'prod/web', 'prod/db', 1)).toBe(true);
    expect(allowed(notIn, 'prod/api', 'prod/db', 1)).toBe(false);
  });

  test('trap: notSelector in a GlobalNetworkPolicy also matches addresses outside the cluster; !has() does not', () => {
    const notSelector = model(gnp('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { notSelector: "app == 'web'" } }] }));
    expect(allowed(notSelector, '203.0.113.1', 'prod/db', 1)).toBe(true);
    expect(allowed(notSelector, 'prod/api', 'prod/db', 1)).toBe(true);
    expect(allowed(notSelector, 'prod/web', 'prod/db', 1)).toBe(false);
    const notHas = model(gnp('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { selector: '!has(debug)' } }] }));
    expect(allowed(notHas, '203.0.113.1', 'prod/db', 1)).toBe(false);
    expect(allowed(notHas, 'prod/api', 'prod/db', 1)).toBe(true);
  });

  test('in a NetworkPolicy, notSelector alone still limits the peer to the policy\'s namespace', () => {
    const m = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { notSelector: "app == 'web'" } }] }));
    expect(allowed(m, 'prod/api', 'prod/db', 1)).toBe(true);
    expect(allowed(m, 'other/api', 'prod/db', 1)).toBe(false);
    expect(allowed(m, '203.0.113.1', 'prod/db', 1)).toBe(false);
  });

  test('has, in, contains, starts with, ends with, ||, parentheses and Calico\'s own labels', () => {
    const m = model(np('db', {
      selector: "projectcalico.org/namespace == 'prod' && (app in {'db'} || has(never))",
      ingress: [{
        action: 'Allow', source: { selector: "app starts with 'w' && app ends with 'b' && app contains 'e' && projectcalico.org/orchestrator == 'k8s' && pcns.env == 'production'" },
      }],
    }));
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 1)).toBe(false);
  });

  test('trap: GlobalNetworkPolicy vs NetworkPolicy scope', () => {
    // A NetworkPolicy selects only pods of its namespace, and its rule selectors mean its namespace.
    const namespaced = model(np('web', { selector: "app == 'web'", ingress: [{ action: 'Allow', source: { selector: "app == 'api'" } }] }));
    expect(allowed(namespaced, 'prod/api', 'prod/web', 80)).toBe(true);
    expect(allowed(namespaced, 'other/api', 'prod/web', 80)).toBe(false);
    expect(allowed(namespaced, 'prod/db', 'other/web', 80)).toBe(true); // other/web is not selected
    // A GlobalNetworkPolicy selects in every namespace, and its rule selectors span every namespace.
    const global = model(gnp('web', { selector: "app == 'web'", ingress: [{ action: 'Allow', source: { selector: "app == 'api'" } }] }));
    expect(allowed(global, 'other/api', 'prod/web', 80)).toBe(true);
    expect(allowed(global, 'prod/db', 'other/web', 80)).toBe(false);
    // GNP namespaceSelector narrows the pods it applies to.
    const staging = model(gnp('web', { namespaceSelector: "env == 'staging'", selector: "app == 'web'", ingress: [{ action: 'Deny' }] }));
    expect(allowed(staging, 'prod/db', 'other/web', 80)).toBe(false);
    expect(allowed(staging, 'prod/db', 'prod/web', 80)).toBe(true);
  });

  test('an entity namespaceSelector picks the namespaces; all() every one, global() no pod', () => {
    const byLabel = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { namespaceSelector: "env == 'staging'", selector: "app == 'api'" } }] }));
    expect(allowed(byLabel, 'other/api', 'prod/db', 1)).toBe(true);
    expect(allowed(byLabel, 'prod/api', 'prod/db', 1)).toBe(false);
    const all = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { namespaceSelector: 'all()' } }] }));
    expect(allowed(all, 'other/web', 'prod/db', 1)).toBe(true);
    expect(allowed(all, '203.0.113.1', 'prod/db', 1)).toBe(false);
    const global = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { namespaceSelector: 'global()' } }] }));
    expect(allowed(global, 'prod/web', 'prod/db', 1)).toBe(false);
    const byName = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { namespaceSelector: "projectcalico.org/name == 'other'" } }] }));
    expect(allowed(byName, 'other/web', 'prod/db', 1)).toBe(true);
    expect(allowed(byName, 'prod/web', 'prod/db', 1)).toBe(false);
  });
});

describe('entity rules: nets, ports, protocols', () => {
  test('nets and notNets match addresses, pods included', () => {
    const m = model(np('web', { selector: "app == 'web'", egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8', '169.254.0.0/16'] } }] }));
    expect(allowed(m, 'prod/web', '203.0.113.1', 443)).toBe(true);
    expect(allowed(m, 'prod/web', '169.254.169.254', 80)).toBe(false);
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(false); // 10.0.1.2
    const pods = model(np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { nets: ['10.0.1.0/24'] } }] }));
    expect(allowed(pods, 'prod/api', 'prod/db', 1)).toBe(true);
    expect(allowed(pods, 'other/web', 'prod/db', 1)).toBe(false);
  });

  test('ports: numbers, ranges and names on the destination; notPorts', () => {
    const m = model(np('api', {
      selector: "app == 'api'",
      ingress: [
        { action: 'Allow', protocol: 'TCP', destination: { ports: [80, '9000:9100', 'http'] } },
        { action: 'Allow', protocol: 'UDP', destination: { notPorts: [53] } },
      ],
    }));
    expect(allowed(m, 'prod/web', 'prod/api', 80)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 9100)).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 9101)).toBe(false);
    expect(allowed(m, 'prod/web', 'prod/api', 8080)).toBe(true); // named http
    expect(allowed(m, 'prod/web', 'prod/api', 8080, 'UDP')).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 53, 'UDP')).toBe(false);
  });

  test('protocol and notProtocol, by name or number', () => {
    const m = model(np('api', { selector: "app == 'api'", ingress: [{ action: 'Allow', protocol: 17 }, { action: 'Allow', notProtocol: 'udp', source: { nets: ['10.0.1.1/32'] } }] }));
    expect(allowed(m, 'prod/db', 'prod/api', 5000, 'UDP')).toBe(true);
    expect(allowed(m, 'prod/db', 'prod/api', 5000, 'TCP')).toBe(false);
    expect(allowed(m, 'prod/web', 'prod/api', 5000, 'TCP')).toBe(true);
    expect(allowed(m, 'prod/web', 'prod/api', 5000, 'SCTP')).toBe(true);
  });

  test('ipVersion matches the connection\'s address family', () => {
    const m = model(gnp('v6-only', { selector: "app == 'api'", ingress: [{ action: 'Allow', ipVersion: 6 }] }));
    expect(allowed(m, '2001:db8::99', 'other/api', 1)).toBe(true);
    expect(allowed(m, '203.0.113.1', 'prod/api', 1)).toBe(false);
  });

  test('ipVersion with pods without addresses: the family comes from the pod ranges; dual-stack ranges fail closed', () => {
    // Pods built from manifests have no address: the cluster's pod ranges say which family a connection uses.
    const addressless = (podCidrs?: string[]) => {
      const m = new NetworkModel({ cni: ClusterCni.CALICO, podCidrs });
      m.addNamespace('prod', {});
      m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
      m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api' } });
      m.addManifest(gnp('v4-deny', { selector: "app == 'api'", order: 10, ingress: [{ action: 'Deny', ipVersion: 4 }, { action: 'Allow' }] }));
      return m._explain({ from: 'prod/web', to: 'prod/api', port: 80 });
    };
    // IPv6-only: an IPv4-only Deny does not apply, the Allow does (before this, IPv4 was assumed and it was denied).
    expect(addressless(['fd00:10::/64']).allowed).toBe(true);
    // IPv4 ranges, or none (the model's assumption): the Deny applies.
    expect(addressless(['10.244.0.0/16']).allowed).toBe(false);
    expect(addressless(undefined).allowed).toBe(false);
    // Dual stack: the connection may use either family; the Deny might apply, so the verdict fails closed and says why.
    const dual = addressless(['10.244.0.0/16', 'fd00:10::/64']);
    expect(dual.allowed).toBe(false);
    expect(dual.sides[1].cause).toBe('fail-closed');
    expect(dual.reasons.join()).toMatch(/matches IPv4 only and the connection may use IPv4 or IPv6/);
  });

  test('a DNS name from a pod without an address uses the families of the pod ranges', () => {
    const probe = (podCidrs: string[] | undefined, nets: string[]) => {
      const m = new NetworkModel({ cni: ClusterCni.CALICO, podCidrs });
      m.addNamespace('prod', {});
      m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
      m.addManifest(np('web', { selector: "app == 'web'", egress: [{ action: 'Allow', destination: { nets } }] }));
      return m.evaluate({ from: 'prod/web', to: 'api.stripe.com', port: 443 }).allowed;
    };
    // IPv4 assumed without ranges: 0.0.0.0/0 admits every address the name may have.
    expect(probe(undefined, ['0.0.0.0/0'])).toBe(true);
    // An IPv6-only cluster reaches the name over IPv6: 0.0.0.0/0 does not admit it, ::/0 does.
    expect(probe(['fd00:10::/64'], ['0.0.0.0/0'])).toBe(false);
    expect(probe(['fd00:10::/64'], ['::/0'])).toBe(true);
    // Dual stack: both families are needed.
    expect(probe(['10.244.0.0/16', 'fd00:10::/64'], ['0.0.0.0/0'])).toBe(false);
    expect(probe(['10.244.0.0/16', 'fd00:10::/64'], ['0.0.0.0/0', '::/0'])).toBe(true);
  });

  test('an HTTP match restricts requests on Allow rules', () => {
    const m = model(np('api', { selector: "app == 'api'", ingress: [{ action: 'Allow', http: { methods: ['GET'], paths: [{ prefix: '/public/' }, { exact: '/health' }] } }] }));
    const probe = (method: string, path: string) => m.evaluate({ from: 'prod/web', to: 'prod/api', port: 8080, http: { method, path } }).allowed;
    expect(probe('GET', '/public/a')).toBe(true);
    expect(probe('GET', '/health')).toBe(true);
    expect(probe('GET', '/healthz')).toBe(false);
    expect(probe('POST', '/public/a')).toBe(false);
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 8080 }).reasons[1]).toContain('its HTTP match (GET /public/**|/health) restricts the requests');
    // A refused request: the reason says the rule matched at L4 and its HTTP match refused the request.
    expect(m.evaluate({ from: 'prod/web', to: 'prod/api', port: 8080, http: { method: 'GET', path: '/publicity' } }).reasons[1]).toMatch(
      /denied by the default action \(Deny\) of tier default: Calico NetworkPolicy prod\/api applies and none of its rules matches .*; Calico NetworkPolicy prod\/api \(tier default\) ingress rule #1 \(Allow HTTP GET \/public\/\*\*\|\/health\) matches at L4, but its HTTP match rejects the request HTTP GET \/publicity \(application layer policy answers 403\)/);
  });

  test('a DNS name matches nets only when they admit every address', () => {
    const all = model(np('web', { selector: "app == 'web'", egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'] } }] }));
    expect(allowed(all, 'prod/web', 'api.stripe.com', 443)).toBe(true);
    expect(reasons(all, 'prod/web', 'api.stripe.com', 443)).toContain('Allow to nets 0.0.0.0/0');
    const internet = model(np('web', { selector: "app == 'web'", egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'], notNets: ['10.0.0.0/8'] } }] }));
    expect(allowed(internet, 'prod/web', 'api.stripe.com', 443)).toBe(false);
  });

  test('host-network pods are no workload endpoints: not selected, not isolated', () => {
    const m = model(gnp('all', { selector: 'all()', ingress: [{ action: 'Deny' }] }));
    expect(allowed(m, 'prod/web', 'mon/exporter', 9100)).toBe(true);
    expect(allowed(m, 'mon/exporter', 'prod/web', 80)).toBe(false);
  });

  test('preDNAT and doNotTrack policies apply to host endpoints only, never to pods', () => {
    const m = model(gnp('pre', { selector: 'all()', preDNAT: true, applyOnForward: true, ingress: [{ action: 'Deny' }] }));
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(true);
  });

  test('a Kubernetes ipBlock matches pod addresses on Calico', () => {
    const m = model(knp('db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.1.0/24' } }] }] }));
    expect(allowed(m, 'prod/web', 'prod/db', 1)).toBe(true);
    expect(allowed(m, 'other/web', 'prod/db', 1)).toBe(false);
  });
});

describe('review fixes: unknown addresses against nets/notNets fail closed (pods from manifests, DNS names)', () => {
  const build = (objs: any[], withIps = false) => {
    const m = NetworkModel.fromManifests(objs);
    m.addPod({ namespace: 'a', name: 'web', labels: { app: 'web' }, ...(withIps ? { ip: '10.0.0.1' } : {}) });
    m.addPod({ namespace: 'a', name: 'api', labels: { app: 'api' }, ...(withIps ? { ip: '10.0.0.2' } : {}) });
    return m;
  };

  test('Deny nets 10.0.0.0/8 (the pod CIDR), then Allow: pods without an IP are denied, failing closed; with IPs the deny decides', () => {
    const policy = gnp('g', { order: 1, selector: 'app == "web"', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['10.0.0.0/8'] } }, { action: 'Allow' }] });
    const v = build([policy]).evaluate({ from: 'a/web', to: 'a/api', port: 80 });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toContain('failing closed');
    expect(v.reasons[0]).toContain('the address of pod a/api is unknown (pods built from manifests have none) and might lie in nets 10.0.0.0/8; ' +
      'add the pod with its ip (NetworkModel.addPod), or give the cluster\'s pod ranges (NetworkModelOptions.podCidrs');
    expect(build([policy])._explain({ from: 'a/web', to: 'a/api', port: 80 }).sides.find((side) => side.undecided)?.undecided)
      .toMatch(/might lie in nets 10\.0\.0\.0\/8/);
    expect(build([policy], true).evaluate({ from: 'a/web', to: 'a/api', port: 80 }).allowed).toBe(false);
    const outside = gnp('g', { order: 1, selector: 'app == "web"', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['192.168.0.0/16'] } }, { action: 'Allow' }] });
    expect(build([outside], true).evaluate({ from: 'a/web', to: 'a/api', port: 80 }).allowed).toBe(true);
  });

  test('Deny nets 0.0.0.0/0 matches every pod, with or without an IP', () => {
    const policy = gnp('g', {
      order: 1,
      selector: 'app == "web"',
      types: ['Egress'],
      egress: [{ action: 'Deny', destination: { nets: ['0.0.0.0/0'] } }, { action: 'Allow', destination: { selector: 'app == "api"' } }],
    });
    const v = build([policy]).evaluate({ from: 'a/web', to: 'a/api', port: 80 });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toContain('denied by GlobalNetworkPolicy g (tier default) egress rule #1 (Deny to nets 0.0.0.0/0)');
  });

  test('a Deny on the metadata address (a range no pod has) does not touch pod-to-pod traffic', () => {
    const policy = gnp('g', { order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Allow' }] });
    expect(build([policy]).evaluate({ from: 'a/web', to: 'a/api', port: 80 }).allowed).toBe(true);
  });

  test('an Allow whose nets cannot be decided does not allow, and the reason says so', () => {
    const policy = gnp('g', { order: 1, selector: 'app == "web"', types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['10.0.0.0/8'] } }] });
    const v = build([policy]).evaluate({ from: 'a/web', to: 'a/api', port: 80 });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toContain('(Allow to nets 10.0.0.0/8) was not applied: the address of pod a/api is unknown');
    expect(build([policy], true).evaluate({ from: 'a/web', to: 'a/api', port: 80 }).allowed).toBe(true);
  });

  test('Deny notNets / Deny nets vs a DNS name fail closed; an address is decided', () => {
    const notNets = gnp('g', { order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { notNets: ['10.0.0.0/8'] } }, { action: 'Allow' }] });
    const m = build([notNets]);
    const v = m.evaluate({ from: 'a/web', to: 'api.stripe.com', port: 443 });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toContain('the addresses of the DNS name api.stripe.com are unknown and might lie in notNets 10.0.0.0/8');
    expect(m.evaluate({ from: 'a/web', to: '8.8.8.8', port: 443 }).allowed).toBe(false);
    expect(m.evaluate({ from: 'a/web', to: '10.1.2.3', port: 443 }).allowed).toBe(true);
    const metadata = gnp('g', {
      order: 1,
      selector: 'all()',
      types: ['Egress'],
      egress: [{ action: 'Deny', destination: { nets: ['169.254.169.254/32'] } }, { action: 'Allow', destination: { nets: ['0.0.0.0/0'] } }],
    });
    const mm = build([metadata]);
    expect(mm.evaluate({ from: 'a/web', to: 'metadata.google.internal', port: 80 }).allowed).toBe(false);
    expect(mm.evaluate({ from: 'a/web', to: '169.254.169.254', port: 80 }).allowed).toBe(false);
    expect(mm.evaluate({ from: 'a/web', to: '203.0.113.1', port: 80 }).allowed).toBe(true);
  });

  test('Pass that might match a name fails closed', () => {
    const policy = gnp('g', { order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Pass', destination: { nets: ['10.0.0.0/8'] } }, { action: 'Allow' }] });
    const v = build([policy]).evaluate({ from: 'a/web', to: 'api.example.com', port: 443 });
    expect(v.allowed).toBe(false);
    expect(v.reasons[0]).toContain('it might match (Pass) and the model cannot tell');
  });

  test('::/0 alone does not admit a name (it may have only IPv4 addresses); 0.0.0.0/0 does; an IPv6 client needs both', () => {
    const v6 = gnp('g', { order: 1, selector: 'app == "web"', types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['::/0'] } }] });
    expect(build([v6]).evaluate({ from: 'a/web', to: 'api.stripe.com', port: 443 }).allowed).toBe(false);
    const v4 = gnp('g', { order: 1, selector: 'app == "web"', types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0'] } }] });
    expect(build([v4]).evaluate({ from: 'a/web', to: 'api.stripe.com', port: 443 }).allowed).toBe(true);
    const m = NetworkModel.fromManifests([v4]);
    m.addPod({ namespace: 'a', name: 'web', labels: { app: 'web' }, ip: 'fd00::1' });
    expect(m.evaluate({ from: 'a/web', to: 'api.stripe.com', port: 443 }).allowed).toBe(false);
    const both = NetworkModel.fromManifests([gnp('g', { order: 1, selector: 'app == "web"', types: ['Egress'], egress: [{ action: 'Allow', destination: { nets: ['0.0.0.0/0', '::/0'] } }] })]);
    both.addPod({ namespace: 'a', name: 'web', labels: { app: 'web' }, ip: 'fd00::1' });
    expect(both.evaluate({ from: 'a/web', to: 'api.stripe.com', port: 443 }).allowed).toBe(true);
  });

  test('an HTTP match on an egress rule is refused (Calico enforces HTTP matches on inbound requests only)', () => {
    expect(() => NetworkModel.fromManifests([gnp('g', { selector: 'all()', types: ['Egress'], egress: [{ action: 'Allow', protocol: 'TCP', http: { methods: ['GET'] } }] })]))
      .toThrow(/GlobalNetworkPolicy g spec.egress\[0\]: an HTTP match on an egress rule is not modelled: Calico's application layer policy enforces HTTP matches on inbound requests only/);
  });
});

describe('podCidrs: where pods without an address lie', () => {
  const guardrail = (nets: string[]) => gnp('g', { order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets } }, { action: 'Allow' }] });
  const build = (nets: string[], podCidrs?: string[]) => {
    const m = NetworkModel.fromManifests([guardrail(nets)], podCidrs ? { podCidrs } : undefined);
    m.addPod({ namespace: 'a', name: 'web' });
    m.addPod({ namespace: 'a', name: 'api' });
    return m;
  };
  const probe = { from: 'a/web', to: 'a/api', port: 80 };

  test('a deny outside every pod range does not apply to pods: decided, allowed', () => {
    expect(build(['100.100.100.200/32']).evaluate(probe).allowed).toBe(false);
    const v = build(['100.100.100.200/32'], ['10.244.0.0/16', 'fd00:10::/64'])._explain(probe);
    expect(v.allowed).toBe(true);
    expect(v.sides.every((side) => side.undecided === undefined)).toBe(true);
  });

  test('a deny around every pod range applies: decided, denied (not undecided)', () => {
    const v = build(['10.0.0.0/8'], ['10.244.0.0/16'])._explain(probe);
    expect(v.allowed).toBe(false);
    expect(v.sides.find((side) => !side.allowed)?.undecided).toBeUndefined();
  });

  test('a deny inside a pod range stays undecided and fails closed', () => {
    const v = build(['10.244.7.0/24'], ['10.244.0.0/16'])._explain(probe);
    expect(v.allowed).toBe(false);
    expect(v.sides.find((side) => !side.allowed)?.undecided).toMatch(/might lie in nets 10\.244\.7\.0\/24/);
  });

  test('bad podCidrs are refused at the call', () => {
    expect(() => NetworkModel.fromManifests([], { podCidrs: [] })).toThrow(/NetworkModel.fromManifests\(\): podCidrs \[\] must list the cluster's pod address ranges/);
    expect(() => new NetworkModel({ podCidrs: ['10.244.0.1/16'] })).toThrow(/new NetworkModel\(\): podCidrs\[0\] "10.244.0.1\/16" is not a valid CIDR: host bits are set/);
    expect(() => new NetworkModel({ podCidrs: 'x' as any })).toThrow(/podCidrs "x" must list/);
  });
});

// Calico converts a Kubernetes NetworkPolicy into a Calico policy whose selectors read the endpoint's
// labels (projectcalico/calico libcalico-go/lib/backend/k8s/conversion/conversion.go k8sSelectorToCalico),
// Calico's own labels included; the syncer drops a pod's own pcns./pcsa. labels
// (libcalico-go/lib/backend/syncersv1/updateprocessors/workloadendpointprocessor.go: "This prevents a
// wep from pretending it is in another namespace").
describe('endpoint labels seen by Kubernetes NetworkPolicies under Calico, and spoofing', () => {
  const bySa = knp('db', {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { 'projectcalico.org/serviceaccount': 'api' } } }] }],
  });

  test('a K8s NP podSelector sees projectcalico.org/serviceaccount and pcns.* under Calico, and not without it', () => {
    const m = model(bySa, np('noop', { selector: "app == 'none'", ingress: [{ action: 'Allow' }] }));
    m.addPod({ namespace: 'prod', name: 'api2', labels: { app: 'api2' }, ip: '10.0.1.9', serviceAccount: 'api' });
    expect(allowed(m, 'prod/api2', 'prod/db', 5432)).toBe(true);
    expect(allowed(m, 'prod/api', 'prod/db', 5432)).toBe(false);
    expect(reasons(m, 'prod/api2', 'prod/db', 5432)).toContain('allowed by NetworkPolicy prod/db ingress rule #1');
    // Without Calico no pod carries the label: nothing is allowed in.
    const plain = NetworkModel.fromManifests([bySa]);
    plain.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db' } });
    plain.addPod({ namespace: 'prod', name: 'api2', labels: { app: 'api2' }, serviceAccount: 'api' });
    expect(plain.evaluate({ from: 'prod/api2', to: 'prod/db', port: 5432 }).allowed).toBe(false);
    const byNamespaceLabel = knp('db', { podSelector: { matchLabels: { 'app': 'db', 'pcns.env': 'production' } }, ingress: [] });
    const isolated = NetworkModel.fromManifests([byNamespaceLabel], { cni: ClusterCni.CALICO });
    isolated.addNamespace('prod', { env: 'production' });
    isolated.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db' } });
    isolated.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
    expect(isolated.evaluate({ from: 'prod/web', to: 'prod/db', port: 5432 }).allowed).toBe(false);
    expect(isolated.evaluate({ from: 'prod/db', to: 'prod/web', port: 80 }).allowed).toBe(true);
  });

  test('a K8s NP namespaceSelector sees the namespace profile\'s projectcalico.org/name under Calico', () => {
    const m = NetworkModel.fromManifests([knp('db', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'projectcalico.org/name': 'other' } } }] }],
    })], { cni: ClusterCni.CALICO });
    m.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db' } });
    m.addPod({ namespace: 'other', name: 'web', labels: { app: 'web' } });
    m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
    expect(m.evaluate({ from: 'other/web', to: 'prod/db', port: 5432 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/web', to: 'prod/db', port: 5432 }).allowed).toBe(false);
  });

  test('trap: a pod\'s own pcns./pcsa. labels are dropped, so it cannot claim another namespace\'s or account\'s labels', () => {
    const m = model(
      np('db', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { selector: "pcns.env == 'trusted' || pcsa.projectcalico.org/name == 'admin'" } }] }),
    );
    m.addPod({ namespace: 'prod', name: 'spoof', labels: { 'app': 'spoof', 'pcns.env': 'trusted', 'pcsa.projectcalico.org/name': 'admin' }, ip: '10.0.1.8' });
    expect(allowed(m, 'prod/spoof', 'prod/db', 5432)).toBe(false);
    m.addPod({ namespace: 'prod', name: 'admin', labels: { app: 'admin' }, ip: '10.0.1.7', serviceAccount: 'admin' });
    m.addServiceAccount('prod', 'admin', {});
    expect(allowed(m, 'prod/admin', 'prod/db', 5432)).toBe(true);
    // Through a K8s NP too: its podSelector reads the same endpoint labels.
    const k = model(knp('db', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { 'pcns.env': 'trusted' } } }] }] }),
      np('noop', { selector: "app == 'none'", ingress: [{ action: 'Allow' }] }));
    k.addPod({ namespace: 'prod', name: 'spoof', labels: { 'app': 'spoof', 'pcns.env': 'trusted' }, ip: '10.0.1.8' });
    expect(allowed(k, 'prod/spoof', 'prod/db', 5432)).toBe(false);
  });
});

// A ServiceAccount's own labels (pcsa.*) come from its object; without it a selector reading them is
// decided only as far as the other labels decide it (three-valued), for Calico and Kubernetes policies.
describe('selectors on ServiceAccount labels the model does not know', () => {
  const build = (...objects: Json[]) => {
    const m = NetworkModel.fromManifests(objects, { cni: ClusterCni.CALICO });
    m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api' }, serviceAccount: 'api-sa' });
    m.addPod({ namespace: 'prod', name: 'client', labels: { app: 'client' } });
    m.addPod({ namespace: 'prod', name: 'batch', labels: { app: 'batch' }, serviceAccount: 'jobs' });
    return m;
  };
  const account = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'prod', labels } });

  test('a Kubernetes NP whose podSelector reads pcsa.*: the pod\'s side fails closed until the account is known', () => {
    const isolate = knp('restricted', { podSelector: { matchLabels: { 'pcsa.tier': 'restricted' } }, policyTypes: ['Ingress'] });
    const unknown = build(isolate).evaluate({ from: 'prod/client', to: 'prod/api', port: 8080 });
    expect(unknown.allowed).toBe(false);
    expect(unknown.reasons.join('\n')).toMatch(/ingress of prod\/api: denied, failing closed: whether NetworkPolicy prod\/restricted \(tier default, order 1000\) applies to it cannot be told: .*ServiceAccount prod\/api-sa/);
    expect(build(isolate, account('api-sa', { tier: 'restricted' })).evaluate({ from: 'prod/client', to: 'prod/api', port: 8080 }).allowed).toBe(false);
    expect(build(isolate, account('api-sa', {})).evaluate({ from: 'prod/client', to: 'prod/api', port: 8080 }).allowed).toBe(true);
    // A term on known labels that fails decides: app=batch rules prod/api out whatever its account's labels.
    const mixed = knp('mixed', { podSelector: { matchLabels: { 'app': 'batch', 'pcsa.tier': 'restricted' } }, policyTypes: ['Ingress'] });
    expect(build(mixed).evaluate({ from: 'prod/client', to: 'prod/api', port: 8080 }).allowed).toBe(true);
    expect(build(mixed).evaluate({ from: 'prod/client', to: 'prod/batch', port: 8080 }).reasons.join('\n')).toMatch(/failing closed/);
  });

  test('a Kubernetes NP whose peer reads pcsa.*: an unknown account is not admitted on a guess, and the reason says so', () => {
    const trusted = knp('trusted', { podSelector: { matchLabels: { app: 'client' } }, ingress: [{ from: [{ podSelector: { matchLabels: { 'pcsa.trust': 'high' } } }] }] });
    const v = build(trusted).evaluate({ from: 'prod/api', to: 'prod/client', port: 80 });
    expect(v.allowed).toBe(false);
    expect(v.reasons.join('\n')).toMatch(/the peers of NetworkPolicy prod\/trusted that read ServiceAccount labels were not applied to prod\/api: .*ServiceAccount prod\/api-sa/);
    expect(build(trusted, account('api-sa', { trust: 'high' })).evaluate({ from: 'prod/api', to: 'prod/client', port: 80 }).allowed).toBe(true);
    // NotIn on an unknown account's label: an absent label would satisfy it, yet the account may carry trust=low.
    const notLow = knp('not-low', {
      podSelector: { matchLabels: { app: 'client' } },
      ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pcsa.trust', operator: 'NotIn', values: ['low'] }] } }] }],
    });
    expect(build(notLow).evaluate({ from: 'prod/api', to: 'prod/client', port: 80 }).allowed).toBe(false);
    expect(build(notLow, account('api-sa', { trust: 'high' })).evaluate({ from: 'prod/api', to: 'prod/client', port: 80 }).allowed).toBe(true);
    expect(build(notLow, account('api-sa', { trust: 'low' })).evaluate({ from: 'prod/api', to: 'prod/client', port: 80 }).allowed).toBe(false);
    // A peer whose known labels rule the pod out is no reason to mention the account.
    const batchOnly = knp('batch-only', { podSelector: { matchLabels: { app: 'client' } }, ingress: [{ from: [{ podSelector: { matchLabels: { 'app': 'batch', 'pcsa.trust': 'yes' } } }] }] });
    const r = build(batchOnly).evaluate({ from: 'prod/api', to: 'prod/client', port: 80 });
    expect(r.allowed).toBe(false);
    expect(r.reasons.join('\n')).not.toMatch(/were not applied/);
  });

  test('a Calico selector mixing pcsa.* with other labels is decided by the other labels where they suffice', () => {
    const deny = gnp('low-trust', {
      selector: "app == 'batch' && pcsa.trust == 'low'",
      order: 10,
      types: ['Ingress'],
      ingress: [{ action: 'Deny' }],
    });
    const m = build(deny);
    // prod/client is not app=batch: the policy cannot select it, whatever the account's labels.
    expect(m.evaluate({ from: 'prod/api', to: 'prod/client', port: 80 }).allowed).toBe(true);
    expect(m.evaluate({ from: 'prod/api', to: 'prod/batch', port: 80 }).reasons.join('\n')).toMatch(/failing closed: whether GlobalNetworkPolicy low-trust \(tier default\) applies/);
    const rule = gnp('peer', {
      selector: "app == 'api'",
      order: 10,
      types: ['Ingress'],
      ingress: [{ action: 'Deny', source: { selector: "app == 'batch' || pcsa.trust == 'low'" } }, { action: 'Allow' }],
    });
    // app == 'batch' is true for prod/batch: the Deny matches whatever its account's labels.
    const r = build(rule).evaluate({ from: 'prod/batch', to: 'prod/api', port: 80 });
    expect(r.allowed).toBe(false);
    expect(r.reasons.join('\n')).not.toMatch(/failing closed/);
  });
});

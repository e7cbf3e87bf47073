import { NetworkModel } from '../../src/analysis/model';
import { ContainerPort, Verdict } from '../../src/analysis/types';

/*
 * Conformance suite for NetworkModel, derived from the upstream Kubernetes e2e network policy tests:
 * kubernetes/kubernetes test/e2e/network/netpol/network_policy.go (the version that probes the full
 * 3 namespaces x 3 pods model, commit 9db638c0807a720aa050ebcef69c32e4d4cce280), with the policy
 * builders of its helper file (GenNetworkPolicy*, SetSpecIngressRules, SetSpecEgressRules), the pod
 * model of model.go (namespaces x, y, z labelled `ns: <name>`; pods a, b, c labelled `pod: <name>`;
 * one container per port and protocol, its port named `serve-<port>-<protocol>`) and the expectation
 * helpers of reachability.go (NewReachability, Expect, ExpectAllIngress, ExpectAllEgress, ExpectPeer).
 *
 * Every `test()` title in the first three describe blocks is the upstream ginkgo `It("should ...")`
 * string; upstream tests that probe several states (before/after an update, two ports) are split in
 * steps, named in parentheses. The policies are translated from the Go builders field by field, and
 * each expectation is written with the upstream calls, in the upstream order.
 *
 * Upstream ignores loopback probes (ignoreLoopback = true, kubernetes#95879). The model defines a pod
 * reaching itself as always allowed, so validateOrFail() expects the diagonal to be allowed
 * (upstream's Reachability.AllowLoopback()) after the upstream expectations are set.
 *
 * The last describe blocks add cases from the API documentation (docs/semantics/kubernetes.md) that
 * upstream does not probe (endPort, policyTypes defaulting, Exists/DoesNotExist, ipBlock on ingress, IPv6, ...);
 * their titles cite the closest upstream test with "cf.".
 */

type Json = Record<string, any>;
type Protocol = 'TCP' | 'UDP' | 'SCTP';

const protocolTCP: Protocol = 'TCP';
const protocolUDP: Protocol = 'UDP';
const protocolSCTP: Protocol = 'SCTP';

/** upstream: namespaceLabelKey, the label the API server puts on every namespace. */
const namespaceLabelKey = 'kubernetes.io/metadata.name';

const NAMESPACES = ['x', 'y', 'z'];
const POD_NAMES = ['a', 'b', 'c'];
const SERVED_PORTS = [80, 81];
const SERVED_PROTOCOLS: Protocol[] = [protocolTCP, protocolUDP, protocolSCTP];
/** upstream: k8s.AllPodStrings(), x/a ... z/c. */
const ALL_PODS = NAMESPACES.flatMap((ns) => POD_NAMES.map((pod) => `${ns}/${pod}`));

// ---------------------------------------------------------------------------------------------
// The e2e model
// ---------------------------------------------------------------------------------------------

/** 10.0.<namespace index>.<pod index>, both counted from 1: x/a is 10.0.1.1, z/c is 10.0.3.3. */
function podIp(pod: string): string {
  const [ns, name] = pod.split('/');
  return `10.0.${NAMESPACES.indexOf(ns) + 1}.${POD_NAMES.indexOf(name) + 1}`;
}

/** upstream model.go: one container per port and protocol, its port named serve-<port>-<protocol>. */
function e2eContainerPorts(): ContainerPort[] {
  return SERVED_PORTS.flatMap((port) => SERVED_PROTOCOLS.map((protocol) => ({ port, protocol, name: `serve-${port}-${protocol.toLowerCase()}` })));
}

interface ModelOptions {
  /** Extra namespace labels (upstream AddNamespaceLabel). */
  readonly namespaceLabels?: Record<string, Record<string, string>>;
  /** Extra pod labels by "ns/pod" (upstream AddPodLabels). */
  readonly podLabels?: Record<string, Record<string, string>>;
  /** Container ports replacing the upstream ones, by "ns/pod". */
  readonly podPorts?: Record<string, ContainerPort[]>;
}

/** upstream defaultModel(): namespaces x, y, z with pods a, b, c each. */
function newE2eModel(options: ModelOptions = {}): NetworkModel {
  const model = new NetworkModel();
  for (const ns of NAMESPACES) {
    // upstream Namespace.LabelSelector(): {ns: <name>}; the model adds kubernetes.io/metadata.name.
    model.addNamespace(ns, { ns, ...(options.namespaceLabels?.[ns] ?? {}) });
    for (const name of POD_NAMES) {
      const id = `${ns}/${name}`;
      model.addPod({
        namespace: ns,
        name,
        labels: { pod: name, ...(options.podLabels?.[id] ?? {}) },
        ip: podIp(id),
        ports: options.podPorts?.[id] ?? e2eContainerPorts(),
      });
    }
  }
  return model;
}

// ---------------------------------------------------------------------------------------------
// Policy builders, translated from the upstream Go helpers
// ---------------------------------------------------------------------------------------------

type SetFunc = (policy: Json) => void;

function genNetworkPolicy(...fns: SetFunc[]): Json {
  // PodSelector is a struct (not a pointer) in Go, so it is always present.
  const policy: Json = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: {}, spec: { podSelector: {} } };
  for (const fn of fns) {
    fn(policy);
  }
  return policy;
}

function genNetworkPolicyWithNameAndPodMatchLabel(name: string, targetLabels: Record<string, string>, ...otherFunc: SetFunc[]): Json {
  return genNetworkPolicy(...otherFunc, setObjectMetaName(name), setSpecPodSelectorMatchLabels(targetLabels));
}

function genNetworkPolicyWithNameAndPodSelector(name: string, targetSelector: Json, ...otherFunc: SetFunc[]): Json {
  return genNetworkPolicy(...otherFunc, setObjectMetaName(name), setSpecPodSelector(targetSelector));
}

function setObjectMetaName(name: string): SetFunc {
  return (policy) => {
    policy.metadata.name = name;
  };
}

function setSpecPodSelector(targetSelector: Json): SetFunc {
  return (policy) => {
    policy.spec.podSelector = targetSelector;
  };
}

function setSpecPodSelectorMatchLabels(targetLabels: Record<string, string>): SetFunc {
  return (policy) => {
    policy.spec.podSelector = { matchLabels: targetLabels };
  };
}

function setSpecIngressRules(...rules: Json[]): SetFunc {
  return (policy) => {
    if (policy.spec.ingress === undefined) {
      policy.spec.ingress = [];
      policy.spec.policyTypes = [...(policy.spec.policyTypes ?? []), 'Ingress'];
    }
    policy.spec.ingress.push(...rules);
  };
}

function setSpecEgressRules(...rules: Json[]): SetFunc {
  return (policy) => {
    if (policy.spec.egress === undefined) {
      policy.spec.egress = [];
      policy.spec.policyTypes = [...(policy.spec.policyTypes ?? []), 'Egress'];
    }
    policy.spec.egress.push(...rules);
  };
}

/** upstream CreatePolicy / UpdatePolicy: the policy lands in `namespace`. */
function createPolicy(model: NetworkModel, policy: Json, namespace: string): void {
  model.addManifest({ ...policy, metadata: { ...policy.metadata, namespace } });
}

/** upstream makeLargeCIDRForIP: the canonical /4 containing an IPv4 address. */
function makeLargeCIDRForIP(ip: string): string {
  const [first] = ip.split('.').map(Number);
  return `${first - (first % 16)}.0.0.0/4`;
}

// ---------------------------------------------------------------------------------------------
// Expected truth tables (upstream reachability.go) and their validation
// ---------------------------------------------------------------------------------------------

/** upstream Peer: an empty namespace or pod matches every namespace or pod. */
interface Peer {
  readonly namespace?: string;
  readonly pod?: string;
}

function peerMatches(peer: Peer, pod: string): boolean {
  const [ns, name] = pod.split('/');
  return (peer.namespace === undefined || peer.namespace === ns) && (peer.pod === undefined || peer.pod === name);
}

/** upstream Reachability: the expected 9x9 truth table. */
class Reachability {
  private readonly expected = new Map<string, boolean>();

  constructor(defaultExpectation: boolean) {
    for (const from of ALL_PODS) {
      for (const to of ALL_PODS) {
        this.expected.set(`${from} ${to}`, defaultExpectation);
      }
    }
  }

  /** upstream Expect: a single pair. */
  public expect(from: string, to: string, isConnected: boolean): void {
    this.set(from, to, isConnected);
  }

  /** upstream ExpectAllIngress: every pod to `pod`. */
  public expectAllIngress(pod: string, connected: boolean): void {
    ALL_PODS.forEach((from) => this.set(from, pod, connected));
  }

  /** upstream ExpectAllEgress: `pod` to every pod. */
  public expectAllEgress(pod: string, connected: boolean): void {
    ALL_PODS.forEach((to) => this.set(pod, to, connected));
  }

  /** upstream ExpectPeer: every matching pair. */
  public expectPeer(from: Peer, to: Peer, connected: boolean): void {
    for (const f of ALL_PODS.filter((p) => peerMatches(from, p))) {
      for (const t of ALL_PODS.filter((p) => peerMatches(to, p))) {
        this.set(f, t, connected);
      }
    }
  }

  /** upstream AllowLoopback: a pod reaches itself whatever the policies. */
  public allowLoopback(): void {
    ALL_PODS.forEach((pod) => this.set(pod, pod, true));
  }

  public get(from: string, to: string): boolean {
    return this.expected.get(`${from} ${to}`)!;
  }

  private set(from: string, to: string, value: boolean): void {
    if (!this.expected.has(`${from} ${to}`)) {
      throw new Error(`Reachability: ${from} -> ${to} is not a pair of the e2e model`);
    }
    this.expected.set(`${from} ${to}`, value);
  }
}

/** upstream TestCase. */
interface TestCase {
  readonly toPort: number;
  readonly protocol: Protocol;
  readonly reachability: Reachability;
}

/** upstream TruthTable.PrettyPrint: "." allowed, "X" denied. */
function prettyPrint(allowed: (from: string, to: string) => boolean): string {
  const rows = [['-', ...ALL_PODS].join('\t')];
  for (const from of ALL_PODS) {
    rows.push([from, ...ALL_PODS.map((to) => (allowed(from, to) ? '.' : 'X'))].join('\t'));
  }
  return rows.join('\n');
}

/**
 * upstream ValidateOrFail: probes all 81 pairs on the port and protocol and compares with the
 * expected table; on a mismatch, fails with both tables and every differing pair with the model's reasons.
 */
function validateOrFail(model: NetworkModel, testCase: TestCase): void {
  const { toPort, protocol, reachability } = testCase;
  reachability.allowLoopback();
  const observed = new Map<string, Verdict>();
  const differences: string[] = [];
  for (const from of ALL_PODS) {
    for (const to of ALL_PODS) {
      const verdict = model.evaluate({ from, to, port: toPort, protocol });
      observed.set(`${from} ${to}`, verdict);
      const expected = reachability.get(from, to);
      if (verdict.allowed !== expected) {
        differences.push(`${from} -> ${to}: upstream expects ${expected ? 'ALLOWED' : 'DENIED'}, model says ${verdict.allowed ? 'ALLOWED' : 'DENIED'}\n` +
          verdict.reasons.map((r) => `      ${r}`).join('\n'));
      }
    }
  }
  if (differences.length > 0) {
    throw new Error(`${protocol}/${toPort}: ${differences.length} of ${ALL_PODS.length ** 2} pairs differ from the upstream expectation\n\n` +
      `expected:\n${prettyPrint((f, t) => reachability.get(f, t))}\n\n` +
      `observed:\n${prettyPrint((f, t) => observed.get(`${f} ${t}`)!.allowed)}\n\n` +
      `differing pairs:\n${differences.join('\n')}`);
  }
  expect(differences).toEqual([]);
}

/** Probes that involve an address outside the e2e model. */
function expectVerdict(model: NetworkModel, from: string, to: string, port: number, protocol: Protocol, allowed: boolean): Verdict {
  const verdict = model.evaluate({ from, to, port, protocol });
  if (verdict.allowed !== allowed) {
    throw new Error(`${from} -> ${to} ${protocol}/${port}: expected ${allowed ? 'ALLOWED' : 'DENIED'}, model says ` +
      `${verdict.allowed ? 'ALLOWED' : 'DENIED'}\n${verdict.reasons.map((r) => `  ${r}`).join('\n')}`);
  }
  expect(verdict.allowed).toBe(allowed);
  return verdict;
}

// =============================================================================================
// upstream: Netpol / NetworkPolicy between server and client
// =============================================================================================

// Every case asserts through validateOrFail/expectVerdict (an expect() inside the helper); make
// a case that forgets to call them fail instead of passing silently.
beforeEach(() => {
  expect.hasAssertions();
});

describe('upstream e2e: Netpol NetworkPolicy between server and client', () => {
  test("should support a 'default-deny-ingress' policy", () => {
    const model = newE2eModel();
    const policy = genNetworkPolicyWithNameAndPodSelector('deny-ingress', {}, setSpecIngressRules());
    createPolicy(model, policy, 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({}, { namespace: 'x' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test("should support a 'default-deny-all' policy", () => {
    const model = newE2eModel();
    const policy = genNetworkPolicyWithNameAndPodSelector('deny-all', {}, setSpecIngressRules(), setSpecEgressRules());
    createPolicy(model, policy, 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({}, { namespace: 'x' }, false);
    reachability.expectPeer({ namespace: 'x' }, {}, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy to allow traffic from pods within server namespace based on PodSelector', () => {
    const model = newE2eModel();
    const allowedPods = { matchLabels: { pod: 'b' } };
    const ingressRule = { from: [{ podSelector: allowedPods }] };
    const policy = genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-x-b', { pod: 'a' }, setSpecIngressRules(ingressRule));
    createPolicy(model, policy, 'x');

    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', false);
    reachability.expect('x/b', 'x/a', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy to allow ingress traffic for a target', () => {
    const model = newE2eModel();
    // having a deny all ingress policy
    createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-all', {}, setSpecIngressRules()), 'x');
    // Allow Ingress traffic only to pod x/a from any pod
    const ingressRule = { from: [{ podSelector: {}, namespaceSelector: {} }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-all-to-a', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', true);
    reachability.expectAllIngress('x/b', false);
    reachability.expectAllIngress('x/c', false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy to allow ingress traffic from pods in all namespaces', () => {
    const model = newE2eModel();
    const ingressRule = { from: [{ namespaceSelector: { matchLabels: {} } }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-from-another-ns', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector', () => {
    const model = newE2eModel();
    const ingressRule = { from: [{ namespaceSelector: { matchLabels: { [namespaceLabelKey]: 'y' } } }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    // disallow all traffic from the x or z namespaces
    reachability.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
    reachability.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on PodSelector with MatchExpressions', () => {
    const model = newE2eModel();
    const allowedPods = { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] };
    const ingressRule = { from: [{ podSelector: allowedPods }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-x-b', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', false);
    reachability.expect('x/b', 'x/a', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on NamespaceSelector with MatchExpressions', () => {
    const model = newE2eModel();
    const allowedNamespaces = { matchExpressions: [{ key: namespaceLabelKey, operator: 'In', values: ['y'] }] };
    const ingressRule = { from: [{ namespaceSelector: allowedNamespaces }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-match-selector', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    // disallow all traffic from the x or z namespaces
    reachability.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
    reachability.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on PodSelector or NamespaceSelector', () => {
    const model = newE2eModel();
    const allowedNamespaces = { matchExpressions: [{ key: namespaceLabelKey, operator: 'NotIn', values: ['x'] }] };
    const podBAllowlisting = { matchLabels: { pod: 'b' } };
    const ingressRule = { from: [{ namespaceSelector: allowedNamespaces }, { podSelector: podBAllowlisting }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-match-selector', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expect('x/a', 'x/a', false);
    reachability.expect('x/c', 'x/a', false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on PodSelector and NamespaceSelector', () => {
    const model = newE2eModel();
    const allowedNamespaces = { matchExpressions: [{ key: namespaceLabelKey, operator: 'NotIn', values: ['x'] }] };
    const allowedPod = { matchLabels: { pod: 'b' } };
    const ingressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPod }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-podselector-and-nsselector', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', false);
    reachability.expect('y/b', 'x/a', true);
    reachability.expect('z/b', 'x/a', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on Multiple PodSelectors and NamespaceSelectors', () => {
    const model = newE2eModel();
    const allowedNamespaces = { matchExpressions: [{ key: namespaceLabelKey, operator: 'NotIn', values: ['x'] }] };
    const allowedPod = { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] };
    const ingressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPod }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-z-pod-b-c', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
    reachability.expect('y/a', 'x/a', false);
    reachability.expect('z/a', 'x/a', false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on any PodSelectors', () => {
    const model = newE2eModel();
    const ingressRule: Json = { from: [] };
    for (const label of [{ pod: 'b' }, { pod: 'c' }]) {
      ingressRule.from.push({ podSelector: { matchLabels: label } });
    }
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-x-pod-b-c', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', false);
    // Connect Pods b and c to pod a from namespace nsX
    reachability.expect('x/b', 'x/a', true);
    reachability.expect('x/c', 'x/a', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', () => {
    const model = newE2eModel();
    const allowedNamespaces = { matchLabels: { [namespaceLabelKey]: 'y' } };
    const allowedPods = { matchLabels: { pod: 'a' } };
    const ingressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPods }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-pod-a-via-namespace-pod-selector', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', false);
    reachability.expect('y/a', 'x/a', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on Ports', () => {
    const model = newE2eModel();
    const allowedLabels = { matchLabels: { [namespaceLabelKey]: 'y' } };
    const ingressRule = { from: [{ namespaceSelector: allowedLabels }], ports: [{ port: 81, protocol: protocolTCP }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
    reachability.expectPeer({ namespace: 'y' }, { namespace: 'x', pod: 'a' }, true);
    reachability.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability });
  });

  describe('should enforce multiple, stacked policies with overlapping podSelectors', () => {
    const allowedLabels = { matchLabels: { [namespaceLabelKey]: 'y' } };
    const allowPort81Policy = () => genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' },
      setSpecIngressRules({ from: [{ namespaceSelector: allowedLabels }], ports: [{ port: 81, protocol: protocolTCP }] }));
    const allowPort80Policy = () => genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector-80', { pod: 'a' },
      setSpecIngressRules({ from: [{ namespaceSelector: allowedLabels }], ports: [{ port: 80, protocol: protocolTCP }] }));
    const reachabilityALLOW = () => {
      const r = new Reachability(true);
      r.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
      r.expectPeer({ namespace: 'y' }, { namespace: 'x', pod: 'a' }, true);
      r.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
      return r;
    };

    test('step 1: the port-81 policy alone (Verifying traffic on port 81, then port 80)', () => {
      const model = newE2eModel();
      createPolicy(model, allowPort81Policy(), 'x');
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: reachabilityALLOW() });

      const reachabilityDENY = new Reachability(true);
      reachabilityDENY.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityDENY });
    });

    test('step 2: Verifying that we can add a policy to unblock port 80', () => {
      const model = newE2eModel();
      createPolicy(model, allowPort81Policy(), 'x');
      createPolicy(model, allowPort80Policy(), 'x');
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityALLOW() });
    });
  });

  test('should support allow-all policy', () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-all', {}, setSpecIngressRules({})), 'x');

    // Testing pods can connect to both ports when an 'allow-all' policy is present.
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });
  });

  test('should allow ingress access on one named port', () => {
    const model = newE2eModel();
    const ingressRules = { ports: [{ port: 'serve-81-tcp' }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-all', {}, setSpecIngressRules(ingressRules)), 'x');

    // Blocking all ports other then 81 in the entire namespace
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });

    // disallow all traffic to the x namespace
    const reachabilityPort80 = new Reachability(true);
    reachabilityPort80.expectPeer({}, { namespace: 'x' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityPort80 });
  });

  test('should allow ingress access from namespace on one named port', () => {
    const model = newE2eModel();
    const allowedLabels = { matchLabels: { [namespaceLabelKey]: 'y' } };
    const ingressRule = { from: [{ namespaceSelector: allowedLabels }], ports: [{ port: 'serve-80-tcp', protocol: protocolTCP }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector-80', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    // disallow all traffic from the x or z namespaces
    reachability.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
    reachability.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
    // Verify that port 80 is allowed for namespace y
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });

    // Verify that port 81 is blocked for all namespaces including y
    const reachabilityFAIL = new Reachability(true);
    reachabilityFAIL.expectAllIngress('x/a', false);
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: reachabilityFAIL });
  });

  test('should allow egress access on one named port', () => {
    const model = newE2eModel();
    const egressRule = { ports: [{ port: 'serve-80-tcp' }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress', {}, setSpecEgressRules(egressRule)), 'x');

    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });

    // meanwhile no traffic over 81 should work, since our egress policy is on 80
    const reachabilityPort81 = new Reachability(true);
    reachabilityPort81.expectPeer({ namespace: 'x' }, {}, false);
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: reachabilityPort81 });
  });

  describe('should enforce updated policy', () => {
    const allowAll = () => genNetworkPolicyWithNameAndPodMatchLabel('allow-all-mutate-to-deny-all', {}, setSpecIngressRules({}));

    test('step 1: allow all', () => {
      const model = newE2eModel();
      createPolicy(model, allowAll(), 'x');
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });
    });

    test('step 2: update the policy to deny all (spec.ingress = [])', () => {
      const model = newE2eModel();
      const policy = allowAll();
      policy.spec.ingress = [];
      createPolicy(model, policy, 'x');

      const reachabilityDeny = new Reachability(true);
      reachabilityDeny.expectPeer({}, { namespace: 'x' }, false);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: reachabilityDeny });
    });
  });

  describe('should allow ingress access from updated namespace', () => {
    const policy = () => genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' },
      setSpecIngressRules({ from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] }));

    test('step 1: no namespace has the label ns2=updated', () => {
      const model = newE2eModel();
      createPolicy(model, policy(), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('step 2: add a new label ns2=updated to namespace y', () => {
      const model = newE2eModel({ namespaceLabels: { y: { ns2: 'updated' } } });
      createPolicy(model, policy(), 'x');

      // anything from namespace 'y' should be able to get to x/a
      const reachabilityWithLabel = new Reachability(true);
      reachabilityWithLabel.expectAllIngress('x/a', false);
      reachabilityWithLabel.expectPeer({ namespace: 'y' }, {}, true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityWithLabel });
    });
  });

  describe('should allow ingress access from updated pod', () => {
    const matchLabels = { pod: 'b', pod2: 'updated' };
    const policy = () => genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-pod-selector', { pod: 'a' },
      setSpecIngressRules({ from: [{ podSelector: { matchLabels } }] }));

    test('step 1: x/b lacks the label pod2=updated', () => {
      const model = newE2eModel();
      createPolicy(model, policy(), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('step 2: x/b is able to reach x/a when label is updated', () => {
      const model = newE2eModel({ podLabels: { 'x/b': matchLabels } });
      createPolicy(model, policy(), 'x');

      const reachabilityWithLabel = new Reachability(true);
      reachabilityWithLabel.expectAllIngress('x/a', false);
      reachabilityWithLabel.expect('x/b', 'x/a', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityWithLabel });
    });
  });

  test('should deny ingress from pods on other namespaces', () => {
    const model = newE2eModel();
    const ingressRules = { from: [{ podSelector: { matchLabels: {} } }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-empty-policy', {}, setSpecIngressRules(ingressRules)), 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({ namespace: 'y' }, { namespace: 'x' }, false);
    reachability.expectPeer({ namespace: 'z' }, { namespace: 'x' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  describe('should deny ingress access to updated pod', () => {
    const policy = () => genNetworkPolicyWithNameAndPodSelector('deny-ingress-via-label-selector',
      { matchLabels: { target: 'isolated' } }, setSpecIngressRules());

    test('step 1: Verify that everything can reach x/a', () => {
      const model = newE2eModel();
      createPolicy(model, policy(), 'x');
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
    });

    test('step 2: x/a gets the label target=isolated', () => {
      const model = newE2eModel({ podLabels: { 'x/a': { target: 'isolated' } } });
      createPolicy(model, policy(), 'x');

      const reachabilityIsolated = new Reachability(true);
      reachabilityIsolated.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityIsolated });
    });
  });

  test('should deny egress from pods based on PodSelector', () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-egress-pod-a', { matchLabels: { pod: 'a' } }, setSpecEgressRules()), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllEgress('x/a', false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should deny egress from all pods in a namespace', () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-egress-ns-x', {}, setSpecEgressRules()), 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({ namespace: 'x' }, {}, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should work with Ingress, Egress specified together', () => {
    const model = newE2eModel();
    const allowedPodLabels = { matchLabels: { pod: 'b' } };
    const ingressRule = { from: [{ podSelector: allowedPodLabels }] };
    const policy = genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-pod-selector', { pod: 'a' }, setSpecIngressRules(ingressRule));
    // add an egress rule on to it... (don't use named ports)
    policy.spec.egress = [{ ports: [{ port: 80 }] }];
    policy.spec.policyTypes = ['Egress', 'Ingress'];
    createPolicy(model, policy, 'x');

    const reachabilityPort80 = new Reachability(true);
    reachabilityPort80.expectAllIngress('x/a', false);
    reachabilityPort80.expect('x/b', 'x/a', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityPort80 });

    // validating that port 81 doesn't work
    const reachabilityPort81 = new Reachability(true);
    reachabilityPort81.expectAllIngress('x/a', false);
    reachabilityPort81.expectAllEgress('x/a', false);
    reachabilityPort81.expect('x/b', 'x/a', true);
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: reachabilityPort81 });
  });

  test('should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)', () => {
    const model = newE2eModel();
    // Building egress policy for x/a to y/a only
    const allowedEgressNamespaces = { matchLabels: { [namespaceLabelKey]: 'y' } };
    const allowedEgressPods = { matchLabels: { pod: 'a' } };
    const egressRule1 = { to: [{ namespaceSelector: allowedEgressNamespaces, podSelector: allowedEgressPods }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-to-ns-y-pod-a', { pod: 'a' }, setSpecEgressRules(egressRule1)), 'x');

    // Creating ingress policy to allow from x/a to y/a and y/b
    const allowedIngressNamespaces = { matchLabels: { [namespaceLabelKey]: 'x' } };
    const allowedIngressPods = { matchLabels: { pod: 'a' } };
    const ingressRule = { from: [{ namespaceSelector: allowedIngressNamespaces, podSelector: allowedIngressPods }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-from-xa-on-ya-match-selector', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'y');
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-from-xa-on-yb-match-selector', { pod: 'b' }, setSpecIngressRules(ingressRule)), 'y');

    const reachability = new Reachability(true);
    reachability.expectPeer({ namespace: 'x', pod: 'a' }, {}, false);
    reachability.expectPeer({}, { namespace: 'y', pod: 'a' }, false);
    reachability.expectPeer({ namespace: 'x', pod: 'a' }, { namespace: 'y', pod: 'a' }, true);
    reachability.expectPeer({}, { namespace: 'y', pod: 'b' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector', () => {
    const model = newE2eModel();
    const allowedNamespaces = { matchLabels: { [namespaceLabelKey]: 'y' } };
    const allowedPods = { matchLabels: { pod: 'a' } };
    const egressRule1 = { to: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPods }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-to-ns-y-pod-a', { pod: 'a' }, setSpecEgressRules(egressRule1)), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllEgress('x/a', false);
    reachability.expect('x/a', 'y/a', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce ingress policy allowing any port traffic to a server on a specific protocol', () => {
    const model = newE2eModel();
    const ingressRule = { ports: [{ protocol: protocolTCP }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-by-proto', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });

    const reachabilityUDP = new Reachability(true);
    reachabilityUDP.expectPeer({}, { namespace: 'x', pod: 'a' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolUDP, reachability: reachabilityUDP });
  });

  describe('should enforce multiple ingress policies with ingress allow-all policy taking precedence', () => {
    const policyAllowOnlyPort80 = () => genNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-port-80', {}, setSpecIngressRules({ ports: [{ port: 80 }] }));

    test("step 1: The policy targets port 80 -- so let's make sure traffic on port 81 is blocked", () => {
      const model = newE2eModel();
      createPolicy(model, policyAllowOnlyPort80(), 'x');

      const reachability = new Reachability(true);
      reachability.expectPeer({}, { namespace: 'x' }, false);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability });
    });

    test('step 2: Allowing all ports', () => {
      const model = newE2eModel();
      createPolicy(model, policyAllowOnlyPort80(), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ingress', {}, setSpecIngressRules({})), 'x');
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });
    });
  });

  describe('should enforce multiple egress policies with egress allow-all policy taking precedence', () => {
    const policyAllowPort80 = () => genNetworkPolicyWithNameAndPodMatchLabel('allow-egress-port-80', {}, setSpecEgressRules({ ports: [{ port: 80 }] }));

    test("step 1: Making sure ingress doesn't work other than port 80", () => {
      const model = newE2eModel();
      createPolicy(model, policyAllowPort80(), 'x');

      const reachability = new Reachability(true);
      reachability.expectPeer({ namespace: 'x' }, {}, false);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability });
    });

    test('step 2: Allowing all ports', () => {
      const model = newE2eModel();
      createPolicy(model, policyAllowPort80(), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress', {}, setSpecEgressRules({})), 'x');
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });
    });
  });

  describe('should stop enforcing policies after they are deleted', () => {
    test('step 1: a deny-all policy in x denies all traffic into, and out of, x', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-all', {}, setSpecIngressRules(), setSpecEgressRules()), 'x');

      const reachability = new Reachability(true);
      reachability.expectPeer({ namespace: 'x' }, {}, false);
      reachability.expectPeer({}, { namespace: 'x' }, false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('step 2: Now the policy is deleted, we expect all connectivity to work again', () => {
      validateOrFail(newE2eModel(), { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
    });
  });

  test('should allow egress access to server in CIDR block', () => {
    const model = newE2eModel();
    const podServerCIDR = `${podIp('y/b')}/32`;
    const egressRule1 = { to: [{ ipBlock: { cidr: podServerCIDR } }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, setSpecEgressRules(egressRule1)), 'x');

    const reachability = new Reachability(true);
    reachability.expectAllEgress('x/a', false);
    reachability.expect('x/a', 'y/b', true);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce except clause while egress access to server in CIDR block', () => {
    const model = newE2eModel();
    // Create a rule that allows egress to a large set of IPs around podB, but not podB itself.
    // (The 9-pod revision wrote "<podA IP>/4"; current upstream canonicalizes it with makeLargeCIDRForIP.)
    const podServerAllowCIDR = makeLargeCIDRForIP(podIp('x/b'));
    const podServerExceptList = [`${podIp('x/b')}/32`];
    const egressRule1 = { to: [{ ipBlock: { cidr: podServerAllowCIDR, except: podServerExceptList } }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, setSpecEgressRules(egressRule1)), 'x');

    const reachability = new Reachability(true);
    reachability.expect('x/a', 'x/b', false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  describe('should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed', () => {
    test('step 1: egress to the /4 around x/b except x/b', () => {
      const model = newE2eModel();
      const egressRule1 = { to: [{ ipBlock: { cidr: makeLargeCIDRForIP(podIp('x/b')), except: [`${podIp('x/b')}/32`] } }] };
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, setSpecEgressRules(egressRule1)), 'x');

      const reachability = new Reachability(true);
      reachability.expect('x/a', 'x/b', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('step 2: the policy is updated to allow egress to x/b/32 only', () => {
      const model = newE2eModel();
      const egressRule3 = { to: [{ ipBlock: { cidr: `${podIp('x/b')}/32` } }] };
      // UpdatePolicy replaces the step-1 policy of the same name.
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, setSpecEgressRules(egressRule3)), 'x');

      const reachabilityAllow = new Reachability(true);
      reachabilityAllow.expectAllEgress('x/a', false);
      reachabilityAllow.expect('x/a', 'x/b', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: reachabilityAllow });
    });
  });

  describe('should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector', () => {
    const targetLabels = { pod: 'a' };
    const allowEgressPolicy = () => genNetworkPolicyWithNameAndPodSelector('allow-egress-for-target', { matchLabels: targetLabels }, setSpecEgressRules({}));

    test('step 1: Creating a network policy for pod-a which allows Egress traffic to pod-b', () => {
      const model = newE2eModel();
      createPolicy(model, allowEgressPolicy(), 'x');
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
    });

    test('step 2: Creating a network policy for pod-a that denies traffic from pod-b', () => {
      const model = newE2eModel();
      createPolicy(model, allowEgressPolicy(), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-ingress-via-label-selector', { matchLabels: targetLabels }, setSpecIngressRules()), 'x');

      const denyIngressToXReachability = new Reachability(true);
      denyIngressToXReachability.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: denyIngressToXReachability });
    });
  });

  test("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP", () => {
    const model = newE2eModel();
    // Creating a default-deny ingress policy.
    createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-ingress', {}, setSpecIngressRules()), 'x');
    // Creating a network policy for the server which allows traffic only via SCTP on port 81.
    const ingressRule = { ports: [{ port: 81, protocol: protocolSCTP }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-only-sctp-ingress-on-port-81', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    // Trying to connect to TCP port 81, which should be blocked by the deny-ingress policy.
    const reachability = new Reachability(true);
    reachability.expectPeer({}, { namespace: 'x' }, false);
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability });
  });

  test("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP", () => {
    const model = newE2eModel();
    const ingressRule = { ports: [{ port: 80, protocol: protocolSCTP }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-only-sctp-ingress-on-port-80', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    // Trying to connect to TCP port 81, which should be blocked by implicit isolation.
    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', false);
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability });
  });

  test('should not allow access by TCP when a policy specifies only UDP', () => {
    const model = newE2eModel();
    const ingressRule = { ports: [{ port: 81, protocol: protocolUDP }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-only-udp-ingress-on-port-81', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

    // Probing with TCP, so all traffic should be dropped.
    const reachability = new Reachability(true);
    reachability.expectAllIngress('x/a', false);
    validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability });
  });

  test('should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label', () => {
    const model = newE2eModel();
    const allowedLabels = { matchLabels: { [namespaceLabelKey]: 'y' } };
    const ingressRule = { from: [{ namespaceSelector: allowedLabels }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector-for-immutable-ns-label', { pod: 'a' },
      setSpecIngressRules(ingressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
    reachability.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });

  test('should enforce policy based on NamespaceSelector with MatchExpressions using default ns label', () => {
    const model = newE2eModel();
    const allowedNamespaces = { matchExpressions: [{ key: namespaceLabelKey, operator: 'NotIn', values: ['y'] }] };
    const egressRule = { to: [{ namespaceSelector: allowedNamespaces }] };
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-match-selector-for-immutable-ns-label', { pod: 'a' },
      setSpecEgressRules(egressRule)), 'x');

    const reachability = new Reachability(true);
    reachability.expectPeer({ namespace: 'x', pod: 'a' }, { namespace: 'y' }, false);
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
  });
});

// =============================================================================================
// upstream: Netpol [LinuxOnly] / NetworkPolicy between server and client using UDP,
// and Netpol [Feature:SCTPConnectivity] [LinuxOnly] / ... using SCTP
// =============================================================================================

for (const protocol of [protocolUDP, protocolSCTP]) {
  describe(`upstream e2e: Netpol NetworkPolicy between server and client using ${protocol}`, () => {
    test("should support a 'default-deny-ingress' policy", () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-all', {}, setSpecIngressRules()), 'x');

      const reachability = new Reachability(true);
      reachability.expectPeer({}, { namespace: 'x' }, false);
      validateOrFail(model, { toPort: 80, protocol, reachability });
    });

    test('should enforce policy based on Ports', () => {
      const model = newE2eModel();
      const allowedLabels = { matchLabels: { [namespaceLabelKey]: 'y' } };
      const ingressRule = { from: [{ namespaceSelector: allowedLabels }], ports: [{ port: 81, protocol }] };
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-on-port-81-ns-x', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

      const reachability = new Reachability(true);
      reachability.expectPeer({ namespace: 'x' }, { namespace: 'x', pod: 'a' }, false);
      reachability.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'a' }, false);
      validateOrFail(model, { toPort: 81, protocol, reachability });
    });

    test('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', () => {
      const model = newE2eModel();
      const allowedNamespaces = { matchLabels: { [namespaceLabelKey]: 'y' } };
      const allowedPods = { matchLabels: { pod: 'a' } };
      const ingressRule = { from: [{ namespaceSelector: allowedNamespaces, podSelector: allowedPods }] };
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns-y-pod-a-via-namespace-pod-selector', { pod: 'a' },
        setSpecIngressRules(ingressRule)), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expect('y/a', 'x/a', true);
      validateOrFail(model, { toPort: 80, protocol, reachability });
    });
  });
}

// =============================================================================================
// API documentation (docs/semantics/kubernetes.md), probed on the same e2e model
// =============================================================================================

describe('API documentation (docs/semantics/kubernetes.md) on the e2e model', () => {
  describe('label selectors', () => {
    test('pod matchExpressions Exists / DoesNotExist (cf. "should enforce policy based on PodSelector with MatchExpressions")', () => {
      const model = newE2eModel({ podLabels: { 'x/b': { pod2: 'updated' } } });
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-pod2', { pod: 'a' },
        setSpecIngressRules({ from: [{ podSelector: { matchExpressions: [{ key: 'pod2', operator: 'Exists' }] } }] })), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-c-allows-no-pod2', { pod: 'c' },
        setSpecIngressRules({ from: [{ podSelector: { matchExpressions: [{ key: 'pod2', operator: 'DoesNotExist' }] } }] })), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expect('x/b', 'x/a', true);
      reachability.expectAllIngress('x/c', false);
      reachability.expect('x/a', 'x/c', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('pod matchExpressions NotIn also matches pods without the label (cf. "should enforce policy based on PodSelector with MatchExpressions")', () => {
      const model = newE2eModel({ podLabels: { 'x/b': { pod2: 'updated' } } });
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-not-updated', { pod: 'a' },
        setSpecIngressRules({ from: [{ podSelector: { matchExpressions: [{ key: 'pod2', operator: 'NotIn', values: ['updated'] }] } }] })), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expect('x/c', 'x/a', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('namespace matchExpressions Exists / DoesNotExist (cf. "should enforce policy based on NamespaceSelector with MatchExpressions")', () => {
      const model = newE2eModel({ namespaceLabels: { y: { ns2: 'updated' } } });
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-ns2', { pod: 'a' },
        setSpecIngressRules({ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns2', operator: 'Exists' }] } }] })), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-b-allows-no-ns2', { pod: 'b' },
        setSpecIngressRules({ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns2', operator: 'DoesNotExist' }] } }] })), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expectPeer({ namespace: 'y' }, { namespace: 'x', pod: 'a' }, true);
      reachability.expectPeer({ namespace: 'y' }, { namespace: 'x', pod: 'b' }, false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('namespace selected by the upstream `ns` label, matchLabels and matchExpressions ANDed (cf. "should enforce policy based on NamespaceSelector with MatchExpressions")', () => {
      const model = newE2eModel({ namespaceLabels: { y: { ns2: 'updated' }, z: { ns2: 'updated' } } });
      const namespaceSelector = { matchLabels: { ns2: 'updated' }, matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['z'] }] };
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ns2-but-z', { pod: 'a' }, setSpecIngressRules({ from: [{ namespaceSelector }] })), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expectPeer({ namespace: 'y' }, { namespace: 'x', pod: 'a' }, true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });
  });

  describe('ports', () => {
    test('endPort is an inclusive numeric range on ingress (cf. "should enforce policy based on Ports")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-80-to-81', { pod: 'a' },
        setSpecIngressRules({ ports: [{ port: 80, endPort: 81, protocol: protocolTCP }] })), 'x');

      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });
      const udp = new Reachability(true);
      udp.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolUDP, reachability: udp });
    });

    test('endPort range that starts above the probed port does not match it (cf. "should enforce policy based on Ports")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-81-to-90', { pod: 'a' },
        setSpecIngressRules({ ports: [{ port: 81, endPort: 90 }] })), 'x');

      const port80 = new Reachability(true);
      port80.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: port80 });
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });
    });

    test('endPort on egress (cf. "should enforce multiple egress policies with egress allow-all policy taking precedence")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress-1-to-80', {},
        setSpecEgressRules({ ports: [{ port: 1, endPort: 80, protocol: protocolSCTP }] })), 'x');

      validateOrFail(model, { toPort: 80, protocol: protocolSCTP, reachability: new Reachability(true) });
      const sctp81 = new Reachability(true);
      sctp81.expectPeer({ namespace: 'x' }, {}, false);
      validateOrFail(model, { toPort: 81, protocol: protocolSCTP, reachability: sctp81 });
      const tcp80 = new Reachability(true);
      tcp80.expectPeer({ namespace: 'x' }, {}, false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: tcp80 });
    });

    test('an empty `ports` list matches every port and protocol (cf. "should support allow-all policy")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-x-b-any-port', { pod: 'a' },
        setSpecIngressRules({ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [] })), 'x');

      for (const protocol of SERVED_PROTOCOLS) {
        for (const toPort of SERVED_PORTS) {
          const reachability = new Reachability(true);
          reachability.expectAllIngress('x/a', false);
          reachability.expect('x/b', 'x/a', true);
          validateOrFail(model, { toPort, protocol, reachability });
        }
      }
    });

    test('a named UDP port with protocol UDP (cf. "should allow ingress access on one named port")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-serve-80-udp', {},
        setSpecIngressRules({ ports: [{ port: 'serve-80-udp', protocol: protocolUDP }] })), 'x');

      validateOrFail(model, { toPort: 80, protocol: protocolUDP, reachability: new Reachability(true) });
      for (const [toPort, protocol] of [[80, protocolTCP], [80, protocolSCTP], [81, protocolUDP]] as Array<[number, Protocol]>) {
        const reachability = new Reachability(true);
        reachability.expectPeer({}, { namespace: 'x' }, false);
        validateOrFail(model, { toPort, protocol, reachability });
      }
    });

    test('a named port resolves with the rule protocol: "serve-80-udp" without protocol means TCP and matches nothing (cf. "should allow ingress access on one named port")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-serve-80-udp-as-tcp', {},
        setSpecIngressRules({ ports: [{ port: 'serve-80-udp' }] })), 'x');

      for (const protocol of SERVED_PROTOCOLS) {
        const reachability = new Reachability(true);
        reachability.expectPeer({}, { namespace: 'x' }, false);
        validateOrFail(model, { toPort: 80, protocol, reachability });
      }
    });

    test('a named ingress port is resolved on each destination pod (cf. "should allow ingress access from namespace on one named port")', () => {
      // y/b serves TCP 80 as "http"; y/c serves TCP 81 as "http"; y/a has no "http" port.
      const model = newE2eModel({
        podPorts: {
          'y/b': [{ port: 80, name: 'http' }, { port: 81, name: 'metrics' }],
          'y/c': [{ port: 80, name: 'metrics' }, { port: 81, name: 'http' }],
        },
      });
      createPolicy(model, genNetworkPolicyWithNameAndPodSelector('allow-http', {}, setSpecIngressRules({ ports: [{ port: 'http' }] })), 'y');

      const port80 = new Reachability(true);
      port80.expectAllIngress('y/a', false);
      port80.expectAllIngress('y/c', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: port80 });

      const port81 = new Reachability(true);
      port81.expectAllIngress('y/a', false);
      port81.expectAllIngress('y/b', false);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: port81 });
    });

    test('a named egress port is resolved on the destination pod, not the source (cf. "should allow egress access on one named port")', () => {
      const model = newE2eModel({
        podPorts: {
          'x/a': [{ port: 81, name: 'http' }],
          'y/b': [{ port: 80, name: 'http' }, { port: 81, name: 'metrics' }],
          'y/c': [{ port: 80, name: 'metrics' }, { port: 81, name: 'http' }],
        },
      });
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress-http', { pod: 'a' }, setSpecEgressRules({ ports: [{ port: 'http' }] })), 'x');

      const port80 = new Reachability(true);
      port80.expectAllEgress('x/a', false);
      port80.expect('x/a', 'y/b', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: port80 });

      const port81 = new Reachability(true);
      port81.expectAllEgress('x/a', false);
      port81.expect('x/a', 'y/c', true);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: port81 });
    });

    test('SCTP egress port (cf. "should not mistakenly treat \'protocol: SCTP\' as \'protocol: TCP\', even if the plugin doesn\'t support SCTP")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress-sctp-81', {},
        setSpecEgressRules({ ports: [{ port: 81, protocol: protocolSCTP }] })), 'x');

      validateOrFail(model, { toPort: 81, protocol: protocolSCTP, reachability: new Reachability(true) });
      for (const [toPort, protocol] of [[81, protocolTCP], [81, protocolUDP], [80, protocolSCTP]] as Array<[number, Protocol]>) {
        const reachability = new Reachability(true);
        reachability.expectPeer({ namespace: 'x' }, {}, false);
        validateOrFail(model, { toPort, protocol, reachability });
      }
    });
  });

  describe('peers', () => {
    test('`from: []` means every source, like an omitted `from` (cf. "should enforce multiple ingress policies with ingress allow-all policy taking precedence")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-from-empty', { pod: 'a' }, setSpecIngressRules({ from: [], ports: [{ port: 80 }] })), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-b-from-omitted', { pod: 'b' }, setSpecIngressRules({ ports: [{ port: 80 }] })), 'x');

      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
      const port81 = new Reachability(true);
      port81.expectAllIngress('x/a', false);
      port81.expectAllIngress('x/b', false);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: port81 });
    });

    test('`to: []` means every destination, like an omitted `to` (cf. "should enforce multiple egress policies with egress allow-all policy taking precedence")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('y-a-to-empty', { pod: 'a' }, setSpecEgressRules({ to: [], ports: [{ port: 81 }] })), 'y');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('y-b-to-omitted', { pod: 'b' }, setSpecEgressRules({ ports: [{ port: 81 }] })), 'y');

      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: new Reachability(true) });
      const port80 = new Reachability(true);
      port80.expectAllEgress('y/a', false);
      port80.expectAllEgress('y/b', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: port80 });
    });

    test('pod AND namespace in one peer vs OR in two peers (cf. "should enforce policy based on PodSelector and NamespaceSelector")', () => {
      const model = newE2eModel();
      const ns = { matchLabels: { ns: 'z' } };
      const pods = { matchLabels: { pod: 'c' } };
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('and-peer', { pod: 'a' }, setSpecIngressRules({ from: [{ namespaceSelector: ns, podSelector: pods }] })), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('or-peers', { pod: 'b' }, setSpecIngressRules({ from: [{ namespaceSelector: ns }, { podSelector: pods }] })), 'x');

      const reachability = new Reachability(true);
      // x/a: only z/c (pod c AND namespace z)
      reachability.expectAllIngress('x/a', false);
      reachability.expect('z/c', 'x/a', true);
      // x/b: every pod of z, OR pod c of the policy's own namespace x
      reachability.expectAllIngress('x/b', false);
      reachability.expectPeer({ namespace: 'z' }, { namespace: 'x', pod: 'b' }, true);
      reachability.expect('x/c', 'x/b', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('ingress ipBlock with except, probed with pod IPs (cf. "should enforce except clause while egress access to server in CIDR block")', () => {
      const model = newE2eModel();
      // 10.0.0.0/16 holds every pod; the except removes namespace y (10.0.2.0/24).
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-cidr-except-y', { pod: 'a' },
        setSpecIngressRules({ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24'] } }] })), 'x');

      const reachability = new Reachability(true);
      reachability.expectPeer({ namespace: 'y' }, { namespace: 'x', pod: 'a' }, false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });

      expectVerdict(model, '10.0.9.9', 'x/a', 80, protocolTCP, true);
      expectVerdict(model, '10.0.2.77', 'x/a', 80, protocolTCP, false);
      expectVerdict(model, '192.168.1.1', 'x/a', 80, protocolTCP, false);
    });

    test('egress ipBlock with except, probed with pod IPs (cf. "should allow egress access to server in CIDR block")', () => {
      const model = newE2eModel();
      // namespace z (10.0.3.0/24) except z/b (10.0.3.2/32)
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress-z-except-b', {},
        setSpecEgressRules({ to: [{ ipBlock: { cidr: '10.0.3.0/24', except: [`${podIp('z/b')}/32`] } }] })), 'y');

      const reachability = new Reachability(true);
      reachability.expectPeer({ namespace: 'y' }, {}, false);
      reachability.expectPeer({ namespace: 'y' }, { namespace: 'z' }, true);
      reachability.expectPeer({ namespace: 'y' }, { namespace: 'z', pod: 'b' }, false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('IPv6 ipBlock with except, probed with external IPv6 literals (cf. "should allow egress access to server in CIDR block")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress-ipv6', { pod: 'a' },
        setSpecEgressRules({ to: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:dead::/48'] } }] })), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-ingress-ipv6', { pod: 'b' },
        setSpecIngressRules({ from: [{ ipBlock: { cidr: '2001:db8::/32' } }] })), 'x');

      // The pods have IPv4 addresses only, so neither block matches them.
      const reachability = new Reachability(true);
      reachability.expectAllEgress('x/a', false);
      reachability.expectAllIngress('x/b', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });

      expectVerdict(model, 'x/a', '2001:db8::1', 80, protocolTCP, true);
      expectVerdict(model, 'x/a', '2001:db8:dead::1', 80, protocolTCP, false);
      expectVerdict(model, 'x/a', '2001:db9::1', 80, protocolTCP, false);
      expectVerdict(model, 'x/b', '2001:db8:dead::1', 80, protocolTCP, true);
      expectVerdict(model, '2001:db8:1::5', 'x/b', 80, protocolTCP, true);
      expectVerdict(model, '2001:db9::5', 'x/b', 80, protocolTCP, false);
      // An IPv4 source is never inside an IPv6 block (mixed families do not match).
      expectVerdict(model, '192.0.2.1', 'x/b', 80, protocolTCP, false);
    });
  });

  describe('null fields (a JSON/YAML null decodes to a nil pointer: the field is absent)', () => {
    // `namespaceSelector: null` (what YAML `namespaceSelector:` or `~` decodes to) must mean an absent
    // namespaceSelector, as Go's encoding/json sets the pointer to nil: the peer is "pods with pod=b in the
    // policy's own namespace" (a bare podSelector means the policy's own namespace:
    // docs/semantics/kubernetes.md#and-inside-a-peer-or-across-peers). cf. upstream
    // "should enforce policy to allow traffic from pods within server namespace based on PodSelector".
    test('`namespaceSelector: null` is an absent namespaceSelector (cf. "should enforce policy to allow traffic from pods within server namespace based on PodSelector")', () => {
      const model = newE2eModel();
      const ingressRule = { from: [{ podSelector: { matchLabels: { pod: 'b' } }, namespaceSelector: null }] };
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-x-b', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expect('x/b', 'x/a', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    // `ipBlock: null` next to a podSelector is an absent ipBlock, so the peer is a plain podSelector and the
    // API server accepts it. cf. upstream "should enforce policy to allow traffic from pods within server
    // namespace based on PodSelector".
    test('`ipBlock: null` is an absent ipBlock (cf. "should enforce policy to allow traffic from pods within server namespace based on PodSelector")', () => {
      const model = newE2eModel();
      const ingressRule = { from: [{ podSelector: { matchLabels: { pod: 'b' } }, ipBlock: null }] };
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-allows-x-b', { pod: 'a' }, setSpecIngressRules(ingressRule)), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expect('x/b', 'x/a', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('`from: null` is an absent `from`: every source (cf. "should enforce multiple ingress policies with ingress allow-all policy taking precedence")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('from-null', { pod: 'a' }, setSpecIngressRules({ from: null, ports: [{ port: 80 }] })), 'x');

      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
      const port81 = new Reachability(true);
      port81.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: port81 });
    });
  });

  describe('policyTypes and isolation', () => {
    test('policyTypes omitted with egress rules: Ingress AND Egress are isolated (cf. "should work with Ingress, Egress specified together")', () => {
      const model = newE2eModel();
      createPolicy(model, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'egress-rules-no-policy-types' },
        spec: { podSelector: { matchLabels: { pod: 'a' } }, egress: [{ to: [{ podSelector: {} }] }] },
      }, 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expectAllEgress('x/a', false);
      reachability.expectPeer({ namespace: 'x', pod: 'a' }, { namespace: 'x' }, true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('policyTypes omitted with `egress: []`: only Ingress is isolated (cf. "should enforce policy to allow traffic from pods within server namespace based on PodSelector")', () => {
      const model = newE2eModel();
      createPolicy(model, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'x-a-allows-x-b' },
        spec: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }], egress: [] },
      }, 'x');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('x/a', false);
      reachability.expect('x/b', 'x/a', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test("policyTypes, ingress and egress all omitted: an Ingress default deny (cf. \"should support a 'default-deny-ingress' policy\")", () => {
      const model = newE2eModel();
      createPolicy(model, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bare' }, spec: { podSelector: {} } }, 'z');

      const reachability = new Reachability(true);
      reachability.expectPeer({}, { namespace: 'z' }, false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('explicit `policyTypes: []` defaults like an omitted list (cf. "should work with Ingress, Egress specified together")', () => {
      const model = newE2eModel();
      createPolicy(model, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'empty-policy-types' },
        spec: { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: [], egress: [{ ports: [{ port: 80 }] }] },
      }, 'x');

      const port80 = new Reachability(true);
      port80.expectAllIngress('x/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: port80 });
      const port81 = new Reachability(true);
      port81.expectAllIngress('x/a', false);
      port81.expectAllEgress('x/a', false);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: port81 });
    });

    test('`policyTypes: [Egress]` ignores the ingress rules: ingress stays open (cf. "should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector")', () => {
      const model = newE2eModel();
      createPolicy(model, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'egress-type-only' },
        spec: {
          podSelector: { matchLabels: { pod: 'a' } },
          policyTypes: ['Egress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }],
        },
      }, 'x');

      const reachability = new Reachability(true);
      reachability.expectAllEgress('x/a', false);
      reachability.expectPeer({ namespace: 'x', pod: 'a' }, { namespace: 'x' }, true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('spec.podSelector with matchExpressions selects the isolated pods (cf. "should deny ingress access to updated pod")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-ingress-not-a', { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['a'] }] },
        setSpecIngressRules()), 'z');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('z/b', false);
      reachability.expectAllIngress('z/c', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('peers and ports combine inside a rule, never across rules (cf. "should enforce multiple, stacked policies with overlapping podSelectors")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('two-rules', { pod: 'a' }, setSpecIngressRules(
        { from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 80 }] },
        { from: [{ podSelector: { matchLabels: { pod: 'c' } } }], ports: [{ port: 81 }] },
      )), 'x');

      const port80 = new Reachability(true);
      port80.expectAllIngress('x/a', false);
      port80.expect('x/b', 'x/a', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: port80 });
      const port81 = new Reachability(true);
      port81.expectAllIngress('x/a', false);
      port81.expect('x/c', 'x/a', true);
      validateOrFail(model, { toPort: 81, protocol: protocolTCP, reachability: port81 });
    });

    test('an egress-only policy (policyTypes [Egress]) leaves ingress open (cf. "should deny egress from pods based on PodSelector")', () => {
      const model = newE2eModel();
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-egress-to-z', { pod: 'a' },
        setSpecEgressRules({ to: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] })), 'x');

      const reachability = new Reachability(true);
      reachability.expectAllEgress('x/a', false);
      reachability.expectPeer({ namespace: 'x', pod: 'a' }, { namespace: 'z' }, true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('a policy only affects pods of its own namespace (cf. "should support a \'default-deny-ingress\' policy")', () => {
      const model = newE2eModel();
      // Namespace "default" has no pods; its deny-all selects nothing of x, y, z.
      createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-all', {}, setSpecIngressRules(), setSpecEgressRules()), 'default');
      // A pod-a policy in y isolates y/a only, never x/a or z/a.
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('deny-ingress-pod-a', { pod: 'a' }, setSpecIngressRules()), 'y');

      const reachability = new Reachability(true);
      reachability.expectAllIngress('y/a', false);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });
    });

    test('a connection needs the egress of the source AND the ingress of the destination (cf. "should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)")', () => {
      const model = newE2eModel();
      // x/a may only send to y/b; y/b may only receive from x/b.
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('x-a-to-y-b', { pod: 'a' },
        setSpecEgressRules({ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] })), 'x');
      createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('y-b-from-x-b', { pod: 'b' },
        setSpecIngressRules({ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } }, podSelector: { matchLabels: { pod: 'b' } } }] })), 'y');

      const reachability = new Reachability(true);
      reachability.expectAllEgress('x/a', false);
      reachability.expectAllIngress('y/b', false);
      reachability.expect('x/b', 'y/b', true);
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability });

      const verdict = model.evaluate({ from: 'x/a', to: 'y/b', port: 80 });
      expect(verdict.reasons).toEqual([
        expect.stringMatching(/^egress of x\/a: allowed by x\/x-a-to-y-b egress rule #1/),
        expect.stringMatching(/^ingress of y\/b: denied, isolated by y\/y-b-from-x-b/),
      ]);
    });

    test('a pod can always reach itself, even isolated in both directions (cf. upstream AllowLoopback / ignoreLoopback)', () => {
      const model = newE2eModel();
      for (const ns of NAMESPACES) {
        createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-all', {}, setSpecIngressRules(), setSpecEgressRules()), ns);
      }

      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(false) });
      for (const pod of ALL_PODS) {
        const verdict = model.evaluate({ from: pod, to: pod, port: 81, protocol: protocolSCTP });
        expect(verdict.allowed).toBe(true);
        expect(verdict.reasons.join('\n')).toMatch(/itself/);
      }
    });
  });
});

// =============================================================================================
// Validation: objects the API server rejects are refused, not evaluated (docs/semantics/kubernetes.md)
// =============================================================================================

describe('validation of NetworkPolicy objects (docs/semantics/kubernetes.md)', () => {
  const withSpec = (spec: Json): Json => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'invalid', namespace: 'x' }, spec });
  const ingressPeer = (peer: Json): Json => withSpec({ podSelector: {}, ingress: [{ from: [peer] }] });
  const ingressPort = (port: Json): Json => withSpec({ podSelector: {}, ingress: [{ ports: [port] }] });

  test('a peer with no field is refused: "must specify a peer" (cf. "should deny ingress from pods on other namespaces")', () => {
    expect(() => newE2eModel().addManifest(ingressPeer({}))).toThrow(/spec\.ingress\[0\]\.from\[0\] must specify a peer/);
  });

  test('ipBlock with another peer field is refused (cf. "should allow egress access to server in CIDR block")', () => {
    expect(() => newE2eModel().addManifest(ingressPeer({ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} })))
      .toThrow(/may not specify both ipBlock and another peer/);
  });

  test('endPort needs a numeric port at or below it (cf. "should enforce policy based on Ports")', () => {
    expect(() => newE2eModel().addManifest(ingressPort({ endPort: 81 }))).toThrow(/endPort 81 needs a numeric port/);
    expect(() => newE2eModel().addManifest(ingressPort({ port: 'serve-80-tcp', endPort: 81 }))).toThrow(/endPort 81 needs a numeric port \(it cannot follow a named port/);
    expect(() => newE2eModel().addManifest(ingressPort({ port: 81, endPort: 80 }))).toThrow(/endPort 80 must be from port 81 to 65535/);
  });

  test('only TCP, UDP and SCTP are protocols (cf. "should not allow access by TCP when a policy specifies only UDP")', () => {
    expect(() => newE2eModel().addManifest(ingressPort({ port: 80, protocol: 'tcp' }))).toThrow(/protocol "tcp" is not TCP, UDP or SCTP/);
    expect(() => newE2eModel().addManifest(ingressPort({ port: 80, protocol: 'ICMP' }))).toThrow(/protocol "ICMP" is not TCP, UDP or SCTP/);
  });

  test('policyTypes entries are Ingress or Egress (cf. "should work with Ingress, Egress specified together")', () => {
    expect(() => newE2eModel().addManifest(withSpec({ podSelector: {}, policyTypes: ['ingress'] }))).toThrow(/spec\.policyTypes \["ingress"\] may hold at most two entries, each Ingress or Egress/);
  });

  // docs/semantics/kubernetes.md#peer-validation: a peer with no field fails with "must specify a peer".
  // `{podSelector: null}` decodes to a peer with no field (nil pointer), so the API server refuses it; cf.
  // upstream "should deny ingress from pods on other namespaces".
  test('a peer whose only field is null is refused: "must specify a peer" (cf. "should deny ingress from pods on other namespaces")', () => {
    expect(() => newE2eModel().addManifest(ingressPeer({ podSelector: null }))).toThrow(/must specify a peer/);
  });

  // docs/semantics/kubernetes.md#ipblock-and-except: each `except` entry must be a strict subset of `cidr`
  // (inside the range, longer prefix), else the API server fails with "must be a strict subset of `cidr`".
  // cf. upstream "should enforce except clause while egress access to server in CIDR block".
  test('ipBlock.except must be a strict subset of cidr (cf. "should enforce except clause while egress access to server in CIDR block")', () => {
    for (const except of ['10.0.0.0/16', '10.1.0.0/24', '2001:db8::/64']) {
      expect(() => newE2eModel().addManifest(ingressPeer({ ipBlock: { cidr: '10.0.0.0/16', except: [except] } }))).toThrow(/strict subset/);
    }
  });

  // docs/semantics/kubernetes.md#ports-and-protocols: a numeric `port` is 1-65535
  // (validation.IsValidPortNum). cf. upstream "should enforce policy based on Ports".
  test('a numeric port must be 1-65535 (cf. "should enforce policy based on Ports")', () => {
    for (const port of [0, 65536, 70000]) {
      expect(() => newE2eModel().addManifest(ingressPort({ port }))).toThrow(/port/);
    }
  });

  // docs/semantics/kubernetes.md#ports-and-protocols: a named port must be an IANA_SVC_NAME (at most 15
  // lowercase alphanumerics and '-', with at least one letter). cf. upstream "should allow ingress access on
  // one named port".
  test('a named port must be an IANA service name (cf. "should allow ingress access on one named port")', () => {
    for (const port of ['Not_A_Name!', '8080', 'serve-80-tcp-too-long']) {
      expect(() => newE2eModel().addManifest(ingressPort({ port }))).toThrow(/port/);
    }
  });

  // docs/semantics/kubernetes.md#policy-types-and-isolation (validation.go): at most 2 entries. cf.
  // upstream "should work with Ingress, Egress specified together".
  test('policyTypes has at most 2 entries (cf. "should work with Ingress, Egress specified together")', () => {
    expect(() => newE2eModel().addManifest(withSpec({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }))).toThrow(/policyTypes/);
  });
});

// =============================================================================================
// Probes outside the 9x9 table, errors, and the harness itself
// =============================================================================================

describe('non-table conformance cases', () => {
  test('the e2e model has the 9 upstream pods, their namespaces and addresses', () => {
    const model = newE2eModel();
    expect(model.podIds).toEqual(ALL_PODS);
    expect(model.namespaceNames).toEqual(NAMESPACES);
    expect(ALL_PODS.map(podIp)).toEqual(['10.0.1.1', '10.0.1.2', '10.0.1.3', '10.0.2.1', '10.0.2.2', '10.0.2.3', '10.0.3.1', '10.0.3.2', '10.0.3.3']);
  });

  test("an external IP literal as the source (cf. \"should support a 'default-deny-ingress' policy\")", () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-ingress', {}, setSpecIngressRules()), 'x');

    const denied = expectVerdict(model, '192.0.2.10', 'x/a', 80, protocolTCP, false);
    expect(denied.reasons).toEqual([expect.stringMatching(/^ingress of x\/a: denied, isolated by x\/deny-ingress and no rule .* from 192\.0\.2\.10$/)]);
    const open = expectVerdict(model, '192.0.2.10', 'y/a', 80, protocolTCP, true);
    expect(open.reasons).toEqual([expect.stringMatching(/^ingress of y\/a: allowed, not isolated/)]);
  });

  test('an external IP literal as the destination (cf. "should allow egress access to server in CIDR block")', () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-cidr-egress-rule', { pod: 'a' },
      setSpecEgressRules({ to: [{ ipBlock: { cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] } }] })), 'x');

    expectVerdict(model, 'x/a', '192.0.2.10', 443, protocolTCP, true);
    const denied = expectVerdict(model, 'x/a', '192.0.2.200', 443, protocolTCP, false);
    expect(denied.reasons).toEqual([expect.stringMatching(/^egress of x\/a: denied, isolated by x\/allow-client-a-via-cidr-egress-rule/)]);
    expectVerdict(model, 'x/a', '198.51.100.1', 443, protocolUDP, false);
    expectVerdict(model, 'x/b', '198.51.100.1', 443, protocolUDP, true);
  });

  test('a pod IP literal is the pod (cf. "should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector")', () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-client-a-via-ns-selector', { pod: 'a' },
      setSpecIngressRules({ from: [{ namespaceSelector: { matchLabels: { [namespaceLabelKey]: 'y' } } }] })), 'x');

    // A namespaceSelector can only match the address if it is resolved to the pod y/a.
    expectVerdict(model, podIp('y/a'), 'x/a', 80, protocolTCP, true);
    expectVerdict(model, podIp('z/a'), podIp('x/a'), 80, protocolTCP, false);
    expect(model.evaluate({ from: podIp('y/c'), to: 'x/a', port: 80 })).toEqual(model.evaluate({ from: 'y/c', to: 'x/a', port: 80 }));
  });

  test('a named port never matches an external destination (cf. "should allow egress access on one named port")', () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodMatchLabel('allow-egress', {}, setSpecEgressRules({ ports: [{ port: 'serve-80-tcp' }] })), 'x');

    expectVerdict(model, 'x/a', 'y/a', 80, protocolTCP, true);
    expectVerdict(model, 'x/a', '192.0.2.10', 80, protocolTCP, false);
  });

  test('an unknown pod is a clear error (cf. "should support a \'default-deny-ingress\' policy")', () => {
    const model = newE2eModel();
    expect(() => model.evaluate({ from: 'x/d', to: 'x/a', port: 80 })).toThrow(/from "x\/d" is not a pod of the model; known pods: x\/a, x\/b/);
    expect(() => model.evaluate({ from: 'x/a', to: 'w/a', port: 80 })).toThrow(/to "w\/a" is not a pod of the model/);
    expect(() => model.evaluate({ from: 'pod-a', to: 'x/a', port: 80 })).toThrow(/is neither "namespace\/pod" nor an IP address/);
    expect(() => model.evaluate({ from: '192.0.2.1', to: '192.0.2.2', port: 80 })).toThrow(/neither 192\.0\.2\.1 nor 192\.0\.2\.2 is a pod of the model/);
  });

  test('an unsupported kind is a clear error (cf. "should support a \'default-deny-ingress\' policy")', () => {
    const model = newE2eModel();
    const spec = { endpointSelector: {}, ingress: [{}] };
    expect(() => model.addManifest({ apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'x' }, spec }))
      .toThrow(/cilium\.io\/v2alpha1 CiliumNetworkPolicy c is not supported; the model evaluates CiliumNetworkPolicy under apiVersion cilium\.io\/v2 only/);
    expect(() => model.addManifest({ apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'anp' }, spec: {} }))
      .toThrow(/AdminNetworkPolicy anp is not supported/);
    expect(() => model.addManifest({ apiVersion: 'extensions/v1beta1', kind: 'NetworkPolicy', metadata: { name: 'old', namespace: 'x' }, spec: {} }))
      .toThrow(/extensions\/v1beta1 NetworkPolicy old is not supported/);
    // Nothing was added: the table is still all-allowed.
    validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: new Reachability(true) });
  });

  test('the harness reports every differing pair with the model reasons', () => {
    const model = newE2eModel();
    createPolicy(model, genNetworkPolicyWithNameAndPodSelector('deny-ingress', {}, setSpecIngressRules()), 'x');
    const wrong = new Reachability(true);
    wrong.expectPeer({}, { namespace: 'y' }, false);

    let message = '';
    try {
      validateOrFail(model, { toPort: 80, protocol: protocolTCP, reachability: wrong });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^TCP\/80: 48 of 81 pairs differ from the upstream expectation/);
    expect(message).toContain('x/a -> y/b: upstream expects DENIED, model says ALLOWED');
    expect(message).toContain('y/a -> x/b: upstream expects ALLOWED, model says DENIED');
    expect(message).toContain('ingress of x/b: denied, isolated by x/deny-ingress');
    expect(message).toContain('expected:\n-\tx/a\tx/b');
  });
});

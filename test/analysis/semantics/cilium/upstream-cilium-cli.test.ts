import { ClusterCni, HttpRequest, NetworkModel, Verdict } from '../../../../src';

/*
 * Cilium's own connectivity-test expectations (`cilium connectivity test`), ported to NetworkModel as evidence that
 * the model's Cilium semantics agree with upstream. Source: github.com/cilium/cilium, folder cilium-cli/ (cilium-cli
 * was merged into the main repository). The stored copies hold several versions of most files; each policy below names
 * the commit its manifest was read at, and each test the commit of its Go builder (the expectations):
 *
 *   topology   cilium-cli/connectivity/check/deployment.go @01701a147c581bd834cae39b93e3c65af1e0d3c5 (client, client2,
 *              echo-same-node, echo-other-node; every deployment runs as a ServiceAccount of its own name) and a newer
 *              stored version (adds client3 `other=client-other-node`; clients have no container port any more)
 *   scenarios  cilium-cli/connectivity/tests/pod.go @aa3474dd09c63812533e739913092694d70d2fca (PodToPod: one curl, GET /,
 *              from every client to every echo pod on 8080; PodToPodWithEndpoints: /public, /private, and /private
 *              with the header X-Very-Secret-Token: 42)
 *   results    cilium-cli/connectivity/check/policy.go @01b52869bb30e4fb5803736a9d208273f0ad1b80 (ResultOK, the drops;
 *              a test without WithExpectations expects ResultOK everywhere)
 *   namespace  the harness (check/test.go, WithCiliumPolicy / configureNamespaceInPolicySpec / configureNamespaceInKNP)
 *              puts every policy in the test namespace and rewrites the `io.kubernetes.pod.namespace: cilium-test`
 *              matchLabels of the manifests to it; runs use cilium-test-1, written here directly.
 *
 * Every `test()` title is the upstream test name (newTest(...)). The expectation functions are the upstream ones,
 * written with the upstream result names and the upstream (egress, ingress) pair; `verify` checks the verdict and,
 * where the result names a side, that the model denies on that side (egress/ingress, deny rule, L7).
 * Flows marked "not probed upstream" are the policy's own consequences that the upstream scenario does not send
 * (ports next to a range, the DNS rules of the manifests, sources an upstream comment names); they are judged by the
 * test's own expectation function where it decides them, otherwise by the manifest, as commented.
 *
 * Left out, because the model cannot express it: ClientToClient (ICMP ping) in client-egress-to-echo-deny; the IPv6
 * family of each action (the model evaluates a pod, not an address family); the TLS of PodToWorld's https actions
 * (probed at L4 only); Hubble flow validation beyond the side that denies; the `host-firewall-*` tests (CCNPs with
 * `nodeSelector`: the model has no nodes, so it fails closed on host-network pods when a host policy is present); multi-cluster (clustermesh-*) runs — one model is
 * one cluster, so the cluster label is checked with one cluster name at a time.
 * The rules, with their sources: docs/semantics/cilium.md.
 */

type Json = Record<string, any>;

const NS = 'cilium-test-1';
const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';
const SERVICE_ACCOUNT_KEY = 'io.cilium.k8s.policy.serviceaccount';
const POD_NAMESPACE_KEY = 'io.kubernetes.pod.namespace';
/** cilium-cli's --external-target default. */
const EXTERNAL_TARGET = 'one.one.one.one.';
/** A node-local-dns link-local address: Cilium labels it world (the manifests' comment). */
const NODE_LOCAL_DNS_IP = '169.254.20.10';

// ---------------------------------------------------------------------------------------------
// The topology (deployment.go)
// ---------------------------------------------------------------------------------------------

const CLIENTS = ['client', 'client2', 'client3'];
const ECHOS = ['echo-same-node', 'echo-other-node'];

/** newDeployment: labels name=<deployment>, kind=<kind>, plus its Labels; ServiceAccountName: <deployment>. */
const LABELS: Record<string, Record<string, string>> = {
  'client': { name: 'client', kind: 'client' },
  'client2': { name: 'client2', kind: 'client', other: 'client' },
  'client3': { name: 'client3', kind: 'client', other: 'client-other-node' },
  'echo-same-node': { name: 'echo-same-node', kind: 'echo', other: 'echo' },
  'echo-other-node': { name: 'echo-other-node', kind: 'echo', first: 'echo' },
};

const IPS: Record<string, string> = {
  'client': '10.0.1.1',
  'client2': '10.0.1.2',
  'client3': '10.0.1.3',
  'echo-same-node': '10.0.1.11',
  'echo-other-node': '10.0.1.12',
};

/** The echo container's named port, and the DNS test server container next to it (newDeploymentWithDNSTestServer). */
const ECHO_PORTS = [
  { port: 8080, name: 'http-8080', protocol: 'TCP' },
  { port: 53, name: 'dns-53', protocol: 'TCP' },
  { port: 53, name: 'dns-udp-53', protocol: 'UDP' },
];

const pod = (name: string) => `${NS}/${name}`;
const COREDNS = 'kube-system/coredns';

/** The test namespace with its five pods, and a cluster DNS server in kube-system, in a cluster named clusterName. */
function model(objects: Json[], clusterName = 'default'): NetworkModel {
  const m = new NetworkModel({ cni: ClusterCni.CILIUM, clusterName });
  m.addNamespace(NS, {});
  m.addNamespace('kube-system', {});
  [...CLIENTS, ...ECHOS].forEach((name) => m.addPod({
    namespace: NS,
    name,
    labels: LABELS[name],
    ip: IPS[name],
    ports: name.startsWith('echo') ? ECHO_PORTS : [],
    serviceAccount: name,
  }));
  m.addPod({
    namespace: 'kube-system',
    name: 'coredns',
    labels: { 'k8s-app': 'kube-dns' },
    ip: '10.0.2.1',
    ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }],
    serviceAccount: 'coredns',
  });
  objects.forEach((o) => m.addManifest(o));
  return m;
}

// ---------------------------------------------------------------------------------------------
// Scenarios, results and the check
// ---------------------------------------------------------------------------------------------

interface Flow {
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol?: string;
  readonly http?: HttpRequest;
}

/** The upstream result names used by these tests (check/policy.go). */
type Result =
  | 'ResultOK'
  | 'ResultNone'
  | 'ResultDefaultDenyEgressDrop'
  | 'ResultPolicyDenyEgressDrop'
  | 'ResultPolicyDenyIngressDrop'
  | 'ResultDropCurlTimeout'
  | 'ResultDropCurlHTTPError'
  | 'ResultDNSOKDropCurlHTTPError';

/** An upstream ExpectationsFunc: the (egress, ingress) results of one action. */
type Expectations = (a: Action) => [Result, Result];

/** What an expectations function reads of an action (check.Action's Source(), Destination()). */
class Action {
  constructor(readonly flow: Flow) {}
  sourceHasLabel(key: string, value: string): boolean {
    return LABELS[this.flow.from.split('/')[1]]?.[key] === value;
  }
  destinationHasLabel(key: string, value: string): boolean {
    return this.flow.to.startsWith(`${NS}/`) && LABELS[this.flow.to.split('/')[1]]?.[key] === value;
  }
  destinationPort(): number {
    return this.flow.port;
  }
  destinationPath(): string {
    return this.flow.http?.path ?? '';
  }
}

/** check.Test without WithExpectations. */
const allOK: Expectations = () => ['ResultOK', 'ResultOK'];

const withLabels = (name: string, labels?: Record<string, string>) => Object.entries(labels ?? {}).every(([k, v]) => LABELS[name][k] === v);

/** tests.PodToPod(): curl (GET /, or -X method) from every client (with the source labels) to every echo pod, port 8080. */
function podToPod(opts: { source?: Record<string, string>; destination?: Record<string, string>; method?: string } = {}): Flow[] {
  return CLIENTS.filter((c) => withLabels(c, opts.source)).flatMap((c) => ECHOS.filter((e) => withLabels(e, opts.destination))
    .map((e) => ({ from: pod(c), to: pod(e), port: 8080, http: { method: opts.method ?? 'GET', path: '/' } })));
}

/** tests.PodToPodWithEndpoints(): /public, /private, and /private with X-Very-Secret-Token: 42. */
function podToPodWithEndpoints(opts: { destination?: Record<string, string>; method?: string } = {}): Flow[] {
  const method = opts.method ?? 'GET';
  return CLIENTS.flatMap((c) => ECHOS.filter((e) => withLabels(e, opts.destination)).flatMap((e) => [
    { from: pod(c), to: pod(e), port: 8080, http: { method, path: '/public' } },
    { from: pod(c), to: pod(e), port: 8080, http: { method, path: '/private' } },
    { from: pod(c), to: pod(e), port: 8080, http: { method, path: '/private', headers: { 'X-Very-Secret-Token': '42' } } },
  ]));
}

/** tests.PodToWorld(): http to the external target on 80 and https on 443, from every client. */
function podToWorld(): Flow[] {
  return CLIENTS.flatMap((c) => [
    { from: pod(c), to: EXTERNAL_TARGET, port: 80, http: { method: 'GET', path: '/' } },
    { from: pod(c), to: EXTERNAL_TARGET, port: 443 },
  ]);
}

const OK: Result[] = ['ResultOK', 'ResultNone'];

/** Why the verdict does not match the result on a side, or undefined. */
function sideMismatch(result: Result, side: 'egress' | 'ingress', flow: Flow, verdict: Verdict): string | undefined {
  const lines = verdict.reasons;
  const has = (prefix: string) => lines.some((l) => l.startsWith(prefix));
  const egress = `egress of ${flow.from}: denied`;
  const ingress = `ingress of ${flow.to}: denied`;
  switch (result) {
    case 'ResultDefaultDenyEgressDrop':
      return has(`${egress},`) ? undefined : 'expected a default-deny drop at egress (no allow rule)';
    case 'ResultPolicyDenyEgressDrop':
      return has(`${egress} by `) ? undefined : 'expected a deny rule to drop at egress';
    case 'ResultPolicyDenyIngressDrop':
      return has(`${ingress} by `) ? undefined : 'expected a deny rule to drop at ingress';
    case 'ResultDropCurlHTTPError':
    case 'ResultDNSOKDropCurlHTTPError':
      return has(`${side === 'egress' ? egress : ingress} at L7`) ? undefined : `expected the L7 proxy to refuse the request at ${side}`;
    default:
      return undefined;
  }
}

/** Evaluates each flow and compares it with the expectations; reports every mismatch with the model's reasons. */
function verify(m: NetworkModel, flows: Flow[], expectations: Expectations): void {
  expect(flows.length).toBeGreaterThan(0);
  const mismatches: string[] = [];
  for (const flow of flows) {
    const [egress, ingress] = expectations(new Action(flow));
    const expected = OK.includes(egress) && OK.includes(ingress);
    const what = `${flow.from} -> ${flow.to}:${flow.port}/${flow.protocol ?? 'TCP'}${flow.http ? ` ${flow.http.method} ${flow.http.path}` : ''}`
      + `${flow.http?.headers ? ` ${JSON.stringify(flow.http.headers)}` : ''}`;
    let verdict: Verdict;
    try {
      verdict = m.evaluate(flow);
    } catch (e) {
      mismatches.push(`${what}: upstream (${egress}, ${ingress}); the model threw: ${(e as Error).message}`);
      continue;
    }
    const problems = [
      verdict.allowed !== expected ? `allowed=${verdict.allowed}` : undefined,
      expected ? undefined : sideMismatch(egress, 'egress', flow, verdict),
      expected ? undefined : sideMismatch(ingress, 'ingress', flow, verdict),
    ].filter((p) => p !== undefined);
    if (problems.length > 0) {
      mismatches.push(`${what}: upstream (${egress}, ${ingress}); model ${problems.join('; ')}\n    ${verdict.reasons.join('\n    ')}`);
    }
  }
  expect(mismatches).toEqual([]);
}

/** The same flow from each client. */
const fromClients = (to: string, port: number, protocol?: string, clients = CLIENTS): Flow[] =>
  clients.map((c) => ({ from: pod(c), to, port, protocol }));

// ---------------------------------------------------------------------------------------------
// The manifests (cilium-cli/connectivity/builder/manifests), field by field
// ---------------------------------------------------------------------------------------------

const cnp = (name: string, spec: Json) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: NS }, spec });
const knp = (name: string, spec: Json) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: NS }, spec });

/** The DNS servers the manifests allow: k8s-app In [kube-dns, ...], io.kubernetes.pod.namespace In [kube-system]. */
const kubeDnsExpressions = () => [
  { key: 'k8s-app', operator: 'In', values: ['kube-dns', 'coredns', 'node-local-dns', 'nodelocaldns'] },
  { key: POD_NAMESPACE_KEY, operator: 'In', values: ['kube-system'] },
];

/** client-egress-to-echo.yaml @94b67c8507c1a6add0155aadd961293755f3c480 */
const clientEgressToEcho = () => cnp('client-egress-to-echo', {
  endpointSelector: { matchLabels: { kind: 'client' } },
  egress: [
    {
      toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
      toEndpoints: [{ matchLabels: { [POD_NAMESPACE_KEY]: NS, kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }],
    },
    {
      toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }],
      toEndpoints: [{ matchExpressions: kubeDnsExpressions() }],
    },
    // For nodelocaldns using a link-local address (the "localip" mode).
    {
      toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }, { port: '53', protocol: 'TCP' }] }],
      toEntities: ['host', 'world'],
    },
  ],
});

/** client-egress-to-echo-knp.yaml @21fbb20c00124ae6c4c5375fcd570b9769184990 */
const clientEgressToEchoKnp = () => knp('client-egress-to-echo', {
  podSelector: { matchLabels: { kind: 'client' } },
  egress: [
    {
      to: [{ podSelector: { matchLabels: { kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] } }],
      ports: [{ port: 8080, protocol: 'TCP' }],
    },
    {
      to: [{ podSelector: { matchExpressions: kubeDnsExpressions() } }],
      // protocol non specified (the API server defaults it to TCP)
      ports: [{ port: 53 }],
    },
    // When node-local-dns is deployed with local IP, Cilium labels its ip as world (`- to:` with no peer).
    { to: null, ports: [{ port: 53, protocol: 'UDP' }] },
  ],
});

/** client-egress-to-echo-expression.yaml @94b67c8507c1a6add0155aadd961293755f3c480 */
const clientEgressToEchoExpression = () => cnp('client-egress-to-echo-expression', {
  endpointSelector: { matchExpressions: [{ key: 'other', operator: 'Exists' }] },
  egress: [{
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [POD_NAMESPACE_KEY]: NS, kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }],
  }],
});

/** client-egress-to-echo-expression-port-range.yaml @94b67c8507c1a6add0155aadd961293755f3c480 (its range starts at 4196). */
const clientEgressToEchoExpressionPortRange = () => cnp('client-egress-to-echo-expression-port-range', {
  endpointSelector: { matchExpressions: [{ key: 'other', operator: 'Exists' }] },
  egress: [{
    toPorts: [{ ports: [{ port: '4196', endPort: 8191, protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [POD_NAMESPACE_KEY]: NS, kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }],
  }],
});

/** client-egress-to-echo-expression-knp.yaml @669f18e3e0474760a42e86a2e5637e350384393d */
const clientEgressToEchoExpressionKnp = () => knp('client-egress-to-echo-expression', {
  podSelector: { matchExpressions: [{ key: 'other', operator: 'Exists' }] },
  policyTypes: ['Egress'], // Be explicit otherwise by default Ingress is denied.
  egress: [{
    to: [{ podSelector: { matchLabels: { kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] } }],
    ports: [{ protocol: 'TCP', port: 8080 }],
  }],
});

/** client-egress-to-echo-expression-knp-port-range.yaml @66d97a30bd1f28cb3502726d9b7a2fea103b7ccc */
const clientEgressToEchoExpressionKnpPortRange = () => knp('client-egress-to-echo-expression-port-range', {
  podSelector: { matchExpressions: [{ key: 'other', operator: 'Exists' }] },
  policyTypes: ['Egress'],
  egress: [{
    to: [{ podSelector: { matchLabels: { kind: 'echo' } } }],
    ports: [{ protocol: 'TCP', port: 4096, endPort: 8191 }],
  }],
});

/** echo-ingress-from-other-client.yaml @fd19350279dc7bccb3dc4a7381460bca51132f3b (clusterValues: the variant below). */
const echoIngressFromOtherClient = (cluster: Json = { key: CLUSTER_KEY, operator: 'Exists' }) => cnp('echo-ingress-from-other-client', {
  description: 'Allow other client to contact echo',
  endpointSelector: { matchLabels: { kind: 'echo' } },
  ingress: [{ fromEndpoints: [{ matchLabels: { other: 'client' }, matchExpressions: [cluster] }] }],
});

/** echo-ingress-from-other-client-knp.yaml @94b67c8507c1a6add0155aadd961293755f3c480 */
const echoIngressFromOtherClientKnp = () => knp('echo-ingress-from-other-client', {
  // Allow other client to contact echo
  podSelector: { matchLabels: { kind: 'echo' } },
  ingress: [{ from: [{ podSelector: { matchLabels: { other: 'client' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] } }] }],
});

/**
 * client-egress-to-echo-service-account.yaml is not in the stored copies; this is its CiliumClusterwideNetworkPolicy twin
 * client-egress-to-echo-service-account-ccnp.yaml @06df9da158365f292cd08a78e1e550053ef0628a as a CiliumNetworkPolicy (the
 * port-range pair below, both stored, differ in the same way only).
 */
const clientEgressToEchoServiceAccount = () => cnp('client-egress-to-echo-service-account', {
  description: 'Allow client to endpoint with service account label',
  endpointSelector: { matchLabels: { kind: 'client' } },
  egress: [{
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [SERVICE_ACCOUNT_KEY]: 'echo-same-node' } }],
  }],
});

/** client-egress-to-echo-service-account-port-range.yaml @669f18e3e0474760a42e86a2e5637e350384393d */
const clientEgressToEchoServiceAccountPortRange = () => cnp('client-egress-to-echo-service-account-port-range', {
  description: 'Allow client to port range endpoint with service account label',
  endpointSelector: { matchLabels: { kind: 'client' } },
  egress: [{
    toPorts: [{ ports: [{ port: '4096', endPort: 8191, protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [SERVICE_ACCOUNT_KEY]: 'echo-same-node' } }],
  }],
});

/** client-with-service-account-egress-to-echo.yaml @01b52869bb30e4fb5803736a9d208273f0ad1b80 */
const clientWithServiceAccountEgressToEcho = () => cnp('client-with-service-account-egress-to-echo', {
  description: 'Allow client with service account endpoint selector to echo service',
  endpointSelector: { matchLabels: { [SERVICE_ACCOUNT_KEY]: 'client' } },
  egress: [{
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [POD_NAMESPACE_KEY]: NS, kind: 'echo' } }],
  }],
});

/** allow-all-egress.yaml @21fbb20c00124ae6c4c5375fcd570b9769184990 */
const allowAllEgress = () => cnp('allow-all-egress', {
  endpointSelector: {},
  egress: [
    { toEndpoints: [{ matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }] },
    { toCIDR: ['0.0.0.0/0', '::/0'] },
  ],
});

/** allow-all-ingress.yaml @21fbb20c00124ae6c4c5375fcd570b9769184990 */
const allowAllIngress = () => cnp('allow-all-ingress', {
  endpointSelector: {},
  ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }] }],
});

/** client-egress-to-echo-service-account-deny.yaml @669f18e3e0474760a42e86a2e5637e350384393d */
const clientEgressToEchoServiceAccountDeny = () => cnp('client-egress-to-echo-service-account-deny', {
  description: 'Deny client to echo endpoint with service account label',
  endpointSelector: { matchLabels: { [SERVICE_ACCOUNT_KEY]: 'client' } },
  egressDeny: [{
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [SERVICE_ACCOUNT_KEY]: 'echo-same-node' } }],
  }],
});

/** client-with-service-account-egress-to-echo-deny.yaml @21fbb20c00124ae6c4c5375fcd570b9769184990 */
const clientWithServiceAccountEgressToEchoDeny = () => cnp('client-with-service-account-egress-to-echo-deny', {
  description: 'Deny client with service account endpoint selector to echo service',
  endpointSelector: { matchLabels: { [SERVICE_ACCOUNT_KEY]: 'client' } },
  egressDeny: [{
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [POD_NAMESPACE_KEY]: NS, kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }],
  }],
});

/** client-egress-to-echo-deny.yaml @21fbb20c00124ae6c4c5375fcd570b9769184990 */
const clientEgressToEchoDeny = () => cnp('client-egress-to-echo-deny', {
  endpointSelector: { matchLabels: { kind: 'client' } },
  egressDeny: [{
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    toEndpoints: [{ matchLabels: { [POD_NAMESPACE_KEY]: NS, kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }],
  }],
});

/** client-egress-to-echo-expression-deny.yaml @d81a6ac5480a536e48ed89837aa7196c1deafc8d */
const clientEgressToEchoExpressionDeny = () => cnp('client-egress-to-echo-expression-deny', {
  endpointSelector: { matchExpressions: [{ key: 'name', operator: 'In', values: ['client'] }] },
  egressDeny: [{
    toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
    toEndpoints: [{ matchExpressions: [{ key: 'kind', operator: 'In', values: ['echo'] }, { key: CLUSTER_KEY, operator: 'Exists' }] }],
  }],
});

/** client-egress-to-echo-named-port-deny.yaml @21fbb20c00124ae6c4c5375fcd570b9769184990 */
const clientIngressToEchoNamedPortDeny = () => cnp('client-ingress-to-echo-named-port-deny', {
  endpointSelector: { matchLabels: { kind: 'echo' } },
  ingressDeny: [{
    toPorts: [{ ports: [{ port: 'http-8080', protocol: 'TCP' }] }],
    fromEndpoints: [{ matchLabels: { [POD_NAMESPACE_KEY]: NS, name: 'client' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }],
  }],
});

/**
 * client-egress-only-dns.yaml @026740195c43504fcf9e1fd6b8c92754d45c0f5d, rendered: `{{.ClusterName}}` is the cluster's name
 * (renderTemplates); `renderedFor` renders it for another cluster in the variant test.
 */
const clientEgressOnlyDns = (renderedFor: string) => {
  const dnsPorts = (port: string) => [{ port, protocol: 'UDP' }, { port, protocol: 'TCP' }];
  const anyName = { dns: [{ matchPattern: '*' }] };
  return cnp('client-egress-only-dns', {
    endpointSelector: { matchLabels: { kind: 'client' } },
    egress: [
      {
        toPorts: [{ ports: dnsPorts('53'), rules: anyName }],
        toEndpoints: [{ matchExpressions: [...kubeDnsExpressions(), { key: CLUSTER_KEY, operator: 'In', values: [renderedFor] }] }],
      },
      // OpenShift runs coreDNS in openshift-dns namespace and uses port 5353
      {
        toPorts: [{ ports: dnsPorts('5353'), rules: anyName }],
        toEndpoints: [{
          matchExpressions: [
            { key: 'dns.operator.openshift.io/daemonset-dns', operator: 'Exists' },
            { key: POD_NAMESPACE_KEY, operator: 'In', values: ['openshift-dns'] },
            { key: CLUSTER_KEY, operator: 'In', values: [renderedFor] },
          ],
        }],
      },
      // When node-local-dns is deployed with local IP, Cilium labels its ip as world.
      { toPorts: [{ ports: dnsPorts('53'), rules: anyName }], toEntities: ['world'] },
    ],
  });
};

/** client-egress-l7-http-port-range.yaml @21d690e1b2e70ec1f2ce60c4de01a251e60eea37, {{.ExternalTarget}} rendered. */
const clientEgressL7HttpPortRange = () => cnp('client-egress-l7-http-port-range', {
  description: `Allow GET ${EXTERNAL_TARGET}:[64-127]/ and GET <echo>:[4096-8191]/ from client2`,
  endpointSelector: { matchLabels: { other: 'client' } },
  egress: [
    // Allow GET / requests towards echo pods.
    {
      toEndpoints: [{ matchLabels: { kind: 'echo' } }],
      toPorts: [{ ports: [{ port: '4096', endPort: 8191, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/' }] } }],
    },
    // Allow GET / requests, only towards {{.ExternalTarget}}.
    {
      toFQDNs: [{ matchName: EXTERNAL_TARGET }],
      toPorts: [{ ports: [{ port: '64', endPort: 127, protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/' }] } }],
    },
  ],
});

/** client-egress-l7-http-method-port-range.yaml @21fbb20c00124ae6c4c5375fcd570b9769184990 */
const clientEgressL7HttpMethodPortRange = () => cnp('client-egress-l7-http-method-port-range', {
  description: 'Allow POST <echo>:[4096-8191]/(public|private) from client2',
  endpointSelector: { matchLabels: { other: 'client' } },
  egress: [{
    toEndpoints: [{ matchLabels: { kind: 'echo' }, matchExpressions: [{ key: CLUSTER_KEY, operator: 'Exists' }] }],
    toPorts: [{
      ports: [{ port: '4096', endPort: 8191, protocol: 'TCP' }],
      rules: { http: [{ method: 'POST', path: '/public$' }, { method: 'POST', path: '/private$' }] },
    }],
  }],
});

// ---------------------------------------------------------------------------------------------
// Expectations shared by several tests
// ---------------------------------------------------------------------------------------------

/** echo_ingress.go echoIngressExpectations @3c41b9a882715bebba2e695f023a1f933297703f (echo-ingress-knp: the same, @408ec472). */
const echoIngressExpectations: Expectations = (a) => {
  if (a.destinationHasLabel('kind', 'echo') && !a.sourceHasLabel('other', 'client')) {
    // TCP handshake fails both in egress and ingress when L3(/L4) policy drops at either location.
    return ['ResultDropCurlTimeout', 'ResultDropCurlTimeout'];
  }
  return ['ResultOK', 'ResultOK'];
};

/** client_egress_to_echo_service_account.go @21d690e1b2e70ec1f2ce60c4de01a251e60eea37 (both the test and its -port-range). */
const serviceAccountExpectations: Expectations = (a) => {
  if (a.destinationHasLabel('name', 'echo-same-node')) {
    return ['ResultOK', 'ResultOK'];
  }
  return ['ResultDefaultDenyEgressDrop', 'ResultNone'];
};

/** client_egress_l7.go clientEgressL7Expectations @3c41b9a882715bebba2e695f023a1f933297703f */
const clientEgressL7Expectations: Expectations = (a) => {
  if (a.sourceHasLabel('other', 'client') // Only client2 is allowed to make HTTP calls.
    && ((a.destinationPort() === 80 && a.flow.to === EXTERNAL_TARGET) || a.destinationPort() === 8080)) { // 8080 is traffic to echo Pod.
    if (a.destinationPath() === '/' || a.destinationPath() === '') {
      return ['ResultOK', 'ResultNone'];
    }
    // Else expect HTTP drop by proxy
    return ['ResultDNSOKDropCurlHTTPError', 'ResultNone'];
  }
  return ['ResultDefaultDenyEgressDrop', 'ResultNone'];
};

/**
 * client_egress_l7_method.go @01b52869bb30e4fb5803736a9d208273f0ad1b80. The builder version that adds the -port-range test
 * (same scenarios, the -port-range manifest) is not in the stored copies; the test name is the one of the upstream runs.
 */
const clientEgressL7MethodExpectations: Expectations = (a) => {
  if (a.sourceHasLabel('other', 'client') // Only client2 is allowed to make HTTP calls.
    && a.destinationPort() === 8080) { // port 8080 is traffic to echo Pod.
    if (a.destinationHasLabel('other', 'echo')) { // we are POSTing only other echo
      return ['ResultOK', 'ResultNone'];
    }
    // Else expect HTTP drop by proxy
    return ['ResultDropCurlHTTPError', 'ResultNone'];
  }
  return ['ResultDefaultDenyEgressDrop', 'ResultNone'];
};

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

describe('cilium-cli connectivity tests: egress allow policies (io.cilium.k8s.policy.cluster Exists)', () => {
  // client_egress.go @22318dba62458d5a12538df361bf616e8b08717a: PodToPod, no expectations.
  test('client-egress', () => {
    const m = model([clientEgressToEcho()]);
    verify(m, podToPod(), allOK);
    // Not probed upstream, from the manifest: DNS to kube-dns and (node-local-dns) to world on 53; nothing else.
    verify(m, [...fromClients(COREDNS, 53, 'UDP'), ...fromClients(COREDNS, 53, 'TCP'), ...fromClients(NODE_LOCAL_DNS_IP, 53, 'UDP')], allOK);
    verify(m, [...fromClients(pod('echo-same-node'), 8081), ...fromClients('1.1.1.1', 443), ...fromClients(COREDNS, 8080)],
      () => ['ResultDefaultDenyEgressDrop', 'ResultNone']);
  });

  // client_egress_knp.go @a97003770ba5ba4bd3031764eb4892ce9d711089: PodToPod, no expectations.
  test('client-egress-knp', () => {
    const m = model([clientEgressToEchoKnp()]);
    verify(m, podToPod(), allOK);
    // Not probed upstream, from the manifest: UDP/53 to any destination (the rule without `to`).
    verify(m, [...fromClients(COREDNS, 53, 'UDP'), ...fromClients(NODE_LOCAL_DNS_IP, 53, 'UDP')], allOK);
    // Not probed upstream: Cilium pins a KNP podSelector to the policy's namespace (pkg/k8s/network_policy.go
    // parsePodSelector @25972d8e8c67dd3a4d74c2dbea54461fa7f20707), so the kube-dns rule (`io.kubernetes.pod.namespace In
    // [kube-system]` in a podSelector of a cilium-test-1 policy) selects nothing: TCP/53 to kube-dns is not allowed.
    verify(m, [...fromClients(COREDNS, 53, 'TCP'), ...fromClients(pod('echo-other-node'), 8081)], () => ['ResultDefaultDenyEgressDrop', 'ResultNone']);
    // Not probed upstream: without policyTypes the KNP isolates the clients for Ingress too (the expression-knp
    // manifest's comment: "Be explicit otherwise by default Ingress is denied").
    const toClients = CLIENTS.map((c) => ({ from: pod('echo-same-node'), to: pod(c), port: 8080 }));
    expect(toClients.map((f) => m.evaluate(f).allowed)).toEqual([false, false, false]);
  });

  // client_egress_expression.go @a3d9fa639f29b15573bc3819f8774ccc84c3d08d: PodToPod, no expectations.
  test('client-egress-expression', () => {
    const m = model([clientEgressToEchoExpression()]);
    verify(m, podToPod(), allOK);
    // Not probed upstream: client2 and client3 (`other` Exists) may send nothing else; client is not selected.
    verify(m, [...fromClients(pod('echo-same-node'), 8081), ...fromClients(COREDNS, 53, 'UDP')], (a) =>
      (a.sourceHasLabel('name', 'client') ? ['ResultOK', 'ResultOK'] : ['ResultDefaultDenyEgressDrop', 'ResultNone']));
  });

  test('client-egress-expression-port-range', () => {
    const m = model([clientEgressToEchoExpressionPortRange()]);
    verify(m, podToPod(), allOK);
    // Not probed upstream: the range's edges (4196-8191 in this manifest).
    const edges = [4195, 4196, 8191, 8192].flatMap((port) => fromClients(pod('echo-other-node'), port, 'TCP', ['client2', 'client3']));
    verify(m, edges, (a) => (a.destinationPort() >= 4196 && a.destinationPort() <= 8191 ? ['ResultOK', 'ResultOK'] : ['ResultDefaultDenyEgressDrop', 'ResultNone']));
  });

  // client_egress_expression_knp.go @46f39180310cb203c0f4c146165d0a83482f5ad8: PodToPod, no expectations.
  test('client-egress-expression-knp', () => {
    const m = model([clientEgressToEchoExpressionKnp()]);
    verify(m, podToPod(), allOK);
    // Not probed upstream: other ports are closed to client2/client3; policyTypes [Egress] leaves their ingress open.
    verify(m, fromClients(pod('echo-same-node'), 8081), (a) =>
      (a.sourceHasLabel('name', 'client') ? ['ResultOK', 'ResultOK'] : ['ResultDefaultDenyEgressDrop', 'ResultNone']));
    // (echo-other-node: echo-same-node carries other=echo and is itself selected for Egress.)
    verify(m, [{ from: pod('echo-other-node'), to: pod('client2'), port: 8080 }], allOK);
    verify(m, [{ from: pod('echo-same-node'), to: pod('client2'), port: 8080 }], () => ['ResultDefaultDenyEgressDrop', 'ResultNone']);
  });

  test('client-egress-expression-knp-port-range', () => {
    const m = model([clientEgressToEchoExpressionKnpPortRange()]);
    verify(m, podToPod(), allOK);
    const edges = [4095, 4096, 8191, 8192].flatMap((port) => fromClients(pod('echo-same-node'), port, 'TCP', ['client2', 'client3']));
    verify(m, edges, (a) => (a.destinationPort() >= 4096 && a.destinationPort() <= 8191 ? ['ResultOK', 'ResultOK'] : ['ResultDefaultDenyEgressDrop', 'ResultNone']));
  });
});

describe('cilium-cli connectivity tests: ingress allow policies', () => {
  test('echo-ingress', () => {
    verify(model([echoIngressFromOtherClient()]), podToPod(), echoIngressExpectations);
  });

  test('echo-ingress-knp', () => {
    verify(model([echoIngressFromOtherClientKnp()]), podToPod(), echoIngressExpectations);
  });
});

describe('cilium-cli connectivity tests: io.cilium.k8s.policy.serviceaccount', () => {
  test('client-egress-to-echo-service-account', () => {
    verify(model([clientEgressToEchoServiceAccount()]), podToPod({ source: { kind: 'client' } }), serviceAccountExpectations);
  });

  test('client-egress-to-echo-service-account-port-range', () => {
    const m = model([clientEgressToEchoServiceAccountPortRange()]);
    verify(m, podToPod({ source: { kind: 'client' } }), serviceAccountExpectations);
    // Not probed upstream: the range's edges towards echo-same-node.
    const edges = [4095, 4096, 8191, 8192].flatMap((port) => fromClients(pod('echo-same-node'), port));
    verify(m, edges, (a) => (a.destinationPort() >= 4096 && a.destinationPort() <= 8191 ? ['ResultOK', 'ResultOK'] : ['ResultDefaultDenyEgressDrop', 'ResultNone']));
  });

  // client_with_service_account_egress_to_echo.go @d6f4c7781eb4554c3f119a7d60c69766cf8defb0: no expectations.
  test('client-with-service-account-egress-to-echo', () => {
    const m = model([clientWithServiceAccountEgressToEcho()]);
    verify(m, podToPod({ source: { kind: 'client' } }), allOK);
    // Not probed upstream: only the pod running as ServiceAccount client is selected; labels alone do not select it.
    verify(m, fromClients(pod('echo-same-node'), 8081), (a) =>
      (a.sourceHasLabel('name', 'client') ? ['ResultDefaultDenyEgressDrop', 'ResultNone'] : ['ResultOK', 'ResultOK']));
  });

  // client_egress_to_echo_service_account_deny.go @f9656d44db7e6054515cc5a95baf24394490dcaa
  test('client-egress-to-echo-service-account-deny', () => {
    const m = model([allowAllEgress(), allowAllIngress(), clientEgressToEchoServiceAccountDeny()]);
    const expectations: Expectations = (a) => {
      if (a.destinationHasLabel('name', 'echo-same-node')) {
        return ['ResultPolicyDenyEgressDrop', 'ResultNone'];
      }
      return ['ResultOK', 'ResultOK'];
    };
    verify(m, podToPod({ source: { name: 'client' } }), expectations);
    // Not probed upstream ("denies port 8080 from client to endpoint with service account, but not from client2").
    verify(m, podToPod({ source: { name: 'client2' } }), allOK);
  });

  // client_with_service_account_egress_to_echo_deny.go @d6adce771a71854a5210b9fcce310172ea3a5d56
  test('client-with-service-account-egress-to-echo-deny', () => {
    const m = model([allowAllEgress(), allowAllIngress(), clientWithServiceAccountEgressToEchoDeny()]);
    const flows = [...podToPod({ source: { name: 'client' } }), ...podToPod({ source: { name: 'client2' } })];
    verify(m, flows, (a) => {
      if (a.destinationHasLabel('kind', 'echo') && a.sourceHasLabel('name', 'client')) {
        return ['ResultPolicyDenyEgressDrop', 'ResultNone'];
      }
      return ['ResultOK', 'ResultOK'];
    });
  });
});

describe('cilium-cli connectivity tests: deny policies', () => {
  // client_egress_to_echo_deny.go @01b52869bb30e4fb5803736a9d208273f0ad1b80 (its ClientToClient ping is left out: ICMP).
  test('client-egress-to-echo-deny', () => {
    const m = model([allowAllEgress(), allowAllIngress(), clientEgressToEchoDeny()]);
    const expectations: Expectations = (a) => {
      if (a.sourceHasLabel('kind', 'client') && a.destinationHasLabel('kind', 'echo') && a.destinationPort() === 8080) {
        return ['ResultPolicyDenyEgressDrop', 'ResultNone'];
      }
      return ['ResultOK', 'ResultNone'];
    };
    verify(m, podToPod(), expectations);
    // Not probed upstream, decided by the same expectation function: other ports, and the world (allow-all-egress toCIDR).
    verify(m, [...fromClients(pod('echo-same-node'), 53), ...fromClients('1.1.1.1', 443)], expectations);
  });

  // client_egress_to_echo_expression_deny.go @01b52869bb30e4fb5803736a9d208273f0ad1b80
  test('client-egress-to-echo-expression-deny', () => {
    const m = model([allowAllEgress(), allowAllIngress(), clientEgressToEchoExpressionDeny()]);
    verify(m, [...podToPod({ source: { name: 'client' } }), ...podToPod({ source: { name: 'client2' } })], (a) => {
      if (a.destinationHasLabel('kind', 'echo') && a.sourceHasLabel('name', 'client')) {
        return ['ResultPolicyDenyEgressDrop', 'ResultNone'];
      }
      return ['ResultOK', 'ResultOK'];
    });
  });

  // client_ingress_to_echo_named_port_deny.go @94b67c8507c1a6add0155aadd961293755f3c480
  test('client-ingress-to-echo-named-port-deny', () => {
    const m = model([allowAllEgress(), allowAllIngress(), clientIngressToEchoNamedPortDeny()]);
    verify(m, [...podToPod({ source: { name: 'client' } }), ...podToPod({ source: { name: 'client2' } })], (a) => {
      if (a.destinationHasLabel('kind', 'echo') && a.sourceHasLabel('name', 'client')) {
        return ['ResultDropCurlTimeout', 'ResultPolicyDenyIngressDrop'];
      }
      return ['ResultOK', 'ResultOK'];
    });
  });
});

describe('cilium-cli connectivity tests: L7 HTTP rules on port ranges', () => {
  // client_egress_l7.go @3c41b9a882715bebba2e695f023a1f933297703f (runs when the L7PortRanges feature is on).
  test('client-egress-l7-port-range', () => {
    const m = model([clientEgressOnlyDns('default'), clientEgressL7HttpPortRange()]);
    verify(m, [...podToPod(), ...podToWorld()], clientEgressL7Expectations);
    // Not sent by these scenarios, decided by the same expectation function: another path on 8080 is refused by the proxy.
    verify(m, fromClients(pod('echo-same-node'), 8080).map((f) => ({ ...f, http: { method: 'GET', path: '/public' } })), clientEgressL7Expectations);
    // Not probed upstream, from the manifest: a POST / from client2 matches no HTTP rule (GET only).
    verify(m, [{ from: pod('client2'), to: pod('echo-other-node'), port: 8080, http: { method: 'POST', path: '/' } }],
      () => ['ResultDropCurlHTTPError', 'ResultNone']);
    // Not probed upstream: client-egress-only-dns lets every client resolve names (kube-dns, and world on 53).
    verify(m, [...fromClients(COREDNS, 53, 'UDP'), ...fromClients(NODE_LOCAL_DNS_IP, 53, 'UDP')], allOK);
  });

  // client-egress-l7-method-port-range: client-egress-only-dns + client-egress-l7-http-method-port-range.yaml.
  test('client-egress-l7-method-port-range', () => {
    const m = model([clientEgressOnlyDns('default'), clientEgressL7HttpMethodPortRange()]);
    const flows = [
      ...podToPodWithEndpoints({ method: 'POST', destination: { other: 'echo' } }),
      ...podToPodWithEndpoints({ destination: { first: 'echo' } }),
    ];
    verify(m, flows, clientEgressL7MethodExpectations);
    // Not probed upstream, from the manifest: GET to the POST-only echo-same-node, and a path outside /public$|/private$.
    verify(m, [
      { from: pod('client2'), to: pod('echo-same-node'), port: 8080, http: { method: 'GET', path: '/public' } },
      { from: pod('client2'), to: pod('echo-same-node'), port: 8080, http: { method: 'POST', path: '/public/x' } },
    ], () => ['ResultDropCurlHTTPError', 'ResultNone']);
  });

  // Cilium refuses DNS rules on a port range (pkg/policy/api/rule_validation.go @005aed241b0ca39c91b31a14352b299187259af2,
  // "DNS rules do not support port ranges"; layer7.rst: "Layer 7 rules support port ranges, except for DNS rules").
  test('cf. client-egress-only-dns: DNS rules on a port range are refused', () => {
    const onRange = cnp('client-egress-only-dns-port-range', {
      endpointSelector: { matchLabels: { kind: 'client' } },
      egress: [{
        toPorts: [{ ports: [{ port: '53', endPort: 54, protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }],
        toEndpoints: [{ matchExpressions: kubeDnsExpressions() }],
      }],
    });
    expect(() => model([onRange])).toThrow(/port range/i);
  });
});

describe('cilium-cli connectivity tests: the cluster name (io.cilium.k8s.policy.cluster)', () => {
  // client-egress-only-dns is rendered with the local cluster's name ({{.ClusterName}}): In [<cluster>] selects kube-dns.
  test('cf. client-egress-l7-port-range: client-egress-only-dns rendered for the local cluster selects its DNS server', () => {
    for (const cluster of ['default', 'cluster-east']) {
      const m = model([clientEgressOnlyDns(cluster)], cluster);
      verify(m, [...fromClients(COREDNS, 53, 'UDP'), ...fromClients(COREDNS, 53, 'TCP')], allOK);
      verify(m, fromClients(pod('echo-same-node'), 8080), () => ['ResultDefaultDenyEgressDrop', 'ResultNone']);
    }
  });

  // Variant (not an upstream test): the same policy rendered for ANOTHER cluster selects nothing in this one.
  test('cf. client-egress-only-dns: rendered for another cluster, its cluster expression selects nothing', () => {
    const m = model([clientEgressOnlyDns('cluster-west')], 'default');
    verify(m, [...fromClients(COREDNS, 53, 'UDP'), ...fromClients(COREDNS, 53, 'TCP')], () => ['ResultDefaultDenyEgressDrop', 'ResultNone']);
    // The world rule carries no cluster expression: node-local-dns on a link-local address stays reachable.
    verify(m, fromClients(NODE_LOCAL_DNS_IP, 53, 'UDP'), allOK);
  });

  // Exists matches whatever the cluster is named; In [another cluster] matches no endpoint of this one.
  test('cf. echo-ingress: cluster Exists in any cluster, In [another cluster] selects no source', () => {
    verify(model([echoIngressFromOtherClient()], 'mesh-1'), podToPod(), echoIngressExpectations);
    const other = model([echoIngressFromOtherClient({ key: CLUSTER_KEY, operator: 'In', values: ['mesh-2'] })], 'mesh-1');
    verify(other, podToPod(), (a) => (a.destinationHasLabel('kind', 'echo') ? ['ResultDropCurlTimeout', 'ResultDropCurlTimeout'] : ['ResultOK', 'ResultOK']));
    const same = model([echoIngressFromOtherClient({ key: CLUSTER_KEY, operator: 'In', values: ['mesh-1'] })], 'mesh-1');
    verify(same, podToPod(), echoIngressExpectations);
  });
});

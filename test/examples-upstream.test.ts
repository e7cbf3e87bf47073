/**
 * The examples that reproduce public example applications, compared flow by flow with the
 * policies their upstream authors wrote (read in place from ../shared/upstream, see its
 * README.md; skipped with one warning where it is absent):
 *
 * - online-boutique: GoogleCloudPlatform/microservices-demo, kustomize/components/network-policies/
 * - star-wars: cilium/cilium examples/minikube/ (the L3/L4 and the L3/L4/L7 policy)
 * - calico-stars: projectcalico/calico calico/security/tutorials/kubernetes-policy-demo/
 *
 * Both sides run the SAME workloads: the pods of upstream's own Deployments and Pods (labels of
 * the pod template, the containers' ports, one pod per replica) placed in the example's
 * namespaces, plus kube-dns and a public address. Every flow among them is evaluated in a
 * NetworkModel of upstream's policies (on the CNI that enforces them) and in one of the
 * example's rendering for each engine: each ordered pair of pods on each port the destination
 * declares (TCP/80 when it declares none), DNS (kube-dns's ports), the internet (TCP/443 to
 * 203.0.113.10) and the internet into every pod. The differences must be exactly the deliberate
 * ones listed here, each with its reason.
 */
import { ClusterCni, NetworkModel, PodEndpoint } from '../src';
import { fileObjects, lazy } from './support/examples';
import { expectValidManifests } from './support/manifests';
import {
  ComparedFlow, describeUpstream, flowDifferences, flowKey, flowsAmong, inNamespace, podsOf, readUpstream, workloadSummaries,
} from './support/upstream';

/** The cluster DNS, serving UDP and TCP 53: every pod -> kube-dns is the DNS flow. */
const KUBE_DNS: PodEndpoint = {
  namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
};
const INTERNET = '203.0.113.10';
const FLOW_OPTIONS = { addresses: [INTERNET], addressPort: 443, defaultPort: 80 };

/** Flows on which the example deliberately differs from upstream, and why. */
interface Deliberate {
  readonly reason: string;
  readonly upstream: 'allowed' | 'denied';
  readonly flows: string[];
}

/** The deliberate differences as `flowDifferences` reports them (flow key -> verdicts). */
function expected(deliberate: Deliberate[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { upstream, flows } of deliberate) {
    for (const flow of flows) {
      expect(out[flow]).toBeUndefined();
      out[flow] = `upstream ${upstream}, example ${upstream === 'allowed' ? 'denied' : 'allowed'}`;
    }
  }
  return out;
}

/** A model of `policies` (and Namespaces) with `pods`, on `cni`; the objects' own workloads are left out. */
function modelWith(objects: any[], pods: PodEndpoint[], cni: ClusterCni): NetworkModel {
  const model = NetworkModel.fromManifests(objects.filter((o) => o.kind !== 'Deployment' && o.kind !== 'Pod'), { cni });
  pods.forEach((pod) => model.addPod(pod));
  return model;
}

/** Evaluates `flows` in both models and asserts the verdicts differ exactly on `deliberate`. */
function expectOnlyDeliberateDifferences(upstream: NetworkModel, example: NetworkModel, flows: ComparedFlow[], deliberate: Deliberate[]): void {
  expect(new Set(flows.map(flowKey)).size).toBe(flows.length);
  const keys = new Set(flows.map(flowKey));
  for (const { flows: listed } of deliberate) {
    // A deliberate difference names a flow that is compared (a typo would pass unnoticed).
    listed.forEach((flow) => expect(keys).toContain(flow));
  }
  expect(flowDifferences(upstream, example, flows)).toEqual(expected(deliberate));
}

/** Upstream's verdict and the example's on one probe, for the outcomes the upstream authors state. */
function expectBoth(models: NetworkModel[], probe: ComparedFlow, allowed: boolean): void {
  for (const model of models) {
    const verdict = model.evaluate({ ...probe });
    expect({ probe: flowKey(probe), allowed: verdict.allowed, reasons: verdict.reasons }).toMatchObject({ allowed });
  }
}

describeUpstream('online-boutique against upstream\'s network-policies component', () => {
  const ENGINES = [ClusterCni.KUBERNETES, ClusterCni.CILIUM, ClusterCni.CALICO];
  const NAMESPACE = 'boutique';
  const upstreamWorkloads = lazy(() => workloadSummaries(readUpstream('online-boutique/workloads/kubernetes-manifests.yaml'), NAMESPACE));
  // Namespace-less, applied into the app's namespace by kustomize.
  const upstreamPolicies = lazy(() => readUpstream('online-boutique/policies').map((o) => inNamespace(o, NAMESPACE)));
  const pods = lazy(() => [...podsOf(upstreamWorkloads()), KUBE_DNS]);
  const file = (engine: string) => expectValidManifests(fileObjects('online-boutique', `online-boutique-${engine}.k8s.yaml`));

  /** Every service but the load generator (which has no container port, so nothing to call). */
  const CALLERS_OF_NOTHING_ON_FRONTEND = [
    'adservice', 'cartservice', 'checkoutservice', 'currencyservice', 'emailservice',
    'paymentservice', 'productcatalogservice', 'recommendationservice', 'redis-cart', 'shippingservice',
  ];
  const ALL = [...CALLERS_OF_NOTHING_ON_FRONTEND, 'frontend', 'loadgenerator'].sort();
  const DELIBERATE: Deliberate[] = [{
    reason: 'our services\' egress is limited to their calls and DNS; upstream leaves egress open (egress: [{}]): every service -> internet',
    upstream: 'allowed',
    flows: ALL.map((s) => `boutique/${s} -> ${INTERNET} TCP/443`),
  }, {
    reason: 'the storefront admits everyone (upstream\'s ingress: [{}]), but only the load generator calls it from inside; upstream\'s open egress lets every service reach it',
    upstream: 'allowed',
    flows: CALLERS_OF_NOTHING_ON_FRONTEND.map((s) => `boutique/${s} -> boutique/frontend TCP/8080`),
  }];

  test('upstream has 12 Deployments and 13 policies, one of them deny-all', () => {
    expect(upstreamWorkloads().map((w) => w.name)).toEqual(ALL);
    expect(upstreamPolicies().map((p) => p.metadata.name).sort()).toEqual(['deny-all', ...ALL].sort());
  });

  test.each(ENGINES)('the example\'s Deployments (%s file) are upstream\'s: names, labels, images, container ports', (engine) => {
    expect(workloadSummaries(file(engine), NAMESPACE)).toEqual(upstreamWorkloads());
  });

  describe.each(ENGINES)('on %s', (engine) => {
    const flows = lazy(() => flowsAmong(pods(), FLOW_OPTIONS));
    const upstream = lazy(() => modelWith(upstreamPolicies(), pods(), engine));
    const example = lazy(() => modelWith(file(engine), pods(), engine));

    test('195 flows compared: 12 services and kube-dns to each other, the internet both ways', () => {
      expect(flows()).toHaveLength(195);
    });

    test('every flow has upstream\'s verdict but the deliberate differences (22)', () => {
      expectOnlyDeliberateDifferences(upstream(), example(), flows(), DELIBERATE);
      expect(Object.keys(expected(DELIBERATE))).toHaveLength(22);
    });

    test('both: the checkout calls the payment service, the frontend does not; DNS is open', () => {
      expectBoth([upstream(), example()], { from: 'boutique/checkoutservice', to: 'boutique/paymentservice', port: 50051, protocol: 'TCP' }, true);
      expectBoth([upstream(), example()], { from: 'boutique/frontend', to: 'boutique/paymentservice', port: 50051, protocol: 'TCP' }, false);
      expectBoth([upstream(), example()], { from: 'boutique/loadgenerator', to: 'boutique/cartservice', port: 7070, protocol: 'TCP' }, false);
      expectBoth([upstream(), example()], { from: 'boutique/redis-cart', to: 'kube-system/coredns', port: 53, protocol: 'UDP' }, true);
      expectBoth([upstream(), example()], { from: INTERNET, to: 'boutique/frontend', port: 8080, protocol: 'TCP' }, true);
    });
  });
});

describeUpstream('star-wars against Cilium\'s Star Wars demo policies', () => {
  const NAMESPACE = 'default';
  const upstreamWorkloads = lazy(() => workloadSummaries(readUpstream('cilium-star-wars/http-sw-app.yaml'), NAMESPACE));
  // Two deathstar replicas: deathstar-0 and deathstar-1.
  const pods = lazy(() => [...podsOf(upstreamWorkloads()), KUBE_DNS]);
  const LANDING = { method: 'POST', path: '/v1/request-landing' };
  const EXHAUST_PORT = { method: 'PUT', path: '/v1/exhaust-port' };
  // Beside the L4 flow, both requests of the demo to the deathstar's port 80.
  const flows = lazy(() => flowsAmong(pods(), {
    ...FLOW_OPTIONS,
    http: (to, port) => (to.labels?.class === 'deathstar' && port === 80 ? [LANDING, EXHAUST_PORT] : []),
  }));
  /**
   * Upstream's CiliumNetworkPolicy (namespace-less, applied in default), on Cilium: the only CNI
   * that enforces it. sw_l3_l4_policy.yaml carries `description` at the top level, beside `spec`,
   * where the CRD has no such field: `kubectl apply` (strict field validation, its default) refuses
   * the file, and the model refuses it as well (analysis/admission/). Applied without strict
   * validation the API server prunes the field; that pruned object is what is compared here.
   */
  const pruned = ({ description, ...rest }: Record<string, unknown>) => rest;
  const upstreamModel = (file: string) => modelWith(readUpstream(`cilium-star-wars/${file}`).map((o) => inNamespace(pruned(o), NAMESPACE)), pods(), ClusterCni.CILIUM);
  test('sw_l3_l4_policy.yaml as written is refused: its top-level description is an unknown field', () => {
    expect(() => modelWith(readUpstream('cilium-star-wars/sw_l3_l4_policy.yaml').map((o) => inNamespace(o, NAMESPACE)), pods(), ClusterCni.CILIUM))
      .toThrow(/CiliumNetworkPolicy default\/rule1 would be refused by the API server \(kubectl apply fails\).*unknown field "description"/);
  });
  const example = (stage: string, engine: ClusterCni) =>
    modelWith(expectValidManifests(fileObjects('star-wars', `star-wars-${stage}-${engine}.k8s.yaml`)), pods(), engine);

  const OTHERS = (ship: string) => [
    'default/deathstar-0', 'default/deathstar-1', ship === 'tiefighter' ? 'default/xwing' : 'default/tiefighter', 'kube-system/coredns', INTERNET,
  ];
  /** The deliberate differences of a stage; `replicaRequests`: the requests upstream lets one deathstar replica send another. */
  const deliberate = (replicaRequests: string[]): Deliberate[] => [{
    reason: 'the graph admits the tiefighter\'s pods; upstream admits every pod labelled org=empire, so the deathstar\'s replicas reach each other',
    upstream: 'allowed',
    flows: [['0', '1'], ['1', '0']].flatMap(([a, b]) => ['', ...replicaRequests].map((request) =>
      `default/deathstar-${a} -> default/deathstar-${b} TCP/80${request}`)),
  }, {
    reason: 'every ship of the graph gets a policy and the tiefighter and xwing accept nothing; upstream selects only the deathstar, so they accept everything',
    upstream: 'allowed',
    flows: ['tiefighter', 'xwing'].flatMap((ship) => OTHERS(ship).map((from) => `${from} -> default/${ship} TCP/80`)),
  }];

  test('upstream has the deathstar (2 replicas), the tiefighter and the xwing; the example the same', () => {
    expect(upstreamWorkloads().map((w) => `${w.kind} ${w.name} x${w.replicas}`)).toEqual(['Deployment deathstar x2', 'Pod tiefighter x1', 'Pod xwing x1']);
    for (const file of ['l3-l4-cilium', 'l3-l4-kubernetes', 'l3-l4-calico', 'l7-cilium']) {
      expect(workloadSummaries(fileObjects('star-wars', `star-wars-${file}.k8s.yaml`), NAMESPACE)).toEqual(upstreamWorkloads());
    }
  });

  test('55 flows compared: the ships, the two replicas and kube-dns to each other (three ways into the deathstar), the internet both ways', () => {
    expect(flows()).toHaveLength(55);
  });

  describe.each([ClusterCni.CILIUM, ClusterCni.KUBERNETES, ClusterCni.CALICO])('the L3/L4 stage on %s, against sw_l3_l4_policy.yaml on Cilium', (engine) => {
    const upstream = lazy(() => upstreamModel('sw_l3_l4_policy.yaml'));
    const ours = lazy(() => example('l3-l4', engine));
    const DELIBERATE = deliberate([` ${LANDING.method} ${LANDING.path}`, ` ${EXHAUST_PORT.method} ${EXHAUST_PORT.path}`]);

    test('every flow has upstream\'s verdict but the deliberate differences (16)', () => {
      expectOnlyDeliberateDifferences(upstream(), ours(), flows(), DELIBERATE);
      expect(Object.keys(expected(DELIBERATE))).toHaveLength(16);
    });

    test('both give the demo\'s stated outcome: the tiefighter reaches the deathstar on 80, the xwing does not', () => {
      expectBoth([upstream(), ours()], { from: 'default/tiefighter', to: 'default/deathstar-0', port: 80, protocol: 'TCP' }, true);
      expectBoth([upstream(), ours()], { from: 'default/tiefighter', to: 'default/deathstar-1', port: 80, protocol: 'TCP', http: EXHAUST_PORT }, true);
      expectBoth([upstream(), ours()], { from: 'default/xwing', to: 'default/deathstar-0', port: 80, protocol: 'TCP' }, false);
    });
  });

  describe('the L7 stage on Cilium, against sw_l3_l4_l7_policy.yaml', () => {
    const upstream = lazy(() => upstreamModel('sw_l3_l4_l7_policy.yaml'));
    const ours = lazy(() => example('l7', ClusterCni.CILIUM));
    // Upstream's L7 rule stops PUT /v1/exhaust-port between the replicas too.
    const DELIBERATE = deliberate([` ${LANDING.method} ${LANDING.path}`]);

    test('every flow has upstream\'s verdict but the deliberate differences (14)', () => {
      expectOnlyDeliberateDifferences(upstream(), ours(), flows(), DELIBERATE);
      expect(Object.keys(expected(DELIBERATE))).toHaveLength(14);
    });

    test('both give the demo\'s stated outcome: the tiefighter may POST /v1/request-landing, not PUT /v1/exhaust-port', () => {
      expectBoth([upstream(), ours()], { from: 'default/tiefighter', to: 'default/deathstar-0', port: 80, protocol: 'TCP', http: LANDING }, true);
      expectBoth([upstream(), ours()], { from: 'default/tiefighter', to: 'default/deathstar-0', port: 80, protocol: 'TCP', http: EXHAUST_PORT }, false);
      expectBoth([upstream(), ours()], { from: 'default/xwing', to: 'default/deathstar-0', port: 80, protocol: 'TCP', http: LANDING }, false);
    });
  });
});

describeUpstream('calico-stars against Calico\'s stars policy demo', () => {
  const upstreamObjects = lazy(() => readUpstream('calico-stars/manifests'));
  const upstreamWorkloads = lazy(() => workloadSummaries(upstreamObjects(), 'default'));
  const pods = lazy(() => [...podsOf(upstreamWorkloads()), KUBE_DNS]);
  /**
   * Upstream's Namespaces and policies as the tutorial applies them: default-deny.yaml (namespace-less)
   * into stars and into client, the others where they say.
   */
  const upstreamPolicies = lazy(() => {
    const policies = readUpstream('calico-stars/policies');
    const defaultDeny = policies.filter((p) => !p.metadata.namespace);
    expect(defaultDeny.map((p) => p.metadata.name)).toEqual(['default-deny']);
    return [
      ...upstreamObjects().filter((o) => o.kind === 'Namespace'),
      ...policies.filter((p) => p.metadata.namespace),
      ...['stars', 'client'].flatMap((namespace) => defaultDeny.map((p) => inNamespace(p, namespace))),
    ];
  });
  const flows = lazy(() => flowsAmong(pods(), FLOW_OPTIONS));

  test('the example\'s namespaces and Deployments are upstream\'s: names, labels, images, container ports', () => {
    const namespaces = (objects: any[]) => objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.name, o.metadata.labels ?? {}]).sort();
    for (const engine of ['calico', 'kubernetes']) {
      const objects = fileObjects('calico-stars', `calico-stars-${engine}.k8s.yaml`);
      expect(workloadSummaries(objects, 'default')).toEqual(upstreamWorkloads());
      expect(namespaces(objects)).toEqual(namespaces(upstreamObjects()));
    }
  });

  test('35 flows compared: the four probes and kube-dns to each other, the internet both ways', () => {
    expect(flows()).toHaveLength(35);
  });

  describe.each([ClusterCni.KUBERNETES, ClusterCni.CALICO])('on %s', (engine) => {
    const upstream = lazy(() => modelWith(upstreamPolicies(), pods(), engine));
    const ours = lazy(() => modelWith(expectValidManifests(fileObjects('calico-stars', `calico-stars-${engine}.k8s.yaml`)), pods(), engine));
    // None: the same verdict on every flow. (Upstream's frontend-policy admits every pod of the
    // client namespace, the example the client's pods only; with the same workloads that is the same.)
    const DELIBERATE: Deliberate[] = [];

    test('every flow has upstream\'s verdict: no differences', () => {
      expectOnlyDeliberateDifferences(upstream(), ours(), flows(), DELIBERATE);
    });

    test('both give the tutorial\'s stated outcomes', () => {
      const both = (from: string, to: string, port: number, allowed: boolean) => expectBoth([upstream(), ours()], { from, to, port, protocol: 'TCP' }, allowed);
      // The UI reaches every service; the frontend the backend on 6379 only; the client the frontend, not the backend.
      both('management-ui/management-ui', 'stars/backend', 6379, true);
      both('management-ui/management-ui', 'stars/frontend', 80, true);
      both('management-ui/management-ui', 'client/client', 9000, true);
      both('stars/frontend', 'stars/backend', 6379, true);
      both('stars/backend', 'stars/frontend', 80, false);
      both('client/client', 'stars/frontend', 80, true);
      both('client/client', 'stars/backend', 6379, false);
      // Neither the frontend nor the backend can initiate connections to the client.
      both('stars/frontend', 'client/client', 9000, false);
      both('stars/backend', 'client/client', 9000, false);
    });
  });
});

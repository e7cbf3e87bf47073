/**
 * Cilium's Star Wars demo: the Empire's deathstar (a Deployment of two pods behind a Service on
 * port 80), a tiefighter Pod of the Empire and an xwing Pod of the Alliance, in namespace
 * `default`. Only the tiefighter may land on the deathstar. Two stages of the demo, each its own
 * app (one cluster state per file; apply one of them):
 *
 * - L3/L4: the tiefighter may connect to the deathstar on TCP 80, the xwing may not.
 *   Rendered for Cilium (star-wars-l3-l4-cilium.k8s.yaml, the demo's engine) and, to show the
 *   same intent on the other engines, for Kubernetes NetworkPolicy and Calico
 *   (star-wars-l3-l4-kubernetes.k8s.yaml, star-wars-l3-l4-calico.k8s.yaml).
 * - L7 (Cilium only, star-wars-l7-cilium.k8s.yaml): the tiefighter may `POST /v1/request-landing`
 *   and nothing else; `PUT /v1/exhaust-port` is answered 403 by Cilium's proxy.
 *
 * As upstream, only ingress is restricted (`restrictEgress: false`): the ships may send anywhere.
 * Unlike upstream, which selects the deathstar only, every ship of the graph gets a policy: the
 * tiefighter and the xwing accept nothing. Synthesis warns `namespace-without-default-deny` for
 * `default`: as upstream, the namespace has no default deny, so a pod started there later and
 * selected by no policy accepts everything (in a namespace of your own, add a ZeroTrustNamespace).
 *
 * Upstream: cilium/cilium `examples/minikube/`: http-sw-app.yaml at
 * 0c83dd3168f4027fe4856165e0a3d2f30f4b12d3 (the workloads: names, labels, images),
 * sw_l3_l4_policy.yaml at 584e32f54a024e44cf79feeec42a9a9a821a51f0 and sw_l3_l4_l7_policy.yaml
 * at 38ad0ab17b140a79058b49ab46529fabde4126e4 (the policies). test/examples-upstream.test.ts
 * compares the two, flow by flow.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/star-wars/).
 */
import { App, Chart } from 'cdk8s';
import { IntOrString, KubeDeployment, KubePod, KubeService } from 'cdk8s-plus-33/lib/imports/k8s';
import { PolicyEngine, Port, ServiceGraph, ServiceWorkload } from 'cdk8s-netpol';

// Upstream is namespace-less, i.e. applied in `default`; here the namespace is explicit.
const NAMESPACE = 'default';
const STARWARS_IMAGE = 'quay.io/cilium/starwars:v2.1@sha256:833d915ec68fca3ce83668fc5dae97c455b2134d8f23ef96586f55b894cfb1e8';
const SPACESHIP_IMAGE = 'quay.io/cilium/json-mock:v1.3.8@sha256:5aad04835eda9025fe4561ad31be77fd55309af8158ca8663a72f6abb78c2603';

/** The three ships as workloads of one graph: the policies are star-wars-<ship>. */
interface Fleet {
  readonly deathstar: ServiceWorkload;
  readonly tiefighter: ServiceWorkload;
  readonly xwing: ServiceWorkload;
}

/** The demo's app (http-sw-app.yaml) and a graph over it, for one engine. */
function fleet(chart: Chart, engine: PolicyEngine): Fleet {
  const deathstarPods = { org: 'empire', class: 'deathstar' };
  const deathstar = new KubeDeployment(chart, 'deathstar', {
    metadata: { name: 'deathstar', namespace: NAMESPACE, labels: { 'app.kubernetes.io/name': 'deathstar' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: deathstarPods },
      template: {
        metadata: { labels: { ...deathstarPods, 'app.kubernetes.io/name': 'deathstar' } },
        spec: { containers: [{ name: 'deathstar', image: STARWARS_IMAGE }] },
      },
    },
  });
  new KubeService(chart, 'deathstar-service', {
    metadata: { name: 'deathstar', namespace: NAMESPACE, labels: { 'app.kubernetes.io/name': 'deathstar' } },
    spec: { selector: deathstarPods, ports: [{ port: 80, targetPort: IntOrString.fromNumber(80) }] },
  });
  const ship = (name: string, org: string) => new KubePod(chart, name, {
    metadata: { name, namespace: NAMESPACE, labels: { org, 'class': name, 'app.kubernetes.io/name': name } },
    spec: { containers: [{ name: 'spaceship', image: SPACESHIP_IMAGE }] },
  });

  // Upstream ingress only: the graph does not touch egress, so no DNS allowance is needed either.
  const graph = new ServiceGraph(chart, 'star-wars', { namespace: NAMESPACE, engine, restrictEgress: false });
  return {
    // The deathstar's container declares no port (as upstream); it serves HTTP on 80.
    deathstar: graph.workload('deathstar', { workload: deathstar, ports: [Port.tcp(80)] }),
    tiefighter: graph.workload('tiefighter', { workload: ship('tiefighter', 'empire') }),
    xwing: graph.workload('xwing', { workload: ship('xwing', 'alliance') }),
  };
}

// Stage 1, L3/L4 (sw_l3_l4_policy.yaml): the tiefighter connects to the deathstar on TCP 80;
// the xwing, declared but calling nothing, is denied. Upstream admits every pod labelled
// org=empire; the graph admits the tiefighter's pods (its labels, as a Pod selects itself).
for (const engine of [PolicyEngine.CILIUM, PolicyEngine.KUBERNETES, PolicyEngine.CALICO]) {
  const app = new App();
  const ships = fleet(new Chart(app, `star-wars-l3-l4-${engine}`), engine);
  ships.tiefighter.calls(ships.deathstar, Port.tcp(80));
  app.synth();
}

// Stage 2, L7 (sw_l3_l4_l7_policy.yaml): the tiefighter may only request a landing. Cilium's
// proxy answers every other request on port 80 (PUT /v1/exhaust-port) with 403.
const l7 = new App();
const ships = fleet(new Chart(l7, 'star-wars-l7-cilium'), PolicyEngine.CILIUM);
ships.tiefighter.callsHttp(ships.deathstar, Port.tcp(80), [{ method: 'POST', path: '/v1/request-landing' }]);
l7.synth();

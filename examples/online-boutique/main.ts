/**
 * Google's Online Boutique, locked down: its 12 Deployments (11 services and redis-cart) in
 * namespace `boutique`, a default deny for the namespace and one ServiceGraph that says who calls
 * whom. Every call is written on both ends (egress of the caller, ingress of the callee), so the
 * services' egress is limited to their calls and DNS, where upstream's policies leave egress open.
 * Rendered for each engine, one app (one file) per cluster:
 * online-boutique-kubernetes.k8s.yaml, online-boutique-cilium.k8s.yaml and
 * online-boutique-calico.k8s.yaml.
 *
 * Upstream: GoogleCloudPlatform/microservices-demo at 34ffea9175946982c3088ed84994fe6019ad6e92,
 * the workloads of `release/kubernetes-manifests.yaml` (names, labels, images, container ports)
 * and the 13 NetworkPolicies of `kustomize/components/network-policies/`, whose ingress rules
 * are the calls below. test/examples-upstream.test.ts compares the two, flow by flow.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/online-boutique/).
 */
import { App, Chart } from 'cdk8s';
import { IntOrString, KubeDeployment, KubeService } from 'cdk8s-plus-33/lib/imports/k8s';
import { Construct } from 'constructs';
import { Peer, PolicyEngine, ServiceGraph, ZeroTrustNamespace } from 'cdk8s-netpol';

const NAMESPACE = 'boutique';
const IMAGES = 'us-central1-docker.pkg.dev/online-boutique-ci/microservices-demo';

/**
 * One microservice as upstream writes it, reduced to what its network policy depends on: the
 * names, labels, images and container ports. Left out: security contexts, probes, resources,
 * environment, service accounts, the load generator's init container (it waits for the
 * frontend, a call like the load generator's own) and the `frontend-external` LoadBalancer
 * (the same pods and port as the `frontend` Service).
 */
interface Microservice {
  /** The Deployment's name and its pods' `app` label. */
  readonly name: string;
  readonly image: string;
  /** The container port; none for the load generator, which serves nothing. */
  readonly port?: number;
  /** The container port's name, where upstream gives one. */
  readonly portName?: string;
  /** The Service port, when it differs from the container port. */
  readonly servicePort?: number;
  /** The container's name. @default "server" */
  readonly container?: string;
}

const MICROSERVICES: Microservice[] = [
  { name: 'frontend', image: `${IMAGES}/frontend:v0.10.6`, port: 8080, servicePort: 80 },
  { name: 'adservice', image: `${IMAGES}/adservice:v0.10.6`, port: 9555 },
  { name: 'currencyservice', image: `${IMAGES}/currencyservice:v0.10.6`, port: 7000, portName: 'grpc' },
  { name: 'cartservice', image: `${IMAGES}/cartservice:v0.10.6`, port: 7070 },
  { name: 'redis-cart', image: 'redis:alpine', port: 6379, container: 'redis' },
  { name: 'loadgenerator', image: `${IMAGES}/loadgenerator:v0.10.6`, container: 'main' },
  { name: 'recommendationservice', image: `${IMAGES}/recommendationservice:v0.10.6`, port: 8080 },
  { name: 'checkoutservice', image: `${IMAGES}/checkoutservice:v0.10.6`, port: 5050 },
  { name: 'emailservice', image: `${IMAGES}/emailservice:v0.10.6`, port: 8080, servicePort: 5000 },
  { name: 'paymentservice', image: `${IMAGES}/paymentservice:v0.10.6`, port: 50051 },
  { name: 'shippingservice', image: `${IMAGES}/shippingservice:v0.10.6`, port: 50051 },
  { name: 'productcatalogservice', image: `${IMAGES}/productcatalogservice:v0.10.6`, port: 3550 },
];

/** A Deployment (pods labelled app=<name>) and, when it serves a port, its Service. */
function deploy(scope: Construct, service: Microservice): KubeDeployment {
  const labels = { app: service.name };
  const deployment = new KubeDeployment(scope, `${service.name}-deployment`, {
    metadata: { name: service.name, namespace: NAMESPACE, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [{
            name: service.container ?? 'server',
            image: service.image,
            ...(service.port ? { ports: [{ containerPort: service.port, ...(service.portName ? { name: service.portName } : {}) }] } : {}),
          }],
        },
      },
    },
  });
  if (service.port) {
    new KubeService(scope, `${service.name}-service`, {
      metadata: { name: service.name, namespace: NAMESPACE, labels },
      spec: { selector: labels, ports: [{ port: service.servicePort ?? service.port, targetPort: IntOrString.fromNumber(service.port) }] },
    });
  }
  return deployment;
}

/** The shop and its policies for one engine. */
class OnlineBoutique extends Chart {
  constructor(scope: Construct, id: string, engine: PolicyEngine) {
    super(scope, id);

    // Upstream's deny-all (nothing in, nothing out), DNS lookups excepted: upstream's services
    // resolve names through their open egress, these through allow-dns.
    new ZeroTrustNamespace(this, 'boutique-namespace', { namespace: NAMESPACE, createNamespace: true, engine });

    // The policies are named boutique-<workload>; each selects its Deployment's pods (app=<name>),
    // and a call to a workload is on its container's port unless it names others.
    const graph = new ServiceGraph(this, 'boutique', { namespace: NAMESPACE, engine });
    const workloads = Object.fromEntries(MICROSERVICES.map((service) =>
      [service.name, graph.workload(service.name, { workload: deploy(this, service) })]));
    const {
      frontend, adservice, currencyservice, cartservice, loadgenerator, recommendationservice,
      checkoutservice, emailservice, paymentservice, shippingservice, productcatalogservice,
    } = workloads;

    // network-policy-frontend.yaml: `ingress: [{}]`, the storefront is public (here on its
    // container port, 8080, the only one it serves).
    frontend.allowFrom(Peer.anywhere());
    // Upstream's open egress let the load generator reach it; here it is a call of its own.
    loadgenerator.calls(frontend);

    // One call per ingress rule of upstream's policies (network-policy-<callee>.yaml).
    frontend.calls(adservice);
    frontend.calls(cartservice);
    checkoutservice.calls(cartservice);
    frontend.calls(checkoutservice);
    frontend.calls(currencyservice);
    checkoutservice.calls(currencyservice);
    checkoutservice.calls(emailservice);
    checkoutservice.calls(paymentservice);
    frontend.calls(productcatalogservice);
    checkoutservice.calls(productcatalogservice);
    recommendationservice.calls(productcatalogservice);
    frontend.calls(recommendationservice);
    cartservice.calls(workloads['redis-cart']);
    frontend.calls(shippingservice);
    checkoutservice.calls(shippingservice);
  }
}

// One app per engine: each file is meant for a different cluster, so the policy names repeat.
for (const engine of [PolicyEngine.KUBERNETES, PolicyEngine.CILIUM, PolicyEngine.CALICO]) {
  const app = new App();
  new OnlineBoutique(app, `online-boutique-${engine}`, engine);
  app.synth();
}

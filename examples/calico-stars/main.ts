/**
 * Calico's "stars" policy demo: a frontend and a backend in namespace `stars`, a client in
 * namespace `client`, and a management UI in namespace `management-ui` that polls them all and
 * draws who reaches whom. The demo's end state: ingress is denied by default in `stars` and
 * `client`; the management UI may reach every pod of both; the client may reach the frontend on
 * TCP 80, the frontend the backend on TCP 6379, and nothing else gets in. Egress stays open.
 * Rendered for Calico (calico-stars-calico.k8s.yaml, projectcalico.org/v3 policies) and for any
 * NetworkPolicy plugin (calico-stars-kubernetes.k8s.yaml), one app (one file) per cluster.
 *
 * Upstream: projectcalico/calico `calico/security/tutorials/kubernetes-policy-demo/` at
 * 802fe4951e954c7d37bf531702fca3c4ef629880: manifests/*.yaml (namespaces and workloads: names,
 * labels, images, container ports), policies/*.yaml, and kubernetes-demo.md stating the outcomes.
 * test/examples-upstream.test.ts compares the two, flow by flow.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/calico-stars/).
 */
import { App, Chart } from 'cdk8s';
import { IntOrString, KubeDeployment, KubeNamespace, KubeService } from 'cdk8s-plus-33/lib/imports/k8s';
import { Construct } from 'constructs';
import { Peer, PolicyEngine, ServiceGraph, ZeroTrustNamespace } from 'cdk8s-netpol';

const PROBE_IMAGE = 'calico/star-probe:multiarch';
/** What each probe polls (the management UI reads the results from the probes' own ports). */
const PROBED = ['http://frontend.stars:80/status', 'http://backend.stars:6379/status', 'http://client.client:9000/status'];

/** A Deployment of one pod labelled role=<name>, serving `port`, behind a Service of that name. */
function roleDeployment(scope: Construct, namespace: string, name: string, image: string, port: number, command?: string[]): KubeDeployment {
  const labels = { role: name };
  new KubeService(scope, `${name}-service`, {
    metadata: { name, namespace },
    spec: { selector: labels, ports: [{ port, targetPort: IntOrString.fromNumber(port) }] },
  });
  return new KubeDeployment(scope, name, {
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image, imagePullPolicy: 'Always', ...(command ? { command } : {}), ports: [{ containerPort: port }] }] },
      },
    },
  });
}

/** The demo and its policies for one engine. */
class Stars extends Chart {
  constructor(scope: Construct, id: string, engine: PolicyEngine) {
    super(scope, id);

    // The UI's namespace is not locked down (as upstream); its label is what the others admit.
    // The lint's warning about that is suppressed on the Namespace, with the reason.
    new KubeNamespace(this, 'management-ui-namespace', {
      metadata: {
        name: 'management-ui',
        labels: { role: 'management-ui' },
        annotations: { 'cdk8s-netpol.io/suppress': 'namespace-without-default-deny: as upstream, the UI is open to the browsers that view it' },
      },
    });
    // upstream's NodePort 30002 (the UI in a browser) is left out: it changes no pod-to-pod flow.
    roleDeployment(this, 'management-ui', 'management-ui', 'calico/star-collect:multiarch', 9001);

    // default-deny.yaml, applied in stars and in client (ingress only: egress stays open), and
    // allow-ui.yaml / allow-ui-client.yaml: the management UI reaches every pod on every port.
    const ui = Peer.namespaces({ role: 'management-ui' });
    const stars = new ZeroTrustNamespace(this, 'stars-namespace', { namespace: 'stars', createNamespace: true, restrictEgress: false, engine });
    stars.allowIngress(ui);
    const client = new ZeroTrustNamespace(this, 'client-namespace', {
      namespace: 'client', createNamespace: true, namespaceLabels: { role: 'client' }, restrictEgress: false, engine,
    });
    client.allowIngress(ui);

    // The probes, each polling the others (and itself) over HTTP.
    const backend = roleDeployment(this, 'stars', 'backend', PROBE_IMAGE, 6379, ['probe', '--http-port=6379', `--urls=${PROBED.join(',')}`]);
    const frontend = roleDeployment(this, 'stars', 'frontend', PROBE_IMAGE, 80, ['probe', '--http-port=80', `--urls=${PROBED.join(',')}`]);
    const clientProbe = roleDeployment(this, 'client', 'client', PROBE_IMAGE, 9000, ['probe', `--urls=${PROBED.slice(0, 2).join(',')}`]);

    // backend-policy.yaml and frontend-policy.yaml as calls, across namespaces: ingress only, as
    // upstream (egress unrestricted). Policies stars-backend, stars-frontend (in stars) and
    // stars-client (in client, accepting nothing but the UI's namespace-wide allowance).
    const graph = new ServiceGraph(this, 'stars', { namespace: 'stars', restrictEgress: false, engine });
    const backendWorkload = graph.workload('backend', { workload: backend });
    const frontendWorkload = graph.workload('frontend', { workload: frontend });
    const clientWorkload = graph.workload('client', { workload: clientProbe });
    frontendWorkload.calls(backendWorkload);
    // Upstream admits every pod of namespaces labelled role=client; the call names the client's pods.
    clientWorkload.calls(frontendWorkload);
  }
}

// One app per cluster: each file is applied to a different cluster, so the names repeat.
for (const engine of [PolicyEngine.CALICO, PolicyEngine.KUBERNETES]) {
  const app = new App();
  new Stars(app, `calico-stars-${engine}`, engine);
  app.synth();
}

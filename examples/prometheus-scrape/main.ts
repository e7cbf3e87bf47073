/**
 * Prometheus scraping a locked-down namespace: the `shop` namespace denies everything by default,
 * yet the Prometheus pods of `observability` (itself default deny) may scrape the storefront's
 * metrics port, and nothing else may.
 *
 * Both ends need an allowance: AllowPrometheusScrape opens the targets' ingress only, so the
 * monitoring namespace, locked down too, also allows its own egress to them (step 4).
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/prometheus-scrape/).
 */
import { App, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { AllowPrometheusScrape, Peer, Port, ZeroTrustNamespace } from 'cdk8s-netpol';

const SHOP = 'shop';
const MONITORING = 'observability';
// A label, not the `prometheus.io/scrape` annotation many scrape configs read: a policy can only
// select pods by their labels. Pods opt in to being scraped by carrying it.
const SCRAPED = { 'prometheus.io/scrape': 'true' };
// The label kube-prometheus-stack and the Prometheus Operator put on the Prometheus pods.
const PROMETHEUS = { 'app.kubernetes.io/name': 'prometheus' };

const app = new App();
const chart = new Chart(app, 'prometheus-scrape');

// 1. Both namespaces deny everything in and out by default, DNS lookups excepted.
new ZeroTrustNamespace(chart, 'shop', { namespace: SHOP, createNamespace: true });
const monitoring = new ZeroTrustNamespace(chart, 'observability', { namespace: MONITORING, createNamespace: true });

// 2. The app: podinfo serves its pages on 9898 and its Prometheus metrics on 9797. The metrics
//    port is named, so the policies can refer to it by name (step 3).
new kplus.Deployment(chart, 'storefront', {
  metadata: { namespace: SHOP },
  podMetadata: { labels: SCRAPED },
  containers: [{
    name: 'podinfo',
    image: 'ghcr.io/stefanprodan/podinfo:6.7.1',
    command: ['./podinfo', '--port=9898', '--port-metrics=9797'],
    ports: [{ number: 9898, name: 'http' }, { number: 9797, name: 'metrics' }],
    // The image names its user instead of giving a uid; runAsNonRoot can only check a uid.
    securityContext: { user: 10001, group: 10001 },
  }],
});

// Prometheus itself usually comes from kube-prometheus-stack, with its scrape configuration
// and RBAC; this bare Deployment only stands for its pods, with the same label, so that the
// report beside the YAML shows who scrapes whom.
new kplus.Deployment(chart, 'prometheus', {
  metadata: { namespace: MONITORING },
  replicas: 1,
  podMetadata: { labels: PROMETHEUS },
  containers: [{
    name: 'prometheus',
    image: 'prom/prometheus:v3.5.0',
    ports: [{ number: 9090, name: 'web' }],
    // Runs as `nobody` (by name in the image) and writes its database to /prometheus.
    securityContext: { user: 65534, group: 65534 },
    volumeMounts: [{ path: '/prometheus', volume: kplus.Volume.fromEmptyDir(chart, 'tsdb', 'tsdb') }],
  }],
});

// 3. The targets' side: Prometheus pods of `observability` (pods AND namespace: neither another
//    pod of that namespace nor a pod labelled like Prometheus elsewhere) may reach the pods that
//    opted in, on their port named `metrics` only; the storefront's 9898 stays closed to them.
//    A named port follows each pod's own number, so targets may use different ones. List more
//    ports for targets that serve metrics on several, e.g. [Port.named('metrics'), Port.tcp(9901)].
//    Emits `prometheus-scrape` in shop.
new AllowPrometheusScrape(chart, 'prometheus-scrape', {
  namespace: SHOP,
  targets: SCRAPED,
  ports: [Port.named('metrics')],
  prometheusNamespace: MONITORING,
  prometheusLabels: PROMETHEUS,
});

// 4. Prometheus' side: the default deny of `observability` also stops its outgoing scrapes, and
//    AllowPrometheusScrape does not cover it. (Leave this line out and `cdk8s synth` fails: the
//    construct promises that Prometheus reaches its targets, and the synth-time proof finds
//    observability/default-deny in the way.) allowEgress applies to every pod of the namespace;
//    the targets' ingress above still admits only Prometheus. Add one allowEgress per scraped
//    namespace. Emits `allow-egress` in observability.
monitoring.allowEgress(Peer.podsInNamespace(SHOP, SCRAPED), Port.named('metrics'));

// Prometheus discovers its targets through the Kubernetes API server. Put your cluster's API
// endpoint here (`kubectl get endpoints kubernetes -n default`); 10.96.0.1 is only a placeholder,
// see examples/zero-trust-namespace.
monitoring.allowEgress(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }), Port.tcp(443));

app.synth();

/**
 * Lock down the `production` namespace: nothing gets in or out unless allowed below.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/zero-trust-namespace/).
 */
import { App, Chart } from 'cdk8s';
import { Peer, Port, ZeroTrustNamespace } from 'cdk8s-netpol';

const app = new App();
const chart = new Chart(app, 'zero-trust-namespace');

// Emits the Namespace plus `default-deny` (no ingress, no egress for any pod) and `allow-dns`
// (every pod may still resolve names through kube-dns on port 53).
const production = new ZeroTrustNamespace(chart, 'production', {
  namespace: 'production',
  createNamespace: true,
});

// Every pod of the `monitoring` namespace may scrape node-exporter style metrics on TCP 9100.
// Emitted as the `allow-ingress` policy.
production.allowIngress(Peer.namespace('monitoring'), Port.tcp(9100));

// Pods may call the Kubernetes API server on TCP 443. It runs on the host network, so a
// NetworkPolicy can only reach it by address, and that CIDR MUST be your cluster's API endpoint:
// run `kubectl get endpoints kubernetes -n default` and put its address(es) here. 10.96.0.1 is
// only a placeholder (the usual ClusterIP of the `kubernetes` Service, which most network
// plugins never see in policy checks because they match the translated endpoint address).
// The port is the endpoint's too: 443 on most managed clusters, 6443 on kubeadm clusters.
// Emitted as the `allow-egress` policy.
production.allowEgress(Peer.kubeApiServer({ cidrs: ['10.96.0.1/32'] }), Port.tcp(443));

app.synth();

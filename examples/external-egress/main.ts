/**
 * Calling out to the internet without opening the inside: the checkout pods of `payments` may
 * reach public HTTPS endpoints, never private ranges or the cloud metadata endpoint. Rendered
 * twice, one chart (one file) per cluster:
 *
 * - external-egress-kubernetes.k8s.yaml, any NetworkPolicy plugin: by address, every public
 *   IPv4 and IPv6 address on TCP 443, minus RFC 1918, shared address space (100.64.0.0/10),
 *   link-local (169.254.0.0/16, where 169.254.169.254 serves cloud credentials) and their IPv6
 *   counterparts.
 * - external-egress-cilium.k8s.yaml, Cilium: by DNS name, only the payment provider's API and
 *   the S3 buckets of one region, with the DNS-proxy rule that name-based egress needs.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/external-egress/).
 */
import { App, Chart } from 'cdk8s';
import { ExternalHttpsEgress, PolicyEngine, ZeroTrustNamespace } from 'cdk8s-netpol';

const NAMESPACE = 'payments';
const CHECKOUT = { app: 'checkout' };

// One app per cluster: each file is applied to a different cluster, so the names may repeat.
const kubernetesApp = new App();
const kubernetes = new Chart(kubernetesApp, 'external-egress-kubernetes');

// Default deny first: an egress allowance means little while every pod may send anywhere.
// DNS to kube-dns stays open, so the checkout can still resolve the provider's name. The
// namespace is the payments team's and exists already (createNamespace: true would emit it).
new ZeroTrustNamespace(kubernetes, 'payments', { namespace: NAMESPACE });

// A NetworkPolicy cannot match DNS names, so the destination is "the internet" by address:
// 0.0.0.0/0 and ::/0 with the private, shared and link-local ranges cut out as `except` holes.
// Only TCP 443: plain HTTP (80) stays closed. Other pods of the namespace get nothing.
// Emits `checkout-https` (policies are named after the construct id).
new ExternalHttpsEgress(kubernetes, 'checkout-https', {
  namespace: NAMESPACE,
  selector: CHECKOUT,
});

kubernetesApp.synth();

const ciliumApp = new App();
const cilium = new Chart(ciliumApp, 'external-egress-cilium');

// The same default deny, rendered as CiliumNetworkPolicies.
new ZeroTrustNamespace(cilium, 'payments', { namespace: NAMESPACE, engine: PolicyEngine.CILIUM });

// Cilium can narrow "the internet" to names: it learns which addresses a name resolves to by
// watching the pod's DNS answers, so the policy also sends the pod's lookups to kube-dns through
// Cilium's DNS proxy (the rule with `rules.dns` on port 53). Without that rule no address would
// be learned and every connection would be dropped. A pattern covers one DNS label:
// `*.s3.eu-central-1.amazonaws.com` is any bucket of that region, not only yours.
// Emits `checkout-https` with toFQDNs plus the DNS-proxy rule. Other engines throw on fqdns.
new ExternalHttpsEgress(cilium, 'checkout-https', {
  namespace: NAMESPACE,
  selector: CHECKOUT,
  fqdns: ['api.stripe.com', '*.s3.eu-central-1.amazonaws.com'],
  engine: PolicyEngine.CILIUM,
});

ciliumApp.synth();

/**
 * A cluster-wide guardrail with Calico: no workload may reach the cloud metadata endpoint,
 * whatever a namespace's own policies allow.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/calico-global-deny/).
 */
import { App, Chart } from 'cdk8s';
import { CalicoGlobalDeny, CalicoSelector, ExternalHttpsEgress, PolicyEngine, ZeroTrustNamespace } from 'cdk8s-netpol';

const app = new App();
// The cluster's pod address range (its Calico IP pool). 100.100.100.200 below lies in the shared
// address space 100.64.0.0/10, which some clusters use for pods: without this range the
// synth-time proofs cannot tell whether the guardrail also blocks a pod (say, kube-dns) and
// refuse to call the DNS promises proven.
app.node.setContext('cdk8s-netpol/pod-cidrs', ['10.244.0.0/16']);
const chart = new Chart(app, 'calico-global-deny');

// Emits the Tier `cdk8s-netpol-guardrails` (order 100, default action Pass) and the
// GlobalNetworkPolicy `deny-cloud-metadata`: Deny to 169.254.169.254/32. Every other packet
// passes on (the tier's default action) to the default tier, where the namespaces' own
// policies decide.
new CalicoGlobalDeny(chart, 'deny-cloud-metadata');

// The same guardrail for Alibaba Cloud's metadata address and AWS's IPv6 one, for workloads only
// (pods carry projectcalico.org/namespace; host endpoints do not).
new CalicoGlobalDeny(chart, 'deny-other-metadata', {
  selector: CalicoSelector.has('projectcalico.org/namespace').expression,
  nets: ['100.100.100.200/32', 'fd00:ec2::254/128'],
  order: 110,
});

// Namespaced allows render as Calico NetworkPolicies at order 1000, next to Kubernetes ones.
new ZeroTrustNamespace(chart, 'production', { namespace: 'production', engine: PolicyEngine.CALICO });
new ExternalHttpsEgress(chart, 'api-https', { namespace: 'production', selector: { app: 'api' }, engine: PolicyEngine.CALICO });

app.synth();

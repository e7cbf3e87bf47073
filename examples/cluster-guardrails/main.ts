/**
 * Cluster-wide guardrails next to the namespaces' own policies, on all three engines: the
 * platform team's ClusterGuardrails (no pod reaches the cloud metadata endpoint, the `tenant-a`
 * namespace never reaches `payments`, Prometheus always scrapes; where the namespaces say nothing,
 * no pod reaches the internet), a team's locked-down namespace (ZeroTrustNamespace) and its
 * services (ServiceGraph). One app, one file per engine; the Kubernetes file has its report
 * (netpol-report.md and netpol-report.html beside the YAML).
 *
 * Cilium (1.19) has no tier above or below the namespaces' policies: its file holds the deny
 * guardrails only (CiliumClusterwideNetworkPolicy deny rules), and Prometheus is allowed by the
 * namespace's own policy there.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/cluster-guardrails/).
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ClusterGuardrails, Peer, PolicyEngine, Port, Report, ServiceGraph, ZeroTrustNamespace } from 'cdk8s-netpol';

/** A Deployment whose pods carry `labels`, so that the report has workloads to show. */
function deployment(scope: Construct, namespace: string, name: string, port: number): void {
  const labels = { app: name };
  new ApiObject(scope, `${namespace}-${name}`, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image: `registry.example.com/${name}:1.0`, ports: [{ containerPort: port }] }] },
      },
    },
  });
}

class Platform extends Chart {
  constructor(scope: Construct, id: string, engine: PolicyEngine) {
    super(scope, id);

    // The platform team's rules, in the admin tier (before every namespace policy), in the order
    // they are declared: the first that matches a connection decides.
    const guardrails = new ClusterGuardrails(this, 'platform', { engine });
    guardrails.deny(Peer.namespaces({}), Peer.ipBlock('169.254.169.254/32'));
    guardrails.deny(Peer.namespace('tenant-a'), Peer.namespace('payments'));
    if (engine !== PolicyEngine.CILIUM) {
      guardrails.allow(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Peer.namespaces({}), Port.tcp(9090));
      // The baseline tier: only where a namespace's own policies say nothing.
      guardrails.baselineDeny(Peer.namespaces({}), Peer.internet());
    }

    // The payments team: a locked-down namespace and its services.
    const payments = new ZeroTrustNamespace(this, 'payments', { namespace: 'payments', engine });
    if (engine === PolicyEngine.CILIUM) {
      payments.allowIngress(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Port.tcp(9090));
    }
    const graph = new ServiceGraph(this, 'pay', { namespace: 'payments', engine });
    const checkout = graph.workload('checkout', { ports: [Port.tcp(8080)] });
    const ledger = graph.workload('ledger', { ports: [Port.tcp(5432)] });
    checkout.allowFrom(Peer.podsInNamespace('shop', { app: 'web' }));
    checkout.calls(ledger);
    checkout.allowTo(Peer.internet(), Port.tcp(443));

    deployment(this, 'payments', 'checkout', 8080);
    deployment(this, 'payments', 'ledger', 5432);
    deployment(this, 'shop', 'web', 80);
    deployment(this, 'tenant-a', 'batch', 8080);
    deployment(this, 'monitoring', 'prometheus', 9090);
  }
}

/**
 * The cluster's pod ranges: ClusterNetworkPolicy `networks` (and Calico `nets`) match pods' addresses
 * too, so the proofs and the report need them to tell that `Peer.internet()` holds no pod.
 */
const POD_CIDRS = ['10.244.0.0/16'];

for (const engine of [PolicyEngine.KUBERNETES, PolicyEngine.CILIUM, PolicyEngine.CALICO]) {
  const app = new App();
  app.node.setContext('cdk8s-netpol/pod-cidrs', POD_CIDRS);
  new Platform(app, `cluster-guardrails-${engine}`, engine);
  app.synth();
  if (engine === PolicyEngine.KUBERNETES) {
    Report.writeForApp(app, { title: 'Network policy report: cluster guardrails (Kubernetes engine)', podCidrs: POD_CIDRS });
  }
}

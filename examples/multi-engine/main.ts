/**
 * One intent, three engines: the same zero-trust namespace and three-tier application rendered
 * as Kubernetes NetworkPolicies, CiliumNetworkPolicies and Calico NetworkPolicies, one chart
 * (one file) per engine, to compare side by side.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/multi-engine/).
 */
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AllowPrometheusScrape, ExternalHttpsEgress, PolicyEngine, ThreeTierApp, ZeroTrustNamespace } from 'cdk8s-netpol';

/** The intent, written once; `engine` is the only difference between the charts. */
class Shop extends Chart {
  constructor(scope: Construct, id: string, engine: PolicyEngine) {
    super(scope, id);
    new ZeroTrustNamespace(this, 'production', { namespace: 'production', engine });
    new ThreeTierApp(this, 'shop', { namespace: 'production', engine });
    new AllowPrometheusScrape(this, 'prometheus-scrape', { namespace: 'production', engine });
    new ExternalHttpsEgress(this, 'api-https', { namespace: 'production', selector: { app: 'api' }, engine });
  }
}

// One app per engine: each file is meant for a different cluster, so the policy names may repeat.
for (const engine of [PolicyEngine.KUBERNETES, PolicyEngine.CILIUM, PolicyEngine.CALICO]) {
  const app = new App();
  new Shop(app, `multi-engine-${engine}`, engine);
  app.synth();
}

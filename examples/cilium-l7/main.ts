/**
 * HTTP-aware policy with Cilium: the frontend may only GET the product catalogue and POST
 * orders to the api; any other request on port 8080 is answered 403 by Cilium's proxy.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/cilium-l7/).
 */
import { App, Chart } from 'cdk8s';
import { CiliumL7Rule, ExternalHttpsEgress, Peer, PolicyEngine, Port, ThreeTierApp, ZeroTrustNamespace } from 'cdk8s-netpol';

const app = new App();
// Every construct of this app renders CiliumNetworkPolicies unless it says otherwise.
app.node.setContext('cdk8s-netpol/engine', PolicyEngine.CILIUM);
const chart = new Chart(app, 'cilium-l7');

new ZeroTrustNamespace(chart, 'production', { namespace: 'production' });

// The L7 rules belong to the tier that serves the requests: Cilium unions policies, so a
// separate L4 allowance of frontend -> api:8080 would make HTTP rules elsewhere moot.
new ThreeTierApp(chart, 'shop', {
  namespace: 'production',
  api: {
    http: [
      { method: 'GET', path: '/api/v1/products' },
      { method: 'POST', path: '/api/v1/orders' },
    ],
  },
});

// A standalone L7 rule for a pod no other policy opens: the ops console may read the admin API.
new CiliumL7Rule(chart, 'admin-api', {
  namespace: 'production',
  selector: { app: 'admin' },
  from: [Peer.podsInNamespace('ops', { app: 'console' })],
  port: Port.tcp(8443),
  http: [{ method: 'GET', path: '/admin/.*' }],
});

// The api calls the payment provider by name; Cilium learns its addresses from DNS, so the
// policy also routes the api's DNS lookups through Cilium's DNS proxy.
new ExternalHttpsEgress(chart, 'payments', {
  namespace: 'production',
  selector: { app: 'api' },
  fqdns: ['api.stripe.com', '*.payments.example.com'],
});

app.synth();

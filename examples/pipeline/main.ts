/**
 * A pipeline that refuses broken policies: `cdk8s synth` here runs the cdk8s-netpol validation
 * plugin (see cdk8s.yaml) over everything the app synthesizes and fails on error findings.
 *
 * The constructs' own policies are proven at synth time anyway; the plugin also checks what
 * they cannot: hand-written or imported manifests. Set NETPOL_PLANT_MISTAKE=1 to add one with
 * a classic mistake and watch `cdk8s synth` fail:
 *
 *   NETPOL_PLANT_MISTAKE=1 npx cdk8s synth
 *   # policy-types-mismatch (error) ... "egress: []" isolates nothing without policyTypes ...
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { ThreeTierApp, ZeroTrustNamespace } from 'cdk8s-netpol';

const app = new App();
// The plugin lints the whole output in `cdk8s synth`; the in-process lint that every chart with
// cdk8s-netpol constructs runs would report the same findings earlier, so it is off here to
// show the plugin at work. (Promises of the constructs are still proven at synth.)
app.node.setContext('cdk8s-netpol/lint', false);

const production = new Chart(app, 'pipeline');
new ZeroTrustNamespace(production, 'production', { namespace: 'production', createNamespace: true });
new ThreeTierApp(production, 'shop', { namespace: 'production' });

if (process.env.NETPOL_PLANT_MISTAKE === '1') {
  // A hand-written policy meant to deny all egress of the batch pods. Without policyTypes the
  // API server defaults them to ["Ingress"], so `egress: []` denies nothing.
  const legacy = new Chart(app, 'legacy');
  new ApiObject(legacy, 'deny-egress', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'batch-deny-egress', namespace: 'production' },
    spec: { podSelector: { matchLabels: { app: 'batch' } }, egress: [] },
  });
}

app.synth();

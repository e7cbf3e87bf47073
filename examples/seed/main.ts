/**
 * The seed scenario: a three-tier web app in a locked-down `production` namespace, scraped by
 * Prometheus, whose api calls external HTTPS services.
 *
 * Synthesize with `cdk8s synth` in this folder, or `npx projen synth-examples` from the
 * repository root (output in dist/examples/seed/).
 */
import { App, Chart } from 'cdk8s';
import { AllowPrometheusScrape, ExternalHttpsEgress, Report, ThreeTierApp, ZeroTrustNamespace } from 'cdk8s-netpol';

const app = new App();
const chart = new Chart(app, 'seed');

// 1. Default deny for the whole namespace, DNS lookups excepted: policies `default-deny` and
//    `allow-dns`, plus the Namespace object itself.
new ZeroTrustNamespace(chart, 'production', {
  namespace: 'production',
  createNamespace: true,
});

// 2. The application chain ingress-nginx -> frontend:80 -> api:8080 -> postgres:5432, with the
//    default tiers (pods labelled app=frontend, app=api, app=postgres). The construct id names
//    the policies: `seed-frontend`, `seed-api`, `seed-database`.
new ThreeTierApp(chart, 'seed', {
  namespace: 'production',
});

// 3. Prometheus (pods app=prometheus in namespace monitoring) may scrape pods labelled
//    metrics=enabled on TCP 9090: policy `prometheus-scrape`.
new AllowPrometheusScrape(chart, 'prometheus-scrape', {
  namespace: 'production',
});

// 4. The api pods may call public HTTPS endpoints, never private or link-local addresses
//    (so not the cloud metadata service 169.254.169.254): policy `api-https`.
new ExternalHttpsEgress(chart, 'api-https', {
  namespace: 'production',
  selector: { app: 'api' },
});

app.synth();

// netpol-report.md (with a Mermaid diagram) and netpol-report.html beside the YAML, for reviewers.
Report.writeForApp(app, { title: 'Network policy report: seed scenario' });

import { Chart, Testing } from 'cdk8s';
import { AllowPrometheusScrape, ExternalHttpsEgress, ThreeTierApp, ZeroTrustNamespace } from '../../src';

/**
 * The seed scenario for the Kubernetes engine: a `production` chart with the four zero-trust
 * constructs together (default deny with DNS and the Namespace, the three tiers, the Prometheus
 * scrape and external HTTPS for the api).
 */
export function seedChart(): Chart {
  const chart = new Chart(Testing.app(), 'production');
  new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', createNamespace: true });
  new ThreeTierApp(chart, 'shop', { namespace: 'production' });
  new AllowPrometheusScrape(chart, 'prometheus-scrape', { namespace: 'production' });
  new ExternalHttpsEgress(chart, 'api-https', { namespace: 'production', selector: { app: 'api' } });
  return chart;
}

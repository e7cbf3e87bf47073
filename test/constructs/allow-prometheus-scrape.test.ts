import { Chart, Testing } from 'cdk8s';
import { AllowPrometheusScrape, Port } from '../../src';
import { policyNamed, synthValid } from '../support/manifests';

const newChart = () => new Chart(Testing.app(), 'test');

describe('AllowPrometheusScrape', () => {
  test('defaults: monitoring/app=prometheus (one AND peer) -> pods metrics=enabled on TCP 9090', () => {
    const chart = newChart();
    new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production' });
    const objects = synthValid(chart);
    expect(objects).toHaveLength(1);
    expect(policyNamed(objects, 'scrape').spec).toEqual({
      podSelector: { matchLabels: { metrics: 'enabled' } },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
          podSelector: { matchLabels: { app: 'prometheus' } },
        }],
        ports: [{ protocol: 'TCP', port: 9090 }],
      }],
    });
    expect(objects).toMatchSnapshot();
  });

  test('non-default targets, ports, Prometheus location and name', () => {
    const chart = newChart();
    new AllowPrometheusScrape(chart, 'scrape', {
      namespace: 'payments',
      targets: {},
      ports: [Port.named('metrics'), Port.tcpRange(9100, 9110)],
      prometheusNamespace: 'observability',
      prometheusLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'k8s' },
      name: 'scrape-all',
    });
    const objects = synthValid(chart);
    expect(policyNamed(objects, 'scrape-all').spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'observability' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus', 'app.kubernetes.io/instance': 'k8s' } },
        }],
        ports: [{ protocol: 'TCP', port: 'metrics' }, { protocol: 'TCP', port: 9100, endPort: 9110 }],
      }],
    });
    expect(objects).toMatchSnapshot();
  });

  test.each([
    [{ namespace: 'p', prometheusLabels: {} }, /AllowPrometheusScrape "test\/s": prometheusLabels \{\} would let every pod of monitoring scrape/],
    [{ namespace: 'p', ports: [] }, /ports \[\] must list at least one Port/],
    [{ namespace: 'p', ports: [9090] }, /ports\[0\] 9090 is not a Port/],
    [{ namespace: 'p', targets: { app: 'x'.repeat(64) } }, /targets\["app"\] value "x{64}" is not a valid label value/],
    [{ namespace: 'p', prometheusNamespace: 'mon itoring' }, /prometheusNamespace "mon itoring" is not a valid namespace name/],
    [{ namespace: 'p', name: '-x' }, /name "-x" is not a valid object name/],
    [{ namespace: 'P' }, /namespace "P" is not a valid namespace name/],
  ])('rejects %j', (props, message) => {
    expect(() => new AllowPrometheusScrape(newChart(), 's', props as any)).toThrow(message);
  });
});

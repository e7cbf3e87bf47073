import { NetworkModel } from '../../src';
import { HttpRequest, PodEndpoint, Probe, Verdict } from '../../src/analysis/types';

test('the public structs describe what the model takes and returns', () => {
  const pod: PodEndpoint = { namespace: 'a', name: 'b', labels: { x: 'y' }, ip: '10.0.0.1', ports: [{ port: 80, name: 'http', protocol: 'TCP' }] };
  const model = new NetworkModel();
  model.addPod(pod);
  const probe: Probe = { from: '203.0.113.1', to: 'a/b', port: 80 };
  const verdict: Verdict = model.evaluate(probe);
  expect(verdict).toEqual({ allowed: true, reasons: ['ingress of a/b: allowed, not isolated (no policy selects it for Ingress)'] });
});

test('a probe may carry an HTTP request and name a DNS destination', () => {
  const model = new NetworkModel();
  model.addPod({ namespace: 'a', name: 'b' });
  const http: HttpRequest = { method: 'GET', path: '/', host: 'api.example.com', headers: { 'X-A': '1' } };
  const probe: Probe = { from: 'a/b', to: 'api.example.com', port: 443, http };
  expect(model.evaluate(probe)).toEqual({ allowed: true, reasons: ['egress of a/b: allowed, not isolated (no policy selects it for Egress)'] });
});

import { NetworkModel } from '../../src';
import { PodEndpoint, Probe, Verdict } from '../../src/analysis/types';

test('the public structs describe what the model takes and returns', () => {
  const pod: PodEndpoint = { namespace: 'a', name: 'b', labels: { x: 'y' }, ip: '10.0.0.1', ports: [{ port: 80, name: 'http', protocol: 'TCP' }] };
  const model = new NetworkModel();
  model.addPod(pod);
  const probe: Probe = { from: '203.0.113.1', to: 'a/b', port: 80 };
  const verdict: Verdict = model.evaluate(probe);
  expect(verdict).toEqual({ allowed: true, reasons: ['ingress of a/b: allowed, not isolated (no policy selects it for Ingress)'] });
});

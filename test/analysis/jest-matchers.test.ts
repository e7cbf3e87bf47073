import { networkModelMatchers } from '../../src/analysis/jest-matchers';
import { NetworkModel } from '../../src/analysis/model';
import '../support/network-matchers';

function model(): NetworkModel {
  const m = new NetworkModel();
  m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
  m.addPod({ namespace: 'prod', name: 'db', labels: { app: 'db' } });
  m.addManifest({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'db', namespace: 'prod' },
    spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] },
  });
  return m;
}

describe('jest matchers', () => {
  test('toAllow and toDeny pass on the right verdicts', () => {
    expect(model()).toAllow('prod/web', 'prod/db', 5432);
    expect(model()).toDeny('prod/web', 'prod/db', 22);
    expect(model()).not.toAllow('prod/web', 'prod/db', 5432, 'UDP');
  });

  test('a failing matcher prints the verdict and its reasons', () => {
    const result = networkModelMatchers.toAllow(model(), 'prod/web', 'prod/db', 22);
    expect(result.pass).toBe(false);
    expect(result.message()).toBe('expected prod/web -> prod/db on TCP/22 to be allowed, but it is denied:\n' +
      '  egress of prod/web: allowed, not isolated (no policy selects it for Egress)\n' +
      '  ingress of prod/db: denied, isolated by prod/db and no rule of these allows TCP/22 from prod/web');
    expect(() => expect(model()).toDeny('prod/web', 'prod/db', 5432)).toThrow(/to be denied, but it is allowed:\n {2}egress of prod\/web/);
  });

  test('anything but a model fails clearly', () => {
    expect(networkModelMatchers.toAllow({}, 'a/b', 'a/c', 1).message()).toBe('expected a NetworkModel, got [object Object]');
  });

  test('assertAllowed / assertDenied, for every jsii language', () => {
    expect(() => model().assertAllowed({ from: 'prod/web', to: 'prod/db', port: 5432 })).not.toThrow();
    expect(() => model().assertAllowed({ from: 'prod/web', to: 'prod/db', port: 22 })).toThrow(/expected prod\/web -> prod\/db on TCP\/22 to be allowed, but it is denied:\n {2}egress/);
    expect(() => model().assertDenied({ from: 'prod/web', to: 'prod/db', port: 22 })).not.toThrow();
    expect(() => model().assertDenied({ from: 'prod/web', to: 'prod/db', port: 5432, protocol: 'TCP' })).toThrow(/to be denied, but it is allowed/);
  });
});

describe('toAllowProbe / toDenyProbe: whole probes, HTTP requests included', () => {
  function l7Model(): NetworkModel {
    const m = new NetworkModel();
    m.addPod({ namespace: 'prod', name: 'web', labels: { app: 'web' } });
    m.addPod({ namespace: 'prod', name: 'api', labels: { app: 'api' } });
    m.addManifest({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'api', namespace: 'prod' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api/.*' }] } }] }],
      },
    });
    return m;
  }

  test('a listed request passes, another is refused, and a failure prints the request and the reasons', () => {
    expect(l7Model()).toAllowProbe({ from: 'prod/web', to: 'prod/api', port: 8080, http: { method: 'GET', path: '/api/orders' } });
    expect(l7Model()).toDenyProbe({ from: 'prod/web', to: 'prod/api', port: 8080, http: { method: 'DELETE', path: '/api/orders' } });
    expect(model()).toDenyProbe({ from: 'prod/web', to: 'prod/db', port: 22, protocol: 'TCP' });
    const result = networkModelMatchers.toAllowProbe(l7Model(), { from: 'prod/web', to: 'prod/api', port: 8080, http: { method: 'DELETE', path: '/api/orders' } });
    expect(result.pass).toBe(false);
    expect(result.message()).toMatch(/^expected prod\/web -> prod\/api on TCP\/8080 \(HTTP DELETE \/api\/orders\) to be allowed, but it is denied:\n {2}egress of prod\/web/);
    expect(result.message()).toMatch(/denied at L7 .*DELETE \/api\/orders matches no HTTP rule/);
  });

  test('an invalid probe is refused as evaluate refuses it', () => {
    expect(() => networkModelMatchers.toAllowProbe(model(), { from: 'prod/web', to: 'prod/db', port: 0 })).toThrow(/port 0 is not a valid port/);
  });
});

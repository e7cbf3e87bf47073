import { addressOf } from '../../src/analysis/endpoint';

test('addressOf: a pod\'s IP when it has one, an external endpoint\'s literal', () => {
  expect(addressOf({ kind: 'external', id: '1.2.3.4', ip: '1.2.3.4' })).toBe('1.2.3.4');
  expect(addressOf({ kind: 'pod', id: 'a/b', namespace: 'a', name: 'b', labels: {}, namespaceLabels: {}, ports: [], hostNetwork: false })).toBeUndefined();
  expect(addressOf({ kind: 'pod', id: 'a/b', namespace: 'a', name: 'b', labels: {}, namespaceLabels: {}, ports: [], hostNetwork: false, ip: '10.0.0.1' })).toBe('10.0.0.1');
});

test('addressOf: a DNS name has no address', () => {
  expect(addressOf({ kind: 'name', id: 'api.example.com', name: 'api.example.com' })).toBeUndefined();
});

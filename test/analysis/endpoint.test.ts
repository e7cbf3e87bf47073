import { PodSide, addressOf, portCovers } from '../../src/analysis/endpoint';

test('addressOf: a pod\'s IP when it has one, an external endpoint\'s literal', () => {
  expect(addressOf({ kind: 'external', id: '1.2.3.4', ip: '1.2.3.4' })).toBe('1.2.3.4');
  expect(addressOf({ kind: 'pod', id: 'a/b', namespace: 'a', name: 'b', labels: {}, namespaceLabels: {}, ports: [], hostNetwork: false })).toBeUndefined();
  expect(addressOf({ kind: 'pod', id: 'a/b', namespace: 'a', name: 'b', labels: {}, namespaceLabels: {}, ports: [], hostNetwork: false, ip: '10.0.0.1' })).toBe('10.0.0.1');
});

test('addressOf: a DNS name has no address', () => {
  expect(addressOf({ kind: 'name', id: 'api.example.com', name: 'api.example.com' })).toBeUndefined();
});

describe('portCovers', () => {
  const pod: PodSide = {
    kind: 'pod', id: 'p/web', namespace: 'p', name: 'web', labels: {}, namespaceLabels: {}, ports: [{ port: 8080, name: 'http' }, { port: 53, name: 'dns', protocol: 'UDP' }], hostNetwork: false,
  };
  test('numbers by range, endPort inclusive', () => {
    expect(portCovers(8000, 8100, pod, 8100, 'TCP')).toBe(true);
    expect(portCovers(8000, 8100, pod, 8101, 'TCP')).toBe(false);
    expect(portCovers(80, undefined, pod, 81, 'TCP')).toBe(false);
  });
  test('names through the destination pod\'s container port of that name, number and protocol', () => {
    expect(portCovers('http', undefined, pod, 8080, 'TCP')).toBe(true);
    expect(portCovers('http', undefined, pod, 8081, 'TCP')).toBe(false);
    expect(portCovers('dns', undefined, pod, 53, 'TCP')).toBe(false);
    expect(portCovers('dns', undefined, pod, 53, 'UDP')).toBe(true);
    expect(portCovers('http', undefined, { kind: 'external', id: '1.2.3.4', ip: '1.2.3.4' }, 8080, 'TCP')).toBe(false);
  });
});

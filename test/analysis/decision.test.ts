import { decided, describeFlow, SideQuery, sideName } from '../../src/analysis/decision';
import { PodSide } from '../../src/analysis/endpoint';

const pod: PodSide = { kind: 'pod', id: 'prod/web', namespace: 'prod', name: 'web', labels: {}, namespaceLabels: {}, ports: [], hostNetwork: false };
const query = (direction: 'ingress' | 'egress'): SideQuery =>
  ({ pod, direction, other: { kind: 'external', id: '203.0.113.1', ip: '203.0.113.1' }, destination: pod, port: 8080, protocol: 'UDP' });

test('sideName and describeFlow name the side and the flow from its point of view', () => {
  expect(sideName(query('egress'))).toBe('egress of prod/web');
  expect(describeFlow(query('egress'))).toBe('UDP/8080 to 203.0.113.1');
  expect(describeFlow(query('ingress'))).toBe('UDP/8080 from 203.0.113.1');
});

test('decided builds a SideDecision, with allowedBy only when given', () => {
  expect(decided(query('ingress'), false, ['x'], 'r')).toEqual({ direction: 'ingress', pod: 'prod/web', allowed: false, isolatedBy: ['x'], reason: 'r' });
  expect(decided(query('ingress'), true, ['x'], 'r', 'x')).toEqual({ direction: 'ingress', pod: 'prod/web', allowed: true, isolatedBy: ['x'], allowedBy: 'x', reason: 'r' });
});

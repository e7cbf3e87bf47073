import { PodSide } from '../../../src/analysis/endpoint';
import { DecisionCause, decision, distinctRefs, policyIds, policyRef } from '../../../src/analysis/semantics/decision';
import { describeFlow, SideQuery } from '../../../src/analysis/semantics/side-evaluator';

const pod: PodSide = { kind: 'pod', id: 'prod/web', namespace: 'prod', name: 'web', labels: {}, namespaceLabels: {}, ports: [], hostNetwork: false };
const query = (direction: 'ingress' | 'egress'): SideQuery =>
  ({ pod, direction, other: { kind: 'external', id: '203.0.113.1', ip: '203.0.113.1' }, destination: pod, port: 8080, protocol: 'UDP' });

test('describeFlow names the flow from the side\'s point of view', () => {
  expect(describeFlow(query('egress'))).toBe('UDP/8080 to 203.0.113.1');
  expect(describeFlow(query('ingress'))).toBe('UDP/8080 from 203.0.113.1');
});

test('policyRef names the object as reasons do, per kind', () => {
  expect(policyRef('networking.k8s.io/v1', 'NetworkPolicy', 'prod', 'x', undefined))
    .toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespace: 'prod', name: 'x', id: 'prod/x' });
  expect(policyRef('projectcalico.org/v3', 'NetworkPolicy', 'prod', 'x', 'Calico NetworkPolicy').id).toBe('Calico NetworkPolicy prod/x');
  const global = policyRef('projectcalico.org/v3', 'GlobalNetworkPolicy', undefined, 'g', 'GlobalNetworkPolicy');
  expect(global).toEqual({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', name: 'g', id: 'GlobalNetworkPolicy g' });
  expect('namespace' in global).toBe(false);
});

test('decision derives allowed from the cause, opens the reason with the side, and leaves absent data undefined', () => {
  const a = policyRef('networking.k8s.io/v1', 'NetworkPolicy', 'prod', 'a', undefined);
  const b = policyRef('cilium.io/v2', 'CiliumNetworkPolicy', 'prod', 'b', 'CiliumNetworkPolicy');
  const denied = decision('ingress', 'prod/web', DecisionCause.NO_RULE_ALLOWS, { isolatedBy: [a, b] }, ', isolated by x');
  expect(denied).toEqual({
    direction: 'ingress',
    pod: 'prod/web',
    allowed: false,
    cause: DecisionCause.NO_RULE_ALLOWS,
    isolatedBy: [a, b],
    reason: 'ingress of prod/web: denied, isolated by x',
  });
  const allowed = decision('egress', 'prod/web', DecisionCause.ALLOWED, { isolatedBy: [a], allowedBy: a, l7: 'HTTP' }, ' by rule');
  expect(allowed).toMatchObject({ allowed: true, allowedBy: a, l7: 'HTTP', reason: 'egress of prod/web: allowed by rule' });
  expect(allowed.deniedBy).toBeUndefined();
  for (const cause of [DecisionCause.HOST_NETWORK, DecisionCause.NOT_ISOLATED, DecisionCause.PASSED_TO_PROFILE, DecisionCause.PASSED_TO_DEFAULT]) {
    expect(decision('egress', 'p/q', cause, {}, '').allowed).toBe(true);
  }
  for (const cause of [DecisionCause.L7_DENIED, DecisionCause.DENY_RULE, DecisionCause.TIER_DEFAULT, DecisionCause.FAIL_CLOSED]) {
    expect(decision('egress', 'p/q', cause, {}, '').allowed).toBe(false);
  }
  expect(decision('egress', 'p/q', DecisionCause.NOT_ISOLATED, {}, '').isolatedBy).toEqual([]);
});

test('policyIds and distinctRefs keep order and drop repeats by identity', () => {
  const a = policyRef('networking.k8s.io/v1', 'NetworkPolicy', 'prod', 'a', undefined);
  const b = policyRef('networking.k8s.io/v1', 'NetworkPolicy', 'prod', 'b', undefined);
  expect(distinctRefs([a, b], [a])).toEqual([a, b]);
  expect(policyIds([b, a])).toBe('prod/b, prod/a');
});

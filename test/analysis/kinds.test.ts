import {
  ClusterCni, WORKLOAD_KINDS, classify, evaluatedPolicyCni, isEvaluated, isNotEvaluatedPolicy, isPolicyLike, notSupportedMessage, workloadKind,
} from '../../src/analysis/kinds';
import { NetworkModel } from '../../src/analysis/model';
import { Report } from '../../src/analysis/report';

const obj = (apiVersion: unknown, kind: unknown) => ({ apiVersion, kind, metadata: { name: 'x', namespace: 'a' }, spec: {} });

/** The model's refusal of an object the model does not evaluate. */
function refusal(named: string, o: unknown): string {
  const c = classify(o);
  if (isEvaluated(c)) {
    throw new Error(`${named} is evaluated`);
  }
  return notSupportedMessage(named, c);
}

/** The sentence every refusal of a kind not refused by name ends with. */
const EVALUATED = 'the model evaluates networking.k8s.io/v1 NetworkPolicy, policy.networking.k8s.io/v1alpha2 ClusterNetworkPolicy, cilium.io/v2 CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, ' +
  'and projectcalico.org/v3 NetworkPolicy, GlobalNetworkPolicy and Tier';

describe('the kinds the model evaluates', () => {
  test.each([
    ['networking.k8s.io/v1', 'NetworkPolicy', 'Kubernetes', false],
    ['policy.networking.k8s.io/v1alpha2', 'ClusterNetworkPolicy', 'NetworkPolicyApi', true],
    ['cilium.io/v2', 'CiliumNetworkPolicy', 'Cilium', false],
    ['cilium.io/v2', 'CiliumClusterwideNetworkPolicy', 'Cilium', true],
    ['projectcalico.org/v3', 'NetworkPolicy', 'Calico', false],
    ['projectcalico.org/v3', 'GlobalNetworkPolicy', 'Calico', true],
  ])('%s %s: a %s policy, cluster-scoped %s', (apiVersion, kind, cni, clusterScoped) => {
    const c = classify(obj(apiVersion, kind));
    expect(c).toEqual({ category: 'policy', cni, clusterScoped });
    expect(isEvaluated(c)).toBe(true);
    expect(isPolicyLike(obj(apiVersion, kind))).toBe(true);
    expect(isNotEvaluatedPolicy(obj(apiVersion, kind))).toBe(false);
    expect(evaluatedPolicyCni(obj(apiVersion, kind))).toBe(cni);
  });

  test('projectcalico.org/v3 Tier: evaluated, Calico\'s, cluster-scoped', () => {
    expect(classify(obj('projectcalico.org/v3', 'Tier'))).toEqual({ category: 'tier', cni: 'Calico', clusterScoped: true });
    expect(evaluatedPolicyCni(obj('projectcalico.org/v3', 'Tier'))).toBe('Calico');
    expect(isPolicyLike(obj('projectcalico.org/v3', 'Tier'))).toBe(true);
  });
});

describe('refused kinds, with the reason (whatever their apiVersion)', () => {
  test.each([
    ['policy.networking.k8s.io/v1alpha1', 'AdminNetworkPolicy', true, 'admin network policies (policy.networking.k8s.io) are not modelled'],
    ['policy.networking.k8s.io/v1alpha1', 'BaselineAdminNetworkPolicy', true, 'baseline admin network policies (policy.networking.k8s.io) are not modelled'],
    ['projectcalico.org/v3', 'NetworkSet', false, 'Calico network sets give labels to address ranges, which selectors then match; they are not modelled'],
    ['projectcalico.org/v3', 'GlobalNetworkSet', true, 'Calico network sets give labels to address ranges, which selectors then match; they are not modelled'],
    ['projectcalico.org/v3', 'HostEndpoint', true, 'Calico host endpoints put policy on nodes, which the model does not have'],
    ['cilium.io/v2alpha1', 'CiliumCIDRGroup', true, 'CIDR groups are not modelled; list the CIDRs in the policy'],
    ['cilium.io/v2', 'CiliumLocalRedirectPolicy', false, 'local redirect policies send traffic for an address or service to other pods (e.g. a node-local DNS ' +
      'cache), whose policies then decide; the redirect is not modelled'],
    ['cilium.io/v2', 'CiliumEnvoyConfig', false, 'Envoy configurations apply L7 rules of their own to the traffic they intercept; they are not modelled'],
    ['cilium.io/v2', 'CiliumClusterwideEnvoyConfig', true, 'Envoy configurations apply L7 rules of their own to the traffic they intercept; they are not modelled'],
  ])('%s %s', (apiVersion, kind, clusterScoped, reason) => {
    for (const version of [apiVersion, 'example.com/v9', undefined]) {
      const o = obj(version, kind);
      expect(classify(o)).toEqual({ category: 'refused', refusal: 'kind', reason, clusterScoped });
      expect(isPolicyLike(o)).toBe(true);
      expect(isNotEvaluatedPolicy(o)).toBe(true);
      expect(evaluatedPolicyCni(o)).toBeUndefined();
    }
    expect(refusal(`${apiVersion} ${kind} x`, obj(apiVersion, kind))).toBe(`${apiVersion} ${kind} x is not supported: ${reason}`);
  });

  test.each([
    ['crd.projectcalico.org/v1', 'NetworkPolicy', false, 'networking.k8s.io/v1 (Kubernetes) or projectcalico.org/v3 (Calico)'],
    ['networking.k8s.io/v1beta1', 'NetworkPolicy', false, 'networking.k8s.io/v1 (Kubernetes) or projectcalico.org/v3 (Calico)'],
    ['crd.projectcalico.org/v1', 'GlobalNetworkPolicy', true, 'projectcalico.org/v3'],
    ['crd.projectcalico.org/v1', 'Tier', true, 'projectcalico.org/v3'],
    ['cilium.io/v2alpha1', 'CiliumNetworkPolicy', false, 'cilium.io/v2'],
    ['cilium.io/v3', 'CiliumClusterwideNetworkPolicy', true, 'cilium.io/v2'],
  ])('an evaluated kind under another apiVersion: %s %s', (apiVersion, kind, clusterScoped, expected) => {
    const reason = `the model evaluates ${kind} under apiVersion ${expected} only, so this object's rules would be left out ("${apiVersion}" is not evaluated)`;
    const c = classify(obj(apiVersion, kind));
    expect(c).toEqual({ category: 'refused', refusal: 'apiVersion', reason, clusterScoped });
    expect(refusal(`${apiVersion} ${kind} x`, obj(apiVersion, kind))).toBe(`${apiVersion} ${kind} x is not supported; ${reason}; ${EVALUATED}`);
    expect(isNotEvaluatedPolicy(obj(apiVersion, kind))).toBe(true);
  });

  test('an evaluated kind without an apiVersion shows the missing value', () => {
    expect(classify({ kind: 'NetworkPolicy' })).toMatchObject({ category: 'refused', refusal: 'apiVersion', reason: expect.stringMatching(/\(undefined is not evaluated\)$/) });
    expect(classify({ apiVersion: ['networking.k8s.io/v1'], kind: 'NetworkPolicy' })).toMatchObject({ category: 'refused', refusal: 'apiVersion' });
  });

  test('a Calico Profile is refused only under a projectcalico.org group', () => {
    const reason = 'this kind can change which traffic is allowed, and the model does not evaluate it';
    for (const apiVersion of ['projectcalico.org/v3', 'crd.projectcalico.org/v1']) {
      expect(classify(obj(apiVersion, 'Profile'))).toEqual({ category: 'refused', refusal: 'policyLike', reason, clusterScoped: true });
      expect(isNotEvaluatedPolicy(obj(apiVersion, 'Profile'))).toBe(true);
    }
    expect(refusal('projectcalico.org/v3 Profile p', obj('projectcalico.org/v3', 'Profile')))
      .toBe(`projectcalico.org/v3 Profile p is not supported: ${reason}; ${EVALUATED}`);
    for (const apiVersion of ['v1', 'example.com/v1', undefined]) {
      expect(classify(obj(apiVersion, 'Profile'))).toEqual({ category: 'other', clusterScoped: false });
      expect(isPolicyLike(obj(apiVersion, 'Profile'))).toBe(false);
    }
  });

  test.each([
    ['crd.antrea.io/v1beta1', 'AntreaNetworkPolicy'],
    ['example.com/v1', 'MyNetworkPolicy'],
    ['example.com/v1', 'PolicyTier'],
    ['example.com/v1', 'EdgeNetworkSet'],
    ['example.com/v1', 'NodeHostEndpoint'],
    ['example.com/v1', 'AddressCIDRGroup'],
  ])('any other kind named like a policy: %s %s', (apiVersion, kind) => {
    expect(classify(obj(apiVersion, kind))).toEqual({
      category: 'refused', refusal: 'policyLike', reason: 'this kind can change which traffic is allowed, and the model does not evaluate it', clusterScoped: false,
    });
  });
});

describe('staged policies: skipped, never enforced', () => {
  test.each([
    ['StagedNetworkPolicy', false],
    ['StagedGlobalNetworkPolicy', true],
    ['StagedKubernetesNetworkPolicy', false],
  ])('%s', (kind, clusterScoped) => {
    for (const apiVersion of ['projectcalico.org/v3', 'crd.projectcalico.org/v1']) {
      const o = obj(apiVersion, kind);
      expect(classify(o)).toEqual({ category: 'staged', clusterScoped });
      expect(isPolicyLike(o)).toBe(true);
      expect(isNotEvaluatedPolicy(o)).toBe(true);
      expect(isEvaluated(classify(o))).toBe(false);
    }
    expect(refusal(`projectcalico.org/v3 ${kind} s`, obj('projectcalico.org/v3', kind)))
      .toBe(`projectcalico.org/v3 ${kind} s is not supported: staged policies are previews Calico never enforces; leave them out of the model`);
  });
});

describe('namespaces and workloads', () => {
  test('Namespace: by kind alone, cluster-scoped, read by the CLI under v1', () => {
    expect(classify(obj('v1', 'Namespace'))).toEqual({ category: 'namespace', apiVersion: 'v1', clusterScoped: true });
    expect(classify(obj(undefined, 'Namespace'))).toMatchObject({ category: 'namespace' });
    expect(isPolicyLike(obj('v1', 'Namespace'))).toBe(false);
  });

  test.each([
    ['Deployment', 'apps/v1', ['spec', 'template'], { path: ['spec', 'selector'], form: 'labelSelector', required: true }],
    ['StatefulSet', 'apps/v1', ['spec', 'template'], { path: ['spec', 'selector'], form: 'labelSelector', required: true }],
    ['DaemonSet', 'apps/v1', ['spec', 'template'], { path: ['spec', 'selector'], form: 'labelSelector', required: true }],
    ['ReplicaSet', 'apps/v1', ['spec', 'template'], { path: ['spec', 'selector'], form: 'labelSelector', required: true }],
    ['ReplicationController', 'v1', ['spec', 'template'], { path: ['spec', 'selector'], form: 'labelMap', required: false }],
    ['Job', 'batch/v1', ['spec', 'template'], { path: ['spec', 'selector'], form: 'labelSelector', required: false }],
    ['CronJob', 'batch/v1', ['spec', 'jobTemplate', 'spec', 'template'], { path: ['spec', 'jobTemplate', 'spec', 'selector'], form: 'labelSelector', required: false }],
    ['Pod', 'v1', [], undefined],
  ])('%s (%s): template at %j', (kind, apiVersion, templatePath, selector) => {
    const expected = { kind, apiVersion, templatePath, ...(selector === undefined ? {} : { selector }) };
    expect(workloadKind(kind)).toEqual(expected);
    expect(classify(obj(apiVersion, kind))).toEqual({ category: 'workload', workload: expected, clusterScoped: false });
    // The model reads workloads by kind alone.
    expect(classify(obj('example.com/v1', kind))).toMatchObject({ category: 'workload' });
    expect(isPolicyLike(obj(apiVersion, kind))).toBe(false);
  });

  test('the catalog lists exactly these workload kinds', () => {
    expect(WORKLOAD_KINDS.map((w) => w.kind)).toEqual(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob', 'Pod']);
    expect(workloadKind('Service')).toBeUndefined();
    expect(workloadKind(undefined)).toBeUndefined();
    expect(workloadKind('constructor')).toBeUndefined();
  });
});

describe('everything else', () => {
  test.each([
    ['a Service', obj('v1', 'Service')],
    ['a ConfigMap', obj('v1', 'ConfigMap')],
    ['null', null],
    ['undefined', undefined],
    ['a number', 3],
    ['a string', 'NetworkPolicy'],
    ['a list', [obj('networking.k8s.io/v1', 'NetworkPolicy')]],
    ['an empty object', {}],
    ['an object without a kind', { apiVersion: 'networking.k8s.io/v1', metadata: { name: 'x' } }],
    ['a kind that is not a string', { apiVersion: 'networking.k8s.io/v1', kind: 7 }],
    ['a kind named like an Object property', obj('v1', 'constructor')],
    ['a kind named like an Object property', obj('v1', '__proto__')],
  ])('%s is "other"', (_what, o) => {
    expect(classify(o)).toEqual({ category: 'other', clusterScoped: false });
    expect(isPolicyLike(o)).toBe(false);
    expect(isNotEvaluatedPolicy(o)).toBe(false);
    expect(evaluatedPolicyCni(o)).toBeUndefined();
  });

  test('the model\'s refusal of another object names the kinds it evaluates', () => {
    expect(refusal('v1 Service s', obj('v1', 'Service'))).toBe(`v1 Service s is not supported; ${EVALUATED}`);
    expect(refusal('v1 Pod p', obj('v1', 'Pod'))).toBe(`v1 Pod p is not supported; ${EVALUATED}`);
  });

  test('ClusterCni stays exported from the catalog', () => {
    expect(Object.values(ClusterCni)).toEqual(['kubernetes', 'cilium', 'calico']);
  });
});

describe('every consumer agrees with the catalog', () => {
  const samples = [
    ...['networking.k8s.io/v1', 'cilium.io/v2', 'projectcalico.org/v3', 'crd.projectcalico.org/v1', 'policy.networking.k8s.io/v1alpha1', 'v1', 'apps/v1', undefined]
      .flatMap((apiVersion) => ['NetworkPolicy', 'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'GlobalNetworkPolicy', 'Tier', 'AdminNetworkPolicy',
        'BaselineAdminNetworkPolicy', 'NetworkSet', 'GlobalNetworkSet', 'HostEndpoint', 'CiliumCIDRGroup', 'CiliumLocalRedirectPolicy', 'CiliumEnvoyConfig',
        'CiliumClusterwideEnvoyConfig', 'StagedNetworkPolicy', 'StagedGlobalNetworkPolicy', 'StagedKubernetesNetworkPolicy', 'Profile',
        'ClusterNetworkPolicy', 'Service'].map((kind) => obj(apiVersion, kind))),
  ];

  test('the model refuses exactly the refused objects, with the catalog\'s message', () => {
    for (const o of samples) {
      const c = classify(o);
      const named = `${o.apiVersion ?? '(no apiVersion)'} ${o.kind} x`;
      if (isEvaluated(c)) {
        continue;
      }
      expect(() => new NetworkModel().addManifest(o)).toThrow(`NetworkModel.addManifest(): ${notSupportedMessage(named, c)}`);
      if (c.category === 'refused') {
        expect(() => NetworkModel.fromManifests([o])).toThrow(notSupportedMessage(named, c));
      } else {
        expect(() => NetworkModel.fromManifests([o])).not.toThrow();
      }
    }
  });

  test('the report lists exactly the refused and staged objects', () => {
    for (const o of samples) {
      const c = classify(o);
      expect(Report._notEvaluated([o])).toEqual(c.category === 'refused' || c.category === 'staged' ? [`${o.apiVersion} ${o.kind} x1`] : []);
    }
  });
});

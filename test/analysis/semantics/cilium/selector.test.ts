import { PodSide } from '../../../../src/analysis/endpoint';
import { ciliumLabels, compileCiliumSelector, isIdentityRelevantLabel } from '../../../../src/analysis/semantics/cilium/selector';

const pod = (namespace: string, labels: Record<string, string>, namespaceLabels: Record<string, string> = {}): PodSide => ({
  kind: 'pod', id: `${namespace}/p`, namespace, name: 'p', labels, namespaceLabels: { 'kubernetes.io/metadata.name': namespace, ...namespaceLabels }, ports: [], hostNetwork: false,
});

describe('ciliumLabels', () => {
  test('pod labels, the namespace, the namespace\'s labels under io.cilium.k8s.namespace.labels., the cluster and the service account', () => {
    expect(ciliumLabels(pod('prod', { app: 'web' }, { team: 'a' }))).toEqual({
      'app': 'web',
      'io.kubernetes.pod.namespace': 'prod',
      'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'prod',
      'io.cilium.k8s.namespace.labels.team': 'a',
      'io.cilium.k8s.policy.cluster': 'default',
      'io.cilium.k8s.policy.serviceaccount': 'default',
    });
    expect(ciliumLabels({ ...pod('prod', { app: 'web' }, {}), cluster: 'eu-prod', serviceAccount: 'web' })).toMatchObject({
      'io.cilium.k8s.policy.cluster': 'eu-prod',
      'io.cilium.k8s.policy.serviceaccount': 'web',
    });
  });
});

describe('compileCiliumSelector (docs/semantics/cilium.md#namespaces)', () => {
  test('k8s: and any: prefixes and bare keys all match pod labels', () => {
    for (const key of ['app', 'k8s:app', 'any:app']) {
      const s = compileCiliumSelector({ matchLabels: { [key]: 'web' } }, 'w', undefined, false);
      expect(s.matches(pod('prod', { app: 'web' }))).toBe(true);
      expect(s.matches(pod('prod', { app: 'api' }))).toBe(false);
    }
  });

  test('matchExpressions: In, NotIn (absent matches), Exists, DoesNotExist', () => {
    const s = compileCiliumSelector({
      matchExpressions: [
        { key: 'app', operator: 'In', values: ['a', 'b'] }, { key: 'tier', operator: 'NotIn', values: ['x'] },
        { key: 'k8s:team', operator: 'Exists' }, { key: 'debug', operator: 'DoesNotExist' },
      ],
    }, 'w', undefined, false);
    expect(s.matches(pod('prod', { app: 'a', team: 't' }))).toBe(true);
    expect(s.matches(pod('prod', { app: 'a', team: 't', tier: 'x' }))).toBe(false);
    expect(s.matches(pod('prod', { app: 'c', team: 't' }))).toBe(false);
    expect(s.matches(pod('prod', { app: 'a' }))).toBe(false);
    expect(s.matches(pod('prod', { app: 'a', team: 't', debug: '1' }))).toBe(false);
  });

  test('a peer selector of a CNP is limited to its namespace unless it names a namespace key', () => {
    const limited = compileCiliumSelector({ matchLabels: { app: 'web' } }, 'w', 'prod', false);
    expect(limited.text).toBe('{app=web} in namespace prod');
    expect(limited.matches(pod('other', { app: 'web' }))).toBe(false);
    const named = compileCiliumSelector({ matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'other' } }, 'w', 'prod', false);
    expect(named.namesNamespace).toBe(true);
    expect(named.matches(pod('other', { app: 'web' }))).toBe(true);
    expect(named.matches(pod('prod', { app: 'web' }))).toBe(false);
    const byLabels = compileCiliumSelector({ matchExpressions: [{ key: 'k8s:io.cilium.k8s.namespace.labels.team', operator: 'Exists' }] }, 'w', 'prod', false);
    expect(byLabels.matches(pod('other', {}, { team: 'x' }))).toBe(true);
    expect(byLabels.matches(pod('prod', {}))).toBe(false);
  });

  test('an endpointSelector of a CNP is always limited to its namespace', () => {
    const s = compileCiliumSelector({ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other' } }, 'w', 'prod', true);
    expect(s.matches(pod('other', {}))).toBe(false);
    expect(s.matches(pod('prod', {}))).toBe(false);
  });

  test.each([
    [{ matchLabels: { 'reserved:host': '' } }, /selects a reserved identity, which the model does not evaluate in endpoint selectors; use fromEntities\/toEntities/],
    [{ matchLabels: { 'container:app': 'x' } }, /has the label source "container:", which pods do not carry/],
    [{ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, /operator In needs at least one value/],
    [{ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, /operator Exists takes no values/],
    [{ matchExpressions: [{ key: 'a', operator: 'Gt' }] }, /operator "Gt" is not In, NotIn, Exists or DoesNotExist/],
    [{ matchLabel: {} }, /unknown field "matchLabel"/],
    [{ matchLabels: { a: 1 } }, /value 1 is not a string/],
    [[], /is not an endpoint selector/],
  ])('refuses %j', (selector, message) => {
    expect(() => compileCiliumSelector(selector, 'w', 'prod', false)).toThrow(message);
  });
});

describe('Cilium\'s default identity-label filter', () => {
  test('leaves out hashes, kubernetes.io/*, k8s.io/*, statefulset pod names; keeps app.kubernetes.io and ordinary labels', () => {
    for (const key of ['pod-template-hash', 'controller-revision-hash', 'pod-template-generation', 'kubernetes.io/role', 'k8s.io/x',
      'statefulset.kubernetes.io/pod-name', 'apps.kubernetes.io/pod-index', 'batch.kubernetes.io/job-completion-index', 'beta.kubernetes.io/os',
      'io.kubernetes.container.name', 'annotation.x', 'etcd_node']) {
      expect([key, isIdentityRelevantLabel(key)]).toEqual([key, false]);
    }
    for (const key of ['app', 'app.kubernetes.io/name', 'io.kubernetes.pod.namespace', 'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name', 'tier', 'job-name']) {
      expect([key, isIdentityRelevantLabel(key)]).toEqual([key, true]);
    }
  });

  test('selectors see only the kept labels: matchLabels on a filtered label matches nothing, DoesNotExist on it always matches', () => {
    const p: PodSide = {
      kind: 'pod',
      id: 'a/web',
      namespace: 'a',
      name: 'web',
      labels: { 'app': 'web', 'pod-template-hash': 'abc' },
      namespaceLabels: { 'kubernetes.io/metadata.name': 'a' },
      ports: [],
      hostNetwork: false,
    };
    expect(ciliumLabels(p)).toEqual({
      'app': 'web',
      'io.kubernetes.pod.namespace': 'a',
      'io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'a',
      'io.cilium.k8s.policy.cluster': 'default',
      'io.cilium.k8s.policy.serviceaccount': 'default',
    });
    expect(compileCiliumSelector({ matchLabels: { 'pod-template-hash': 'abc' } }, 'x', undefined, false).matches(p)).toBe(false);
    expect(compileCiliumSelector({ matchExpressions: [{ key: 'pod-template-hash', operator: 'DoesNotExist' }] }, 'x', undefined, false).matches(p)).toBe(true);
  });
});

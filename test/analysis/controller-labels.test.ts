import { ClusterCni } from '../../src/analysis/kinds';
import { Linter } from '../../src/analysis/lint/linter';
import { NetworkModel } from '../../src/analysis/model';
import { MAX_PODS_PER_WORKLOAD, podsOfWorkload } from '../../src/analysis/workloads';

/**
 * Pods of workload objects carry the labels their controllers add, so a policy selecting by them is
 * evaluated as the cluster does (before: DENIED where the cluster allows, since no modelled pod
 * carried them); labels whose value no manifest shows are reported by the lint instead.
 */
const NS = 'p';
const template = (labels: Record<string, string>) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', ports: [{ containerPort: 5432 }] }] } });
const deployment = (name: string, labels: Record<string, string>) =>
  ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: NS }, spec: { selector: { matchLabels: labels }, template: template(labels) } });
const statefulSet = (name: string, spec: Record<string, unknown> = {}) =>
  ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: NS }, spec: { serviceName: name, selector: { matchLabels: { app: name } }, template: template({ app: name }), ...spec } });
/** A Job's pods run to completion: restartPolicy Never (the API server refuses Always there). */
const jobTemplate = (labels: Record<string, string>) => { const t = template(labels); return { ...t, spec: { ...t.spec, restartPolicy: 'Never' } }; };
const job = (name: string, spec: Record<string, unknown> = {}) =>
  ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: NS }, spec: { template: jobTemplate({ app: 'batch' }), ...spec } });
const cronJob = (name: string, jobSpec: Record<string, unknown> = {}) =>
  ({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name, namespace: NS }, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: jobTemplate({ app: 'batch' }), ...jobSpec } } } });
const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: NS }, spec });
/** db pods take connections only from the pods `from` selects. */
const dbIngressFrom = (from: Record<string, unknown>) => policy('db-ingress', { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: from }] }] });
const allowed = (m: NetworkModel, from: string, to: string, port = 5432) => m.evaluate({ from: `${NS}/${from}`, to: `${NS}/${to}`, port }).allowed;

describe('pod labels controllers add', () => {
  test.each(['job-name', 'batch.kubernetes.io/job-name'])('a Job\'s pods carry %s with the Job\'s name: selected as the cluster selects them', (key) => {
    const m = NetworkModel.fromManifests([
      deployment('db', { app: 'db' }), deployment('web', { app: 'batch' }), job('migrate'), job('report'),
      dbIngressFrom({ matchLabels: { [key]: 'migrate' } }),
    ]);
    expect(allowed(m, 'migrate', 'db')).toBe(true);
    // Same template labels, another Job, and a Deployment: denied.
    expect(allowed(m, 'report', 'db')).toBe(false);
    expect(allowed(m, 'web', 'db')).toBe(false);
  });

  test('a Job with manualSelector gets no generated labels; labels the template sets itself are kept', () => {
    const m = NetworkModel.fromManifests([
      deployment('db', { app: 'db' }), job('manual', { manualSelector: true, selector: { matchLabels: { app: 'batch' } } }),
      dbIngressFrom({ matchExpressions: [{ key: 'job-name', operator: 'Exists' }] }),
    ]);
    expect(allowed(m, 'manual', 'db')).toBe(false);
    expect(podsOfWorkload(job('own', { template: template({ 'job-name': 'own' }) }))[0].labels).toEqual({ 'job-name': 'own', 'batch.kubernetes.io/job-name': 'own' });
  });

  test('a StatefulSet runs one pod per replica, <name>-<ordinal>: a policy for db-0 allows db-0 and not db-1', () => {
    const m2 = NetworkModel.fromManifests([
      statefulSet('db', { replicas: 3 }), deployment('web', { app: 'web' }),
      policy('primary-only', { podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
      policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
    ]);
    expect(m2.podIds.filter((id) => id.startsWith(`${NS}/db`))).toEqual([`${NS}/db-0`, `${NS}/db-1`, `${NS}/db-2`]);
    expect(allowed(m2, 'web', 'db-0')).toBe(true);
    expect(allowed(m2, 'web', 'db-1')).toBe(false);
    expect(allowed(m2, 'web', 'db-2')).toBe(false);
    // The workload's own name stands for its first pod, as when a workload was one pod.
    const verdict = m2.evaluate({ from: `${NS}/web`, to: `${NS}/db`, port: 5432 });
    expect(verdict.allowed).toBe(true);
    expect(verdict.reasons.join('\n')).toContain(`ingress of ${NS}/db-0`);
  });

  test('apps.kubernetes.io/pod-index holds the ordinal, from spec.ordinals.start', () => {
    const m = NetworkModel.fromManifests([
      statefulSet('db', { replicas: 2, ordinals: { start: 5 } }), deployment('web', { app: 'web' }),
      policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('index-6', { podSelector: { matchLabels: { 'apps.kubernetes.io/pod-index': '6' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    ]);
    expect(m.podIds.filter((id) => id.startsWith(`${NS}/db`))).toEqual([`${NS}/db-5`, `${NS}/db-6`]);
    expect(allowed(m, 'web', 'db-6')).toBe(true);
    expect(allowed(m, 'web', 'db-5')).toBe(false);
  });

  test('a StatefulSet as a client: egress to it selected by pod name, the other replicas cut off', () => {
    const m = NetworkModel.fromManifests([
      statefulSet('kafka', { replicas: 2 }), deployment('db', { app: 'db' }),
      dbIngressFrom({ matchLabels: { 'statefulset.kubernetes.io/pod-name': 'kafka-1' } }),
    ]);
    expect(allowed(m, 'kafka-1', 'db')).toBe(true);
    expect(allowed(m, 'kafka-0', 'db')).toBe(false);
  });

  test(`the replicas modelled are capped at ${MAX_PODS_PER_WORKLOAD}; a probe past the cap is refused, not decided; zero replicas still model one pod`, () => {
    const m = NetworkModel.fromManifests([statefulSet('big', { replicas: 500 }), statefulSet('idle', { replicas: 0 })]);
    expect(m.podIds.filter((id) => id.startsWith(`${NS}/big-`))).toHaveLength(MAX_PODS_PER_WORKLOAD);
    expect(() => m.evaluate({ from: `${NS}/big-0`, to: `${NS}/big-${MAX_PODS_PER_WORKLOAD}`, port: 1 })).toThrow(/is not a pod of the model/);
    expect(m.podIds).toContain(`${NS}/idle-0`);
  });

  test('an Indexed Job runs one pod per completion index, labelled batch.kubernetes.io/job-completion-index', () => {
    const m = NetworkModel.fromManifests([
      deployment('db', { app: 'db' }), job('shard', { completionMode: 'Indexed', completions: 3, parallelism: 3 }),
      dbIngressFrom({ matchLabels: { 'batch.kubernetes.io/job-completion-index': '0', 'job-name': 'shard' } }),
    ]);
    expect(m.podIds.filter((id) => id.startsWith(`${NS}/shard`))).toEqual([`${NS}/shard-0`, `${NS}/shard-1`, `${NS}/shard-2`]);
    expect(allowed(m, 'shard-0', 'db')).toBe(true);
    expect(allowed(m, 'shard-2', 'db')).toBe(false);
  });

  test('a CronJob\'s Indexed pods through the model: index 1 allowed, index 0 denied; job-name selects none of them (and the lint says so)', () => {
    const objects = [
      deployment('db', { app: 'db' }), cronJob('rollup', { completionMode: 'Indexed', completions: 2 }),
      policy('db-ingress', {
        podSelector: { matchLabels: { app: 'db' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { 'batch.kubernetes.io/job-completion-index': '1' } } }] },
          { from: [{ podSelector: { matchExpressions: [{ key: 'job-name', operator: 'Exists' }] } }], ports: [{ port: 9999 }] },
        ],
      }),
    ];
    const m = NetworkModel.fromManifests(objects);
    expect(allowed(m, 'rollup-1', 'db')).toBe(true);
    expect(allowed(m, 'rollup-0', 'db')).toBe(false);
    // In the cluster the pods carry job-name "rollup-<minute>"; the model cannot know it, and says so through the lint.
    expect(allowed(m, 'rollup-0', 'db', 9999)).toBe(false);
    expect(new Linter().lint(objects).filter((f) => f.rule === 'selector-on-controller-label').map((f) => f.message))
      .toEqual([expect.stringMatching(/spec\.ingress\[1\]\.from\[0\]\.podSelector selects by "job-name", which holds the name of the Job a CronJob starts/)]);
  });

  test('a CronJob\'s pods: no job-name (their Job is named when it runs), the completion index of an Indexed template', () => {
    const [pod] = podsOfWorkload(cronJob('nightly'));
    expect(pod.labels).toEqual({ app: 'batch' });
    expect(podsOfWorkload(cronJob('sharded', { completionMode: 'Indexed', completions: 2 })).map((p) => [p.name, p.labels])).toEqual([
      ['sharded-0', { 'app': 'batch', 'batch.kubernetes.io/job-completion-index': '0' }],
      ['sharded-1', { 'app': 'batch', 'batch.kubernetes.io/job-completion-index': '1' }],
    ]);
  });

  test('on Cilium, pod-name and pod-index are not identity labels: a Kubernetes policy selecting them selects nothing', () => {
    const m = NetworkModel.fromManifests([
      statefulSet('db', { replicas: 2 }), deployment('web', { app: 'web' }),
      policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('db-0', { podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] }),
    ], { cni: ClusterCni.CILIUM });
    expect(allowed(m, 'web', 'db-0')).toBe(false);
  });

  test('counts that decide the pods are checked: a string or negative replica count is refused, naming the field', () => {
    expect(() => NetworkModel.fromManifests([statefulSet('db', { replicas: '3' })])).toThrow(/replicas/);
    expect(() => NetworkModel.fromManifests([job('j', { completionMode: 'Indexed', completions: -1 })])).toThrow(/completions/);
  });
});

describe('selector-on-controller-label', () => {
  const lint = (objects: any[], cni: ClusterCni = ClusterCni.KUBERNETES) =>
    new Linter({ cni }).lint(objects).filter((f) => f.rule === 'selector-on-controller-label').map((f) => f.message);

  test.each([
    ['pod-template-hash', { matchLabels: { 'pod-template-hash': '7d9f8c6b5' } }, /a hash of a Deployment's pod template/],
    ['controller-uid', { matchExpressions: [{ key: 'controller-uid', operator: 'Exists' }] }, /a Job's uid/],
    ['batch.kubernetes.io/controller-uid', { matchLabels: { 'batch.kubernetes.io/controller-uid': 'x' } }, /a Job's uid/],
    ['controller-revision-hash', { matchLabels: { 'controller-revision-hash': 'db-5f4d' } }, /revision/],
  ])('a Kubernetes peer selecting by %s is reported: the model gives no pod that label', (key, selector, what) => {
    const messages = lint([deployment('db', { app: 'db' }), dbIngressFrom(selector)]);
    expect(messages).toEqual([expect.stringMatching(new RegExp(`NetworkPolicy p/db-ingress: spec\\.ingress\\[0\\]\\.from\\[0\\]\\.podSelector selects by "${key.replace(/\./g, '\\.')}"`))]);
    expect(messages[0]).toMatch(what);
    expect(messages[0]).toMatch(/evaluates the selector as if no pod carried it/);
  });

  test('job-name is reported only where a CronJob runs (a Job\'s own name is modelled)', () => {
    const selectJob = dbIngressFrom({ matchLabels: { 'job-name': 'nightly-29000000' } });
    expect(lint([deployment('db', { app: 'db' }), job('migrate'), selectJob])).toEqual([]);
    // Nor are selectors by the workloads' own labels, or by labels the model gives pods.
    expect(lint([statefulSet('db', { replicas: 2 }), cronJob('nightly'),
      dbIngressFrom({ matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0', 'app': 'web' } })])).toEqual([]);
    expect(lint([deployment('db', { app: 'db' }), cronJob('nightly'), selectJob])).toEqual([expect.stringMatching(/"job-name", which holds the name of the Job a CronJob starts/)]);
  });

  test('Cilium endpoint selectors (with the k8s: source) and Calico selector expressions are read too', () => {
    const cilium = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'c', namespace: NS },
      spec: { endpointSelector: { matchLabels: { 'k8s:pod-template-hash': 'abc' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
    };
    expect(lint([cilium], ClusterCni.CILIUM)).toEqual([expect.stringMatching(/CiliumNetworkPolicy p\/c: spec\.endpointSelector selects by "pod-template-hash"/)]);
    const calico = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'k', namespace: NS },
      spec: { selector: 'app == \'db\'', types: ['Ingress'], ingress: [{ action: 'Allow', source: { selector: 'has(controller-uid)' } }] },
    };
    expect(lint([calico], ClusterCni.CALICO)).toEqual([expect.stringMatching(/spec\.ingress\[0\]\.source\.selector selects by "controller-uid"/)]);
  });
});

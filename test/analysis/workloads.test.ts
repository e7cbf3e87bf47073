import { classify } from '../../src/analysis/kinds';
import { podOfWorkload, podsOfWorkload } from '../../src/analysis/workloads';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ ports: [{ containerPort: 80, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] }, { name: 'side' }] } };

describe('workloads', () => {
  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'])('%s: its template\'s labels and container ports', (kind) => {
    const obj = { kind, metadata: { name: 'w', namespace: 'ns' }, spec: { template } };
    expect(classify(obj).category).toBe('workload');
    // The API server gives a Job's pods its name (pkg/registry/batch/job/strategy.go generateSelector).
    const added = kind === 'Job' ? { 'job-name': 'w', 'batch.kubernetes.io/job-name': 'w' } : {};
    expect(podOfWorkload(obj)).toEqual({ namespace: 'ns', name: 'w', labels: { app: 'x', ...added }, ports: [{ port: 80, name: 'http', protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] });
  });

  test('podsOfWorkload: a StatefulSet\'s replicas by name and ordinal; one pod of anything else', () => {
    const sts = { kind: 'StatefulSet', metadata: { name: 'db', namespace: 'ns' }, spec: { replicas: 2, template } };
    expect(podsOfWorkload(sts).map((p) => [p.name, p.labels])).toEqual([
      ['db-0', { 'app': 'x', 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' }],
      ['db-1', { 'app': 'x', 'statefulset.kubernetes.io/pod-name': 'db-1', 'apps.kubernetes.io/pod-index': '1' }],
    ]);
    expect(podsOfWorkload({ kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5, template } }).map((p) => p.name)).toEqual(['web']);
  });

  test('the ServiceAccount: serviceAccountName, else the deprecated serviceAccount (also when serviceAccountName is empty), else none ("default")', () => {
    const pod = (spec: object) => podOfWorkload({ kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, spec: { containers: [], ...spec } });
    expect(pod({ serviceAccountName: 'api' })?.serviceAccount).toBe('api');
    expect(pod({ serviceAccountName: 'api', serviceAccount: 'old' })?.serviceAccount).toBe('api');
    expect(pod({ serviceAccountName: '', serviceAccount: 'old' })?.serviceAccount).toBe('old');
    expect(pod({ serviceAccount: 'old' })?.serviceAccount).toBe('old');
    expect(pod({ serviceAccountName: '' })?.serviceAccount).toBeUndefined();
  });

  test('CronJob: the job template\'s pod template', () => {
    const obj = { kind: 'CronJob', metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template } } } };
    expect(podOfWorkload(obj)).toMatchObject({ namespace: 'default', name: 'c', labels: { app: 'x' } });
  });

  test('Pod: its own labels', () => {
    const obj = { kind: 'Pod', metadata: { name: 'p', namespace: 'n', labels: { a: 'b' } }, spec: { containers: [] } };
    expect(podOfWorkload(obj)).toEqual({ namespace: 'n', name: 'p', labels: { a: 'b' }, ports: [] });
  });

  test('other kinds are not workloads', () => {
    for (const kind of ['Service', 'ConfigMap', 'NetworkPolicy', undefined]) {
      expect(classify({ kind }).category).not.toBe('workload');
    }
  });
});

import { classify } from '../../src/analysis/kinds';
import { podOfWorkload } from '../../src/analysis/workloads';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ ports: [{ containerPort: 80, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] }, { name: 'side' }] } };

describe('workloads', () => {
  test.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job'])('%s: its template\'s labels and container ports', (kind) => {
    const obj = { kind, metadata: { name: 'w', namespace: 'ns' }, spec: { template } };
    expect(classify(obj).category).toBe('workload');
    expect(podOfWorkload(obj)).toEqual({ namespace: 'ns', name: 'w', labels: { app: 'x' }, ports: [{ port: 80, name: 'http', protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] });
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

import { NetworkModel, Report } from '../../../src';
import { unionOfAllowed } from '../../../src/analysis/report/aggregate';
import { writeConnectivityLines } from '../../../src/analysis/report/jsonl';
import { MAX_GROUP_ENDPOINTS, MAX_POD_ENDPOINTS, cellRanges, planMatrix } from '../../../src/analysis/report/matrix';

const policy = (namespace: string, name: string, spec: Record<string, unknown>) =>
  ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });

/** `count` StatefulSets of `replicas` pods each in namespace shop (app=db-<i>), api pods reaching db-0 on 5432. */
function statefulSets(count: number, replicas: number): any[] {
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: `db-${i}`, namespace: 'shop' },
    spec: {
      replicas,
      serviceName: `db-${i}`,
      selector: { matchLabels: { app: `db-${i}` } },
      template: { metadata: { labels: { app: `db-${i}` } }, spec: { containers: [{ name: 'pg', image: 'postgres', ports: [{ containerPort: 5432 }] }] } },
    },
  }));
}

describe('large matrices are aggregated, exactly', () => {
  test(`more than ${MAX_POD_ENDPOINTS} pods in at most ${MAX_GROUP_ENDPOINTS} workloads: one row and column per workload, pairs counted`, () => {
    const objects = [
      ...statefulSets(30, 4),
      policy('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('shop', 'db-0', { podSelector: { matchLabels: { app: 'db-0' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'db-1' } } }], ports: [{ port: 5432 }] }] }),
    ];
    const report = Report.fromManifests(objects);
    const matrix = report.matrix;
    expect(matrix.sources.map((s) => s.id)).toEqual([...Array.from({ length: 30 }, (_, i) => `shop/db-${i}`).sort(), 'internet']);
    expect(matrix.sources[0]).toEqual({ id: 'shop/db-0', label: 'db-0', namespace: 'shop', kind: 'workload' });
    const cell = (from: string, to: string) => matrix.cells.find((c) => c.from === from && c.to === to)!;
    // db-1's 4 pods reach db-0's 4 pods on 5432 only: 16 pairs, all connected.
    expect(cell('shop/db-1', 'shop/db-0')).toMatchObject({ allowed: ['TCP/5432'], pairs: 16, connected: 16 });
    // Within db-0: 4 pods, 12 pairs (a pod and itself aside), none connected (ingress denied).
    expect(cell('shop/db-0', 'shop/db-0')).toMatchObject({ allowed: [], pairs: 12, connected: 0 });
    expect(cell('shop/db-2', 'shop/db-0')).toMatchObject({ allowed: [], pairs: 16 });
    // Egress is open: every pod reaches the internet on every port.
    expect(cell('shop/db-3', 'internet')).toMatchObject({ allowed: ['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535'], pairs: 4, connected: 4 });
    expect(matrix.notes.join('\n')).toContain('120 pods: rows and columns are workloads');
    expect(report.toMarkdown()).toContain('| shop/db-1 | TCP/5432 | — |');
  });

  test('more workloads than that: one row and column per namespace; a cell says how many of its pairs connect', () => {
    const model = NetworkModel.fromManifests([
      policy('a', 'deny', { podSelector: {}, policyTypes: ['Ingress'] }),
      policy('a', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'b' } } }], ports: [{ port: 80 }] }] }),
    ]);
    for (const namespace of ['a', 'b', 'c']) {
      for (let i = 0; i < 40; i++) {
        model.addPod({ namespace, name: `p${i}`, labels: { app: i === 0 ? 'web' : `p${i}` } });
      }
    }
    const report = new Report(model);
    const matrix = report.matrix;
    expect(matrix.sources.map((s) => `${s.kind}:${s.id}`)).toEqual(['namespace:a/*', 'namespace:b/*', 'namespace:c/*', 'internet:internet']);
    expect(matrix.sources[0].label).toBe('a (40 pods)');
    const cell = (from: string, to: string) => matrix.cells.find((c) => c.from === from && c.to === to)!;
    // b reaches a's web pod on 80 only: 40 of the 1,600 pairs.
    expect(cell('b/*', 'a/*')).toMatchObject({ allowed: ['TCP/80'], pairs: 1600, connected: 40 });
    expect(cell('c/*', 'a/*')).toMatchObject({ allowed: [], pairs: 1600, connected: 0 });
    expect(cell('a/*', 'c/*')).toMatchObject({ allowed: ['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535'], pairs: 1600, connected: 1600 });
    expect(cell('a/*', 'a/*')).toMatchObject({ pairs: 40 * 39, connected: 0 });
    expect(report.toMarkdown()).toContain('| b (40 pods) | TCP/80 (40/1600 pairs) | all ports | all ports |');
    expect(report.toHtml()).toContain('>TCP/80 (40/1600 pairs)</td>');
    expect(report.toHtml()).toContain('Hover a head for its full name, a cell for its ports.</caption>');
    // The exact detail, per pod, as JSON lines: b's pods reach a/p0 on 80, every pod of c on everything.
    const lines: string[] = [];
    writeConnectivityLines(planMatrix(model), (line) => lines.push(line));
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'cdk8s-netpol/connectivity-v1', sources: 121, destinations: 123 });
    const b0 = JSON.parse(lines.find((l) => l.includes('"from":"b/p0"'))!);
    expect(b0.allowed).toEqual([
      { ports: ['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535'], to: ['b/*', 'c/*', 'dns', 'internet', 'metadata'] },
      { ports: ['TCP/80'], to: ['a/p0'] },
    ]);
    const c0 = JSON.parse(lines.find((l) => l.includes('"from":"c/p0"'))!);
    expect(c0.allowed).toEqual([{ ports: ['TCP/1-65535', 'UDP/1-65535', 'SCTP/1-65535'], to: ['b/*', 'c/*', 'dns', 'internet', 'metadata'] }]);
    expect(lines).toHaveLength(1 + 121);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });

  test('the union of a group\'s answers: a range plain for one pair is plain; L7 restrictions only where no pair is plain', () => {
    expect(unionOfAllowed([
      [{ protocol: 'TCP', from: 80, to: 80, l7: 'HTTP' }, { protocol: 'TCP', from: 8080, to: 8080, l7: 'HTTP' }],
      [{ protocol: 'TCP', from: 80, to: 90 }],
    ])).toEqual([{ protocol: 'TCP', from: 80, to: 90 }, { protocol: 'TCP', from: 8080, to: 8080, l7: 'HTTP' }]);
  });

  test('a cell of the aggregated matrix agrees with the pods\' own pairs', () => {
    const model = NetworkModel.fromManifests([policy('a', 'web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 80 }, { port: 443 }] }] })]);
    for (let i = 0; i < 120; i++) {
      model.addPod({ namespace: i < 60 ? 'a' : 'b', name: `p${i}`, labels: { app: i % 2 ? 'web' : 'other' } });
    }
    const cell = new Report(model).matrix.cells.find((c) => c.from === 'b/*' && c.to === 'a/*')!;
    expect(cellRanges(cell)).toEqual(unionOfAllowed(model.podIds.filter((id) => id.startsWith('b/')).flatMap((from) => model.podIds.filter((id) => id.startsWith('a/'))
      .map((to) => model._segments(from, to).filter((s) => s.allowed).map((s) => ({ protocol: s.protocol, from: s.from, to: s.to }))))));
    expect(cell).toMatchObject({ pairs: 3600, connected: 3600 });
  });
});

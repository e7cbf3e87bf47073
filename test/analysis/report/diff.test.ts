import { NetworkModel } from '../../../src';
import { comparableMatrices, diffFlows, diffMarkdown } from '../../../src/analysis/report/diff';
import { connectivityMatrix } from '../../../src/analysis/report/matrix';

const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });

function model(policies: any[]): NetworkModel {
  const m = NetworkModel.fromManifests(policies);
  m.addPod({ namespace: 'shop', name: 'web', labels: { app: 'web' }, ports: [{ port: 80 }] });
  m.addPod({ namespace: 'shop', name: 'api', labels: { app: 'api' }, ports: [{ port: 8080 }] });
  m.addPod({ namespace: 'shop', name: 'db', labels: { app: 'db' }, ports: [{ port: 5432 }] });
  return m;
}

const deny = policy('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const allow = (name: string, from: string, to: string, port: number) => [
  policy(`${name}-in`, { podSelector: { matchLabels: { app: to } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: from } } }], ports: [{ port }] }] }),
  policy(`${name}-out`, { podSelector: { matchLabels: { app: from } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: to } } }], ports: [{ port }] }] }),
];

describe('diff', () => {
  // Before: web -> api. After: the change drops web -> api and opens api -> db.
  const before = connectivityMatrix(model([deny, ...allow('web-api', 'web', 'api', 8080)]));
  const after = connectivityMatrix(model([deny, ...allow('api-db', 'api', 'db', 5432)]));

  test('a change that opens one flow and closes another', () => {
    expect(diffFlows(before, after)).toEqual({
      opened: [{ from: 'shop/api', to: 'shop/db', probe: 'TCP/5432' }],
      closed: [{ from: 'shop/web', to: 'shop/api', probe: 'TCP/8080' }],
    });
  });

  test('as Markdown for the pull request', () => {
    expect(diffMarkdown(before, after)).toBe([
      '# Network policy change',
      '',
      '**1** flow(s) opened, **1** closed.',
      '',
      '## Opened',
      '',
      '- `shop/api` → `shop/db` on TCP/5432',
      '',
      '## Closed',
      '',
      '- `shop/web` → `shop/api` on TCP/8080',
      '',
    ].join('\n'));
  });

  test('pods without declared ports: a change elsewhere does not show as flows opened and closed', () => {
    const portless = (policies: any[]) => {
      const m = NetworkModel.fromManifests(policies);
      for (const name of ['web', 'api', 'db']) {
        m.addPod({ namespace: 'shop', name, labels: { app: name } });
      }
      return m;
    };
    // The change only lets web reach api on 8080 (api isolated, allowing web).
    const [old, now] = comparableMatrices(portless([]), portless(allow('web-api', 'web', 'api', 8080).slice(0, 1)));
    const { opened, closed } = diffFlows(old, now);
    expect(opened).toEqual([]);
    expect(closed.map((f) => `${f.from} -> ${f.to} ${f.probe}`)).toEqual(['shop/db -> shop/api TCP/8080', 'internet -> shop/api TCP/8080']);
  });

  test('no change, nothing listed', () => {
    expect(diffFlows(before, before)).toEqual({ opened: [], closed: [] });
    expect(diffMarkdown(before, before)).toContain('**0** flow(s) opened, **0** closed.\n\n## Opened\n\nNone.');
  });
});

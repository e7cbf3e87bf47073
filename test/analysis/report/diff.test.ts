import * as fs from 'fs';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { NetworkModel, Peer, Port, ServiceGraph, ZeroTrustNamespace } from '../../../src';
import { Report } from '../../../src/analysis/report';
import { FOLD_ABOVE, MAX_LISTED, MAX_LISTED_PER_CAUSE, PolicyDiff, diffMarkdown, diffModels } from '../../../src/analysis/report/diff';
import { sharedPart } from '../../support/shared';

const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'shop' }, spec });

function model(policies: any[]): NetworkModel {
  const m = NetworkModel.fromManifests(policies);
  m.addPod({ namespace: 'shop', name: 'web', labels: { app: 'web' }, ports: [{ port: 80 }] });
  m.addPod({ namespace: 'shop', name: 'api', labels: { app: 'api' }, ports: [{ port: 8080 }] });
  m.addPod({ namespace: 'shop', name: 'db', labels: { app: 'db' }, ports: [{ port: 5432 }] });
  return m;
}

const deny = policy('deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
const allow = (name: string, from: string, to: string, ports?: unknown[]) => [
  policy(`${name}-in`, { podSelector: { matchLabels: { app: to } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: from } } }], ...(ports ? { ports } : {}) }] }),
  policy(`${name}-out`, { podSelector: { matchLabels: { app: from } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: to } } }], ...(ports ? { ports } : {}) }] }),
];

/** "from -> to ports [cause]" per change, for compact assertions. */
const summary = (diff: PolicyDiff) => ({
  opened: diff.opened.map((c) => `${c.from} -> ${c.to} ${c.ports.join(', ')} [${c.cause}]`),
  closed: diff.closed.map((c) => `${c.from} -> ${c.to} ${c.ports.join(', ')} [${c.cause}]`),
});

describe('diff', () => {
  // Before: web -> api. After: the change drops web -> api and opens api -> db.
  const before = model([deny, ...allow('web-api', 'web', 'api', [{ port: 8080 }])]);
  const after = model([deny, ...allow('api-db', 'api', 'db', [{ port: 5432 }])]);

  test('a change that opens one flow and closes another, each with the policy that caused it', () => {
    expect(summary(diffModels(before, after))).toEqual({
      // Both sides changed: both policies are named.
      opened: ['shop/api -> shop/db TCP/5432 [NetworkPolicy shop/api-db-out + NetworkPolicy shop/api-db-in]'],
      closed: ['shop/web -> shop/api TCP/8080 [NetworkPolicy shop/web-api-out (no longer allows) + NetworkPolicy shop/web-api-in (no longer allows)]'],
    });
  });

  test('as Markdown for the pull request: totals, causes, then flows grouped by cause with the rule that decided', () => {
    const md = diffMarkdown(diffModels(before, after));
    expect(md).toBe([
      '# Network policy change',
      '',
      '**1** flow(s) opened, **1** closed.',
      '',
      '| cause | opened | closed |',
      '|---|---|---|',
      '| NetworkPolicy shop/api-db-out + NetworkPolicy shop/api-db-in | 1 | 0 |',
      '| NetworkPolicy shop/web-api-out (no longer allows) + NetworkPolicy shop/web-api-in (no longer allows) | 0 | 1 |',
      '',
      '## Opened',
      '',
      '### NetworkPolicy shop/api-db-out + NetworkPolicy shop/api-db-in (1)',
      '',
      '- `shop/api` → `shop/db` on TCP/5432',
      '  - egress of shop/api: allowed by shop/api-db-out egress rule #1 (to pods {app=db} of the policy\'s namespace on TCP/5432); isolated by shop/api-db-out, shop/deny; ' +
      'ingress of shop/db: allowed by shop/api-db-in ingress rule #1 (from pods {app=api} of the policy\'s namespace on TCP/5432); isolated by shop/api-db-in, shop/deny',
      '',
      '## Closed',
      '',
      '### NetworkPolicy shop/web-api-out (no longer allows) + NetworkPolicy shop/web-api-in (no longer allows) (1)',
      '',
      // The reason is the verdict at the first port that changed, not at the first port of the range that holds it.
      '- `shop/web` → `shop/api` on TCP/8080',
      '  - egress of shop/web: denied, isolated by shop/deny and no rule of these allows TCP/8080 to shop/api; ' +
      'ingress of shop/api: denied, isolated by shop/deny and no rule of these allows TCP/8080 from shop/web',
      '',
    ].join('\n'));
  });

  test('widening a service from one port to every port is a change, reported as the ports it opens', () => {
    const widened = model([deny, ...allow('web-api', 'web', 'api')]);
    const diff = diffModels(before, widened);
    expect(summary(diff).opened).toEqual([
      'shop/web -> shop/api TCP/1-8079, TCP/8081-65535, UDP/1-65535, SCTP/1-65535 [NetworkPolicy shop/web-api-out + NetworkPolicy shop/web-api-in]',
    ]);
    expect(diff.closed).toEqual([]);
  });

  test('no change, nothing listed', () => {
    const diff = diffModels(before, before);
    expect(summary(diff)).toEqual({ opened: [], closed: [] });
    expect(diffMarkdown(diff)).toContain('**0** flow(s) opened, **0** closed.\n\n## Opened\n\nNone.');
  });

  test('a pod present on one side only: its flows open (or close) with it', () => {
    const more = model([deny, ...allow('web-api', 'web', 'api', [{ port: 8080 }])]);
    more.addPod({ namespace: 'shop', name: 'cache', labels: { app: 'cache' } });
    const { opened, closed } = summary(diffModels(before, more));
    expect(closed).toEqual([]);
    // Default deny isolates the new pod both ways: only the self-evident is open... nothing at all.
    expect(opened).toEqual([]);
    const open = summary(diffModels(model([]), (() => {
      const m = model([]);
      m.addPod({ namespace: 'shop', name: 'cache', labels: { app: 'cache' } });
      return m;
    })()));
    // Said once for the namespace, not once per pod; every port is "all ports", as in the matrix.
    expect(open.opened).toContain('shop/web -> shop/cache all ports [new pods of shop]');
    expect(new Set(open.opened.map((o) => o.replace(/^.*\[/, '')))).toEqual(new Set(['new pods of shop]']));
    expect(open.closed).toEqual([]);
  });

  test(`more than ${FOLD_ABOVE} flows of one cause fold into a details block; the totals stay on top`, () => {
    const pods = (policies: any[]) => {
      const m = NetworkModel.fromManifests(policies);
      for (let i = 0; i < 12; i++) {
        m.addPod({ namespace: 'shop', name: `p${i}`, labels: { app: `p${i}` } });
      }
      return m;
    };
    const md = diffMarkdown(diffModels(pods([]), pods([deny])));
    const lines = md.split('\n');
    // 12 pods to 11 others, kube-dns, the internet and the metadata endpoint, and the internet to 12 pods.
    expect(lines[2]).toBe('**0** flow(s) opened, **180** closed.');
    expect(lines).toContain('### isolated by NetworkPolicy shop/deny (180)');
    expect(lines.filter((l) => l === '<details>')).toHaveLength(1);
    expect(lines).toContain('<summary>180 flows</summary>');
  });
});

describe('diff without workloads: stable stand-ins, and a warning that says how it compared', () => {
  function readmeApp(extra: (chart: Chart, graph: ServiceGraph) => void, first: boolean): any[] {
    const chart = new Chart(Testing.app(), 'production');
    if (first) {
      extra(chart, new ServiceGraph(chart, 'extra', { namespace: 'production' }));
    }
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', createNamespace: true });
    const shop = new ServiceGraph(chart, 'shop', { namespace: 'production' });
    const frontend = shop.workload('frontend', { ports: [Port.tcp(8080)] });
    const api = shop.workload('api', { ports: [Port.tcp(8080), Port.tcp(9090)] });
    const database = shop.workload('postgres', { ports: [Port.tcp(5432)] });
    frontend.allowFrom(Peer.namespace('ingress-nginx'));
    frontend.calls(api, Port.tcp(8080));
    api.calls(database);
    api.allowFrom(Peer.podsInNamespace('monitoring', { app: 'prometheus' }), Port.tcp(9090));
    api.allowTo(Peer.internet(), Port.tcp(443));
    if (!first) {
      extra(chart, new ServiceGraph(chart, 'extra', { namespace: 'production' }));
    }
    return Testing.synth(chart);
  }
  const none = () => undefined;
  // The change: a new service graph, where reporting calls a warehouse.
  const reporting = (_chart: Chart, graph: ServiceGraph) => {
    graph.workload('reporting').calls(graph.workload('warehouse', { ports: [Port.tcp(7000)] }), Port.tcp(7000));
  };

  test('the README example with one construct added: the same diff wherever the line goes', () => {
    const base = Report._model(readmeApp(none, false));
    const last = diffModels(base, Report._model(readmeApp(reporting, false)));
    const first = diffModels(base, Report._model(readmeApp(reporting, true)));
    expect(diffMarkdown(first)).toBe(diffMarkdown(last));
    expect(last.closed).toEqual([]);
    // What the change opens: reporting -> warehouse on 7000 (stand-ins, named after their labels), and nothing else.
    expect(summary(last).opened).toEqual([expect.stringMatching(/^production\/stand-in-app-reporting-[0-9a-f]{6} -> production\/stand-in-app-warehouse-[0-9a-f]{6} TCP\/7000 \[NetworkPolicy production\/extra-reporting \+ NetworkPolicy production\/extra-warehouse\]$/)]);
    expect(last.notes).toEqual([expect.stringMatching(/^Neither side holds workloads: both were evaluated on the same stand-in pods/)]);
  });

  test('equivalent policy sets (reordered, split differently): 0 opened, 0 closed', () => {
    const rules = [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }, { from: [{ podSelector: { matchLabels: { app: 'admin' } } }] }];
    const one = [deny, policy('api', { podSelector: { matchLabels: { app: 'api' } }, ingress: rules })];
    const split = [
      policy('api-admin', { podSelector: { matchLabels: { app: 'api' } }, ingress: [rules[1]] }),
      policy('api-web', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Ingress'], ingress: [rules[0]] }),
      deny,
    ];
    const diff = diffModels(NetworkModel.fromManifests(one), NetworkModel.fromManifests(split));
    expect(summary(diff)).toEqual({ opened: [], closed: [] });
  });

  test('one side without workloads: its policies are evaluated on the other side\'s pods, and the note says so', () => {
    const diff = diffModels(NetworkModel.fromManifests([deny]), model([deny, ...allow('web-api', 'web', 'api', [{ port: 8080 }])]));
    expect(diff.notes).toEqual(['The old side holds no workloads: its policies were evaluated on the new side\'s 3 pod(s), so that only the policies differ.']);
    expect(summary(diff).opened).toEqual(['shop/web -> shop/api TCP/8080 [NetworkPolicy shop/web-api-out + NetworkPolicy shop/web-api-in]']);
    expect(diffMarkdown(diff)).toContain('> The old side holds no workloads');
  });
});

// Online Boutique's own policies (../shared/upstream, GoogleCloudPlatform/microservices-demo), without
// its workloads: inserting one service's policy first or last changes nothing but that service's flows.
const upstream = sharedPart('upstream');
(upstream.present ? describe : describe.skip)('Online Boutique without workloads: one service inserted', () => {
  // Read in the tests: a skipped describe still runs its body, and a plain clone has no ../shared.
  let policies: any[] = [];
  beforeAll(() => {
    const folder = path.join(upstream.dir, 'online-boutique', 'policies');
    policies = fs.readdirSync(folder).sort().flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(folder, f), 'utf8')).map((d) => d.toJSON()));
  });
  const review = policy('reviewservice', {
    podSelector: { matchLabels: { app: 'reviewservice' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }],
    egress: [{}],
  });
  const inDefault = { ...review, metadata: { name: 'reviewservice' } };

  test('the same diff wherever the policy goes, and only the new service\'s flows', () => {
    const base = NetworkModel.fromManifests(policies);
    const last = diffModels(base, NetworkModel.fromManifests([...policies, inDefault]));
    const first = diffModels(base, NetworkModel.fromManifests([inDefault, ...policies]));
    expect(diffMarkdown(first)).toBe(diffMarkdown(last));
    expect(last.closed).toEqual([]);
    expect(last.opened.length).toBeGreaterThan(0);
    expect(last.opened.filter((c) => !`${c.from} ${c.to}`.includes('app-reviewservice'))).toEqual([]);
    expect(summary(last).opened).toContainEqual(expect.stringMatching(
      /^default\/stand-in-app-frontend-[0-9a-f]{6} -> default\/stand-in-app-reviewservice-[0-9a-f]{6} TCP\/8080 \[NetworkPolicy default\/reviewservice\]$/));
  });

  test('the policies against themselves in another order: 0 opened, 0 closed', () => {
    const diff = diffModels(NetworkModel.fromManifests(policies), NetworkModel.fromManifests([...policies].reverse()));
    expect(summary(diff)).toEqual({ opened: [], closed: [] });
  });
});

test('a change to hundreds of thousands of pairs: bounded Markdown (flows per cause and in all, reasons for the first few), no stack overflow', () => {
  const opened = Array.from({ length: 200_000 }, (_, i) => ({
    from: `ns${i % 400}/p${i}`, to: `ns${(i + 1) % 400}/q${i}`, ports: ['all ports'], cause: i % 3 === 0 ? 'NetworkPolicy a/x' : `cause ${i % 97}`, reason: 'why',
  }));
  const md = diffMarkdown({ opened, closed: [], notes: [] });
  const items = md.split('\n').filter((l) => l.startsWith('- `'));
  expect(items.length).toBe(MAX_LISTED);
  expect(md).toContain('**200000** flow(s) opened, **0** closed.');
  expect(md).toContain('| … 48 more causes | | |');
  expect(md).toContain(`- … ${66_667 - MAX_LISTED_PER_CAUSE} more flow(s) of this cause, not listed`);
  expect(md.length).toBeLessThan(64 * 1024);
});

describe('diff names what changed, not what stayed', () => {
  const podsOf = () => ['web', 'api', 'db'].map((app) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: app, namespace: 'shop', labels: { app } }, spec: { containers: [{ name: 'c', image: 'x' }] },
  }));
  const dbIn = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'db-in', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] },
  };
  const blockWeb = {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'block-web', namespace: 'shop' },
    spec: { endpointSelector: { matchLabels: { app: 'db' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] },
  };

  test('a Cilium deny removed: the deny that no longer decides, not the allow that was there all along', () => {
    const diff = diffModels(NetworkModel.fromManifests([...podsOf(), dbIn, blockWeb]), NetworkModel.fromManifests([...podsOf(), dbIn]));
    expect(summary(diff)).toEqual({ opened: ['shop/web -> shop/db TCP/5432 [CiliumNetworkPolicy shop/block-web (no longer denies)]'], closed: [] });
  });

  test('a Calico deny moved after the allow (order): the deny no longer decides', () => {
    const calico = (name: string, order: number, action: string) => ({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name, namespace: 'shop' },
      spec: { order, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action, protocol: 'TCP', source: { selector: "app == 'web'" }, destination: { ports: [5432] } }] },
    });
    const before = NetworkModel.fromManifests([...podsOf(), calico('deny-db', 100, 'Deny'), calico('allow-db', 200, 'Allow')]);
    const after = NetworkModel.fromManifests([...podsOf(), calico('deny-db', 300, 'Deny'), calico('allow-db', 200, 'Allow')]);
    expect(summary(diffModels(before, after)).opened).toEqual(['shop/web -> shop/db TCP/5432 [Calico NetworkPolicy shop/deny-db (no longer denies)]']);
  });
});

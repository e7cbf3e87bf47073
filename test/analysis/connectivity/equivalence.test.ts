import { NetworkModel, Report } from '../../../src';

// Grouping endpoints is exact only if every value a deciding policy names is kept: two inputs a
// review found where it was not (both merged pods that a policy tells apart, and the matrix
// disagreed with explain).
const pod = (namespace: string, app: string) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: app, namespace, labels: { app } }, spec: { containers: [{ name: 'c', image: 'x' }] },
});

/** The matrix's allowed ports of every pair, against evaluate on TCP/80. */
function agreesWithEvaluate(model: NetworkModel): void {
  const matrix = new Report(model).matrix;
  for (const cell of matrix.cells.filter((c) => c.from !== c.to && model.podIds.includes(c.from) && model.podIds.includes(c.to))) {
    const where = `${cell.from} -> ${cell.to}`;
    const inCell = cell.allowed.some((r) => r === 'TCP/1-65535' || r === 'TCP/80');
    expect({ where, allowed: inCell }).toEqual({ where, allowed: model.evaluate({ from: cell.from, to: cell.to, port: 80 }).allowed });
  }
}

test('a cluster-wide policy with metadata.namespace set applies everywhere: its values count for every namespace', () => {
  for (const cluster of [
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'ccnp', namespace: 'a' },
      spec: { endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 't1' } }] }] },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'gnp', namespace: 'a' },
      spec: { selector: "app == 'client'", types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: "app == 't1'" } }] },
    },
  ]) {
    const model = NetworkModel.fromManifests([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } }, pod('b', 'client'), pod('b', 't1'), pod('b', 't2'), cluster]);
    expect(model.evaluate({ from: 'b/client', to: 'b/t2', port: 80 }).allowed).toBe(false);
    agreesWithEvaluate(model);
    expect(new Report(model).matrix.cells.find((c) => c.from === 'b/client' && c.to === 'b/t1')!.allowed).not.toEqual([]);
  }
});

test('Calico startswith / endswith written without a space match part of a value: every value counts', () => {
  for (const op of ['startswith', 'starts with', 'endswith', 'contains']) {
    const model = NetworkModel.fromManifests([pod('shop', 'client'), pod('shop', 'web-a'), pod('shop', 'db'), {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'client-out', namespace: 'shop' },
      spec: { selector: "app == 'client'", types: ['Egress'], egress: [{ action: 'Allow', destination: { selector: `app ${op} '${op.startsWith('end') ? '-a' : 'web'}'` } }] },
    }]);
    expect(model.evaluate({ from: 'shop/client', to: 'shop/web-a', port: 80 }).allowed).toBe(true);
    agreesWithEvaluate(model);
  }
});

test('pods alike but for their ServiceAccount (or its labels) are told apart when a policy selects by it', () => {
  const runAs = (name: string, serviceAccountName: string) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'shop', labels: { app: 'client' } },
    spec: { serviceAccountName, containers: [{ name: 'c', image: 'x' }] },
  });
  const account = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: 'shop', labels } });
  const server = pod('shop', 'server');
  const cases = [
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'by-account', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'server' } }, ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'trusted' } }] }] },
    },
    {
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'by-account', namespace: 'shop' },
      spec: { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', source: { serviceAccounts: { selector: "trust == 'high'" } } }] },
    },
  ];
  for (const policy of cases) {
    const model = NetworkModel.fromManifests([runAs('a', 'trusted'), runAs('b', 'other'), server, account('trusted', { trust: 'high' }), account('other', { trust: 'low' }), policy]);
    expect(model.evaluate({ from: 'shop/a', to: 'shop/server', port: 80 }).allowed).toBe(true);
    expect(model.evaluate({ from: 'shop/b', to: 'shop/server', port: 80 }).allowed).toBe(false);
    agreesWithEvaluate(model);
  }
});

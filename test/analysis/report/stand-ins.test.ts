import { Chart, Testing } from 'cdk8s';
import { NetworkModel, PolicyEngine, Report, ThreeTierApp } from '../../../src';
import { standInGroups } from '../../../src/analysis/report/stand-ins';

describe('standInGroups', () => {
  test('Kubernetes: the podSelector and the peers named by namespace and labels', () => {
    expect(standInGroups({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'prod' },
      spec: {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [{
          from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] } },
            { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'mon' } }, podSelector: { matchLabels: { app: 'prom' } } },
            { namespaceSelector: { matchLabels: { team: 'x' } } }, { ipBlock: { cidr: '10.0.0.0/8' } }],
        }],
      },
    })).toEqual([{ namespace: 'prod', labels: { app: 'db' } }, { namespace: 'prod', labels: { app: 'api' } }, { namespace: 'mon', labels: { app: 'prom' } }]);
  });

  test('Cilium: endpoint selectors without prefixes, namespace pinned by io.kubernetes.pod.namespace', () => {
    expect(standInGroups({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'p', namespace: 'prod' },
      spec: {
        endpointSelector: { matchLabels: { 'k8s:app': 'db' } },
        ingress: [{
          fromEndpoints: [{ matchLabels: { 'app': 'prom', 'k8s:io.kubernetes.pod.namespace': 'mon' } }, { matchLabels: { app: 'api' } },
            { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'x' } }],
        }],
      },
    })).toEqual([{ namespace: 'prod', labels: { app: 'db' } }, { namespace: 'mon', labels: { app: 'prom' } }, { namespace: 'prod', labels: { app: 'api' } }]);
    expect(standInGroups({ apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'c' }, specs: [{ endpointSelector: {}, ingress: [{}] }] })).toEqual([]);
  });

  test('Calico: == / in / has() selectors, namespace pinned by projectcalico.org/name', () => {
    expect(standInGroups({
      apiVersion: 'projectcalico.org/v3',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'prod' },
      spec: {
        selector: "app == 'db'",
        ingress: [{ action: 'Allow', source: { selector: "projectcalico.org/orchestrator == 'k8s' && app == 'api'" } },
          { action: 'Allow', source: { namespaceSelector: "projectcalico.org/name == 'mon'", selector: "app in {'prom'}" } },
          { action: 'Allow', source: { selector: "app != 'x'" } }, { action: 'Allow', source: { nets: ['10.0.0.0/8'] } }],
      },
    })).toEqual([{ namespace: 'prod', labels: { app: 'db' } }, { namespace: 'prod', labels: { app: 'api' } }, { namespace: 'mon', labels: { app: 'prom' } }]);
    expect(standInGroups({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name: 'g' }, spec: { selector: 'all()' } })).toEqual([]);
  });
});

test('a matrix of Cilium policies without workloads shows stand-ins and what the policies allow', () => {
  const chart = new Chart(Testing.app(), 'c');
  new ThreeTierApp(chart, 'shop', { namespace: 'shop', engine: PolicyEngine.CILIUM });
  const report = new Report(NetworkModel.fromManifests(Testing.synth(chart)));
  expect(report.matrix.notes[0]).toMatch(/The input holds no workloads: the \d+ "stand-in" pods carry the labels the policies select/);
  const id = (app: string) => report.matrix.sources.find((s) => s.label.includes(`app-${app}`))!.id;
  const cell = (from: string, to: string) => report.matrix.cells.find((c) => c.from === from && c.to === to)!;
  expect(cell(id('frontend'), id('api')).allowed).toEqual(['TCP/8080']);
  expect(cell(id('frontend'), id('postgres')).allowed).toEqual([]);
});

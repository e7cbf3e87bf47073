import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { NetworkModel, PolicyEngine, Port, ServiceGraph } from '../../src';
import { expectValidManifests } from '../support/manifests';

/**
 * Random graphs, rendered for a random engine and evaluated by the model over every pair of
 * workloads on every port they serve: allowed exactly when the graph declares the call, plus
 * DNS (and, without restrictEgress, egress the graph does not govern), never one flow more.
 * The oracle below reads the random graph, not the renderers or the model; synthesis runs the
 * synth-time proofs, so a graph whose promises fail would fail here too.
 */
const PORTS = [80, 443, 5432, 8080];
const NAMESPACES = ['alpha', 'beta'];
const ENGINES = [PolicyEngine.KUBERNETES, PolicyEngine.CILIUM, PolicyEngine.CALICO];
const CNI = { kubernetes: 'kubernetes', cilium: 'cilium', calico: 'calico' } as const;

interface Workload { readonly namespace: string; readonly ports: number[] }
interface Call { readonly from: number; readonly to: number; readonly ports: number[] }
interface Graph {
  readonly workloads: Workload[];
  readonly calls: Call[];
  readonly restrictEgress: boolean;
  readonly allowDns: boolean;
  readonly engine: PolicyEngine;
}

const workload: fc.Arbitrary<Workload> = fc.record({
  namespace: fc.constantFrom(...NAMESPACES),
  ports: fc.subarray(PORTS, { minLength: 1, maxLength: 2 }),
});

const graph: fc.Arbitrary<Graph> = fc.array(workload, { minLength: 2, maxLength: 5 }).chain((workloads) => fc.record({
  workloads: fc.constant(workloads),
  calls: fc.uniqueArray(
    fc.tuple(fc.nat(workloads.length - 1), fc.nat(workloads.length - 1)).filter(([a, b]) => a !== b)
      .chain(([from, to]) => fc.subarray(workloads[to].ports, { minLength: 1 }).map((ports) => ({ from, to, ports }))),
    { selector: (c) => `${c.from}->${c.to}`, maxLength: 6 },
  ),
  restrictEgress: fc.boolean(),
  allowDns: fc.boolean(),
  engine: fc.constantFrom(...ENGINES),
}));

const podId = (g: Graph, i: number) => `${g.workloads[i].namespace}/w${i}`;

describe('ServiceGraph: the model allows exactly the declared calls plus DNS', () => {
  test('random graphs on every engine', () => {
    const seen = { allowed: 0, denied: 0, engines: new Set<string>() };
    fc.assert(fc.property(graph, (g) => {
      const app = new App({ outdir: '/nonexistent' });
      const chart = new Chart(app, 'c');
      const built = new ServiceGraph(chart, 'g', {
        namespace: 'alpha',
        engine: g.engine,
        restrictEgress: g.restrictEgress,
        ...(g.restrictEgress ? { allowDns: g.allowDns } : {}),
      });
      const handles = g.workloads.map((w, i) => built.workload(`w${i}`, { namespace: w.namespace, ports: w.ports.map(Port.tcp) }));
      for (const c of g.calls) {
        handles[c.from].calls(handles[c.to], ...c.ports.map(Port.tcp));
      }
      // Synthesis runs the synth-time proofs: they must hold for every graph.
      const objects = expectValidManifests(chart.toJson());
      const model = NetworkModel.fromManifests(objects, { cni: CNI[g.engine] as any });
      g.workloads.forEach((w, i) => model.addPod({ namespace: w.namespace, name: `w${i}`, labels: { app: `w${i}` }, ports: w.ports.map((port) => ({ port })) }));
      model.addPod({ namespace: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' } });
      model.addPod({ namespace: 'alpha', name: 'stranger', labels: { app: 'stranger' }, ports: [{ port: 80 }] });
      seen.engines.add(g.engine);

      const expectVerdict = (from: string, to: string, port: number, protocol: string, allowed: boolean) => {
        const verdict = model.evaluate({ from, to, port, protocol });
        expect({ from, to, port, protocol, allowed: verdict.allowed, reasons: verdict.reasons })
          .toMatchObject({ from, to, port, protocol, allowed });
        allowed ? seen.allowed++ : seen.denied++;
      };
      g.workloads.forEach((_, i) => g.workloads.forEach((target, j) => {
        if (i === j) {
          return;
        }
        for (const port of target.ports) {
          const declared = g.calls.some((c) => c.from === i && c.to === j && c.ports.includes(port));
          expectVerdict(podId(g, i), podId(g, j), port, 'TCP', declared);
        }
      }));
      g.workloads.forEach((w, i) => {
        // DNS: open when the graph allows it, or does not govern egress at all.
        expectVerdict(podId(g, i), 'kube-system/coredns', 53, 'UDP', !g.restrictEgress || g.allowDns);
        // The internet and pods outside the graph: only when egress is not governed.
        expectVerdict(podId(g, i), '203.0.113.10', 443, 'TCP', !g.restrictEgress);
        expectVerdict(podId(g, i), 'alpha/stranger', 80, 'TCP', !g.restrictEgress);
        // Nobody outside the graph gets in.
        expectVerdict('alpha/stranger', podId(g, i), w.ports[0], 'TCP', false);
        expectVerdict('203.0.113.10', podId(g, i), w.ports[0], 'TCP', false);
      });
    }), { numRuns: 120 });
    expect(seen.allowed).toBeGreaterThan(200);
    expect(seen.denied).toBeGreaterThan(200);
    expect([...seen.engines].sort()).toEqual(['calico', 'cilium', 'kubernetes']);
  });
});

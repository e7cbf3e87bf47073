import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { labels, namespaceName, peer, port, portNumber } from './arbitraries';
import { PolicyEngine, ThreeTierApp, ZeroTrustNamespace } from '../../src';
import { synthValid } from '../support/manifests';

const ENGINES = [PolicyEngine.KUBERNETES, PolicyEngine.CILIUM, PolicyEngine.CALICO];

/** The rendering alone: the synth-time lint and proofs are tested elsewhere. */
function quietApp(): App {
  const app = new App({ outdir: '/nonexistent' });
  app.node.setContext('cdk8s-netpol/lint', false);
  app.node.setContext('cdk8s-netpol/proofs', false);
  return app;
}

const rule = fc.record({ direction: fc.constantFrom('ingress', 'egress'), peer, ports: fc.array(port, { maxLength: 3 }) });

describe('random valid intents render to manifests the official schemas accept, for every engine', () => {
  test('ZeroTrustNamespace with random exceptions', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(fc.property(fc.constantFrom(...ENGINES), namespaceName, fc.boolean(), fc.boolean(), fc.array(rule, { maxLength: 5 }),
      (engine, namespace, allowDns, allowSameNamespace, rules) => {
        const chart = new Chart(quietApp(), 'c');
        const zt = new ZeroTrustNamespace(chart, 'zt', { namespace, engine, allowDns, allowSameNamespace, createNamespace: true });
        for (const r of rules) {
          try {
            if (r.direction === 'ingress') {
              zt.allowIngress(r.peer, ...r.ports);
            } else {
              zt.allowEgress(r.peer, ...r.ports);
            }
            accepted++;
          } catch (e) {
            // A combination the engine cannot express (or that means nothing, such as a named port
            // toward an IP block) is refused at the call, naming it; the rule is not emitted.
            expect((e as Error).message).toMatch(/^ZeroTrustNamespace "c\/zt"\.allow(In|E)gress\(\): /);
            refused++;
          }
        }
        const objects = synthValid(chart);
        expect(objects.some((o) => o.metadata.name === 'default-deny')).toBe(true);
      }), { numRuns: 150 });
    // Not vacuous: most random rules are valid and rendered.
    expect(accepted).toBeGreaterThan(refused);
  });

  test('ThreeTierApp with random tier labels and ports', () => {
    // Tiers must be provably disjoint: one key with three different values, plus random labels.
    const tier = (value: string) => fc.record({ labels: labels.map((l) => ({ ...l, tier: value })), port: portNumber });
    let rendered = 0;
    fc.assert(fc.property(fc.constantFrom(...ENGINES), namespaceName, tier('web'), tier('app'), tier('db'), (engine, namespace, frontend, api, database) => {
      const chart = new Chart(quietApp(), 'c');
      new ThreeTierApp(chart, 'shop', { namespace, engine, frontend, api, database });
      expect(synthValid(chart).length).toBeGreaterThanOrEqual(3);
      rendered++;
    }), { numRuns: 100 });
    expect(rendered).toBe(100);
  });
});

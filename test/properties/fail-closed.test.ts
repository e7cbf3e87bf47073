import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { NetworkModel, Peer, Port, ZeroTrustNamespace } from '../../src';

/**
 * Fail closed: random exceptions to a default deny, rendered for the Kubernetes engine and
 * evaluated against a random pod population, allow exactly the declared flows, never one more.
 * The oracle below is written from the intent alone (a rule allows a peer whose labels include
 * the rule's labels, on the rule's ports or on every port), not from the renderer or the model.
 */
const KEYS = ['app', 'tier'];
const VALUES = ['a', 'b', 'c'];
const PORTS = [80, 443, 8080];

const podLabels = fc.record({ app: fc.constantFrom(...VALUES), tier: fc.constantFrom(...VALUES) }, { requiredKeys: [] });
const ruleLabels = fc.dictionary(fc.constantFrom(...KEYS), fc.constantFrom(...VALUES), { minKeys: 1, maxKeys: 2 });
const rule = fc.record({ labels: ruleLabels, ports: fc.subarray(PORTS) });

type Rule = { labels: Record<string, string>; ports: number[] };

function allows(rules: Rule[], peer: Record<string, string>, port: number): boolean {
  return rules.some((r) => Object.entries(r.labels).every(([k, v]) => peer[k] === v) && (r.ports.length === 0 || r.ports.includes(port)));
}

describe('fail closed', () => {
  test('the model allows exactly the declared flows between random pods', () => {
    let allowedSeen = 0;
    let deniedSeen = 0;
    fc.assert(fc.property(fc.array(rule, { maxLength: 4 }), fc.array(rule, { maxLength: 4 }), fc.array(podLabels, { minLength: 2, maxLength: 6 }),
      (ingress, egress, pods) => {
        const app = new App({ outdir: '/nonexistent' });
        app.node.setContext('cdk8s-netpol/proofs', false);
        const chart = new Chart(app, 'c');
        const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop', allowDns: false });
        for (const r of ingress) {
          zt.allowIngress(Peer.pods(r.labels), ...r.ports.map(Port.tcp));
        }
        for (const r of egress) {
          zt.allowEgress(Peer.pods(r.labels), ...r.ports.map(Port.tcp));
        }
        const model = NetworkModel.fromChart(chart);
        pods.forEach((labels, i) => model.addPod({ namespace: 'shop', name: `pod-${i}`, labels, ports: PORTS.map((port) => ({ port })) }));
        // A pod of another namespace with every label: same-namespace rules must not let it in.
        model.addPod({ namespace: 'elsewhere', name: 'stranger', labels: { app: 'a', tier: 'a' } });
        pods.forEach((fromLabels, i) => pods.forEach((toLabels, j) => {
          if (i === j) {
            return;
          }
          for (const port of PORTS) {
            const expected = allows(egress, toLabels, port) && allows(ingress, fromLabels, port);
            const verdict = model.evaluate({ from: `shop/pod-${i}`, to: `shop/pod-${j}`, port });
            const flow = { from: fromLabels, to: toLabels, port };
            expect({ ...flow, allowed: verdict.allowed }).toEqual({ ...flow, allowed: expected });
            expected ? allowedSeen++ : deniedSeen++;
          }
        }));
        for (let i = 0; i < pods.length; i++) {
          expect(model.evaluate({ from: 'elsewhere/stranger', to: `shop/pod-${i}`, port: 80 }).allowed).toBe(false);
          expect(model.evaluate({ from: `shop/pod-${i}`, to: 'elsewhere/stranger', port: 80 }).allowed).toBe(false);
        }
      }), { numRuns: 200 });
    // Both outcomes were exercised.
    expect(allowedSeen).toBeGreaterThan(50);
    expect(deniedSeen).toBeGreaterThan(50);
  });
});

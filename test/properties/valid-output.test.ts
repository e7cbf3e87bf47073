import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { labels, namespaceName, peer, port, portNumber } from './arbitraries';

/** DNS names as Cilium's toFQDNs accepts them, with an optional leading wildcard label. */
const fqdn = fc.tuple(fc.boolean(), fc.array(fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/), { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'io', 'net'))
  .map(([wild, parts, tld]) => `${wild ? '*.' : ''}${parts.join('.')}.${tld}`);
import { AllowPrometheusScrape, CiliumL7Rule, ExternalHttpsEgress, Peer, PolicyEngine, Port, ThreeTierApp, ZeroTrustNamespace } from '../../src';
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

  test('AllowPrometheusScrape with random targets, ports and Prometheus location', () => {
    const numbered = fc.array(portNumber.map(Port.tcp), { minLength: 1, maxLength: 3 });
    fc.assert(fc.property(fc.constantFrom(...ENGINES), namespaceName, labels, numbered, namespaceName, labels,
      (engine, namespace, targets, ports, prometheusNamespace, prometheusLabels) => {
        const chart = new Chart(quietApp(), 'c');
        new AllowPrometheusScrape(chart, 'scrape', { namespace, engine, targets, ports, prometheusNamespace, prometheusLabels });
        expect(synthValid(chart).length).toBe(1);
      }), { numRuns: 60 });
  });

  test('ExternalHttpsEgress: CIDRs on every engine, FQDNs on Cilium', () => {
    const numbered = fc.array(portNumber.map(Port.tcp), { minLength: 1, maxLength: 2 });
    fc.assert(fc.property(fc.constantFrom(...ENGINES), namespaceName, labels, numbered, (engine, namespace, selector, ports) => {
      const chart = new Chart(quietApp(), 'c');
      new ExternalHttpsEgress(chart, 'out', { namespace, engine, selector, ports });
      expect(synthValid(chart).length).toBeGreaterThanOrEqual(1);
    }), { numRuns: 45 });
    fc.assert(fc.property(namespaceName, labels, fc.uniqueArray(fqdn, { minLength: 1, maxLength: 4 }), (namespace, selector, fqdns) => {
      const chart = new Chart(quietApp(), 'c');
      new ExternalHttpsEgress(chart, 'out', { namespace, engine: PolicyEngine.CILIUM, selector, fqdns });
      const objects = synthValid(chart);
      // The names, and the DNS-proxy rule without which Cilium drops the traffic.
      expect(JSON.stringify(objects)).toContain('matchPattern":"*"');
    }), { numRuns: 45 });
  });

  test('CiliumL7Rule with random HTTP rules', () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'GET|HEAD');
    const path = fc.array(fc.stringMatching(/^[a-z0-9]{1,6}$/), { minLength: 1, maxLength: 3 }).map((parts) => `/${parts.join('/')}(/.*)?`);
    const http = fc.array(fc.record({ method, path }, { requiredKeys: ['method'] }), { minLength: 1, maxLength: 4 });
    fc.assert(fc.property(namespaceName, labels, labels, portNumber, http, (namespace, selector, from, p, rules) => {
      const chart = new Chart(quietApp(), 'c');
      new CiliumL7Rule(chart, 'l7', { namespace, selector, from: [Peer.pods(from)], port: Port.tcp(p), http: rules });
      const [policy] = synthValid(chart);
      expect(JSON.stringify(policy.spec)).toContain('"http"');
    }), { numRuns: 60 });
  });
});

import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { labelKey, labelValue, namespaceName } from './arbitraries';
import { CalicoGlobalDeny, CalicoSelector, CiliumL7Rule, Peer, Port, ThreeTierApp } from '../../src';
import { synthValid } from '../support/manifests';

function chart(): Chart {
  const app = new App({ outdir: '/nonexistent' });
  app.node.setContext('cdk8s-netpol/proofs', false);
  return new Chart(app, 'c');
}

/** A random Calico selector built with the typed builder. */
const selector: fc.Arbitrary<CalicoSelector> = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(CalicoSelector.all()),
    labelKey.map(CalicoSelector.has),
    fc.tuple(labelKey, labelValue).map(([k, v]) => CalicoSelector.labelEquals(k, v)),
    fc.tuple(labelKey, labelValue).map(([k, v]) => CalicoSelector.labelNotEquals(k, v)),
    fc.tuple(labelKey, fc.array(labelValue, { minLength: 1, maxLength: 3 })).map(([k, v]) => CalicoSelector.isIn(k, v)),
  ),
  node: fc.oneof({ depthSize: 'small' },
    tie('leaf') as fc.Arbitrary<CalicoSelector>,
    fc.tuple(tie('node') as fc.Arbitrary<CalicoSelector>, tie('node') as fc.Arbitrary<CalicoSelector>).map(([a, b]) => a.andAlso(b)),
    fc.tuple(tie('node') as fc.Arbitrary<CalicoSelector>, tie('node') as fc.Arbitrary<CalicoSelector>).map(([a, b]) => a.orElse(b)),
    (tie('node') as fc.Arbitrary<CalicoSelector>).map((a) => a.negate()),
  ),
})).node;

describe('engine-specific input', () => {
  test('any selector the builder makes parses back to itself and renders a valid GlobalNetworkPolicy', () => {
    fc.assert(fc.property(selector, fc.integer({ min: 0, max: 10_000 }), (s, order) => {
      expect(CalicoSelector.parse(s.toString()).toString()).toBe(s.toString());
      const c = chart();
      new CalicoGlobalDeny(c, 'deny', { selector: s.toString(), order });
      const objects = synthValid(c);
      expect(objects.find((o) => o.kind === 'GlobalNetworkPolicy')!.spec.selector).toBe(s.toString());
    }), { numRuns: 60 });
  });

  test('broken selector expressions and orders are refused at the call', () => {
    const broken = fc.oneof(
      selector.map((s) => `${s.toString()} &&`),
      selector.map((s) => `(${s.toString()}`),
      selector.map((s) => `${s.toString()} ||| all()`),
      fc.stringMatching(/^[a-z]{1,5} = '[a-z]{1,5}'$/), // "=" is not an operator
    );
    fc.assert(fc.property(broken, (expression) => {
      expect(() => new CalicoGlobalDeny(chart(), 'deny', { selector: expression })).toThrow(/^CalicoGlobalDeny "c\/deny": selector /);
    }), { numRuns: 80 });
    fc.assert(fc.property(fc.constantFrom(NaN, Infinity, -Infinity, 1.5e400), (order) => {
      expect(() => new CalicoGlobalDeny(chart(), 'deny', { order })).toThrow(/^CalicoGlobalDeny "c\/deny": order /);
    }));
  });

  test('HTTP rules: unknown methods and invalid path regexes are refused', () => {
    const badMethod = fc.stringMatching(/^[A-Z]{2,6}$/).filter((m) => !['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'].includes(m));
    const badPath = fc.constantFrom('/api/(v1', '/api/[a-', '*', '/a{2,1}', '/(?=lookahead)', '\\');
    const l7 = (http: any[]) => new CiliumL7Rule(chart(), 'l7', { namespace: 'shop', selector: { app: 'api' }, from: [Peer.pods({ app: 'web' })], port: Port.tcp(8080), http });
    fc.assert(fc.property(badMethod, (method) => {
      expect(() => l7([{ method, path: '/x' }])).toThrow(/^CiliumL7Rule "c\/l7": .*method/);
    }), { numRuns: 50 });
    fc.assert(fc.property(badPath, (path) => {
      expect(() => l7([{ method: 'GET', path }])).toThrow(/^CiliumL7Rule "c\/l7": .*path/);
    }));
  });

  test('FQDN names: invalid names and patterns are refused', () => {
    const bad = fc.oneof(
      fc.stringMatching(/^[a-z]{1,5}\.\.[a-z]{2,3}$/), // empty label
      fc.stringMatching(/^[a-z]{64,70}\.com$/), // label too long
      fc.stringMatching(/^[a-z]{1,5} [a-z]{1,5}\.com$/), // space
      fc.stringMatching(/^https?:\/\/[a-z]{1,5}\.com$/), // a URL, not a name
      fc.constant(''),
    );
    fc.assert(fc.property(bad, (name) => {
      expect(() => Peer.fqdn(name)).toThrow(/^Peer\.fqdn\(\): /);
    }));
  });

  test('long or odd construct ids give valid, stable policy names', () => {
    const id = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{20,120}$/);
    fc.assert(fc.property(id, namespaceName, (constructId, namespace) => {
      const names = () => {
        const c = chart();
        new ThreeTierApp(c, constructId, { namespace });
        return synthValid(c).map((o) => o.metadata.name as string);
      };
      const first = names();
      for (const name of first) {
        expect(name).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
      }
      expect(names()).toEqual(first);
      expect(new Set(first).size).toBe(first.length);
    }), { numRuns: 60 });
  });
});

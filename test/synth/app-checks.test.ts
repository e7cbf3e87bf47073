import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { Linter, NetworkModel, Peer, ThreeTierApp, ZeroTrustNamespace } from '../../src';
import { parseCidr, cidrProblem } from '../../src/util/cidr';

/** A policy that opens every pod of production to everything: it breaks the ThreeTierApp's promises. */
const openEverything = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'open-everything', namespace: 'production' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
};

/** A policy with egress rules but policyTypes [Ingress]: a lint error (policy-types-mismatch). */
const typo = (namespace: string) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'typo', namespace },
  spec: { podSelector: {}, policyTypes: ['Ingress'], egress: [{}] },
});

/**
 * The app-wide checks (proofs, lint) are computed once per state of the app and reused by the
 * other charts' validations. These tests change the app between two syntheses in the ways that
 * must not be missed.
 */
describe('app-wide checks see every change between two syntheses', () => {
  function estate(): { app: App; base: Chart; shop: Chart; zt: ZeroTrustNamespace } {
    const app = Testing.app();
    const base = new Chart(app, 'base');
    const zt = new ZeroTrustNamespace(base, 'zt', { namespace: 'production' });
    const shop = new Chart(app, 'shop');
    new ThreeTierApp(shop, 'shop', { namespace: 'production' });
    return { app, base, shop, zt };
  }

  test('an object added to a chart that is not validated first', () => {
    const { app, shop } = estate();
    expect(() => app.synthYaml()).not.toThrow();
    new ApiObject(shop, 'open', openEverything);
    expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\], but production\/open-everything opens it/);
  });

  test('rules added to an existing policy (no new construct)', () => {
    const { app, zt } = estate();
    zt.allowIngress(Peer.pods({ app: 'nobody' }));
    zt.allowEgress(Peer.pods({ app: 'nobody' }));
    expect(() => app.synthYaml()).not.toThrow();
    zt.allowIngress(Peer.pods({ app: 'frontend' }));
    zt.allowEgress(Peer.pods({ app: 'postgres' }));
    expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\]/);
  });

  test('a chart added later', () => {
    const { app } = estate();
    expect(() => app.synthYaml()).not.toThrow();
    const late = new Chart(app, 'late');
    new ApiObject(late, 'open', openEverything);
    expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\]/);
  });

  test('the lint too: a finding appears after an object is added', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    Linter.validateChart(chart);
    expect(() => app.synthYaml()).not.toThrow();
    new ApiObject(chart, 'typo', typo('production'));
    expect(() => app.synthYaml()).toThrow(/policy-types-mismatch/);
  });
});

describe('NetworkModel grows its index in place', () => {
  test('a pod added after an evaluation is evaluated like one added before', () => {
    const manifests = [{
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }] },
    }];
    const late = NetworkModel.fromManifests(manifests);
    late.addPod({ namespace: 'shop', name: 'db', labels: { app: 'db' }, ip: '10.0.0.1' });
    late.addPod({ namespace: 'shop', name: 'web', labels: { app: 'web' } });
    expect(late.evaluate({ from: 'shop/web', to: 'shop/db', port: 5432 }).allowed).toBe(false);
    late.addPod({ namespace: 'shop', name: 'api', labels: { app: 'api' }, ip: '10.0.0.2' });
    late.addPod({ namespace: 'other', name: 'api', labels: { app: 'api' } });
    expect(late.evaluate({ from: 'shop/api', to: 'shop/db', port: 5432 }).allowed).toBe(true);
    expect(late.evaluate({ from: '10.0.0.2', to: 'shop/db', port: 5432 }).allowed).toBe(true);
    expect(late.evaluate({ from: 'other/api', to: 'shop/db', port: 5432 }).allowed).toBe(false);
    expect(late.podIds).toEqual(['other/api', 'shop/api', 'shop/db', 'shop/web']);
  });
});

describe('parsed CIDRs are shared, errors are not forgotten', () => {
  test('the same text parses to the same frozen block; an invalid one fails every time', () => {
    expect(parseCidr('10.0.0.0/8')).toBe(parseCidr('10.0.0.0/8'));
    expect(Object.isFrozen(parseCidr('10.0.0.0/8'))).toBe(true);
    expect(() => parseCidr('10.0.0.1/8')).toThrow(/host bits are set/);
    expect(() => parseCidr('10.0.0.1/8')).toThrow(/host bits are set/);
    expect(parseCidr('10.0.0.1/8', true).network.toString()).toBe('10.0.0.0');
    expect(cidrProblem('10.0.0.1/8')).toMatch(/host bits/);
    expect(cidrProblem('10.0.0.1/8', true)).toBeUndefined();
    expect(cidrProblem(42 as any)).toBe('it is not a string');
  });
});

describe('the leader of a validation round (review findings)', () => {
  function estate(baseContext: Record<string, unknown> = {}): { app: App; shop: Chart } {
    const app = Testing.app();
    const base = new Chart(app, 'base');
    for (const [key, value] of Object.entries(baseContext)) {
      base.node.setContext(key, value);
    }
    new ZeroTrustNamespace(base, 'zt', { namespace: 'production' });
    const shop = new Chart(app, 'shop');
    new ThreeTierApp(shop, 'shop', { namespace: 'production' });
    return { app, shop };
  }

  test('is never a chart with the check turned off', () => {
    const { app, shop } = estate({ 'cdk8s-netpol/proofs': false });
    expect(() => app.synthYaml()).not.toThrow();
    const open = new ApiObject(shop, 'open', openEverything);
    expect(() => app.synthYaml()).toThrow(/no-frontend-to-database/);
    shop.node.tryRemoveChild(open.node.id);
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('the lint too', () => {
    const app = Testing.app();
    const base = new Chart(app, 'base');
    base.node.setContext('cdk8s-netpol/lint', false);
    new ZeroTrustNamespace(base, 'zt', { namespace: 'production' });
    const other = new Chart(app, 'other');
    new ZeroTrustNamespace(other, 'zt', { namespace: 'other' });
    expect(() => app.synthYaml()).not.toThrow();
    new ApiObject(other, 'typo', typo('other'));
    expect(() => app.synthYaml()).toThrow(/policy-types-mismatch/);
  });

  test('a chart validated directly, twice in a round, takes a fresh look', () => {
    const { app, shop } = estate();
    expect(() => app.synthYaml()).not.toThrow();
    new ApiObject(shop, 'open', openEverything);
    expect(shop.node.validate().join('\n')).toMatch(/no-frontend-to-database/);
  });

  test('a removed leader', () => {
    const { app, shop } = estate();
    expect(() => app.synthYaml()).not.toThrow();
    app.node.tryRemoveChild('base');
    new ApiObject(shop, 'open', openEverything);
    expect(() => app.synthYaml()).toThrow(/no-frontend-to-database/);
  });

  test('shared parsed CIDRs cannot be changed by a caller', () => {
    const block = parseCidr('10.0.0.0/8');
    expect(() => { (block.network as any).octets[0] = 11; }).toThrow(TypeError);
    expect(parseCidr('10.0.0.0/8').network.toString()).toBe('10.0.0.0');
  });
});

describe('one validation per chart for all checks, computed once per synthesis', () => {
  test('an app of many charts is linted and proven once per synthesis, not once per chart', () => {
    const app = Testing.app();
    for (let i = 0; i < 12; i++) {
      const chart = new Chart(app, `team-${i}`);
      new ZeroTrustNamespace(chart, 'zt', { namespace: `team-${i}` });
      new ThreeTierApp(chart, 'shop', { namespace: `team-${i}` });
    }
    const lint = jest.spyOn(Linter.prototype, 'lint');
    const model = jest.spyOn(NetworkModel, 'fromManifests');
    try {
      app.synthYaml();
      // cdk8s validates the whole app 13 times here (once, then once per chart).
      expect(lint).toHaveBeenCalledTimes(1);
      expect(model).toHaveBeenCalledTimes(1);
      // Unchanged app: the results stand. A change: computed again, once.
      app.synthYaml();
      expect(lint).toHaveBeenCalledTimes(1);
      new ZeroTrustNamespace(new Chart(app, 'late'), 'zt', { namespace: 'late' });
      app.synthYaml();
      expect(lint).toHaveBeenCalledTimes(2);
      expect(model).toHaveBeenCalledTimes(2);
    } finally {
      lint.mockRestore();
      model.mockRestore();
    }
  });

  test('a chart reports the lint\'s and the proofs\' errors together, each once', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    new ApiObject(chart, 'typo', typo('production'));
    new ApiObject(chart, 'open', openEverything);
    const errors = chart.node.validate();
    expect(errors.filter((e) => /policy-types-mismatch/.test(e))).toHaveLength(1);
    expect(errors.filter((e) => /\[no-frontend-to-database\]/.test(e))).toHaveLength(1);
    // The lint registered first (when the first policy was emitted), so its errors come first.
    expect(errors.findIndex((e) => /policy-types-mismatch/.test(e))).toBeLessThan(errors.findIndex((e) => /no-frontend-to-database/.test(e)));
  });

  test('a chart with one check off reports the other', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    chart.node.setContext('cdk8s-netpol/lint', false);
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    new ApiObject(chart, 'typo', typo('production'));
    new ApiObject(chart, 'open', openEverything);
    const errors = chart.node.validate();
    expect(errors.some((e) => /policy-types-mismatch/.test(e))).toBe(false);
    expect(errors.some((e) => /no-frontend-to-database/.test(e))).toBe(true);
  });
});

describe('the tree shape sees a chart replaced by another of the same size', () => {
  test('a removed chart and a new one with as many children', () => {
    const app = Testing.app();
    const base = new Chart(app, 'base');
    new ZeroTrustNamespace(base, 'zt', { namespace: 'production' });
    const shop = new Chart(app, 'shop');
    new ThreeTierApp(shop, 'shop', { namespace: 'production' });
    const plain = new Chart(app, 'plain');
    new ApiObject(plain, 'fine', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'fine', namespace: 'production' },
      spec: { podSelector: { matchLabels: { app: 'nobody' } }, policyTypes: ['Ingress'] },
    });
    expect(() => app.synthYaml()).not.toThrow();
    app.node.tryRemoveChild('plain');
    const replacement = new Chart(app, 'replacement');
    new ApiObject(replacement, 'open', openEverything);
    expect(() => app.synthYaml()).toThrow(/no-frontend-to-database/);
  });
});

describe('review findings: checks turned off on some charts, a check that throws, direct validations', () => {
  test('a finding in a chart with the lint off is silenced, not moved to another chart', () => {
    const app = Testing.app();
    const quiet = new Chart(app, 'quiet');
    quiet.node.setContext('cdk8s-netpol/lint', false);
    new ZeroTrustNamespace(quiet, 'zt', { namespace: 'x' });
    new ApiObject(quiet, 'typo', typo('x'));
    const loud = new Chart(app, 'loud');
    new ZeroTrustNamespace(loud, 'zt', { namespace: 'y' });
    expect(() => app.synthYaml()).not.toThrow();
    // The same finding in the other chart is reported there.
    new ApiObject(loud, 'typo', typo('y'));
    expect(() => app.synthYaml()).toThrow(/\[loud\] \[cdk8s-netpol\] policy-types-mismatch/);
  });

  test('the lint reads the CNI from the first chart cdk8s validates with the lint on, whatever the order of registration', () => {
    const app = Testing.app();
    const first = new Chart(app, 'first');
    first.node.setContext('cdk8s-netpol/cni', 'cilium');
    const second = new Chart(app, 'second');
    new ZeroTrustNamespace(second, 'zt', { namespace: 'y' });
    new ZeroTrustNamespace(first, 'zt', { namespace: 'x' });
    // endPort is ignored by Cilium: a warning only when the lint knows the CNI is Cilium.
    new ApiObject(first, 'range', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'range', namespace: 'x' },
      spec: { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 8000, endPort: 8100, protocol: 'TCP' }] }] },
    });
    const warn = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      app.synthYaml();
      expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toMatch(/cilium-ignores-endport/);
    } finally {
      warn.mockRestore();
    }
  });

  test('a check that throws once is run again at the next synthesis, not skipped', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    expect(() => app.synthYaml()).not.toThrow();
    new ApiObject(chart, 'typo', typo('production'));
    const lint = jest.spyOn(Linter.prototype, 'lint').mockImplementationOnce(() => {
      throw new Error('boom');
    });
    try {
      expect(() => app.synthYaml()).toThrow(/boom/);
      expect(() => app.synthYaml()).toThrow(/policy-types-mismatch/);
    } finally {
      lint.mockRestore();
    }
  });

  test('a direct validation of one chart does not make another chart\'s direct validation stale', () => {
    const app = Testing.app();
    const base = new Chart(app, 'base');
    new ZeroTrustNamespace(base, 'zt', { namespace: 'production' });
    const shop = new Chart(app, 'shop');
    new ThreeTierApp(shop, 'shop', { namespace: 'production' });
    const other = new Chart(app, 'other');
    new ZeroTrustNamespace(other, 'zt', { namespace: 'other' });
    expect(() => app.synthYaml()).not.toThrow();
    expect(other.node.validate()).toEqual([]);
    new ApiObject(other, 'open', openEverything);
    expect(shop.node.validate().join('\n')).toMatch(/no-frontend-to-database/);
  });
});

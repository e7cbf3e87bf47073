import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { KubeNetworkPolicy } from 'cdk8s-plus-33/lib/imports/k8s';
import { Construct } from 'constructs';
import { Linter, NetworkModel, Peer, PolicyProofs, Port, ServiceGraph, ThreeTierApp, ZeroTrustNamespace } from '../../src';
import { AppRevision } from '../../src/synth/app-revision';
import { _watchTreesByWalking } from '../../src/synth/tree-watch';

/** A policy that opens every pod of production to everything: it breaks the ThreeTierApp's promises. */
const openEverything = {
  metadata: { name: 'open-everything', namespace: 'production' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], ingress: [{}], egress: [{}] },
};

/** How often the app-wide checks were computed (the proofs build one model per computation). */
function countComputations(): { readonly count: number; restore(): void } {
  const model = jest.spyOn(NetworkModel, 'fromManifests');
  const lint = jest.spyOn(Linter.prototype, 'lint');
  return {
    get count() {
      expect(lint.mock.calls.length).toBe(model.mock.calls.length);
      return model.mock.calls.length;
    },
    restore() {
      model.mockRestore();
      lint.mockRestore();
    },
  };
}

/** An app with the synth-time warnings off (the tests open everything, which the lint warns about). */
function quietApp(): App {
  const app = Testing.app();
  app.node.setContext('cdk8s-netpol/warnings', false);
  return app;
}

/** An app of two charts: a zero-trust namespace and a three-tier app in `production`, and an empty chart. */
function estate(): { app: App; chart: Chart; zt: ZeroTrustNamespace; shop: ThreeTierApp } {
  const app = quietApp();
  const chart = new Chart(app, 'production');
  const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
  const shop = new ThreeTierApp(chart, 'shop', { namespace: 'production' });
  new Chart(app, 'other');
  return { app, chart, zt, shop };
}

/**
 * The app's revision, owned by the app (no caller bumps a counter): every change that can alter
 * what the app synthesizes is seen by the next synthesis, and nothing else makes the app-wide
 * checks compute again.
 */
describe('the app-wide checks see every change between two syntheses (issue 16, item 4)', () => {
  test('the first allowIngress of a ZeroTrustNamespace (a new object below a chart\'s child)', () => {
    const { app, zt } = estate();
    expect(() => app.synthYaml()).not.toThrow();
    zt.allowIngress(Peer.namespace('ingress-nginx'));
    expect(() => app.synthYaml()).toThrow(/\[no-ingress-to-api\]/);
  });

  test('the same calls in a fresh app fail the same way', () => {
    const { app, zt } = estate();
    zt.allowIngress(Peer.namespace('ingress-nginx'));
    expect(() => app.synthYaml()).toThrow(/\[no-ingress-to-api\]/);
  });

  test('an object added deep inside a construct of the user\'s own', () => {
    const { app, chart } = estate();
    const inner = new Construct(new Construct(chart, 'a'), 'b');
    expect(() => app.synthYaml()).not.toThrow();
    new KubeNetworkPolicy(inner, 'open', openEverything as any);
    expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\], but production\/open-everything opens it/);
  });

  test('a new chart with the object nested in it', () => {
    const { app } = estate();
    expect(() => app.synthYaml()).not.toThrow();
    new KubeNetworkPolicy(new Construct(new Chart(app, 'late'), 'a'), 'open', openEverything as any);
    expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\]/);
  });

  test('a service graph\'s call (a revised policy, no new object)', () => {
    const { app, chart } = estate();
    const graph = new ServiceGraph(chart, 'graph', { namespace: 'production' });
    const frontend = graph.workload('frontend', { ports: [Port.tcp(80)] });
    const database = graph.workload('database', { labels: { app: 'postgres' }, ports: [Port.tcp(5432)] });
    expect(() => app.synthYaml()).not.toThrow();
    frontend.calls(database);
    expect(() => app.synthYaml()).toThrow(/ThreeTierApp "production\/shop" promises that frontend cannot reach database .*\[no-frontend-to-database\]/);
  });

  test('PolicyProofs.accept after a failed synthesis', () => {
    const app = quietApp();
    const chart = new Chart(app, 'production');
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'production', allowSameNamespace: true });
    const shop = new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\]/);
    for (const id of ['no-frontend-to-database', 'no-api-to-frontend', 'no-database-to-api', 'no-database-to-frontend']) {
      PolicyProofs.accept(shop, id, 'the namespace is a sandbox; tiers talk freely until the migration ends');
    }
    expect(() => app.synthYaml()).not.toThrow();
  });

  test('further rules of a growing policy (no new object)', () => {
    const { app, zt } = estate();
    zt.allowIngress(Peer.pods({ app: 'nobody' }));
    expect(() => app.synthYaml()).not.toThrow();
    zt.allowIngress(Peer.namespace('ingress-nginx'));
    expect(() => app.synthYaml()).toThrow(/\[no-ingress-to-api\]/);
  });
});

describe('the app-wide checks are computed once per state of the app', () => {
  test('once per synthesis; not again when nothing changed; once after each change', () => {
    const { app, chart, zt, shop } = estate();
    const graph = new ServiceGraph(chart, 'graph', { namespace: 'production' });
    const a = graph.workload('a', { labels: { app: 'a' }, ports: [Port.tcp(80)] });
    const b = graph.workload('b', { labels: { app: 'b' }, ports: [Port.tcp(80)] });
    const computations = countComputations();
    try {
      app.synthYaml();
      expect(computations.count).toBe(1);
      app.synthYaml();
      Testing.synth(chart);
      expect(computations.count).toBe(1);
      const changes = [
        () => new ApiObject(new Construct(new Construct(chart, 'x'), 'y'), 'z', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'z' } }),
        () => zt.allowIngress(Peer.pods({ app: 'nobody' })),
        () => zt.allowIngress(Peer.pods({ app: 'nobody-either' })),
        () => a.calls(b),
        () => b.allowFrom(Peer.pods({ app: 'nobody' })),
        () => PolicyProofs.accept(shop, 'no-frontend-to-database', 'a reason long enough for the test'),
        () => new Chart(app, 'late'),
      ];
      for (const [i, change] of changes.entries()) {
        change();
        app.synthYaml();
        app.synthYaml();
        expect(computations.count).toBe(i + 2);
      }
    } finally {
      computations.restore();
    }
  });

  test('the hook counts additions anywhere in the tree, and changes no node', () => {
    const { app, chart } = estate();
    const revision = AppRevision.of(chart);
    expect(revision).toBe(AppRevision.of(app));
    expect(revision.hooked).toBe(true);
    // On the prototype: no node gets a property of its own (it would slow cdk8s's walks down).
    expect(Object.getOwnPropertyDescriptor(app.node, 'locked')).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(chart.node, 'locked')).toBeUndefined();
    expect(app.node.locked).toBe(false);
    const before = revision.current;
    new Construct(new Construct(new Construct(chart, 'p'), 'q'), 'r');
    expect(revision.current).toBe(before + 3);
    expect(revision.settle()).toBe(before + 4); // the chart has one child more: the shape moved too
    expect(revision.settle()).toBe(before + 4);
  });

  test('each app counts its own additions', () => {
    const one = estate();
    const two = estate();
    const first = AppRevision.of(one.app);
    const second = AppRevision.of(two.app);
    expect(first).not.toBe(second);
    expect(second.hooked).toBe(true);
    const [before1, before2] = [first.current, second.current];
    new Construct(new Construct(two.chart, 'p'), 'q');
    expect(first.current).toBe(before1);
    expect(second.current).toBe(before2 + 2);
  });

  test('a locked app still refuses children', () => {
    const { app, chart } = estate();
    app.node.lock();
    expect(() => new Construct(chart, 'late')).toThrow(/during synthesis/);
  });
});

describe('with no hook (a constructs that does not read `locked` when adding a child), the tree is walked', () => {
  beforeEach(() => _watchTreesByWalking(true));
  afterEach(() => _watchTreesByWalking(false));

  test('a deep addition, a removal and a growing policy are seen; nothing changed is not computed again', () => {
    const { app, chart, zt } = estate();
    expect(AppRevision.of(app).hooked).toBe(false);
    expect(Object.getOwnPropertyDescriptor(app.node, 'locked')).toBeUndefined();
    const inner = new Construct(new Construct(chart, 'a'), 'b');
    const computations = countComputations();
    try {
      expect(() => app.synthYaml()).not.toThrow();
      expect(() => app.synthYaml()).not.toThrow();
      expect(computations.count).toBe(1);
      const open = new KubeNetworkPolicy(inner, 'open', openEverything as any);
      expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\], but production\/open-everything opens it/);
      inner.node.tryRemoveChild(open.node.id);
      expect(() => app.synthYaml()).not.toThrow();
      zt.allowIngress(Peer.namespace('ingress-nginx'));
      expect(() => app.synthYaml()).toThrow(/\[no-ingress-to-api\]/);
    } finally {
      computations.restore();
    }
  });
});

describe('a root the hook does not work on is walked', () => {
  test('a root whose node answers `locked` otherwise (another hook, another constructs) is walked', () => {
    const app = quietApp();
    Object.defineProperty(app.node, 'locked', { configurable: true, get: () => false });
    const chart = new Chart(app, 'production');
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    const inner = new Construct(new Construct(chart, 'a'), 'b');
    expect(AppRevision.of(app).hooked).toBe(false);
    expect(() => app.synthYaml()).not.toThrow();
    new KubeNetworkPolicy(inner, 'open', openEverything as any);
    expect(() => app.synthYaml()).toThrow(/\[no-frontend-to-database\]/);
  });
});

describe('a constructs whose addChild does not read `locked` (a future version)', () => {
  test('the hook is not proven, not left installed, and trees are walked', () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const fresh: typeof import('constructs') = require('constructs');
      const prototype = fresh.Node.prototype as any;
      const locked = Object.getOwnPropertyDescriptor(prototype, 'locked');
      const addChild = prototype.addChild;
      prototype.addChild = function (this: any, child: unknown, name: string) {
        this._children[name] = child;
      };
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { TreeWatch }: typeof import('../../src/synth/tree-watch') = require('../../src/synth/tree-watch');
        const root = new fresh.Construct(undefined as any, '');
        const watch = new TreeWatch(root);
        expect(watch.hooked).toBe(false);
        expect(Object.getOwnPropertyDescriptor(prototype, 'locked')).toEqual(locked);
        const settled = watch.settle();
        expect(watch.settle()).toBe(settled);
        new fresh.Construct(new fresh.Construct(root, 'a'), 'b');
        expect(watch.settle()).toBe(settled + 1);
        expect(watch.settle()).toBe(settled + 1);
      } finally {
        prototype.addChild = addChild;
      }
    });
  });
});

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import { AllowPrometheusScrape, ExternalHttpsEgress, Peer, PolicyEngine, PolicyProofs, Port, ThreeTierApp, ZeroTrustNamespace } from '../../src';
import { labelsSatisfying } from '../../src/constructs/proofs';
import { LabelExpression, LabelSelector } from '../../src/core/selector';
import { synthValid } from '../support/manifests';

const newChart = () => new Chart(Testing.app(), 'production');

describe('synth-time proofs', () => {
  test('the seed scenario keeps every promise', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production' });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production' });
    new ExternalHttpsEgress(chart, 'external', { namespace: 'production', selector: { app: 'api' } });
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('allowSameNamespace next to a ThreeTierApp breaks "frontend cannot reach database": synth fails naming both constructs and the policy', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(
      /ThreeTierApp "production\/shop" promises that frontend cannot reach database on TCP\/5432 \[no-frontend-to-database\], but production\/allow-same-namespace \(from ZeroTrustNamespace "production\/zero-trust"\) opens it/);
    // The verdict's reasons are in the message, for the person reading the failure.
    expect(() => Testing.synth(chart)).toThrow(/ingress of production\/netpol-proof-production-shop-database: allowed by production\/allow-same-namespace ingress rule #1/);
  });

  test('an accepted conflict, with its reason, lets synthesis pass', () => {
    const chart = newChart();
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    const shop = new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    for (const id of ['no-frontend-to-database', 'no-database-to-api', 'no-database-to-frontend']) {
      PolicyProofs.accept(shop, id, 'the namespace is a sandbox; tiers talk freely until the migration ends');
    }
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('a broken allowed promise names the policies that block it', () => {
    const chart = newChart();
    // Monitoring locked down without an egress exception: Prometheus cannot scrape anything.
    new ZeroTrustNamespace(chart, 'monitoring', { namespace: 'monitoring' });
    new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(
      /AllowPrometheusScrape "production\/scrape" promises that Prometheus reaches the targets on TCP\/9090 \[scrape-tcp-9090\], but it is blocked by monitoring\/default-deny \(from ZeroTrustNamespace "production\/monitoring"\)/);
  });

  test('a namespace-wide internet egress breaks "the database initiates nothing"', () => {
    const chart = newChart();
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    new ExternalHttpsEgress(chart, 'everyone', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(/\[no-database-to-internet\], but production\/allow-external-https \(from ExternalHttpsEgress "production\/everyone"\) opens it/);
  });

  test('an exception that opens the metadata endpoint breaks ExternalHttpsEgress\'s promise', () => {
    const chart = newChart();
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
    zt.allowEgress(Peer.ipBlock('169.254.0.0/16'));
    new ExternalHttpsEgress(chart, 'egress', { namespace: 'production' });
    expect(() => Testing.synth(chart)).toThrow(/\[no-metadata-tcp-443\], but production\/allow-egress \(from ZeroTrustNamespace "production\/zt"\) opens it/);
  });

  test('named metrics ports are proven through a container port of that name', () => {
    const chart = newChart();
    const scrape = new AllowPrometheusScrape(chart, 'scrape', { namespace: 'production', ports: [Port.tcp(9090), Port.named('metrics')] });
    expect(PolicyProofs.promisesOf(scrape)).toEqual([
      'scrape-tcp-9090: Prometheus reaches the targets on TCP/9090',
      'scrape-tcp-metrics: Prometheus reaches the targets on TCP/metrics',
    ]);
    expect(() => synthValid(chart)).not.toThrow();
  });

  test('proofs can be turned off with the cdk8s-netpol/proofs context', () => {
    const app = Testing.app();
    app.node.setContext('cdk8s-netpol/proofs', false);
    const chart = new Chart(app, 'production');
    new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
    new ThreeTierApp(chart, 'shop', { namespace: 'production' });
    expect(() => Testing.synth(chart)).not.toThrow();
  });

  test('charts rendered for Cilium or Calico are not proven by the Kubernetes-only model', () => {
    for (const engine of [PolicyEngine.CILIUM, PolicyEngine.CALICO]) {
      const chart = newChart();
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true, engine });
      new ThreeTierApp(chart, 'shop', { namespace: 'production', engine });
      expect(PolicyProofs.promisesOf(chart.node.findChild('shop'))).toEqual([]);
      expect(() => Testing.synth(chart)).not.toThrow();
    }
  });

  test('nothing is written when a promise is broken', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-proofs-'));
    try {
      const app = new App({ outdir });
      const chart = new Chart(app, 'production');
      new ZeroTrustNamespace(chart, 'zero-trust', { namespace: 'production', allowSameNamespace: true });
      new ThreeTierApp(chart, 'shop', { namespace: 'production' });
      expect(() => app.synth()).toThrow(/no-frontend-to-database/);
      expect(fs.readdirSync(outdir)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  describe('PolicyProofs.accept validates its arguments', () => {
    const shop = () => new ThreeTierApp(newChart(), 'shop', { namespace: 'production' });
    test.each([
      [() => PolicyProofs.accept(shop(), 'no-such-promise', 'because we want it so'), /ThreeTierApp "production\/shop" makes no promise "no-such-promise"; its promises are ingress-to-frontend, frontend-to-api/],
      [() => PolicyProofs.accept(shop(), 'no-frontend-to-database', ''), /reason "" must say why breaking "no-frontend-to-database" is acceptable/],
      [() => PolicyProofs.accept(shop(), 'no-frontend-to-database', 'ok'), /reason "ok" must say why/],
      [() => PolicyProofs.accept(newChart(), 'x', 'a long enough reason'), /"production" is not a construct of cdk8s-netpol that makes promises/],
    ])('%#', (call, message) => {
      expect(call).toThrow(message);
    });
  });

  test('labelsSatisfying picks labels that a selector selects', () => {
    expect(labelsSatisfying(LabelSelector.of({ app: 'a' }, LabelExpression.isIn('tier', ['x', 'y']), LabelExpression.exists('team'), LabelExpression.doesNotExist('debug'))))
      .toEqual({ app: 'a', tier: 'x', team: 'present' });
  });
});


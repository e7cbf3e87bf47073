import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as fc from 'fast-check';
import { ipv4Cidr } from './arbitraries';
import { Peer, Port, ThreeTierApp, ZeroTrustNamespace } from '../../src';
import { show } from '../../src/util/validation';

/**
 * Random invalid values always throw an Error at the call, whose message names the call, the bad
 * value and the valid form; never a manifest.
 */
function expectRefused(call: () => unknown, where: RegExp, value: unknown, validForm: RegExp): void {
  let thrown: unknown;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(Error);
  const message = (thrown as Error).message;
  expect(message).toMatch(where);
  expect(message).toContain(show(value));
  expect(message).toMatch(validForm);
}

describe('random invalid values are refused at the call', () => {
  test('port numbers outside 1-65535, fractions, NaN and infinities', () => {
    const bad = fc.oneof(
      fc.integer({ min: -1_000_000, max: 0 }),
      fc.integer({ min: 65536, max: 10_000_000 }),
      fc.double({ noNaN: true, min: 1, max: 65535 }).filter((d) => !Number.isInteger(d)),
      fc.constantFrom(NaN, Infinity, -Infinity),
    );
    fc.assert(fc.property(bad, fc.constantFrom('tcp', 'udp', 'sctp') as fc.Arbitrary<'tcp' | 'udp' | 'sctp'>, (n, protocol) => {
      expectRefused(() => Port[protocol](n), new RegExp(`^Port\\.${protocol}\\(\\): `), n, /integer from 1 to 65535/);
    }));
  });

  test('reversed port ranges', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), (a, b) => {
      fc.pre(a > b);
      expect(() => Port.tcpRange(a, b)).toThrow(new RegExp(`^Port\\.tcpRange\\(\\): range ${a}-${b} is reversed`));
    }));
  });

  test('port names that are not IANA service names', () => {
    const bad = fc.oneof(
      fc.stringMatching(/^[a-z]{16,20}$/), // too long
      fc.stringMatching(/^[0-9]{1,5}$/), // no letter
      fc.stringMatching(/^[a-z]{1,4}--[a-z]{1,4}$/), // "--"
      fc.stringMatching(/^-[a-z]{1,5}$/), // leading "-"
      fc.stringMatching(/^[a-z]{1,4}[A-Z_.][a-z]{0,4}$/), // uppercase or punctuation
    );
    fc.assert(fc.property(bad, (name) => expectRefused(() => Port.named(name), /^Port\.named\(\): /, name, /IANA service name/)));
  });

  test('CIDRs with host bits, bad prefixes or bad addresses', () => {
    const hostBits = fc.tuple(ipv4Cidr, fc.integer({ min: 1, max: 255 })).filter(([c]) => Number(c.split('/')[1]) < 24)
      .map(([c, host]) => { const [a, p] = c.split('/'); const parts = a.split('.'); parts[3] = String(host); return `${parts.join('.')}/${p}`; });
    const bad = fc.oneof(
      hostBits,
      fc.integer({ min: 33, max: 999 }).map((p) => `10.0.0.0/${p}`),
      fc.integer({ min: 256, max: 999 }).map((o) => `10.${o}.0.0/16`),
      fc.stringMatching(/^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/), // no prefix
      fc.stringMatching(/^[a-z ]{1,10}$/),
    );
    fc.assert(fc.property(bad, (cidr) => expectRefused(() => Peer.ipBlock(cidr), /^Peer\.ipBlock\(\): /, cidr, /CIDR|prefix|host bits|address/)));
  });

  test('namespace names that are not DNS-1123 labels', () => {
    const bad = fc.oneof(
      fc.stringMatching(/^[a-z]{64,70}$/),
      fc.stringMatching(/^[a-z]{0,4}[A-Z_.][a-z]{0,4}$/),
      fc.stringMatching(/^-[a-z]{1,5}$/),
      fc.stringMatching(/^[a-z]{1,5}-$/),
      fc.constant(''),
    );
    fc.assert(fc.property(bad, (name) => {
      expectRefused(() => Peer.namespace(name), /^Peer\.namespace\(\): /, name, /lowercase|63|empty/);
      expectRefused(() => new ZeroTrustNamespace(new Chart(new App(), 'c'), 'zt', { namespace: name }), /^ZeroTrustNamespace "c\/zt": /, name, /lowercase|63|empty/);
    }));
  });

  test('label keys and values', () => {
    const badKey = fc.oneof(
      fc.stringMatching(/^[a-z]{64,70}$/), // name part too long
      fc.stringMatching(/^[a-z]{1,4} [a-z]{1,4}$/), // space
      fc.stringMatching(/^-[a-z]{1,5}$/), // leading "-"
      fc.stringMatching(/^[a-z]{1,4}\/[a-z]{1,4}\/[a-z]{1,4}$/), // two slashes
      fc.constant(''),
    );
    const badValue = fc.oneof(fc.stringMatching(/^[a-z]{64,70}$/), fc.stringMatching(/^[a-z]{1,4}[ /:][a-z]{1,4}$/), fc.stringMatching(/^-[a-z]{1,4}$/));
    fc.assert(fc.property(badKey, (key) => {
      expect(() => Peer.pods({ [key]: 'x' })).toThrow(/^Peer\.pods\(\): /);
    }));
    fc.assert(fc.property(badValue, (value) => {
      expect(() => Peer.pods({ app: value })).toThrow(/^Peer\.pods\(\): /);
    }));
  });
});

describe('nothing half-written', () => {
  function outdir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-nothing-'));
  }

  test('an app whose construct is invalid never reaches synth, so no file is written', () => {
    const dir = outdir();
    const program = () => {
      const app = new App({ outdir: dir });
      const chart = new Chart(app, 'ok');
      new ZeroTrustNamespace(chart, 'zt', { namespace: 'production' });
      new ThreeTierApp(chart, 'shop', { namespace: 'production', api: { port: 70000 } });
      app.synth();
    };
    expect(program).toThrow(/ThreeTierApp "ok\/shop": .*70000/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('a synth-time finding (a broken promise) fails before any chart is written', () => {
    const dir = outdir();
    const app = new App({ outdir: dir });
    const first = new Chart(app, 'first');
    new ThreeTierApp(first, 'shop', { namespace: 'production' });
    const second = new Chart(app, 'second');
    const zt = new ZeroTrustNamespace(second, 'zt', { namespace: 'production', allowSameNamespace: true });
    expect(zt.namespace).toBe('production');
    expect(() => app.synth()).toThrow(/no-frontend-to-database/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

import { NetworkModel, describeProbe } from './model';
import { Probe } from './types';

/** What a jest matcher returns. */
interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

function check(received: unknown, expectAllowed: boolean, probe: Probe): MatcherResult {
  if (!(received instanceof NetworkModel)) {
    return { pass: false, message: () => `expected a NetworkModel, got ${String(received)}` };
  }
  const verdict = received.evaluate(probe);
  const word = (allowed: boolean) => (allowed ? 'allowed' : 'denied');
  return {
    pass: verdict.allowed === expectAllowed,
    message: () => `expected ${describeProbe(probe)} ${verdict.allowed === expectAllowed ? 'not ' : ''}to be ${word(expectAllowed)}, ` +
      `but it is ${word(verdict.allowed)}:\n  ${verdict.reasons.join('\n  ')}`,
  };
}

/**
 * Jest matchers for `NetworkModel`, printing the verdict's reasons when they fail:
 *
 *   import { networkModelMatchers } from 'cdk8s-netpol/lib/analysis/jest-matchers';
 *   expect.extend(networkModelMatchers);
 *   expect(model).toAllow('production/frontend', 'production/api', 8080);
 *   expect(model).toDeny('production/frontend', 'production/database', 5432, 'TCP');
 *   expect(model).toDenyProbe({ from: 'production/frontend', to: 'production/api', port: 8080,
 *     http: { method: 'DELETE', path: '/api/v1/orders/1' } });
 *
 * (TypeScript users declare `toAllow`/`toDeny` on jest's `Matchers` interface once, e.g. in a
 * jest setup .d.ts file.)
 */
export const networkModelMatchers = {
  toAllow(received: unknown, from: string, to: string, port: number, protocol?: string): MatcherResult {
    return check(received, true, { from, to, port, protocol });
  },
  toDeny(received: unknown, from: string, to: string, port: number, protocol?: string): MatcherResult {
    return check(received, false, { from, to, port, protocol });
  },
  /** A whole `Probe`, with its HTTP request (checked against L7 rules) when it has one. */
  toAllowProbe(received: unknown, probe: Probe): MatcherResult {
    return check(received, true, probe);
  },
  /** A whole `Probe`, with its HTTP request (checked against L7 rules) when it has one. */
  toDenyProbe(received: unknown, probe: Probe): MatcherResult {
    return check(received, false, probe);
  },
};

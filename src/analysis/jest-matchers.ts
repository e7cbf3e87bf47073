import { NetworkModel, describeProbe } from './model';

/** What a jest matcher returns. */
interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

function check(received: unknown, expectAllowed: boolean, from: string, to: string, port: number, protocol?: string): MatcherResult {
  if (!(received instanceof NetworkModel)) {
    return { pass: false, message: () => `expected a NetworkModel, got ${String(received)}` };
  }
  const probe = { from, to, port, protocol };
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
 *
 * (TypeScript users declare `toAllow`/`toDeny` on jest's `Matchers` interface once, e.g. in a
 * jest setup .d.ts file.)
 */
export const networkModelMatchers = {
  toAllow(received: unknown, from: string, to: string, port: number, protocol?: string): MatcherResult {
    return check(received, true, from, to, port, protocol);
  },
  toDeny(received: unknown, from: string, to: string, port: number, protocol?: string): MatcherResult {
    return check(received, false, from, to, port, protocol);
  },
};

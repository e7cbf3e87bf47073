import { Probe } from '../../src';
import { networkModelMatchers } from '../../src/analysis/jest-matchers';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace jest {
    // The type parameters must repeat @types/jest's declaration to merge with it.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars, @typescript-eslint/no-empty-object-type
    interface Matchers<R, T = {}> {
      /** The model allows `from` to reach `to` on the port. */
      toAllow(from: string, to: string, port: number, protocol?: string): R;
      /** The model denies `from` reaching `to` on the port. */
      toDeny(from: string, to: string, port: number, protocol?: string): R;
      /** The model allows the probe (its HTTP request included). */
      toAllowProbe(probe: Probe): R;
      /** The model denies the probe (its HTTP request included). */
      toDenyProbe(probe: Probe): R;
    }
  }
}

expect.extend(networkModelMatchers);

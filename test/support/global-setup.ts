/**
 * Jest global setup: says once per run which checks are skipped because ../shared is not beside
 * the checkout (a plain clone), so that no check is skipped silently.
 */
import { SHARED_PARTS, sharedPart } from './shared';

export default function globalSetup(): void {
  for (const part of ['schemas', 'upstream'] as const) {
    const { dir, present } = sharedPart(part);
    if (!present) {
      console.log(`\n[cdk8s-netpol tests] ${dir} not found: skipping ${SHARED_PARTS[part]}.`);
    }
  }
}

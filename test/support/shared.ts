/**
 * The shared folder beside the checkout (`../shared`): official schemas (`schemas/`) and the
 * upstream example applications with their authors' policies (`upstream/`). A plain clone does
 * not have it; CI does. Tests that need it run where it is present and are skipped where it is
 * not (test/support/global-setup.ts says so once per run). `CDK8S_NETPOL_SHARED` points
 * elsewhere, e.g. at a folder that does not exist, to run the suite as a plain clone would.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Where the shared folder is looked for. */
export function sharedDir(): string {
  return process.env.CDK8S_NETPOL_SHARED ?? path.resolve(__dirname, '..', '..', '..', 'shared');
}

/** A part of the shared folder, and whether it is there. */
export function sharedPart(part: 'schemas' | 'upstream'): { readonly dir: string; readonly present: boolean } {
  const dir = path.join(sharedDir(), part);
  return { dir, present: fs.existsSync(path.join(dir, 'README.md')) };
}

/** What each part adds to the suite, for the one-line notice when it is missing. */
export const SHARED_PARTS: Record<'schemas' | 'upstream', string> = {
  schemas: 'validation against the official schemas (Kubernetes OpenAPI, Cilium, Calico and ClusterNetworkPolicy CRDs; ' +
    'NetworkPolicy and CiliumNetworkPolicy are still validated with kubernetes-models)',
  upstream: 'the comparisons of examples/online-boutique, star-wars and calico-stars with the policies their authors wrote',
};

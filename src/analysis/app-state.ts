import { IConstruct } from 'constructs';

/**
 * A cheap fingerprint of an app's construct tree: its charts and their direct children. App-wide
 * checks (the synth-time proofs and lint) run when the first chart is validated and reuse their
 * result for the other charts while the fingerprint holds; a full tree walk per chart would make
 * synthesis quadratic in the number of charts.
 */
export function appState(root: IConstruct): string {
  const parts: number[] = [];
  for (const child of root.node.children) {
    parts.push(child.node.children.length);
  }
  return parts.join(',');
}

import { IConstruct } from 'constructs';
import { TreeWatch } from './tree-watch';

/**
 * The revision of one app (one construct tree): it changes with every change that can alter
 * what the app synthesizes and that cdk8s-netpol knows of, so results computed from the app
 * (its synth-time checks) are computed again after a change, and reused otherwise.
 *
 * It owns its revision, like cilium's policy repository (pkg/policy): no caller has to remember
 * to bump a counter of its own. What changes it:
 * - a construct added anywhere in the tree, by anyone, seen at once through the tree's watch
 *   (`TreeWatch`: a hook, or a walk of the tree once per validation round where the hook
 *   cannot be trusted); the removal of a chart or of a chart's child, seen by `settle`;
 * - `revise()`, which the library's own mutation primitives call when they change what an
 *   existing object renders or what is checked without adding a construct: a growing policy
 *   refreshed (`PolicyEmitter.refresh`: `allowIngress`/`allowEgress`), a revisable policy
 *   revised (`PolicyEmitter.revised`: the service graph's `calls`/`allowFrom`/`allowTo`), a
 *   promise made or accepted (`PolicyProofs`), a check registered.
 */
export class AppRevision {
  /** The app's revision, for the app of `scope` (created with it). */
  public static of(scope: IConstruct): AppRevision {
    const root = scope.node.root;
    let revision = APPS.get(root);
    if (!revision) {
      revision = new AppRevision(root);
      APPS.set(root, revision);
    }
    return revision;
  }

  private readonly tree: TreeWatch;
  /** The changes made through `revise`. */
  private revisions = 0;

  private constructor(root: IConstruct) {
    this.tree = new TreeWatch(root);
  }

  /**
   * The revision as known now, without looking at the tree: cheap enough to be read by every
   * chart's validation. Both counts only grow, so their sum changes whenever one does.
   */
  public get current(): number {
    return this.tree.revision + this.revisions;
  }

  /** Records a change to what the app synthesizes or checks that adds no construct. */
  public revise(): void {
    this.revisions++;
  }

  /**
   * The revision, once the tree is looked at for what its watch cannot see at once (removals;
   * with no hook, any change). Once per validation round: O(charts), O(nodes) with no hook.
   */
  public settle(): number {
    this.tree.settle();
    return this.current;
  }

  /** Whether additions to the tree are seen at once, through the hook (tests). */
  public get hooked(): boolean {
    return this.tree.hooked;
  }
}

const APPS = new WeakMap<IConstruct, AppRevision>();

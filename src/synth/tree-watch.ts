import { Construct, IConstruct, Node } from 'constructs';

/**
 * How a tree's additions are noticed: through the hook on `locked` (see `TreeWatch`), or, where
 * the hook cannot be trusted, by a walk of the whole tree once per validation round.
 */
enum Watching {
  HOOK = 'hook',
  WALK = 'walk',
}

/** The property of a construct's node that `addChild` reads, up to the root (constructs 10.x). */
const LOCKED = 'locked';

type LockedGetter = (this: Node) => boolean;

/** What counts the additions to the trees watched through the hook (their watch), by their root's node. */
const HOOKED = new WeakMap<Node, { revision: number }>();
/** The hook's getter once installed and proven in this process (`null`: it does not work here). */
let hookGetter: LockedGetter | null | undefined;
/** Tests only: watch every tree by walking it, as when the hook does not work. */
let forcedWalk = false;

/**
 * Notices the constructs added anywhere in one construct tree, without walking the tree.
 *
 * constructs has no hook for "a construct was added". But every construct's creation calls
 * `scope.node.addChild(host, id)`, which reads `this.locked`, a getter of `Node.prototype` that
 * asks its scope's node in turn, up to the ROOT node (constructs 10.x, lib/construct.js). So
 * the getter runs on the root's node once for every construct added anywhere in the tree.
 * The hook wraps that getter, once per process: the wrapper answers as the getter does and,
 * on a root's node (no scope), tells the root's watch, which counts the addition. That costs a
 * call per level of the new construct's depth and a WeakMap look-up per construct, where a
 * walk of a 12,001-node estate costs 1.3 ms per validation round (about 15% of a 1,000-chart
 * synthesis, which has 1,001 rounds). Nothing in constructs, cdk8s or cdk8s-plus reads
 * `locked` otherwise; a reader elsewhere would only cost a needless recomputation of the app's
 * checks, never a missed change.
 *
 * Why on the prototype, not on the root's node: an own accessor on one node gives that node a
 * hidden class of its own, which makes cdk8s's per-node hot paths (`dependencies`, `children`,
 * walked for every node in every round) polymorphic: +1.5 s (+17%) on a 1,000-chart synthesis,
 * measured. The wrapper changes no node.
 *
 * The hook is proven once per process, on a throwaway tree (a child and a grandchild must be
 * counted), and used only on roots whose node answers `locked` through it. Where it cannot be
 * (a future constructs that no longer reads `locked` when adding a child, a root from another
 * copy of constructs, a node with a `locked` of its own), the tree is walked once per round
 * instead: correct, slower.
 *
 * The proof covers constructs' own nodes: a node class of another library that overrode `locked`
 * without asking its scope would keep additions below it from the root (none is known).
 *
 * Removals call no getter: the hook does not see them. A cheap look at the root's children and
 * their child counts (`TreeShape`) sees those that matter most (a chart, or an object of a
 * chart); removals deeper in the tree are seen only by the walk.
 */
export class TreeWatch {
  /** Changes when a construct is added anywhere in the tree (at once), or removed (by `settle`). */
  public revision = 0;
  private readonly watching: Watching;
  private readonly shape = new TreeShape();
  /** WALK: the nodes of the tree at the last `settle`, in pre-order. */
  private nodes: IConstruct[] = [];

  constructor(private readonly root: IConstruct) {
    if (HOOKED.has(root.node)) {
      // The hook tells one watch per root: a second would silently take the additions from the first.
      throw new Error(`${root.node.path || 'the root'} already has a TreeWatch; use AppRevision.of(scope)`);
    }
    const hook = forcedWalk ? null : installedHook();
    if (hook && lockedGetterOf(root.node) === hook) {
      HOOKED.set(root.node, this);
      this.watching = Watching.HOOK;
    } else {
      this.watching = Watching.WALK;
    }
  }

  /**
   * The revision, once what the hook cannot see is looked at: removals of the root's children
   * and of their children (O(children of the root)); with no hook, any change (O(nodes)). Once
   * per validation round.
   */
  public settle(): number {
    if (this.watching === Watching.HOOK ? this.shape.changed(this.root) : this.walkChanged()) {
      this.revision++;
    }
    return this.revision;
  }

  /** Whether additions are seen through the hook (`true`) or by a walk of the tree. */
  public get hooked(): boolean {
    return this.watching === Watching.HOOK;
  }

  /** Whether the tree's nodes differ from those at the last walk (and remembers them). */
  private walkChanged(): boolean {
    const nodes = this.root.node.findAll();
    let changed = nodes.length !== this.nodes.length;
    for (let i = 0; i < nodes.length && !changed; i++) {
      changed = nodes[i] !== this.nodes[i];
    }
    this.nodes = nodes;
    return changed;
  }
}

/**
 * Tests only: watch the trees watched from now on by walking them, as when the hook does not
 * work (`true`), or by the hook again (`false`).
 * @internal
 */
export function _watchTreesByWalking(walk: boolean): void {
  forcedWalk = walk;
}

/**
 * The hook's getter: installed on the first call in this process, and proven on a throwaway
 * tree; `null` (nothing left installed) where it does not see every addition.
 */
function installedHook(): LockedGetter | null {
  if (hookGetter !== undefined) {
    return hookGetter;
  }
  hookGetter = null;
  const owner = ownerOfLocked(Node.prototype);
  const descriptor = owner && Object.getOwnPropertyDescriptor(owner, LOCKED);
  const original = descriptor?.get;
  if (!owner || !descriptor?.configurable || !original) {
    return null;
  }
  const hook: LockedGetter = function (this: Node): boolean {
    const locked = original.call(this);
    if (!this.scope) {
      const counter = HOOKED.get(this);
      if (counter) {
        counter.revision++;
      }
    }
    return locked;
  };
  Object.defineProperty(owner, LOCKED, { ...descriptor, get: hook });
  if (proves(hook)) {
    hookGetter = hook;
  } else {
    Object.defineProperty(owner, LOCKED, descriptor);
  }
  return hookGetter;
}

/** Whether `hook` sees a child and a grandchild added to a throwaway tree, and nothing else. */
function proves(hook: LockedGetter): boolean {
  try {
    const root = new Construct(undefined as any, '');
    if (lockedGetterOf(root.node) !== hook) {
      return false;
    }
    const counter = { revision: 0 };
    HOOKED.set(root.node, counter);
    new Construct(new Construct(root, 'child'), 'grandchild');
    return counter.revision === 2 && root.node.findAll().length === 3;
  } catch {
    return false;
  }
}

/** The object along `node`'s prototype chain (itself first) that defines `locked`. */
function ownerOfLocked(node: object): object | undefined {
  for (let o: object | null = node; o !== null; o = Object.getPrototypeOf(o)) {
    if (Object.getOwnPropertyDescriptor(o, LOCKED)) {
      return o;
    }
  }
  return undefined;
}

/** The getter of `locked` that `node` answers with. */
function lockedGetterOf(node: object): LockedGetter | undefined {
  const owner = ownerOfLocked(node);
  return owner && Object.getOwnPropertyDescriptor(owner, LOCKED)?.get;
}

/**
 * A cheap fingerprint of the top of a tree: the root's children, and how many children each
 * has. Taken once per validation round, so compared in place, without building anything (an
 * estate of 1,000 charts takes it 1,000 times per synthesis).
 */
class TreeShape {
  private children: IConstruct[] = [];
  private counts: number[] = [];

  /** Whether the shape differs from the last one seen (and remembers the new one). */
  public changed(root: IConstruct): boolean {
    const children = root.node.children;
    let changed = children.length !== this.children.length;
    for (let i = 0; i < children.length && !changed; i++) {
      changed = children[i] !== this.children[i] || children[i].node.children.length !== this.counts[i];
    }
    if (changed) {
      this.children = children;
      this.counts = children.map((child) => child.node.children.length);
    }
    return changed;
  }
}

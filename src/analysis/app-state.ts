import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Changes cdk8s-netpol makes to already-emitted objects (`allowIngress`, `PolicyProofs.accept`)
 * that leave the tree's shape alone; part of every fingerprint.
 */
let mutations = 0;

/** Records a change to an emitted object or a promise, so app-wide results are computed again. */
export function noteMutation(): void {
  mutations++;
}

/**
 * A cheap fingerprint of an app's construct tree: its charts and their direct children, and the
 * mutations noted.
 */
function fingerprint(root: IConstruct): string {
  const parts: number[] = [mutations];
  for (const child of root.node.children) {
    parts.push(child.node.children.length);
  }
  return parts.join(',');
}

/**
 * The last fingerprint of each app, who took it and for which chart. The lint and the proofs ask
 * one after the other in the same chart's validation: the second reuses the first's fingerprint
 * once and forgets it. A cache never reuses its own (the tree may have changed since its last
 * round), and a question from another chart forgets it too.
 */
const LAST_FINGERPRINT = new WeakMap<IConstruct, { taker: object; asking: IConstruct; value: string }>();

function fingerprintFor(root: IConstruct, taker: object, asking: IConstruct): string {
  const last = LAST_FINGERPRINT.get(root);
  if (last && last.asking === asking && last.taker !== taker) {
    LAST_FINGERPRINT.delete(root);
    return last.value;
  }
  const value = fingerprint(root);
  LAST_FINGERPRINT.set(root, { taker, asking, value });
  return value;
}

/** Every API object of an app and its JSON, as the app's checks read them. */
export interface AppSnapshot {
  readonly apiObjects: ApiObject[];
  /** `apiObjects[i].toJson()`, index for index. */
  readonly jsons: any[];
}

/**
 * The last snapshot of each app, by the fingerprint it was taken at: the lint and the proofs of
 * one validation round read the same objects, and `toJson()` of thousands of objects is the
 * largest part of their cost.
 */
const SNAPSHOTS = new WeakMap<IConstruct, { fingerprint: string; snapshot: AppSnapshot; takers: Set<object> }>();

/**
 * The snapshot of the app at `fingerprintValue`, shared by the checks of one round. Dropped once
 * two checks (the lint and the proofs) took it: keeping thousands of JSON objects alive through
 * the rest of the synthesis slowed cdk8s's own tree walks measurably (a larger heap to collect).
 */
function snapshotAt(root: IConstruct, fingerprintValue: string, taker: object): AppSnapshot {
  const last = SNAPSHOTS.get(root);
  if (last && last.fingerprint === fingerprintValue && !last.takers.has(taker)) {
    last.takers.add(taker);
    if (last.takers.size >= 2) {
      SNAPSHOTS.delete(root);
    }
    return last.snapshot;
  }
  // Not chart.toJson(): it validates the chart, which would run the checks again.
  const apiObjects = root.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
  const snapshot = { apiObjects, jsons: apiObjects.map((o) => o.toJson()) };
  SNAPSHOTS.set(root, { fingerprint: fingerprintValue, snapshot, takers: new Set([taker]) });
  return snapshot;
}

/**
 * An app-wide result (the synth-time lint, the proofs) computed once per state of the app and
 * handed to every chart's validation.
 *
 * Why the care: cdk8s validates the WHOLE app once per chart it synthesizes (`App.synth()` calls
 * `Chart.toJson()` per chart, which validates every construct), so a chart validation runs
 * charts² times per synth. Even an O(charts) fingerprint per validation made synthesis cubic
 * (17 s for 300 namespaces). So only the leader, the first registered chart in the order cdk8s
 * validates (pre-order), takes the fingerprint; the other charts of the same round reuse the
 * result in O(1), unless a chart was registered or a mutation noted since.
 *
 * What the fingerprint sees: charts added or removed, children added to or removed from a chart,
 * and cdk8s-netpol's own changes (new constructs anywhere, `allowIngress`, `PolicyProofs.accept`).
 * What it does not see (as before it existed): objects added deeper in a construct of the user's
 * own or in a nested chart, and edits to an object's content (`addJsonPatch`, labels) after a
 * first synthesis. Synthesize a fresh App in those cases (cdk8s apps usually synthesize once).
 */
export class AppWideCache<T> {
  private value?: T;
  private state?: string;
  private leader?: IConstruct;
  private charts = -1;
  private mutationsSeen = -1;
  /**
   * Validation rounds, counted by the leader's questions. A chart that asks twice in one round
   * (a direct `chart.node.validate()`, or a leader gone from the tree) takes the fingerprint.
   */
  private round = 0;
  private readonly askedIn = new WeakMap<IConstruct, number>();

  /**
   * @param root the app
   * @param contextKey the context key that turns the check off for a chart (`false`)
   */
  constructor(private readonly root: IConstruct, private readonly contextKey: string) {}

  /** Whether the check runs for `chart` (its context key is not `false`). */
  public isOn(chart: IConstruct): boolean {
    const setting = chart.node.tryGetContext(this.contextKey);
    return setting !== false && setting !== 'false';
  }

  /**
   * The result for the current state of the app.
   * @param asking the chart whose validation asks
   * @param charts the charts registered for this check
   * @param compute computes the result afresh from the app's objects
   */
  public get(asking: IConstruct, charts: readonly IConstruct[], compute: (snapshot: AppSnapshot) => T): T {
    if (asking === this.leader) {
      this.round++;
    } else if (this.value !== undefined && this.askedIn.get(asking) !== this.round && charts.length === this.charts &&
      mutations === this.mutationsSeen) {
      this.askedIn.set(asking, this.round);
      LAST_FINGERPRINT.delete(this.root);
      return this.value;
    }
    this.askedIn.set(asking, this.round);
    const fingerprintValue = fingerprintFor(this.root, this, asking);
    const state = `${charts.length}/${fingerprintValue}`;
    if (this.value === undefined || state !== this.state) {
      this.value = compute(snapshotAt(this.root, fingerprintValue, this));
      this.state = state;
      // The leader must be a chart whose validation asks: one with the check turned off never does.
      const registered = new Set(charts);
      this.leader = this.root.node.findAll().find((c) => registered.has(c) && this.isOn(c));
    }
    this.charts = charts.length;
    this.mutationsSeen = mutations;
    return this.value;
  }
}

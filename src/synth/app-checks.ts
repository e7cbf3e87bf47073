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
 * A cheap fingerprint of an app's construct tree: its charts, how many children each has, and
 * the mutations noted. Taken once per validation round, so compared in place, without building
 * anything (an estate of 1,000 charts takes it 1,000 times per synthesis).
 */
class TreeShape {
  private charts: IConstruct[] = [];
  private counts: number[] = [];
  private mutationsSeen = -1;

  /** Whether the shape differs from the last one seen (and remembers the new one). */
  public changed(root: IConstruct): boolean {
    const charts = root.node.children;
    let changed = mutations !== this.mutationsSeen || charts.length !== this.charts.length;
    for (let i = 0; i < charts.length && !changed; i++) {
      changed = charts[i] !== this.charts[i] || charts[i].node.children.length !== this.counts[i];
    }
    if (changed) {
      this.charts = charts;
      this.counts = charts.map((chart) => chart.node.children.length);
      this.mutationsSeen = mutations;
    }
    return changed;
  }

  /** Forgets the last shape: the next `changed` answers true. */
  public forget(): void {
    this.charts = [];
    this.counts = [];
    this.mutationsSeen = -1;
  }
}

/** Every API object of an app and its JSON, as the app's checks read them. */
export interface AppSnapshot {
  readonly apiObjects: ApiObject[];
  /** `apiObjects[i].toJson()`, index for index. */
  readonly jsons: any[];
}

/** The charts a check runs for. */
export interface CheckCharts {
  /**
   * The charts in the app registered for the check, in registration order, with the check on or
   * off: the check attributes its errors among them, and those of charts with the check off are
   * dropped (turning a check off for a chart silences it there, it does not move its findings).
   */
  readonly registered: readonly IConstruct[];
  /**
   * The first chart with the check on in the order cdk8s validates (pre-order), where the
   * check's app-wide settings are read (e.g. the lint's `cdk8s-netpol/cni`).
   */
  readonly first: IConstruct;
}

/** A check of a whole app at synth time (the lint, the proofs), reported per chart. */
export interface AppCheck {
  /** The context key that turns the check off for a chart (`false` or `"false"`). */
  readonly contextKey: string;
  /**
   * The check's errors, by the chart that reports them.
   * @param snapshot the app's objects
   * @param charts the charts the check runs for
   */
  run(snapshot: AppSnapshot, charts: CheckCharts): Map<IConstruct, string[]>;
}

/** A chart with checks: the one validation cdk8s calls for it, and its errors at the last state. */
interface ChartEntry {
  readonly chart: IConstruct;
  readonly checks: AppCheck[];
  errors: string[];
  /** The validation round in which the chart last asked. */
  askedRound: number;
}

/**
 * The synth-time checks of one app, computed once per state of the app and handed to every
 * chart's validation.
 *
 * Why the care: cdk8s validates the WHOLE app once per chart it synthesizes (`App.synth()` calls
 * `Chart.toJson()` per chart, which validates every construct), so a chart's validation runs
 * charts × (charts + 1) times per synth: 90,000 calls for 300 charts, a million for 1,000. So a
 * chart holds ONE validation for all checks (not one per check), and its common path is a few
 * comparisons and the return of an array computed earlier. Only the leader, the first chart
 * with checks in the order cdk8s validates (pre-order), takes the fingerprint (O(charts)) once
 * per round; the other charts of the round reuse the result, unless a chart was registered or
 * a mutation noted since. A chart asking twice in one round (a direct `chart.node.validate()`,
 * or a leader gone from the tree) takes the fingerprint too.
 *
 * What the fingerprint sees: charts added or removed, children added to or removed from a chart,
 * and cdk8s-netpol's own changes (new constructs anywhere, `allowIngress`, `PolicyProofs.accept`).
 * What it does not see: objects added deeper in a construct of the user's own or in a nested
 * chart, and edits to an object's content (`addJsonPatch`, labels) after a first synthesis.
 * Synthesize a fresh App in those cases (cdk8s apps usually synthesize once).
 */
class AppChecks {
  /** Charts in registration order. */
  private readonly entries = new Map<IConstruct, ChartEntry>();
  /** Checks in registration order, with their charts. */
  private readonly checks = new Map<AppCheck, IConstruct[]>();
  private leader?: ChartEntry;
  private round = 0;
  private readonly shape = new TreeShape();
  private registrations = 0;
  private registrationsSeen = -1;
  private mutationsSeen = -1;

  constructor(private readonly root: IConstruct) {}

  public register(chart: IConstruct, check: AppCheck): void {
    let entry = this.entries.get(chart);
    if (!entry) {
      const created: ChartEntry = { chart, checks: [], errors: [], askedRound: -1 };
      this.entries.set(chart, created);
      chart.node.addValidation({ validate: () => this.errorsOf(created) });
      entry = created;
    }
    if (entry.checks.includes(check)) {
      return;
    }
    entry.checks.push(check);
    const charts = this.checks.get(check) ?? [];
    charts.push(chart);
    this.checks.set(check, charts);
    this.registrations++;
  }

  private errorsOf(entry: ChartEntry): string[] {
    if (entry === this.leader) {
      // Only the leader starts a round: a chart validated directly (twice in a round) must not
      // make the other charts' next answer look fresh.
      this.round++;
    } else if (entry.askedRound !== this.round && this.registrations === this.registrationsSeen && mutations === this.mutationsSeen) {
      entry.askedRound = this.round;
      return entry.errors;
    }
    entry.askedRound = this.round;
    // Both asked, always: the shape must be remembered even when a registration forces the work.
    const shapeChanged = this.shape.changed(this.root);
    if (shapeChanged || this.registrations !== this.registrationsSeen) {
      try {
        this.compute();
      } catch (e) {
        // Nothing stands for this shape: the next question computes again instead of reusing
        // the errors of the shape before.
        this.shape.forget();
        throw e;
      }
    }
    this.registrationsSeen = this.registrations;
    this.mutationsSeen = mutations;
    return entry.errors;
  }

  private compute(): void {
    // One walk, in the order cdk8s validates (pre-order).
    const all = this.root.node.findAll();
    const inTree = new Set<IConstruct>(all);
    let snapshot: AppSnapshot | undefined;
    const results = new Map<AppCheck, { on: Set<IConstruct>; errors: Map<IConstruct, string[]> }>();
    for (const [check, charts] of this.checks) {
      const registered = charts.filter((chart) => inTree.has(chart));
      const on = new Set(registered.filter((chart) => isOn(chart, check.contextKey)));
      const first = all.find((c) => on.has(c));
      if (first === undefined) {
        continue;
      }
      // Not chart.toJson(): it validates the app, which would run the checks again. Taken once
      // for all checks, and dropped after: thousands of JSON objects kept alive through the rest
      // of the synthesis slowed cdk8s's own tree walks measurably (a larger heap to collect).
      if (!snapshot) {
        const apiObjects = all.filter((c): c is ApiObject => c instanceof ApiObject);
        snapshot = { apiObjects, jsons: apiObjects.map((o) => o.toJson()) };
      }
      results.set(check, { on, errors: check.run(snapshot, { registered, first }) });
    }
    for (const entry of this.entries.values()) {
      const errors: string[] = [];
      for (const check of entry.checks) {
        const result = results.get(check);
        if (result?.on.has(entry.chart)) {
          errors.push(...result.errors.get(entry.chart) ?? []);
        }
      }
      entry.errors = errors;
    }
    // The leader must be a chart in the tree; pre-order is the order cdk8s validates in.
    const leader = all.find((c) => this.entries.has(c));
    this.leader = leader ? this.entries.get(leader) : undefined;
  }
}

/** Whether a check runs for `chart` (its context key is not `false`). */
function isOn(chart: IConstruct, contextKey: string): boolean {
  const setting = chart.node.tryGetContext(contextKey);
  return setting !== false && setting !== 'false';
}

const APPS = new WeakMap<IConstruct, AppChecks>();

/**
 * Registers `check` for `chart`: when cdk8s validates the chart (`cdk8s synth`, `app.synth()`,
 * `Testing.synth()`), the chart reports the errors the check attributes to it. Registering the
 * same check twice for a chart does nothing.
 */
export function registerCheck(chart: IConstruct, check: AppCheck): void {
  const root = chart.node.root;
  let checks = APPS.get(root);
  if (!checks) {
    checks = new AppChecks(root);
    APPS.set(root, checks);
  }
  checks.register(chart, check);
}

import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { AppRevision } from './app-revision';

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
 * with checks in the order cdk8s validates (pre-order), settles the app's revision
 * (`AppRevision.settle`: O(charts)) once per round; the other charts of the round reuse the
 * result, unless the revision moved since (a construct added, a check registered, a change
 * made through the library). A chart asking twice in one round (a direct
 * `chart.node.validate()`, or a leader gone from the tree) settles the revision too.
 *
 * What the revision sees (see `AppRevision`): a construct added anywhere in the tree, by the
 * library or by the user, however deep (an object added inside a construct of the user's own,
 * the first `allowIngress` of a ZeroTrustNamespace); a chart removed, or a chart's child; and
 * the library's own changes that add no construct (further `allowIngress`/`allowEgress`, the
 * service graph's `calls`/`allowFrom`/`allowTo`, `PolicyProofs.accept`, a new promise).
 * What it does not see: edits to an existing object's content made outside the library after a
 * first synthesis (`addJsonPatch`, label or annotation changes, a mutated spec), and constructs
 * removed below a chart's children. Synthesize a fresh App in those cases (cdk8s apps usually
 * synthesize once).
 */
class AppChecks {
  /** Charts in registration order. */
  private readonly entries = new Map<IConstruct, ChartEntry>();
  /** Checks in registration order, with their charts. */
  private readonly checks = new Map<AppCheck, IConstruct[]>();
  private leader?: ChartEntry;
  private round = 0;
  /** The app's revision, which registrations move too. */
  private readonly revision: AppRevision;
  /** The revision the charts' errors were computed at (-1: none). */
  private revisionSeen = -1;

  constructor(private readonly root: IConstruct) {
    this.revision = AppRevision.of(root);
  }

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
    this.revision.revise();
  }

  private errorsOf(entry: ChartEntry): string[] {
    if (entry === this.leader) {
      // Only the leader starts a round: a chart validated directly (twice in a round) must not
      // make the other charts' next answer look fresh.
      this.round++;
    } else if (entry.askedRound !== this.round && this.revision.current === this.revisionSeen) {
      entry.askedRound = this.round;
      return entry.errors;
    }
    entry.askedRound = this.round;
    // Read before computing: a change made while computing is seen by the next question.
    const revision = this.revision.settle();
    if (revision !== this.revisionSeen) {
      // Nothing stands for any revision while computing: if it throws, the next question
      // computes again instead of reusing the errors of the revision before.
      this.revisionSeen = -1;
      this.compute();
      this.revisionSeen = revision;
    }
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

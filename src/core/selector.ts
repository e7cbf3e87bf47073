import { dns1123LabelProblem, labelKeyProblem, labelValueProblem } from '../util/names';
import { plainObjectProblem } from '../util/plain-object';
import { invalid, show } from '../util/validation';

/**
 * The label every namespace carries with its own name (set by the API server since 1.21).
 * Selecting namespaces through it never silently matches nothing, unlike a hand-made `name` label.
 */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Operators of a label selector requirement. */
export enum LabelOperator {
  /** The label's value is one of the listed values. */
  IN = 'In',
  /** The label is absent or its value is none of the listed values. */
  NOT_IN = 'NotIn',
  /** The label is present, whatever its value. */
  EXISTS = 'Exists',
  /** The label is absent. */
  DOES_NOT_EXIST = 'DoesNotExist',
}

/** One requirement of a label selector, such as `tier In (web, api)`. */
export class LabelExpression {
  /** The label's value is one of `values` (at least one). */
  public static isIn(key: string, values: string[]): LabelExpression {
    return new LabelExpression('LabelExpression.isIn()', key, LabelOperator.IN, values);
  }

  /** The label is absent or its value is none of `values` (at least one). */
  public static isNotIn(key: string, values: string[]): LabelExpression {
    return new LabelExpression('LabelExpression.isNotIn()', key, LabelOperator.NOT_IN, values);
  }

  /** The label is present. */
  public static exists(key: string): LabelExpression {
    return new LabelExpression('LabelExpression.exists()', key, LabelOperator.EXISTS, []);
  }

  /** The label is absent. */
  public static doesNotExist(key: string): LabelExpression {
    return new LabelExpression('LabelExpression.doesNotExist()', key, LabelOperator.DOES_NOT_EXIST, []);
  }

  /** The label key. */
  public readonly key: string;
  /** The operator. */
  public readonly operator: LabelOperator;
  /** The values (empty for EXISTS and DOES_NOT_EXIST). */
  public readonly values: string[];

  private constructor(where: string, key: string, operator: LabelOperator, values: string[]) {
    checkLabelKey(where, 'key', key);
    const needsValues = operator === LabelOperator.IN || operator === LabelOperator.NOT_IN;
    if (needsValues) {
      if (!Array.isArray(values)) {
        invalid(where, `values ${show(values)} for key ${show(key)} is not a list of label values`);
      }
      if (values.length === 0) {
        invalid(where, `values for key ${show(key)} must list at least one value`);
      }
      // By index, not forEach: a hole in the list would be skipped here and rendered as undefined.
      for (let i = 0; i < values.length; i++) {
        checkLabelValue(where, `values[${i}]`, values[i]);
      }
    }
    this.key = key;
    this.operator = operator;
    this.values = needsValues ? [...values] : [];
  }

  /** Human-readable form, e.g. `tier in (api, web)`. */
  public toString(): string {
    switch (this.operator) {
      case LabelOperator.IN: return `${this.key} in (${this.values.join(', ')})`;
      case LabelOperator.NOT_IN: return `${this.key} notin (${this.values.join(', ')})`;
      case LabelOperator.EXISTS: return this.key;
      default: return `!${this.key}`;
    }
  }
}

/**
 * Selects pods (or namespaces) by labels: every label in `labels` and every expression must match.
 * `LabelSelector.all()` selects everything.
 */
export class LabelSelector {
  /** Selects every pod (or namespace). */
  public static all(): LabelSelector {
    return new LabelSelector({}, []);
  }

  /**
   * Selects what carries all of `labels` and satisfies all `expressions`.
   * @param labels exact label matches; keys and values are validated
   * @param expressions additional requirements
   */
  public static of(labels: Record<string, string>, ...expressions: LabelExpression[]): LabelSelector {
    if (labels === undefined || labels === null) {
      invalid('LabelSelector.of()', 'labels are required; pass {} with expressions, or use LabelSelector.all() to select everything');
    }
    checkLabels('LabelSelector.of()', 'labels', labels);
    expressions.forEach((expression, i) => {
      if (!(expression instanceof LabelExpression)) {
        invalid('LabelSelector.of()', `expressions[${i}] ${show(expression)} is not a LabelExpression; use e.g. LabelExpression.isIn("tier", ["web"])`);
      }
    });
    return new LabelSelector({ ...labels }, [...expressions]);
  }

  /** Exact label matches. */
  public readonly labels: Record<string, string>;
  /** Additional requirements, ANDed with the labels. */
  public readonly expressions: LabelExpression[];

  private constructor(labels: Record<string, string>, expressions: LabelExpression[]) {
    this.labels = labels;
    this.expressions = expressions;
  }

  /** True when this selects everything. */
  public get isEmpty(): boolean {
    return Object.keys(this.labels).length === 0 && this.expressions.length === 0;
  }

  /** Human-readable form, e.g. `{app=api, tier in (web)}` or `{}` for all; labels sorted by key. */
  public toString(): string {
    const parts = [
      ...Object.entries(this.labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`),
      ...this.expressions.map((e) => e.toString()),
    ];
    return `{${parts.join(', ')}}`;
  }
}

/** True when a pod (or namespace) carrying exactly `labels` is selected by `selector`. */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
  return Object.entries(selector.labels).every(([key, value]) => has(key) && labels[key] === value) &&
    selector.expressions.every((e) => {
      switch (e.operator) {
        case LabelOperator.IN: return has(e.key) && e.values.includes(labels[e.key]);
        case LabelOperator.NOT_IN: return !has(e.key) || !e.values.includes(labels[e.key]);
        case LabelOperator.EXISTS: return has(e.key);
        default: return !has(e.key);
      }
    });
}

/** What one selector demands of one label key. */
interface KeyDemand {
  /** The label must be present. */
  present: boolean;
  /** The label must be absent. */
  absent: boolean;
  /** The value must be one of these (undefined: any value). */
  allowed?: Set<string>;
  /** The value must not be one of these. */
  forbidden: Set<string>;
}

/**
 * True when no set of labels can satisfy both selectors, i.e. they can never select the same
 * pod. Used where two groups of pods must stay apart (the tiers of an application): "different
 * labels" is not enough, `{app: shop}` and `{app: shop, tier: api}` both select an api pod.
 */
export function selectorsDisjoint(a: LabelSelector, b: LabelSelector): boolean {
  const demands = new Map<string, KeyDemand>();
  const demand = (key: string) => {
    let d = demands.get(key);
    if (!d) {
      d = { present: false, absent: false, forbidden: new Set() };
      demands.set(key, d);
    }
    return d;
  };
  const allow = (d: KeyDemand, values: string[]) => {
    d.present = true;
    d.allowed = new Set(values.filter((v) => d.allowed === undefined || d.allowed.has(v)));
  };
  for (const selector of [a, b]) {
    for (const [key, value] of Object.entries(selector.labels)) {
      allow(demand(key), [value]);
    }
    for (const e of selector.expressions) {
      const d = demand(e.key);
      switch (e.operator) {
        case LabelOperator.IN: allow(d, e.values); break;
        case LabelOperator.NOT_IN: e.values.forEach((v) => d.forbidden.add(v)); break;
        case LabelOperator.EXISTS: d.present = true; break;
        default: d.absent = true;
      }
    }
  }
  for (const d of demands.values()) {
    if (d.present && d.absent) {
      return true;
    }
    if (d.allowed !== undefined && [...d.allowed].every((v) => d.forbidden.has(v))) {
      return true;
    }
  }
  return false;
}

/** Validates a label map; `where` and `prop` name the user's call and argument in the error. */
export function checkLabels(where: string, prop: string, labels: Record<string, string> | undefined): void {
  if (labels === undefined) {
    return;
  }
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) {
    invalid(where, `${prop} ${show(labels)} is not a label map; expected an object such as { app: "api" }`);
  }
  // A Map, or labels inherited or not enumerable, would read as {}: every pod.
  const problem = plainObjectProblem(labels);
  if (problem !== undefined) {
    invalid(where, `${prop} ${problem}; expected a label map such as { app: "api" }`);
  }
  for (const [key, value] of Object.entries(labels)) {
    checkLabelKey(where, `${prop} key`, key);
    checkLabelValue(where, `${prop}[${show(key)}]`, value);
  }
}

/** Validates a namespace name (DNS-1123 label). */
export function checkNamespaceName(where: string, prop: string, name: string): void {
  const problem = dns1123LabelProblem(name);
  if (problem) {
    invalid(where, `${prop} ${show(name)} is not a valid namespace name: ${problem} (e.g. "production")`);
  }
}

function checkLabelKey(where: string, prop: string, key: string): void {
  const problem = labelKeyProblem(key);
  if (problem) {
    invalid(where, `${prop} ${show(key)} is not a valid label key: ${problem} (e.g. "app" or "app.kubernetes.io/name")`);
  }
}

function checkLabelValue(where: string, prop: string, value: string): void {
  const problem = labelValueProblem(value);
  if (problem) {
    invalid(where, `${prop} value ${show(value)} is not a valid label value: ${problem}`);
  }
}

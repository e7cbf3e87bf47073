import { LabelOperator, LabelSelector } from '../core/selector';
import { calicoSelectorProblem } from '../util/calico-selector';
import { labelKeyProblem, labelValueProblem } from '../util/names';
import { invalid, show } from '../util/validation';

// The grammar lives in util/ (docs/semantics/calico.md#selector-language): the NetworkModel
// evaluates the same language.
export { calicoSelectorProblem };

/**
 * A Calico selector expression, built from typed parts or parsed from text. Every instance holds
 * a valid expression.
 *
 * @example CalicoSelector.has('app').andAlso(CalicoSelector.labelNotEquals('tier', 'db')).expression
 *   // "(has(app)) && (tier != 'db')"
 */
export class CalicoSelector {
  /** Every endpoint. */
  public static all(): CalicoSelector {
    return new CalicoSelector('all()');
  }

  /** Endpoints that carry label `key`. */
  public static has(key: string): CalicoSelector {
    return new CalicoSelector(`has(${checkKey('CalicoSelector.has()', key)})`);
  }

  /** Endpoints whose label `key` equals `value`. */
  public static labelEquals(key: string, value: string): CalicoSelector {
    return new CalicoSelector(`${checkKey('CalicoSelector.labelEquals()', key)} == ${quote('CalicoSelector.labelEquals()', value)}`);
  }

  /** Endpoints whose label `key` is not `value` (also true when the label is absent). */
  public static labelNotEquals(key: string, value: string): CalicoSelector {
    return new CalicoSelector(`${checkKey('CalicoSelector.labelNotEquals()', key)} != ${quote('CalicoSelector.labelNotEquals()', value)}`);
  }

  /** Endpoints whose label `key` is one of `values`. */
  public static isIn(key: string, values: string[]): CalicoSelector {
    return new CalicoSelector(`${checkKey('CalicoSelector.isIn()', key)} in ${set('CalicoSelector.isIn()', values)}`);
  }

  /** Endpoints whose label `key` is none of `values` (also true when the label is absent). */
  public static isNotIn(key: string, values: string[]): CalicoSelector {
    return new CalicoSelector(`${checkKey('CalicoSelector.isNotIn()', key)} not in ${set('CalicoSelector.isNotIn()', values)}`);
  }

  /** Parses and validates a selector written as text, e.g. `"app == 'web' && !has(debug)"`. */
  public static parse(expression: string): CalicoSelector {
    const problem = calicoSelectorProblem(expression);
    if (problem) {
      invalid('CalicoSelector.parse()', `expression ${show(expression)} is not a valid Calico selector: ${problem}`);
    }
    return new CalicoSelector(expression.trim());
  }

  /** The selector as Calico text. */
  public readonly expression: string;

  private constructor(expression: string) {
    this.expression = expression;
  }

  /** Both this and `other` (named so that no jsii language sees a keyword). */
  public andAlso(other: CalicoSelector): CalicoSelector {
    return new CalicoSelector(`(${this.expression}) && (${checkOther('andAlso', other).expression})`);
  }

  /** This or `other`. */
  public orElse(other: CalicoSelector): CalicoSelector {
    return new CalicoSelector(`(${this.expression}) || (${checkOther('orElse', other).expression})`);
  }

  /** Everything this does not select. */
  public negate(): CalicoSelector {
    return new CalicoSelector(`!(${this.expression})`);
  }

  /** The selector as Calico text. */
  public toString(): string {
    return this.expression;
  }
}

/** A Kubernetes label selector as a Calico selector expression (`all()` when empty). */
export function calicoSelectorOf(selector: LabelSelector): string {
  const terms = [
    ...Object.entries(selector.labels).map(([k, v]) => `${k} == ${quote('selector', v)}`),
    ...selector.expressions.map((e) => {
      switch (e.operator) {
        case LabelOperator.IN: return `${e.key} in ${set('selector', e.values)}`;
        case LabelOperator.NOT_IN: return `${e.key} not in ${set('selector', e.values)}`;
        case LabelOperator.EXISTS: return `has(${e.key})`;
        default: return `!has(${e.key})`;
      }
    }),
  ];
  return terms.length === 0 ? 'all()' : terms.join(' && ');
}

function checkKey(where: string, key: string): string {
  // Endpoint labels are Kubernetes labels: a key no label can have would select nothing, silently.
  const problem = typeof key === 'string' ? labelKeyProblem(key) : 'it is not a string';
  if (problem) {
    invalid(where, `key ${show(key)} is not a valid label key: ${problem}; expected e.g. "app" or "example.com/tier"`);
  }
  return key;
}

function quote(where: string, value: string): string {
  if (typeof value !== 'string') {
    invalid(where, `value ${show(value)} is not a string`);
  }
  // Likewise for values; and a valid label value holds no quote character.
  const problem = labelValueProblem(value);
  if (problem) {
    invalid(where, `value ${show(value)} is not a valid label value: ${problem}; no endpoint could carry it`);
  }
  return `'${value}'`;
}

function set(where: string, values: string[]): string {
  if (!Array.isArray(values) || values.length === 0) {
    invalid(where, `values ${show(values)} must list at least one value`);
  }
  // Array.from, not map: a hole in the list is refused as undefined rather than written as ", ,".
  return `{${Array.from(values, (v) => quote(where, v)).join(', ')}}`;
}

function checkOther(method: string, other: CalicoSelector): CalicoSelector {
  if (!(other instanceof CalicoSelector)) {
    invalid(`CalicoSelector.${method}()`, `other ${show(other)} is not a CalicoSelector`);
  }
  return other;
}

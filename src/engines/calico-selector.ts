import type * as Ohm from 'ohm-js' with { 'resolution-mode': 'import' };
import { LabelOperator, LabelSelector } from '../core/selector';
import { labelKeyProblem, labelValueProblem } from '../util/names';
import { invalid, show } from '../util/validation';

/**
 * Calico's selector language (SEMANTICS.md §3; libcalico-go/lib/selector/tokenizer), as an Ohm
 * grammar. Like Calico's tokenizer it takes `has(`, `all(` and `global(` as single tokens (no
 * space before the parenthesis) and skips only spaces and tabs. The language:
 * `all()`, `has(k)`, `k == "v"`, `k != "v"`, `k in {"a", "b"}`, `k not in {...}`,
 * `k contains "s"`, `k starts with "s"`, `k ends with "s"`, `!`, `&&`, `||` and parentheses.
 * `global()` is only valid in an entity rule's namespaceSelector.
 */
const GRAMMAR = String.raw`
CalicoSelector {
  Exp = OrExp
  OrExp = OrExp "||" AndExp  -- or
        | AndExp
  AndExp = AndExp "&&" NotExp  -- and
         | NotExp
  NotExp = "!" NotExp  -- not
         | Primary
  Primary = "(" OrExp ")"                         -- paren
          | "all(" ")"                             -- all
          | "global(" ")"                          -- global
          | "has(" key ")"                         -- has
          | key "==" string                        -- eq
          | key "!=" string                        -- ne
          | key NotIn Set                          -- notIn
          | key inKw Set                           -- in
          | key containsKw string                  -- contains
          | key StartsWith string                  -- startsWith
          | key EndsWith string                    -- endsWith
  NotIn = notKw inKw  -- spaced
        | notinKw
  StartsWith = startsKw withKw  -- spaced
             | startswithKw
  EndsWith = endsKw withKw  -- spaced
           | endswithKw
  Set = "{" NonemptyListOf<string, ","> ","? "}"
  key = keyChar+
  keyChar = alnum | "_" | "." | "/" | "-"
  string = "\"" (~"\"" any)* "\""  -- double
         | "'" (~"'" any)* "'"     -- single
  inKw = "in" ~keyChar
  notKw = "not" ~keyChar
  notinKw = "notin" ~keyChar
  containsKw = "contains" ~keyChar
  startsKw = "starts" ~keyChar
  startswithKw = "startswith" ~keyChar
  endsKw = "ends" ~keyChar
  endswithKw = "endswith" ~keyChar
  withKw = "with" ~keyChar
  // Calico's tokenizer skips spaces and tabs only; any other character between tokens is an error.
  space := " " | "\t"
}`;

// ohm-js ships ESM types with a CommonJS build; this CommonJS package loads the latter.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ohm: typeof Ohm = require('ohm-js');
let grammar: Ohm.Grammar | undefined;

/** Why `expression` is not a valid Calico selector, or undefined when it is. */
export function calicoSelectorProblem(expression: string, allowGlobal: boolean = false): string | undefined {
  if (typeof expression !== 'string') {
    return 'it is not a string';
  }
  grammar ??= ohm.grammar(GRAMMAR);
  const match = grammar.match(expression);
  if (match.failed()) {
    return match.shortMessage ?? 'it does not parse';
  }
  if (!allowGlobal && /(^|[^A-Za-z0-9_./-])global\s*\(\s*\)/.test(expression.replace(/"[^"]*"|'[^']*'/g, '""'))) {
    return 'global() is only valid in an entity rule\'s namespaceSelector';
  }
  return undefined;
}

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
  return `{${values.map((v) => quote(where, v)).join(', ')}}`;
}

function checkOther(method: string, other: CalicoSelector): CalicoSelector {
  if (!(other instanceof CalicoSelector)) {
    invalid(`CalicoSelector.${method}()`, `other ${show(other)} is not a CalicoSelector`);
  }
  return other;
}

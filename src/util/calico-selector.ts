import type * as Ohm from 'ohm-js' with { 'resolution-mode': 'import' };
import { capText, show } from './validation';

/**
 * Calico's selector language (docs/semantics/calico.md#selector-language;
 * libcalico-go/lib/selector/tokenizer), as an Ohm grammar, shared by the Calico renderer (which
 * validates what it emits) and the NetworkModel (which evaluates what it reads). Like Calico's
 * tokenizer it takes `has(`, `all(` and `global(` as single tokens (no space before the
 * parenthesis) and skips only spaces and tabs. The language: `all()`, `has(k)`, `k == "v"`,
 * `k != "v"`, `k in {"a", "b"}`, `k not in {...}`, `k contains "s"`, `k starts with "s"`,
 * `k ends with "s"`, `!`, `&&`, `||` and parentheses. `global()` is only valid in an entity rule's
 * namespaceSelector.
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

/** A parsed Calico selector. */
export type CalicoSelectorNode =
  | { readonly op: 'all' }
  | { readonly op: 'global' }
  | { readonly op: 'has'; readonly key: string }
  | { readonly op: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notIn'; readonly key: string; readonly values: ReadonlySet<string> }
  | { readonly op: 'not'; readonly operand: CalicoSelectorNode }
  | { readonly op: 'and' | 'or'; readonly left: CalicoSelectorNode; readonly right: CalicoSelectorNode };

// ohm-js ships ESM types with a CommonJS build; this CommonJS package loads the latter.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ohm: typeof Ohm = require('ohm-js');
let grammar: Ohm.Grammar | undefined;
let semantics: Ohm.Semantics | undefined;

function theGrammar(): Ohm.Grammar {
  grammar ??= ohm.grammar(GRAMMAR);
  return grammar;
}

/**
 * Problems by selector text ("" for none), for selectors outside entity rules and inside them:
 * parsing costs about half a millisecond, and an estate repeats the same few selectors in every
 * namespace (the renderers check each selector they write, the model each selector it reads).
 */
const PROBLEMS = [new Map<string, string>(), new Map<string, string>()];
const PROBLEMS_MAX = 10_000;

/** Longer selectors are parsed each time rather than cached: the cache would hold every hostile text. */
const CACHED_MAX = 4096;

/**
 * The most operators (`!`, `&&`, `||`) a selector may have, and the deepest parentheses. Calico
 * sets no limit, but the parser and the matchers recurse once per operator and level, and about a
 * thousand operators or 400 parentheses deep would exhaust the stack: such a selector is refused
 * with a clear reason rather than crashing (Calico's `in {...}` writes long alternatives flat).
 */
export const CALICO_SELECTOR_OPERATORS_MAX = 500;
export const CALICO_SELECTOR_DEPTH_MAX = 64;

/** Why `expression` is not a valid Calico selector, or undefined when it is. */
export function calicoSelectorProblem(expression: string, allowGlobal: boolean = false): string | undefined {
  if (typeof expression !== 'string') {
    return 'it is not a string';
  }
  if (expression.length > CACHED_MAX) {
    const found = analyse(expression, allowGlobal);
    return found === undefined ? undefined : found || 'it does not parse';
  }
  const known = PROBLEMS[allowGlobal ? 1 : 0];
  let problem = known.get(expression);
  if (problem === undefined) {
    const found = analyse(expression, allowGlobal);
    problem = found === undefined ? '' : found || 'it does not parse';
    if (known.size >= PROBLEMS_MAX) {
      known.clear();
    }
    known.set(expression, problem);
  }
  return problem === '' ? undefined : problem;
}

function analyse(expression: string, allowGlobal: boolean): string | undefined {
  const { operators, deepest } = complexityOf(expression);
  if (operators > CALICO_SELECTOR_OPERATORS_MAX) {
    return `it has ${operators} operators (!, && and ||); the model reads selectors of at most ${CALICO_SELECTOR_OPERATORS_MAX} ` +
      '(write long alternatives as k in {"a", "b"})';
  }
  if (deepest > CALICO_SELECTOR_DEPTH_MAX) {
    return `its parentheses nest ${deepest} deep; the model reads selectors nested at most ${CALICO_SELECTOR_DEPTH_MAX} deep`;
  }
  const match = theGrammar().match(expression);
  if (match.failed()) {
    return match.shortMessage === undefined ? 'it does not parse' : capText(match.shortMessage);
  }
  if (!allowGlobal && /(^|[^A-Za-z0-9_./-])global\s*\(\s*\)/.test(expression.replace(/"[^"]*"|'[^']*'/g, '""'))) {
    return 'global() is only valid in an entity rule\'s namespaceSelector';
  }
  return undefined;
}

/**
 * What bounds the depth of a selector's tree, in one pass outside quoted strings: its `!`, `&&`
 * and `||` operators (a chain of `&&` nests one level per operator) and its deepest parentheses.
 */
function complexityOf(expression: string): { operators: number; deepest: number } {
  let operators = 0;
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '"' || c === '\'') {
      const close = expression.indexOf(c, i + 1);
      if (close < 0) {
        break;
      }
      i = close;
    } else if (c === '(') {
      deepest = Math.max(deepest, ++depth);
    } else if (c === ')') {
      depth--;
    } else if (c === '!' && expression[i + 1] !== '=') {
      operators++;
    } else if ((c === '&' || c === '|') && expression[i + 1] === c) {
      operators++;
      i++;
    }
  }
  return { operators, deepest };
}

function theSemantics(): Ohm.Semantics {
  if (semantics) {
    return semantics;
  }
  const unquote = (node: Ohm.Node): string => node.sourceString.slice(1, -1);
  const binary = (op: 'and' | 'or') => (left: Ohm.Node, _op: Ohm.Node, right: Ohm.Node): CalicoSelectorNode =>
    ({ op, left: left.tree(), right: right.tree() });
  const compare = (op: 'eq' | 'ne' | 'contains' | 'startsWith' | 'endsWith') => (key: Ohm.Node, _op: Ohm.Node, value: Ohm.Node): CalicoSelectorNode =>
    ({ op, key: key.sourceString, value: unquote(value) });
  const set = (op: 'in' | 'notIn') => (key: Ohm.Node, _op: Ohm.Node, values: Ohm.Node): CalicoSelectorNode =>
    ({ op, key: key.sourceString, values: new Set(values.tree() as string[]) });
  semantics = theGrammar().createSemantics().addOperation('tree', {
    OrExp_or: binary('or'),
    AndExp_and: binary('and'),
    NotExp_not: (_bang: Ohm.Node, operand: Ohm.Node): CalicoSelectorNode => ({ op: 'not', operand: operand.tree() }),
    Primary_paren: (_open: Ohm.Node, inner: Ohm.Node, _close: Ohm.Node) => inner.tree(),
    Primary_all: (_open: Ohm.Node, _close: Ohm.Node): CalicoSelectorNode => ({ op: 'all' }),
    Primary_global: (_open: Ohm.Node, _close: Ohm.Node): CalicoSelectorNode => ({ op: 'global' }),
    Primary_has: (_has: Ohm.Node, key: Ohm.Node, _close: Ohm.Node): CalicoSelectorNode => ({ op: 'has', key: key.sourceString }),
    Primary_eq: compare('eq'),
    Primary_ne: compare('ne'),
    Primary_contains: compare('contains'),
    Primary_startsWith: compare('startsWith'),
    Primary_endsWith: compare('endsWith'),
    Primary_in: set('in'),
    Primary_notIn: set('notIn'),
    Set: (_open: Ohm.Node, list: Ohm.Node, _comma: Ohm.Node, _close: Ohm.Node) => list.asIteration().children.map(unquote),
  });
  return semantics;
}

/** Parsed selectors by text: an estate repeats the same few selectors in every namespace. */
const PARSED = new Map<string, CalicoSelectorNode>();
const PARSED_MAX = 10_000;

/**
 * Parses a selector; throws a plain description of the problem (callers add where it came from).
 * An empty or blank selector is `all()`, as Calico reads it.
 */
export function parseCalicoSelector(expression: string, allowGlobal: boolean = false): CalicoSelectorNode {
  if (typeof expression === 'string' && expression.trim() === '') {
    return { op: 'all' };
  }
  const problem = calicoSelectorProblem(expression, allowGlobal);
  if (problem) {
    throw new Error(`${show(expression)} is not a valid Calico selector: ${problem}`);
  }
  let node = PARSED.get(expression);
  if (!node) {
    node = theSemantics()(theGrammar().match(expression)).tree() as CalicoSelectorNode;
    if (expression.length <= CACHED_MAX) {
      if (PARSED.size >= PARSED_MAX) {
        PARSED.clear();
      }
      PARSED.set(expression, node);
    }
  }
  return node;
}

/**
 * Whether `labels` satisfy the selector, as Calico evaluates it: `!=` and `not in` are also true
 * when the label is absent, `==`, `in`, `contains`, `starts with` and `ends with` need the label.
 * `global()` selects only non-namespaced endpoints: callers decide with `isGlobal`.
 */
export function calicoSelectorMatches(node: CalicoSelectorNode, labels: Readonly<Record<string, string>>, isGlobal: boolean = false): boolean {
  switch (node.op) {
    case 'all':
      return true;
    case 'global':
      return isGlobal;
    case 'has':
      return Object.prototype.hasOwnProperty.call(labels, node.key);
    case 'eq':
      return has(labels, node.key) && labels[node.key] === node.value;
    case 'ne':
      return !has(labels, node.key) || labels[node.key] !== node.value;
    case 'contains':
      return has(labels, node.key) && labels[node.key].includes(node.value);
    case 'startsWith':
      return has(labels, node.key) && labels[node.key].startsWith(node.value);
    case 'endsWith':
      return has(labels, node.key) && labels[node.key].endsWith(node.value);
    case 'in':
      return has(labels, node.key) && node.values.has(labels[node.key]);
    case 'notIn':
      return !has(labels, node.key) || !node.values.has(labels[node.key]);
    case 'not':
      return !calicoSelectorMatches(node.operand, labels, isGlobal);
    case 'and':
      return calicoSelectorMatches(node.left, labels, isGlobal) && calicoSelectorMatches(node.right, labels, isGlobal);
    case 'or':
      return calicoSelectorMatches(node.left, labels, isGlobal) || calicoSelectorMatches(node.right, labels, isGlobal);
  }
}

/** A compiled selector: whether labels satisfy it (`isGlobal`: the endpoint is not namespaced). */
export type CalicoSelectorMatcher = (labels: Readonly<Record<string, string>>, isGlobal?: boolean) => boolean;

/**
 * The selector as a closure with the semantics of `calicoSelectorMatches`: a model evaluates the
 * same few selectors millions of times, so the tree is walked once here rather than per call.
 */
export function compileCalicoSelector(node: CalicoSelectorNode): CalicoSelectorMatcher {
  switch (node.op) {
    case 'all':
      return () => true;
    case 'global':
      return (_labels, isGlobal) => isGlobal === true;
    case 'has': {
      const key = node.key;
      return (labels) => has(labels, key);
    }
    case 'eq': {
      const { key, value } = node;
      return (labels) => has(labels, key) && labels[key] === value;
    }
    case 'ne': {
      const { key, value } = node;
      return (labels) => !has(labels, key) || labels[key] !== value;
    }
    case 'in':
    case 'notIn': {
      const { key, values } = node;
      return node.op === 'in' ? (labels) => has(labels, key) && values.has(labels[key]) : (labels) => !has(labels, key) || !values.has(labels[key]);
    }
    case 'contains':
    case 'startsWith':
    case 'endsWith':
      return (labels, isGlobal) => calicoSelectorMatches(node, labels, isGlobal);
    case 'not': {
      const operand = compileCalicoSelector(node.operand);
      return (labels, isGlobal) => !operand(labels, isGlobal);
    }
    case 'and': {
      const left = compileCalicoSelector(node.left);
      const right = compileCalicoSelector(node.right);
      return (labels, isGlobal) => left(labels, isGlobal) && right(labels, isGlobal);
    }
    case 'or': {
      const left = compileCalicoSelector(node.left);
      const right = compileCalicoSelector(node.right);
      return (labels, isGlobal) => left(labels, isGlobal) || right(labels, isGlobal);
    }
  }
}

/**
 * A selector evaluated with some label keys unknown (Kleene's three-valued logic): a term reading
 * an unknown key is undefined, `!` keeps it undefined, `&&` is false when one side is false and
 * `||` true when one side is true, undefined otherwise. Says whether labels whose unknown keys
 * could hold anything satisfy the selector: true or false whatever they hold, undefined when it
 * depends on them.
 */
export function calicoSelectorDecides(node: CalicoSelectorNode, labels: Readonly<Record<string, string>>, unknownKey: (key: string) => boolean,
  isGlobal?: boolean): boolean | undefined {
  switch (node.op) {
    case 'all':
    case 'global':
      return calicoSelectorMatches(node, labels, isGlobal);
    case 'not': {
      const operand = calicoSelectorDecides(node.operand, labels, unknownKey, isGlobal);
      return operand === undefined ? undefined : !operand;
    }
    case 'and':
    case 'or': {
      const left = calicoSelectorDecides(node.left, labels, unknownKey, isGlobal);
      const right = calicoSelectorDecides(node.right, labels, unknownKey, isGlobal);
      const decisive = node.op === 'and' ? false : true;
      if (left === decisive || right === decisive) {
        return decisive;
      }
      return left === undefined || right === undefined ? undefined : !decisive;
    }
    default:
      return unknownKey(node.key) ? undefined : calicoSelectorMatches(node, labels, isGlobal);
  }
}

/** The label keys a selector reads. */
export function calicoSelectorKeys(node: CalicoSelectorNode): string[] {
  switch (node.op) {
    case 'all':
    case 'global':
      return [];
    case 'not':
      return calicoSelectorKeys(node.operand);
    case 'and':
    case 'or':
      return [...calicoSelectorKeys(node.left), ...calicoSelectorKeys(node.right)];
    default:
      return [node.key];
  }
}

/**
 * Labels that satisfy a selector made of `==`, `in` and `has()` terms joined by `&&` (e.g. for a
 * stand-in pod); undefined for any other shape.
 */
export function calicoSelectorExample(node: CalicoSelectorNode): Record<string, string> | undefined {
  switch (node.op) {
    case 'all':
      return {};
    case 'eq':
      return { [node.key]: node.value };
    case 'in':
      return { [node.key]: [...node.values][0] };
    case 'has':
      return { [node.key]: 'present' };
    case 'and': {
      const left = calicoSelectorExample(node.left);
      const right = calicoSelectorExample(node.right);
      return left && right ? { ...right, ...left } : undefined;
    }
    default:
      return undefined;
  }
}

function has(labels: Readonly<Record<string, string>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}

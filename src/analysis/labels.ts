import { labelKeyProblem, labelValueProblem } from '../util/names';
import { show } from '../util/validation';

/** A compiled `metav1.LabelSelector`: matchLabels AND every matchExpression. */
export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

interface Requirement {
  readonly key: string;
  readonly operator: string;
  readonly values?: string[];
}

const MATCH_ALL: LabelMatcher = () => true;

/**
 * Compiles a label selector as the API server defines it: an empty selector `{}` matches
 * everything; `In` needs the label with one of the values; `NotIn` matches when the label is
 * absent or has none of the values; `Exists`/`DoesNotExist` test presence only.
 * @param where names the selector in errors
 */
export function compileLabelSelector(selector: unknown, where: string): LabelMatcher {
  if (selector === undefined || selector === null) {
    return MATCH_ALL;
  }
  if (typeof selector !== 'object' || Array.isArray(selector)) {
    throw new Error(`${where}: a label selector must be an object, got ${show(selector)}`);
  }
  const { matchLabels, matchExpressions } = selector as { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] };
  // The API server refuses other shapes (a schema's types); read as written, a list or a string
  // here would select every pod.
  if (matchLabels !== undefined && matchLabels !== null && (typeof matchLabels !== 'object' || Array.isArray(matchLabels))) {
    throw new Error(`${where}.matchLabels must be a map of labels, got ${show(matchLabels)}`);
  }
  if (matchExpressions !== undefined && matchExpressions !== null && !Array.isArray(matchExpressions)) {
    throw new Error(`${where}.matchExpressions must be a list (a "-" is missing?), got ${show(matchExpressions)}`);
  }
  const labels = Object.entries(matchLabels ?? {});
  for (const [key, value] of labels) {
    if (typeof value !== 'string') {
      throw new Error(`${where}.matchLabels ${show(key)} must be a string, got ${show(value)} (quote values such as yes, no, on, off and numbers)`);
    }
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) {
      throw new Error(`${where}.matchLabels ${show(key)}=${show(value)} is not a valid label: ${problem}`);
    }
  }
  const expressions = (matchExpressions ?? []).map((e, i) => compileRequirement(e, `${where}.matchExpressions[${i}]`));
  if (labels.length === 0 && expressions.length === 0) {
    return MATCH_ALL;
  }
  return (candidate) => {
    for (const [key, value] of labels) {
      if (candidate[key] !== value) {
        return false;
      }
    }
    for (const matches of expressions) {
      if (!matches(candidate)) {
        return false;
      }
    }
    return true;
  };
}

function compileRequirement(e: Requirement, where: string): LabelMatcher {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) {
    throw new Error(`${where} must be a { key, operator, values } map, got ${show(e)}`);
  }
  const values0 = e.values ?? [];
  // `values: db` is a string, not a list: read as one, "d" and "b" would be the values.
  if (!Array.isArray(values0) || values0.some((v) => typeof v !== 'string')) {
    throw new Error(`${where}.values must be a list of strings, got ${show(values0)}`);
  }
  if (typeof e?.key !== 'string' || e.key.length === 0) {
    throw new Error(`${where}: key ${show(e?.key)} is required`);
  }
  if ((e.operator === 'In' || e.operator === 'NotIn') && values0.length === 0) {
    throw new Error(`${where}: operator ${e.operator} needs at least one value`);
  }
  if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values0.length > 0) {
    throw new Error(`${where}: operator ${e.operator} takes no values`);
  }
  const has = (labels: Readonly<Record<string, string>>) => Object.prototype.hasOwnProperty.call(labels, e.key);
  const values = new Set(e.values ?? []);
  switch (e.operator) {
    case 'In':
      return (labels) => has(labels) && values.has(labels[e.key]);
    case 'NotIn':
      return (labels) => !has(labels) || !values.has(labels[e.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return (labels) => !has(labels);
    default:
      throw new Error(`${where}: operator ${show(e.operator)} is not In, NotIn, Exists or DoesNotExist`);
  }
}

/** The label keys a LabelSelector reads (matchLabels, then matchExpressions), read tolerantly: [] for what is no selector. */
export function labelSelectorKeys(selector: unknown): string[] {
  if (selector === null || typeof selector !== 'object') {
    return [];
  }
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  return [
    ...(matchLabels !== null && typeof matchLabels === 'object' ? Object.keys(matchLabels) : []),
    ...(Array.isArray(matchExpressions) ? matchExpressions.map((e: any) => String(e?.key)) : []),
  ];
}

/** `{app=api, tier in (a,b)}`, for reasons. */
export function describeLabelSelector(selector: unknown): string {
  const s = (selector ?? {}) as { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] };
  const parts = [
    ...Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(s.matchExpressions ?? []).map((e) => {
      switch (e.operator) {
        case 'In': return `${e.key} in (${(e.values ?? []).join(',')})`;
        case 'NotIn': return `${e.key} notin (${(e.values ?? []).join(',')})`;
        case 'Exists': return e.key;
        default: return `!${e.key}`;
      }
    }),
  ];
  return `{${parts.join(', ')}}`;
}

/**
 * Labels of an example pod a label selector selects, when one is easy to make: its `matchLabels`,
 * the first value of each `In`, `anyValue` for each `Exists` (`NotIn` and `DoesNotExist` are met by
 * leaving the key out). Not checked against the selector: callers that need a pod it surely
 * selects check the result (a contradictory selector has no such pod).
 * @param anyValue the value given to a key the selector only requires to exist
 */
export function exampleLabels(selector: any, anyValue: string): Record<string, string> {
  const labels: Record<string, string> = { ...(selector?.matchLabels ?? {}) };
  for (const e of Array.isArray(selector?.matchExpressions) ? selector.matchExpressions : []) {
    if (e?.operator === 'In' && Array.isArray(e.values) && e.values.length > 0 && labels[e.key] === undefined) {
      labels[e.key] = String(e.values[0]);
    } else if (e?.operator === 'Exists' && labels[e.key] === undefined) {
      labels[e.key] = anyValue;
    }
  }
  return labels;
}

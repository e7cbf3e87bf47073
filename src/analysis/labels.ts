import { labelKeyProblem, labelValueProblem } from '../util/names';

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
    throw new Error(`${where}: a label selector must be an object, got ${JSON.stringify(selector)}`);
  }
  const { matchLabels, matchExpressions } = selector as { matchLabels?: Record<string, string>; matchExpressions?: Requirement[] };
  const labels = Object.entries(matchLabels ?? {});
  for (const [key, value] of labels) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) {
      throw new Error(`${where}.matchLabels ${JSON.stringify(key)}=${JSON.stringify(value)} is not a valid label: ${problem}`);
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
  const values0 = e?.values ?? [];
  if (typeof e?.key !== 'string' || e.key.length === 0) {
    throw new Error(`${where}: key ${JSON.stringify(e?.key)} is required`);
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
      throw new Error(`${where}: operator ${JSON.stringify(e.operator)} is not In, NotIn, Exists or DoesNotExist`);
  }
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

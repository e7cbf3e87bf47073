import { isPlainObject } from '../../util/plain-object';
import { show } from '../../util/validation';

/** Deeper than any Kubernetes object nests (a pod template sits about 10 levels down). */
const MAX_DEPTH = 100;

/**
 * Why an object handed to the analysis is not plain JSON data, or undefined. Manifests read from
 * files always are; a JavaScript caller may hand over a `Map` for `matchLabels` (which a schema
 * check reads as an empty map, selecting every pod), an object inheriting its fields from a
 * prototype, a class instance, a function or a cycle. The API server only ever receives JSON, so
 * such an object is refused rather than read as something else.
 */
export function plainDataProblem(value: unknown, path: string = '', depth: number = 0): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || value === undefined) {
    return undefined;
  }
  const at = path === '' ? 'the object' : path.length > 160 ? `${path.slice(0, 160)}...` : path;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? undefined : `${at} is ${show(value)}, which JSON cannot hold`;
  }
  if (typeof value !== 'object') {
    return `${at} is a ${typeof value}, not JSON data`;
  }
  if (depth >= MAX_DEPTH) {
    return `${at} nests more than ${MAX_DEPTH} levels deep (a cycle?)`;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const problem = plainDataProblem(value[i], `${path}[${i}]`, depth + 1);
      if (problem !== undefined) {
        return problem;
      }
    }
    return undefined;
  }
  if (!isPlainObject(value)) {
    const name = (value as object).constructor?.name;
    return `${at} is ${name && name !== 'Object' ? `a ${name}` : 'an object with a prototype'}, not a plain object (a manifest is JSON data)`;
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) {
      return `${at} inherits the field ${show(key)} from its prototype; a manifest is JSON data`;
    }
    const problem = plainDataProblem((value as Record<string, unknown>)[key], path === '' ? key : `${path}.${key}`, depth + 1);
    if (problem !== undefined) {
      return problem;
    }
  }
  return undefined;
}

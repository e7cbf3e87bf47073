import type { ErrorObject } from 'ajv';
import * as generated from './checkers.generated';
import { ADMISSION_KINDS, ADMISSION_SCHEMA } from './schemas';
import { show } from '../../util/validation';
import { KindClass } from '../kinds';

/** The JSON type of a value, as messages name it. */
function typeName(value: unknown): string {
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (value === null) {
    return 'null';
  }
  switch (typeof value) {
    case 'object': return 'a map';
    case 'string': return 'a string';
    case 'boolean': return 'a boolean';
    case 'number': return Number.isInteger(value) ? 'an integer' : 'a number';
    default: return typeof value;
  }
}

const EXPECTED: Record<string, string> = { array: 'a list', object: 'a map', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean (true or false)' };

/** "/spec/ingress/0/from" as "spec.ingress[0].from". */
function fieldPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^[0-9]+$/.test(part) ? `[${part}]` : `${path === '' ? '' : '.'}${part}`;
  }
  return path;
}

/** The value at a JSON pointer. */
function valueAt(obj: unknown, pointer: string): unknown {
  let value: any = obj;
  for (const raw of pointer.split('/').slice(1)) {
    value = value?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
}

/** The definition a `$ref` names ("#/definitions/labelSelector"), or the schema itself. */
function resolved(schema: any): any {
  const target = schema?.$ref;
  return typeof target === 'string' ? valueAt(ADMISSION_SCHEMA, target.slice(target.indexOf('#') + 1)) : schema;
}

/** The schema that applies at `pointer` of an object checked against `definition`. */
function schemaOfField(definition: string, pointer: string): any {
  let schema: any = resolved((ADMISSION_SCHEMA.definitions as Record<string, unknown>)[definition]);
  for (const raw of pointer.split('/').slice(1)) {
    schema = resolved(/^[0-9]+$/.test(raw) ? schema?.items : schema?.properties?.[raw.replace(/~1/g, '/').replace(/~0/g, '~')]);
  }
  return schema;
}

/** One Ajv complaint in the project's words: the field, what it must be, what it is. */
function describe(error: ErrorObject, obj: unknown, definition: string): string {
  const field = fieldPath(error.instancePath);
  const value = valueAt(obj, error.instancePath);
  const at = field === '' ? 'the object' : field;
  switch (error.keyword) {
    case 'type': {
      const wanted = ([] as string[]).concat(error.params.type as string | string[]).filter((t) => t !== 'null');
      const expected = [...new Set(wanted.map((t) => EXPECTED[t] ?? t))].join(' or ');
      // The classic YAML slip: a list entry written without its "-" becomes a map (or a scalar).
      const missingDash = wanted.includes('array') ? ' (a "-" is missing?)' : '';
      const unquoted = typeof value === 'boolean' && wanted.includes('string') ? ' (unquoted yes, no, on, off, true and false are booleans in YAML: quote it)' : '';
      return `${at} must be ${expected}${missingDash}, got ${typeName(value)} ${show(value)}${unquoted}`;
    }
    case 'additionalProperties': {
      const known = Object.keys(schemaOfField(definition, error.instancePath)?.properties ?? {});
      const unknown = String(error.params.additionalProperty);
      return `${at}: unknown field ${show(unknown)}${known.length > 0 ? `; the fields are ${known.join(', ')}` : ''}`;
    }
    case 'required':
      return `${field === '' ? '' : `${field}.`}${String(error.params.missingProperty)} is required`;
    default:
      return `${at} ${error.message ?? 'is invalid'}`;
  }
}

/** A generated checker: true when the object is sound, else its `errors` say why. */
type Checker = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const CHECKERS = generated as unknown as Record<string, Checker>;

function checkerKey(obj: any, c: KindClass): string | undefined {
  switch (c.category) {
    case 'policy': return `policy ${obj.kind} ${c.cni}`;
    case 'tier': return 'tier Tier Calico';
    case 'namespace': return 'namespace Namespace';
    case 'workload': return `workload ${c.workload.kind}`;
    default: return undefined;
  }
}

/** At most this many problems per object: the rest are counted. */
const MAX_PROBLEMS = 10;

/**
 * What is wrong with the structure of an object the analysis reads (a policy, a Tier, a
 * Namespace, a workload): fields of the wrong type, unknown fields of a policy, missing required
 * fields. Empty when the structure is sound; other kinds are not checked.
 */
export function structureProblems(obj: any, c: KindClass): string[] {
  const key = checkerKey(obj, c);
  const definition = key === undefined ? undefined : ADMISSION_KINDS[key];
  const check = definition === undefined ? undefined : CHECKERS[definition];
  if (check === undefined || check(obj)) {
    return [];
  }
  const problems = [...new Set((check.errors ?? []).map((e) => describe(e, obj, definition!)))];
  return problems.length <= MAX_PROBLEMS ? problems : [...problems.slice(0, MAX_PROBLEMS), `and ${problems.length - MAX_PROBLEMS} more problem(s)`];
}

/**
 * Checks of the objects untyped callers (JavaScript, or Python and others through jsii) hand the
 * library where TypeScript would demand a plain object: props, options, label maps. What the
 * compiler forbids still arrives at run time, and read with `Object.entries` or a spread, a Map,
 * an object whose labels are inherited, or one whose labels are not enumerable all read as `{}`:
 * for a selector, every pod. Each check answers why a value is unfit, or undefined; the caller
 * throws, naming its call and prop (`invalid` in util/validation.ts, which uses these).
 *
 * This file imports nothing, so util/validation.ts can use it.
 */

/** The characters of a key or value these messages echo. */
const ECHO_MAX = 64;

/**
 * True for a plain object: made by a literal, `JSON.parse`, YAML or `Object.create(null)`; not a
 * list, a Map, a class instance, a function, or an object inheriting from another. An object of
 * another realm (a `vm` context, as jest's) is recognised by its prototype being a root prototype
 * whose constructor is named `Object`.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) {
    return true;
  }
  return Object.getPrototypeOf(proto) === null && Object.prototype.hasOwnProperty.call(proto, 'constructor') &&
    typeof proto.constructor === 'function' && proto.constructor.name === 'Object';
}

/**
 * Why `value` is not a plain object of plain data properties, or undefined. The answer completes
 * "<prop> ...": "is a Map, not a plain object", "has a getter for "app"; pass plain values".
 * Refused besides non-plain objects: symbol keys, non-enumerable properties (invisible to
 * `Object.entries`) and getters or setters (which may answer differently each time they are read).
 */
export function plainObjectProblem(value: unknown): string | undefined {
  if (!isPlainObject(value)) {
    return `is ${describeValue(value)}, not a plain object`;
  }
  const symbols = Object.getOwnPropertySymbols(value);
  if (symbols.length > 0) {
    return `has a symbol key ${echo(symbols[0].toString())}; only string keys are read`;
  }
  for (const key of Object.getOwnPropertyNames(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key)!;
    if (descriptor.get !== undefined || descriptor.set !== undefined) {
      return `has a getter or setter for ${echo(key)}; pass plain values`;
    }
    if (!descriptor.enumerable) {
      return `has a non-enumerable property ${echo(key)}, which would be ignored`;
    }
  }
  return undefined;
}

/**
 * Why `value` is not a plain map of strings (a label map, most often), or undefined: a
 * `plainObjectProblem`, or an entry that is not a string (`yes`, `8080` and `true` must be
 * quoted). Key syntax is the caller's business: label and annotation keys differ.
 */
export function stringRecordProblem(value: unknown): string | undefined {
  const problem = plainObjectProblem(value);
  if (problem !== undefined) {
    return problem;
  }
  for (const [key, entry] of Object.entries(value as object)) {
    if (typeof entry !== 'string') {
      return `has ${echo(key)} set to ${describeValue(entry)}, not a string`;
    }
  }
  return undefined;
}

/**
 * The first own key of `value` that `keys` does not have as its own, or undefined. Looked up by own
 * property: `key in keys` would take `constructor`, `toString` or `__proto__` for known keys, since
 * every object inherits them.
 */
export function unknownKey(value: object, keys: Record<string, true>): string | undefined {
  return Object.keys(value).find((key) => !Object.prototype.hasOwnProperty.call(keys, key));
}

/** What a value is, for messages: `a Map`, `a list of 2 entries`, `a Foo` (a class instance), `the number NaN`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return String(value);
  }
  if (Array.isArray(value)) {
    return `a list of ${value.length} ${value.length === 1 ? 'entry' : 'entries'}`;
  }
  switch (typeof value) {
    case 'string': return `the string ${echo(value)}`;
    case 'number': case 'bigint': case 'boolean': return `the ${typeof value} ${String(value)}`;
    case 'function': return 'a function';
    case 'symbol': return `the symbol ${echo(value.toString())}`;
    default:
  }
  if (isPlainObject(value)) {
    return 'a plain object';
  }
  const proto = Object.getPrototypeOf(value);
  const name = typeof proto?.constructor === 'function' ? proto.constructor.name : '';
  if (name === '' || name === 'Object') {
    return 'an object that inherits from another object';
  }
  return /^[AEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** A key or string value quoted, cut to its first characters (and its length) when long. */
function echo(text: string): string {
  return text.length <= ECHO_MAX ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, ECHO_MAX))}… (${text.length} characters)`;
}

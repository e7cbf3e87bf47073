import { plainObjectProblem, unknownKey } from './plain-object';

/** The characters of a string value an error message echoes; longer values are cut, with their length. */
export const SHOWN_STRING_MAX = 64;
/** The characters of an object's JSON an error message echoes. */
export const SHOWN_JSON_MAX = 120;

/**
 * Renders a user-supplied value for an error message: strings quoted, NaN and Infinity by name,
 * objects as JSON. Short values are shown exactly as the user passed them; a long one (a 200 KB
 * port name, a list of thousands of entries) is cut to its first characters and its length, so a
 * message stays readable and one hostile value cannot fill a terminal or a CI log.
 */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return showString(value);
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'function') {
    return `function ${showString(value.name || '(anonymous)', false)}`;
  }
  if (typeof value === 'symbol') {
    return cut(value.toString(), SHOWN_STRING_MAX, 'characters');
  }
  let json: string;
  try {
    json = JSON.stringify(value) ?? String(value);
  } catch {
    // Cyclic, too deeply nested, or a throwing toJSON.
    json = String(value);
  }
  return cut(json, SHOWN_JSON_MAX, 'characters of JSON');
}

function showString(value: string, quoted: boolean = true): string {
  if (value.length <= SHOWN_STRING_MAX) {
    return quoted ? JSON.stringify(value) : value;
  }
  // Never cut between the two halves of a surrogate pair.
  const end = isHighSurrogate(value.charCodeAt(SHOWN_STRING_MAX - 1)) ? SHOWN_STRING_MAX - 1 : SHOWN_STRING_MAX;
  const head = value.slice(0, end);
  return `${quoted ? JSON.stringify(head) : head}… (${value.length} characters)`;
}

/**
 * A message from elsewhere (a parser's complaint, which may quote the input) cut to `max`
 * characters, with its length when cut.
 */
export function capText(text: string, max: number = 2 * SHOWN_STRING_MAX): string {
  return cut(text, max, 'characters');
}

function cut(text: string, max: number, unit: string): string {
  if (text.length <= max) {
    return text;
  }
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… (${text.length} ${unit})`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** True for an integer number within [min, max] (rejects NaN, Infinity, fractions and non-numbers). */
export function isIntegerInRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Throws `${where}: ${message}`; the single place that shapes validation errors. */
export function invalid(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

/**
 * Checks an options object from an untyped caller (JavaScript, or a jsii language): a plain
 * object, not null or a list, whose keys are all known. A misspelt key ("lables") would otherwise
 * be ignored and a default used in silence.
 * @param keys the known keys, as a `Record<keyof T, true>` so the compiler keeps it complete
 */
export function checkOptionsObject(where: string, prop: string, value: unknown, keys: Record<string, true>): void {
  const known = Object.keys(keys);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    invalid(where, `${prop} ${show(value)} is not an object; expected { ${known.join(', ')} }`);
  }
  // A Map or an object inheriting its keys would read as {}, every option at its default.
  const problem = plainObjectProblem(value);
  if (problem !== undefined) {
    invalid(where, `${prop} ${problem}; expected { ${known.join(', ')} }`);
  }
  // By own property: `in` takes constructor, toString, ... for known keys.
  const unknown = unknownKey(value as object, keys);
  if (unknown !== undefined) {
    invalid(where, `${prop} has an unknown key ${show(unknown)}; the keys are ${known.join(', ')}`);
  }
}

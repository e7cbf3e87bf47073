/**
 * Renders a user-supplied value for an error message: strings quoted, NaN and Infinity by name,
 * objects as JSON. Messages must show the bad value exactly as the user passed it.
 */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === undefined || value === null) {
    return String(value);
  }
  if (typeof value === 'function') {
    return `function ${value.name || '(anonymous)'}`;
  }
  if (typeof value === 'symbol') {
    return value.toString();
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
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
  for (const key of Object.keys(value as object)) {
    if (!(key in keys)) {
      invalid(where, `${prop} has an unknown key ${show(key)}; the keys are ${known.join(', ')}`);
    }
  }
}

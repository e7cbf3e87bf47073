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

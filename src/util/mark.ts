import { createHash } from 'crypto';

/**
 * The annotation on every policy this library emits: a digest of the object's apiVersion, kind
 * and spec. The linter leaves such objects alone only while the digest still matches, so a
 * hand-edited copy of generated YAML is linted like any other manifest.
 */
export const GENERATED_ANNOTATION = 'cdk8s-netpol.io/generated';

/**
 * JSON with object keys sorted, so equal objects give equal text whatever their key order.
 * Written with plain loops: the synth-time lint computes it for every emitted object.
 */
function canonical(value: unknown): string {
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      // An undefined element prints as nothing, as `[...].map(canonical).join(',')` did.
      text += (i > 0 ? ',' : '') + (canonical(value[i]) ?? '');
    }
    return `${text}]`;
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    let text = '{';
    let first = true;
    for (const key of keys) {
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) {
        continue;
      }
      text += `${first ? '' : ','}${JSON.stringify(key)}:${canonical(member)}`;
      first = false;
    }
    return `${text}}`;
  }
  return JSON.stringify(value);
}

/** The annotation value for an object: "sha256:" and 16 hex digits of its apiVersion, kind and spec. */
export function generatedMark(obj: { apiVersion?: unknown; kind?: unknown; spec?: unknown }): string {
  const digest = createHash('sha256').update(canonical({ apiVersion: obj.apiVersion, kind: obj.kind, spec: obj.spec })).digest('hex');
  return `sha256:${digest.slice(0, 16)}`;
}

/**
 * The mark of an object the library emits, remembered with the content it was made from so that
 * `isGenerated` can recognise the object cheaply. The memory keeps a private copy (one per
 * distinct content: an estate repeats the same few specs), so no change to the emitted object can
 * reach it. (Freezing the emitted specs instead gave every frozen label map a hidden class of its
 * own in V8: 2 KB more heap per namespace.)
 */
export function emittedMark(obj: { apiVersion: string; kind: string; spec: unknown }): string {
  const mark = generatedMark(obj);
  if (!MARKED.has(mark)) {
    if (MARKED.size >= MARKED_MAX) {
      MARKED.clear();
    }
    MARKED.set(mark, { apiVersion: obj.apiVersion, kind: obj.kind, spec: structuredClone(obj.spec) });
  }
  return mark;
}

/**
 * What each mark of an emitted object was computed over (`emittedMark`), as a private copy. The synth-time lint checks every
 * emitted object against its mark at every synthesis; comparing it with the content the mark was
 * made from is several times cheaper than digesting it again, and equal content has an equal
 * digest. Anything else (a mark from another process, an edited object) is digested.
 */
const MARKED = new Map<string, { apiVersion: unknown; kind: unknown; spec: unknown }>();
const MARKED_MAX = 20_000;

/**
 * Equal as `canonical` sees them: key order ignored, members whose value is undefined absent.
 * May answer false for values `canonical` prints alike (NaN, say); never true for values it
 * prints differently.
 */
function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  if (Array.isArray(a)) {
    const other = b as unknown[];
    if (a.length !== other.length) {
      return false;
    }
    for (let i = 0; i < a.length; i++) {
      if (!sameContent(a[i], other[i])) {
        return false;
      }
    }
    return true;
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key of Object.keys(left)) {
    if (left[key] === undefined) {
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(right, key) || !sameContent(left[key], right[key])) {
      return false;
    }
    count++;
  }
  for (const key of Object.keys(right)) {
    if (right[key] !== undefined) {
      count--;
    }
  }
  return count === 0;
}

/** True when `obj` carries this library's mark and its content still matches it. */
export function isGenerated(obj: any): boolean {
  const mark = obj?.metadata?.annotations?.[GENERATED_ANNOTATION];
  if (typeof mark !== 'string') {
    return false;
  }
  const marked = MARKED.get(mark);
  if (marked !== undefined && marked.apiVersion === obj.apiVersion && marked.kind === obj.kind && sameContent(marked.spec, obj.spec)) {
    return true;
  }
  return mark === generatedMark(obj);
}

import { createHash } from 'crypto';

/**
 * The annotation on every policy this library emits: a digest of the object's apiVersion, kind
 * and spec. It tells a reader of the YAML (or of a `diff`) that the object came from
 * cdk8s-netpol's constructs and whether it was edited since; it grants nothing. The digest is
 * unkeyed, so anyone can write a matching one: the lint judges every object by its content,
 * marked or not (docs/lint-rules.md).
 */
export const GENERATED_ANNOTATION = 'cdk8s-netpol.io/generated';

/**
 * The annotation of policies a staged rollout rendered (`cdk8s-netpol/rollout: "staged"`), with
 * the value STAGED_VALUE: on Calico they are staged kinds anyway; on Cilium it tells the policies
 * whose `enableDefaultDeny: false` stages them, so that the NetworkModel can evaluate them as
 * enforced when asked (NetworkModelOptions.evaluateStaged). Like the generated mark it grants
 * nothing: the lint and the model's enforced verdicts read the object as it is.
 */
export const STAGED_ANNOTATION = 'cdk8s-netpol.io/rollout';
export const STAGED_VALUE = 'staged';

/**
 * JSON with object keys sorted, so equal objects give equal text whatever their key order.
 * Written with plain loops: every emitted policy is digested once per revision.
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
 * True when `obj` carries this library's mark and its content still matches it: a hint for a
 * reader (the object is as generated, not edited since). Anyone can compute a mark, so it proves
 * nothing and must never exempt an object from a check.
 */
export function isGenerated(obj: any): boolean {
  const mark = obj?.metadata?.annotations?.[GENERATED_ANNOTATION];
  return typeof mark === 'string' && mark === generatedMark(obj);
}

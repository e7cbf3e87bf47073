import { createHash } from 'crypto';
import { show } from './validation';

// Syntax rules of Kubernetes names and labels (k8s.io/apimachinery/pkg/util/validation).
// Each `xxxProblem` returns why the value is invalid, or undefined when it is valid, so that
// callers can name the argument in their own message. Each checks the length (the upstream limit)
// before any pattern, and no pattern nests quantifiers: a check is linear in its input, and a
// 200 KB value is refused after reading its length.

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_LABEL_MAX = 63;
const DNS1123_SUBDOMAIN_MAX = 253;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_NAME_MAX = 63;
const IANA_SVC_NAME_MAX = 15;
const LABEL_KEY_MAX = DNS1123_SUBDOMAIN_MAX + 1 + LABEL_NAME_MAX;

/** A DNS-1123 label: namespace names. */
export function dns1123LabelProblem(value: string): string | undefined {
  if (typeof value !== 'string') {
    return 'it is not a string';
  }
  if (value.length === 0) {
    return 'it is empty';
  }
  if (value.length > DNS1123_LABEL_MAX) {
    return `it is ${value.length} characters long (at most ${DNS1123_LABEL_MAX})`;
  }
  if (!DNS1123_LABEL.test(value)) {
    return 'it must consist of lowercase letters, digits and "-", and start and end with a letter or digit';
  }
  return undefined;
}

/** A DNS-1123 subdomain: object names (NetworkPolicy, CiliumNetworkPolicy, ...) and label key prefixes. */
export function dns1123SubdomainProblem(value: string): string | undefined {
  if (typeof value !== 'string') {
    return 'it is not a string';
  }
  if (value.length === 0) {
    return 'it is empty';
  }
  if (value.length > DNS1123_SUBDOMAIN_MAX) {
    return `it is ${value.length} characters long (at most ${DNS1123_SUBDOMAIN_MAX})`;
  }
  for (const part of value.split('.')) {
    if (!DNS1123_LABEL.test(part)) {
      return 'it must consist of lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit';
    }
  }
  return undefined;
}

/** A label key: optional DNS-subdomain prefix and "/", then a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string') {
    return 'it is not a string';
  }
  if (key.length === 0) {
    return 'it is empty';
  }
  if (key.length > LABEL_KEY_MAX) {
    return `it is ${key.length} characters long (at most ${LABEL_KEY_MAX}: a prefix of ${DNS1123_SUBDOMAIN_MAX}, "/" and a name of ${LABEL_NAME_MAX})`;
  }
  const parts = key.split('/');
  if (parts.length > 2) {
    return 'it may contain at most one "/" (prefix/name)';
  }
  const name = parts[parts.length - 1];
  if (parts.length === 2) {
    const prefixProblem = dns1123SubdomainProblem(parts[0]);
    if (prefixProblem) {
      return `its prefix ${show(parts[0])} is not a DNS subdomain: ${prefixProblem}`;
    }
  }
  if (name.length === 0 || name.length > LABEL_NAME_MAX) {
    return `its name part must be 1 to ${LABEL_NAME_MAX} characters long`;
  }
  if (!LABEL_NAME.test(name)) {
    return 'its name part must consist of letters, digits, "-", "_" and ".", and start and end with a letter or digit';
  }
  return undefined;
}

/** A label value: empty, or at most 63 characters of the label-name alphabet. */
export function labelValueProblem(value: string): string | undefined {
  if (typeof value !== 'string') {
    return 'it is not a string';
  }
  if (value.length === 0) {
    return undefined;
  }
  if (value.length > LABEL_NAME_MAX) {
    return `it is ${value.length} characters long (at most ${LABEL_NAME_MAX})`;
  }
  if (!LABEL_NAME.test(value)) {
    return 'it must consist of letters, digits, "-", "_" and ".", and start and end with a letter or digit';
  }
  return undefined;
}

/** An IANA service name: a named container port (IANA_SVC_NAME). */
export function ianaServiceNameProblem(name: string): string | undefined {
  if (typeof name !== 'string') {
    return 'it is not a string';
  }
  if (name.length === 0) {
    return 'it is empty';
  }
  if (name.length > IANA_SVC_NAME_MAX) {
    return `it is ${name.length} characters long (at most ${IANA_SVC_NAME_MAX})`;
  }
  if (!/^[-a-z0-9]+$/.test(name)) {
    return 'it must consist of lowercase letters, digits and "-"';
  }
  if (!/[a-z]/.test(name)) {
    return 'it must contain at least one letter';
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    return 'it must not start or end with "-"';
  }
  if (name.includes('--')) {
    return 'it must not contain "--"';
  }
  return undefined;
}

const HASH_LENGTH = 8;
/** Room for at least one readable character, the dash and the hash. */
const MIN_SHORTENED = HASH_LENGTH + 2;

/**
 * Turns free text (a construct id) into a DNS-1123 label of at most `max` characters.
 * Readable when it fits; otherwise shortened with a stable hash of the full text so that two
 * long ids never collapse to the same name (text with no letter or digit becomes "policy-<hash>").
 */
export function toDnsLabel(text: string, max: number = DNS1123_LABEL_MAX): string {
  if (!Number.isInteger(max) || max < MIN_SHORTENED || max > DNS1123_LABEL_MAX) {
    throw new Error(`toDnsLabel(): max ${max} must be an integer from ${MIN_SHORTENED} to ${DNS1123_LABEL_MAX}`);
  }
  const slug = text
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const hash = () => createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
  // Text without a letter or digit to keep ("--", "日本") would give every such id one name.
  if (slug.length === 0) {
    return `policy-${hash()}`;
  }
  if (slug.length <= max) {
    return slug;
  }
  const base = slug;
  const head = base.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash()}`;
}

/**
 * A DNS-1123 label for `text` that no other text shares: the text itself when it is already a
 * label of at most `max` characters, else its slug (shortened to fit) with a hash of the whole
 * text. Unlike `toDnsLabel`, "a.b" and "a-b" get different labels: for names that must stay apart
 * (the stand-in namespaces of proofs).
 */
export function toUniqueDnsLabel(text: string, max: number = DNS1123_LABEL_MAX): string {
  if (text.length <= max && dns1123LabelProblem(text) === undefined) {
    return text;
  }
  const hash = createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
  const head = toDnsLabel(text, max).slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
  return head.length > 0 ? `${head}-${hash}` : `policy-${hash}`;
}

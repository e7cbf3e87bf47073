import { show } from '../util/validation';

/** The longest DNS name (RFC 1035 section 2.3.4: 255 octets on the wire, 253 characters written without the trailing dot). */
const DNS_NAME_MAX = 253;
/** The longest DNS label (RFC 1035 section 2.3.4). */
const DNS_LABEL_MAX = 63;
/** A label before the last: letters, digits, "-" and "_", not starting or ending with "-". */
const INNER_LABEL = /^[A-Za-z0-9_](?:[-A-Za-z0-9_]*[A-Za-z0-9_])?$/;
/** The last label: starts with a letter (so no IP literal), no "_". */
const LAST_LABEL = /^[A-Za-z](?:[-A-Za-z0-9]*[A-Za-z0-9])?$/;

/**
 * Why `text` is not a DNS name a probe can name (without the trailing dot), or undefined: two
 * labels or more, the last one not numeric. The length is checked before any pattern, and each
 * pattern reads one label of at most 63 characters, so the check is linear in the name.
 */
export function dnsNameProblem(text: string): string | undefined {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  const labels = name.length === 0 || name.length > DNS_NAME_MAX ? [] : name.split('.');
  const valid = labels.length >= 2 && labels.every((label, i) => label.length <= DNS_LABEL_MAX &&
    (i === labels.length - 1 ? LAST_LABEL : INNER_LABEL).test(label));
  if (!valid) {
    return `a DNS name has two or more dot-separated labels of letters, digits, "-" and "_", the last one not numeric, at most ${DNS_NAME_MAX} ` +
      'characters, e.g. "api.example.com"';
  }
  return undefined;
}

/** A name as Cilium compares it: lower case, no trailing dot. */
export function normalizeDnsName(text: string): string {
  return (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
}

/** A compiled Cilium `matchName` or `matchPattern` (toFQDNs, and `rules.dns` of the DNS proxy). */
export interface FqdnMatcher {
  /** `matchName: x` or `matchPattern: x`. */
  readonly text: string;
  matches(name: string): boolean;
}

/**
 * The longest `matchName` and `matchPattern` the API server admits (the CiliumNetworkPolicy CRD:
 * `maxLength: 255`; cilium/cilium pkg/policy/api/fqdn.go `+kubebuilder:validation:MaxLength=255`).
 */
const FQDN_SELECTOR_MAX = 255;
/**
 * The CRD's syntax of `matchName` (`^([-a-zA-Z0-9_]+[.]?)+$`), written without nested quantifiers:
 * runs of name characters separated by single dots, an optional trailing dot. The CRD's own form
 * backtracks exponentially on a near miss (41 characters take minutes); this one is linear.
 */
const NAME_SYNTAX = /^[-a-zA-Z0-9_]+(?:\.[-a-zA-Z0-9_]+)*\.?$/;
/** The CRD's syntax of `matchPattern` (`^([-a-zA-Z0-9_*]+[.]?)+$`), likewise. */
const PATTERN_SYNTAX = /^[-a-zA-Z0-9_*]+(?:\.[-a-zA-Z0-9_*]+)*\.?$/;
/** A label `*` can stand for: Cilium's `*` is `[-a-zA-Z0-9_]*` on lower-cased names (pkg/fqdn/matchpattern). */
const STAR_LABEL = /^[-a-z0-9_]*$/;

/**
 * Compiles one FQDN selector (docs/semantics/cilium.md#dns-names-tofqdns): `matchName` matches
 * that name exactly, case-insensitively, with or without the trailing dot; in `matchPattern`, `*`
 * matches zero or more characters within one label, a lone `*` matches every name, and a leading
 * `**.` matches one or more labels (subdomains at any depth, not the name itself). Throws on a
 * malformed item. Matching goes label by label without regular expressions: linear in the name
 * for any number of `*`.
 */
export function compileFqdnSelector(item: any, where: string): FqdnMatcher {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new Error(`${where} ${show(item)} is not a { matchName } or { matchPattern } object`);
  }
  const unknown = Object.keys(item).find((k) => k !== 'matchName' && k !== 'matchPattern');
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${show(unknown)}; an FQDN selector has matchName or matchPattern`);
  }
  const { matchName, matchPattern } = item;
  if ((matchName === undefined) === (matchPattern === undefined)) {
    throw new Error(`${where}: give exactly one of matchName and matchPattern`);
  }
  if (matchName !== undefined) {
    if (typeof matchName !== 'string' || matchName.length > FQDN_SELECTOR_MAX || !NAME_SYNTAX.test(matchName)) {
      throw new Error(`${where}.matchName ${show(matchName)} is not a DNS name (letters, digits, "-", "_" and dots, at most ${FQDN_SELECTOR_MAX} characters)`);
    }
    const name = normalizeDnsName(matchName);
    return { text: `matchName: ${matchName}`, matches: (candidate) => candidate === name };
  }
  if (typeof matchPattern !== 'string' || matchPattern.length > FQDN_SELECTOR_MAX || !PATTERN_SYNTAX.test(matchPattern)) {
    throw new Error(`${where}.matchPattern ${show(matchPattern)} is not a DNS pattern (letters, digits, "-", "_", "*" and dots, ` +
      `at most ${FQDN_SELECTOR_MAX} characters)`);
  }
  const pattern = normalizeDnsName(matchPattern);
  if (pattern === '*') {
    return { text: 'matchPattern: *', matches: () => true };
  }
  const multiLevel = pattern.startsWith('**.');
  const rest = multiLevel ? pattern.slice(3) : pattern;
  if (rest.includes('**')) {
    throw new Error(`${where}.matchPattern ${show(matchPattern)}: "**" is only valid as a leading "**." prefix`);
  }
  // Each label of the pattern as its literal pieces around the stars.
  const labels = rest.split('.').map((label) => label.split('*'));
  return { text: `matchPattern: ${matchPattern}`, matches: (candidate) => matchesPattern(labels, multiLevel, candidate) };
}

/**
 * Whether a name matches a pattern's labels: as many labels (with a leading `**.`, one or more
 * labels of `*` characters before them), each matching its label of the pattern.
 */
function matchesPattern(labels: readonly (readonly string[])[], multiLevel: boolean, candidate: string): boolean {
  if (candidate.length > DNS_NAME_MAX + 1) {
    return false;
  }
  const parts = candidate.split('.');
  const extra = parts.length - labels.length;
  if (multiLevel ? extra < 1 : extra !== 0) {
    return false;
  }
  for (let i = 0; i < extra; i++) {
    if (parts[i].length === 0 || !STAR_LABEL.test(parts[i])) {
      return false;
    }
  }
  return labels.every((pieces, i) => matchesLabel(pieces, parts[extra + i]));
}

/**
 * Whether one label matches one label of a pattern, given as the literal pieces between its `*`s:
 * the first piece starts it, the last ends it, the others occur in order between them. Taking each
 * middle piece at its leftmost place is never worse than a later one (the classic wildcard match),
 * so there is no backtracking: at most one search per piece.
 */
function matchesLabel(pieces: readonly string[], label: string): boolean {
  if (pieces.length === 1) {
    return label === pieces[0];
  }
  // A `*` stands for name characters only; the pieces hold nothing else, so a label with any other character cannot match.
  if (!STAR_LABEL.test(label)) {
    return false;
  }
  const first = pieces[0];
  const last = pieces[pieces.length - 1];
  const end = label.length - last.length;
  if (end < first.length || !label.startsWith(first) || !label.endsWith(last)) {
    return false;
  }
  let at = first.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const found = label.indexOf(pieces[i], at);
    if (found < 0 || found + pieces[i].length > end) {
      return false;
    }
    at = found + pieces[i].length;
  }
  return true;
}

/**
 * Whether a (normalized) DNS name is a cluster-internal one: `*.svc`, `*.cluster.local`, or any
 * name with a `svc` label (`api.prod.svc.example`), as cluster DNS answers with a ClusterIP.
 */
export function isClusterInternalName(name: string): boolean {
  return name.split('.').slice(1).includes('svc') || name === 'cluster.local' || name.endsWith('.cluster.local');
}

/** A DNS name a probe may send to: two labels or more, the last one not numeric (so no IP literal). */
const DNS_NAME = /^(?=.{1,253}$)([A-Za-z0-9_]([-A-Za-z0-9_]{0,61}[A-Za-z0-9_])?\.)+[A-Za-z]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?$/;
/** The characters Cilium's `*` stands for (cilium pkg/fqdn/matchpattern): one label's worth, no dot. */
const LABEL_CHARS = '[-a-z0-9_]';

/** Why `text` is not a DNS name a probe can name (without the trailing dot), or undefined. */
export function dnsNameProblem(text: string): string | undefined {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (!DNS_NAME.test(name)) {
    return 'a DNS name has two or more dot-separated labels of letters, digits, "-" and "_", the last one not numeric, e.g. "api.example.com"';
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

const NAME_SYNTAX = /^([-a-zA-Z0-9_]+[.]?)+$/;
const PATTERN_SYNTAX = /^([-a-zA-Z0-9_*]+[.]?)+$/;

/**
 * Compiles one FQDN selector (docs/semantics/cilium.md#dns-names-tofqdns): `matchName` matches
 * that name exactly, case-insensitively, with or without the trailing dot; in `matchPattern`, `*`
 * matches zero or more characters within one label, a lone `*` matches every name, and a leading
 * `**.` matches one or more labels (subdomains at any depth, not the name itself). Throws on a
 * malformed item.
 */
export function compileFqdnSelector(item: any, where: string): FqdnMatcher {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    throw new Error(`${where} ${JSON.stringify(item)} is not a { matchName } or { matchPattern } object`);
  }
  const unknown = Object.keys(item).find((k) => k !== 'matchName' && k !== 'matchPattern');
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${JSON.stringify(unknown)}; an FQDN selector has matchName or matchPattern`);
  }
  const { matchName, matchPattern } = item;
  if ((matchName === undefined) === (matchPattern === undefined)) {
    throw new Error(`${where}: give exactly one of matchName and matchPattern`);
  }
  if (matchName !== undefined) {
    if (typeof matchName !== 'string' || !NAME_SYNTAX.test(matchName)) {
      throw new Error(`${where}.matchName ${JSON.stringify(matchName)} is not a DNS name (letters, digits, "-", "_" and dots)`);
    }
    const name = normalizeDnsName(matchName);
    return { text: `matchName: ${matchName}`, matches: (candidate) => candidate === name };
  }
  if (typeof matchPattern !== 'string' || !PATTERN_SYNTAX.test(matchPattern)) {
    throw new Error(`${where}.matchPattern ${JSON.stringify(matchPattern)} is not a DNS pattern (letters, digits, "-", "_", "*" and dots)`);
  }
  const pattern = normalizeDnsName(matchPattern);
  if (pattern === '*') {
    return { text: 'matchPattern: *', matches: () => true };
  }
  const multiLevel = pattern.startsWith('**.');
  const rest = multiLevel ? pattern.slice(3) : pattern;
  if (rest.includes('**')) {
    throw new Error(`${where}.matchPattern ${JSON.stringify(matchPattern)}: "**" is only valid as a leading "**." prefix`);
  }
  const body = [...rest].map((c) => (c === '*' ? `${LABEL_CHARS}*` : c === '.' ? '\\.' : c)).join('');
  const regex = new RegExp(`^${multiLevel ? `(${LABEL_CHARS}+\\.)+` : ''}${body}$`);
  return { text: `matchPattern: ${matchPattern}`, matches: (candidate) => regex.test(candidate) };
}

/**
 * Whether a (normalized) DNS name is a cluster-internal one: `*.svc`, `*.cluster.local`, or any
 * name with a `svc` label (`api.prod.svc.example`), as cluster DNS answers with a ClusterIP.
 */
export function isClusterInternalName(name: string): boolean {
  return name.split('.').slice(1).includes('svc') || name === 'cluster.local' || name.endsWith('.cluster.local');
}

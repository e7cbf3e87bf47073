import { RE2JS } from 're2js';
import { NotModelledError } from './semantics/not-modelled';
import { HttpRequest } from './types';
import { capText, checkOptionsObject, invalid, show } from '../util/validation';

/** An HTTP token (RFC 9110): methods and header names. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const REQUEST_KEYS: Record<keyof HttpRequest, true> = { method: true, path: true, host: true, headers: true };

/** A request as L7 rules see it: header names lower case. */
export interface L7Request {
  readonly method: string;
  readonly path: string;
  readonly host?: string;
  readonly headers: ReadonlyMap<string, string>;
}

/** One L7 rule that can match a request, with its text for reasons. */
export interface HttpMatcher {
  readonly text: string;
  matches(request: L7Request): boolean;
}

/**
 * Validates a probe's `http` at the call, naming the prop, the bad value and what is valid.
 * @param defaultHost the Host when the probe gives none (its DNS-name destination)
 */
export function checkHttpRequest(where: string, http: HttpRequest, defaultHost: string | undefined): L7Request {
  checkOptionsObject(where, 'http', http, REQUEST_KEYS);
  if (typeof http.method !== 'string' || !TOKEN.test(http.method)) {
    invalid(where, `http.method ${show(http.method)} is not an HTTP method; expected e.g. "GET" or "DELETE"`);
  }
  if (typeof http.path !== 'string' || !/^\/[^\s]*$/.test(http.path)) {
    invalid(where, `http.path ${show(http.path)} is not a request path; expected one starting with "/" and without spaces, e.g. "/api/v1/orders"`);
  }
  if (http.host !== undefined && (typeof http.host !== 'string' || !/^[^\s/]+$/.test(http.host))) {
    invalid(where, `http.host ${show(http.host)} is not a Host header value; expected e.g. "api.example.com" or "api.example.com:8443"`);
  }
  const headers = new Map<string, string>();
  if (http.headers !== undefined) {
    if (http.headers === null || typeof http.headers !== 'object' || Array.isArray(http.headers)) {
      invalid(where, `http.headers ${show(http.headers)} is not a map of header names to values, e.g. { "X-Tenant": "blue" }`);
    }
    for (const [name, value] of Object.entries(http.headers)) {
      if (!TOKEN.test(name)) {
        invalid(where, `http.headers has the invalid header name ${show(name)}; names are HTTP tokens such as "X-Tenant"`);
      }
      if (typeof value !== 'string' || /[\r\n]/.test(value)) {
        invalid(where, `http.headers ${show(name)} has the value ${show(value)}; expected a string without line breaks`);
      }
      headers.set(name.toLowerCase(), value);
    }
  }
  return { method: http.method, path: http.path, host: http.host ?? defaultHost, headers };
}

/** "GET /api/v1/orders (host api.example.com)", for reasons. */
export function describeRequest(request: L7Request): string {
  return `HTTP ${request.method} ${request.path}${request.host !== undefined ? ` (host ${request.host})` : ''}`;
}

/**
 * Compiles one Cilium `rules.http` item (docs/semantics/cilium.md#http-rules). Cilium hands
 * `method`, `path` and `host` to Envoy as regular expressions matched against the whole of `:method`,
 * `:path` (query string included) and `:authority` (RE2, full match; Go's regexp validates them);
 * `headers` entries are "Name" (present) or "Name value" (split at the first space, one trailing
 * ":" stripped from the name; cilium pkg/envoy getHTTPRule); `headerMatches` need the exact value.
 */
export function compileCiliumHttpRule(rule: any, where: string): HttpMatcher {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
    throw new Error(`${where} ${show(rule)} is not an HTTP rule object`);
  }
  const known = ['method', 'path', 'host', 'headers', 'headerMatches'];
  const unknown = Object.keys(rule).find((k) => !known.includes(k));
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${show(unknown)}; an HTTP rule has ${known.join(', ')}`);
  }
  const tests: ((r: L7Request) => boolean)[] = [];
  const parts: string[] = [];
  for (const field of ['method', 'path', 'host'] as const) {
    const pattern = rule[field];
    // An empty field, like an absent one, matches everything (the CRD says so).
    if (pattern === undefined || pattern === null || pattern === '') {
      continue;
    }
    if (typeof pattern !== 'string') {
      throw new Error(`${where}.${field} ${show(pattern)} is not a string`);
    }
    let regex: RE2JS;
    try {
      regex = RE2JS.compile(pattern);
    } catch (e) {
      throw new Error(`${where}.${field} ${show(pattern)} is not a valid regular expression: ${capText((e as Error).message)}`);
    }
    tests.push((r) => {
      const value = field === 'host' ? r.host : r[field];
      return value !== undefined && regex.matches(value);
    });
    parts.push(field === 'host' ? `host ${pattern}` : pattern);
  }
  for (const [i, header] of (asList(rule.headers, `${where}.headers`) as unknown[]).entries()) {
    if (typeof header !== 'string' || header.length === 0) {
      throw new Error(`${where}.headers[${i}] ${show(header)} is not "Name" or "Name value"`);
    }
    const space = header.indexOf(' ');
    const name = (space < 0 ? header : header.slice(0, space)).replace(/:$/, '').toLowerCase();
    const value = space < 0 ? undefined : header.slice(space + 1);
    tests.push((r) => r.headers.has(name) && (value === undefined || r.headers.get(name) === value));
    parts.push(`header ${header}`);
  }
  for (const [i, match] of (asList(rule.headerMatches, `${where}.headerMatches`) as any[]).entries()) {
    const at = `${where}.headerMatches[${i}]`;
    if (match === null || typeof match !== 'object' || typeof match.name !== 'string' || match.name.length === 0) {
      throw new Error(`${at} ${show(match)} needs a header name`);
    }
    if (match.secret !== undefined) {
      throw new NotModelledError(`${at}.secret is not modelled: the model cannot read the Secret holding the value`);
    }
    if (match.mismatch !== undefined) {
      throw new NotModelledError(`${at}.mismatch ${show(match.mismatch)} is not modelled: it rewrites or logs requests instead of denying them`);
    }
    const unknownKey = Object.keys(match).find((k) => !['name', 'value', 'secret', 'mismatch'].includes(k));
    if (unknownKey !== undefined) {
      throw new Error(`${at}: unknown field ${show(unknownKey)}`);
    }
    const name = match.name.toLowerCase();
    const value: string | undefined = match.value;
    tests.push((r) => r.headers.has(name) && (value === undefined || r.headers.get(name) === value));
    parts.push(value === undefined ? `header ${match.name}` : `header ${match.name}: ${value}`);
  }
  return {
    text: parts.length === 0 ? 'any request' : parts.join(' '),
    matches: (r) => tests.every((t) => t(r)),
  };
}

/**
 * How Calico's application layer policy matches HTTP paths (docs/semantics/calico.md#http-match):
 * - `raw` (Calico before 3.31.6 and 3.32.0): the request path cut at the first `?` and `#`, compared
 *   as text: `exact` by equality, `prefix` as a string prefix ("/foo" matches "/foobar").
 * - `segments` (3.31.6 and 3.32.0 on; projectcalico/calico#12531): the request path, and each rule
 *   path, normalised (`normalizeCalicoHttpPath`); `exact` by equality, `prefix` at `/` boundaries
 *   ("/foo" matches "/foo" and "/foo/bar", not "/foobar"); a request whose path cannot be
 *   normalised matches no path rule.
 */
export type CalicoHttpPaths = 'raw' | 'segments';

/**
 * A request path as Calico's application layer policy normalises it from 3.31.6/3.32.0 on
 * (app-policy/checker/match.go `normalizeHTTPPath`, projectcalico/calico#12531), or undefined when
 * it refuses the path (no path rule then matches): cut at the first `?` or `#`; percent-decoded
 * once (an invalid escape refuses); refused if still holding an encoded `.`, `/` or `\` (double
 * encoding) or a NUL; `\` read as `/`; refused unless it starts with `/`; `;` parameters dropped
 * from every segment; then cleaned as Go's `path.Clean` does: repeated slashes collapsed, `.` and
 * `..` resolved (never above the root), no trailing slash.
 */
export function normalizeCalicoHttpPath(path: string): string | undefined {
  const cut = path.search(/[?#]/);
  let p = cut >= 0 ? path.slice(0, cut) : path;
  // Go's url.PathUnescape works on bytes: any %XX decodes (invalid UTF-8 included), a stray % fails.
  // The bytes are kept as latin1 text, for request and rule paths alike, so equality is preserved.
  if (/%(?![0-9a-fA-F]{2})/.test(p)) {
    return undefined;
  }
  const bytes = Buffer.from(p, 'utf8').toString('latin1');
  p = bytes.replace(/%([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  if (/%(2e|2f|5c)/i.test(p) || p.includes('\0')) {
    return undefined;
  }
  p = p.replace(/\\/g, '/');
  if (!p.startsWith('/')) {
    return undefined;
  }
  const segments: string[] = [];
  for (const raw of p.split('/')) {
    const semicolon = raw.indexOf(';');
    const segment = semicolon >= 0 ? raw.slice(0, semicolon) : raw;
    if (segment === '' || segment === '.') {
      continue;
    }
    if (segment === '..') {
      segments.pop();
    } else {
      segments.push(segment);
    }
  }
  return `/${segments.join('/')}`;
}

/**
 * Compiles a Calico rule's `http` match (docs/semantics/calico.md#http-match): `methods` (exact and
 * case-sensitive, any of them; `*` matches every method) and `paths` (each `{exact}` or `{prefix}`,
 * any of them), ANDed; an empty list matches everything. The query string and fragment of the
 * request are never part of the match.
 * @param paths how paths match: `segments` from Calico 3.31.6/3.32.0 on, `raw` before
 */
export function compileCalicoHttpMatch(http: any, where: string, paths: CalicoHttpPaths = 'segments'): HttpMatcher {
  if (http === null || typeof http !== 'object' || Array.isArray(http)) {
    throw new Error(`${where} ${show(http)} is not an HTTP match object`);
  }
  const unknown = Object.keys(http).find((k) => k !== 'methods' && k !== 'paths');
  if (unknown !== undefined) {
    throw new Error(`${where}: unknown field ${show(unknown)}; an HTTP match has methods and paths`);
  }
  // projectcalico/calico libcalico-go/lib/validator/v3/validator.go validateHTTPMethods and
  // validateHTTPPaths: the API server refuses what they refuse.
  const methods = asList(http.methods, `${where}.methods`) as unknown[];
  methods.forEach((m, i) => {
    if (typeof m !== 'string' || m.length === 0) {
      throw new Error(`${where}.methods[${i}] ${show(m)} is not a method`);
    }
    if (methods.indexOf(m) < i) {
      throw new Error(`${where}.methods[${i}] ${show(m)} repeats methods[${methods.indexOf(m)}]: Calico refuses duplicate methods`);
    }
  });
  const rulePaths = (asList(http.paths, `${where}.paths`) as any[]).map((p, i) => {
    const at = `${where}.paths[${i}]`;
    if (p === null || typeof p !== 'object' || Array.isArray(p)) {
      throw new Error(`${at} ${show(p)} is not a path match; give { exact: "/x" } or { prefix: "/x" }`);
    }
    const extra = Object.keys(p).find((k) => k !== 'exact' && k !== 'prefix');
    if (extra !== undefined) {
      throw new Error(`${at}: unknown field ${show(extra)}; a path match has exact or prefix`);
    }
    for (const key of ['exact', 'prefix']) {
      if (p[key] !== undefined && typeof p[key] !== 'string') {
        throw new Error(`${at}.${key} ${show(p[key])} is not a string`);
      }
    }
    // An empty string is an unset field, as in Go.
    const exact: string = p.exact ?? '';
    const prefix: string = p.prefix ?? '';
    if (exact !== '' && prefix !== '') {
      throw new Error(`${at} ${show(p)} sets both exact and prefix; give one`);
    }
    if (exact === '' && prefix === '') {
      throw new Error(`${at} ${show(p)} sets neither exact nor prefix (an empty path is unset); give one, e.g. { prefix: "/" }`);
    }
    const text = exact !== '' ? exact : prefix;
    // RFC 3986 paths as Calico checks them: a leading "/", no "?", "#" or space (a tab passes).
    if (!text.startsWith('/')) {
      throw new Error(`${at} ${show(text)} does not start with "/": Calico takes absolute paths only`);
    }
    if (/[? #]/.test(text)) {
      throw new Error(`${at} ${show(text)} may not hold "?", "#" or spaces: Calico matches the path without query and fragment`);
    }
    // From 3.31.6/3.32.0 the rule's path is normalised too; one that cannot be is skipped.
    const normalised = paths === 'segments' ? normalizeCalicoHttpPath(text) : text;
    return { exact: exact !== '', text, path: normalised };
  });
  const anyMethod = methods.length === 0 || methods.includes('*');
  const parts = [
    ...(methods.length > 0 ? [(methods as string[]).join('|')] : []),
    // A prefix is a string prefix up to 3.31.5 ("/api*"), whole segments from then on ("/api/**": /api and below).
    ...(rulePaths.length > 0 ? [rulePaths.map((p) => (p.exact ? p.text : paths === 'raw' ? `${p.text}*` : `${p.text.replace(/\/+$/, '')}/**`)).join('|')] : []),
  ];
  const pathMatches = (requestPath: string): boolean => {
    if (paths === 'raw') {
      const cut = requestPath.search(/[?#]/);
      const path = cut >= 0 ? requestPath.slice(0, cut) : requestPath;
      return rulePaths.some((p) => (p.exact ? path === p.path : path.startsWith(p.path!)));
    }
    const path = normalizeCalicoHttpPath(requestPath);
    if (path === undefined) {
      return false;
    }
    return rulePaths.some((p) => p.path !== undefined &&
      (p.exact ? path === p.path : p.path === '/' || path === p.path || path.startsWith(`${p.path}/`)));
  };
  return {
    text: parts.length === 0 ? 'any request' : parts.join(' '),
    matches: (r) => (anyMethod || methods.includes(r.method)) && (rulePaths.length === 0 || pathMatches(r.path)),
  };
}

function asList(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    throw new Error(`${where} ${show(value)} is not a list`);
  }
  return value;
}

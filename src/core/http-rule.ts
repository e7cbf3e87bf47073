import { RE2JS } from 're2js';
import { plainObjectProblem } from '../util/plain-object';
import { invalid, show } from '../util/validation';

/**
 * One allowed kind of HTTP request (an L7 rule). Every field set must match (AND); the rules of
 * one list are alternatives (OR). Enforced by Cilium's proxy only.
 */
export interface HttpRule {
  /**
   * The request method, e.g. "GET", or a regular expression over methods such as "GET|HEAD".
   * @default - any method
   */
  readonly method?: string;
  /**
   * A regular expression (RE2 syntax) the whole request path must match, starting with "/".
   * The path Cilium matches includes the query string: allow one with a `(\?.*)?` suffix, as in
   * "/api/v1/products(\?.*)?".
   * @default - any path
   */
  readonly path?: string;
  /**
   * A regular expression (RE2 syntax) the Host header must match, e.g. "api\\.example\\.com".
   * @default - any host
   */
  readonly host?: string;
  /**
   * Headers the request must carry: "Name" (present) or "Name: value" (present with that value).
   * Cilium splits each entry at its first space, so the colon must stand right after the name.
   * @default - no header required
   */
  readonly headers?: string[];
}

/** The methods of RFC 9110 plus PATCH (RFC 5789). */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELDS = ['method', 'path', 'host', 'headers'];

/** Validates HTTP rules: at least one, each constraining something, with compilable regexes. */
export function validateHttpRules(where: string, prop: string, rules: HttpRule[]): void {
  if (!Array.isArray(rules) || rules.length === 0) {
    invalid(where, `${prop} ${show(rules)} must list at least one HttpRule, e.g. [{ method: "GET", path: "/api/v1/products" }]`);
  }
  // Array.from: a hole in a list is checked (as undefined), never skipped.
  Array.from(rules).forEach((rule, i) => {
    const at = `${prop}[${i}]`;
    if (rule === null || typeof rule !== 'object') {
      invalid(where, `${at} ${show(rule)} is not an HttpRule`);
    }
    // A Map or a rule inheriting its fields would read as {} (and be refused as empty) or as fields
    // the check never saw.
    const problem = plainObjectProblem(rule);
    if (problem !== undefined) {
      invalid(where, `${at} ${problem}; an HttpRule is an object such as { method: "GET", path: "/api/v1/products" }`);
    }
    const unknown = Object.keys(rule).find((key) => !FIELDS.includes(key));
    if (unknown !== undefined) {
      invalid(where, `${at} has the unknown field ${show(unknown)}; an HttpRule has ${FIELDS.join(', ')}`);
    }
    if (rule.method === undefined && rule.path === undefined && rule.host === undefined && rule.headers === undefined) {
      invalid(where, `${at} is empty and would allow every request; set method, path, host or headers (path "/.*" allows every path explicitly)`);
    }
    if (rule.method !== undefined) {
      checkMethod(where, `${at}.method`, rule.method);
    }
    if (rule.path !== undefined) {
      checkRegex(where, `${at}.path`, rule.path);
      if (!/^\^?\//.test(rule.path)) {
        invalid(where, `${at}.path ${show(rule.path)} must start with "/": it is matched against the whole request path`);
      }
    }
    if (rule.host !== undefined) {
      checkRegex(where, `${at}.host`, rule.host);
    }
    if (rule.headers !== undefined) {
      if (!Array.isArray(rule.headers) || rule.headers.length === 0) {
        invalid(where, `${at}.headers ${show(rule.headers)} must list at least one header (omit it to require none)`);
      }
      Array.from(rule.headers).forEach((header, j) => {
        // Cilium (pkg/envoy getHTTPRule) splits at the first space and strips one trailing ":" from
        // the name: "X-Foo:bar" would require a header literally named "X-Foo:bar".
        const name = typeof header === 'string' ? header.split(' ')[0].replace(/:$/, '') : '';
        if (!HEADER_NAME.test(name)) {
          invalid(where, `${at}.headers[${j}] ${show(header)} is not "Name" or "Name: value" (a space after the colon) with a valid header name`);
        }
      });
    }
  });
}

function checkMethod(where: string, prop: string, method: string): void {
  if (typeof method !== 'string' || method.length === 0) {
    invalid(where, `${prop} ${show(method)} must be an HTTP method such as "GET", or a regular expression such as "GET|HEAD"`);
  }
  if (/\s/.test(method)) {
    invalid(where, `${prop} ${show(method)} contains white space, which no request method has`);
  }
  if (/^[A-Za-z]+$/.test(method)) {
    if (!HTTP_METHODS.includes(method)) {
      const upper = method.toUpperCase();
      const hint = HTTP_METHODS.includes(upper) ? `; methods are upper case: "${upper}"` : '';
      invalid(where, `${prop} ${show(method)} is not an HTTP method (${HTTP_METHODS.join(', ')})${hint}`);
    }
    return;
  }
  checkRegex(where, prop, method);
  // Methods are matched case-sensitively: a lower-case letter outside an escape never matches.
  if (!method.startsWith('(?i)') && /[a-z]/.test(method.replace(/\\./g, ''))) {
    invalid(where, `${prop} ${show(method)} contains lower-case letters, but request methods are upper case and matched case-sensitively; e.g. "GET|HEAD"`);
  }
}

function checkRegex(where: string, prop: string, pattern: string): void {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    invalid(where, `${prop} ${show(pattern)} must be a non-empty regular expression`);
  }
  // Cilium compiles these with Go's regexp and Envoy matches them with RE2: check with an RE2
  // parser, which refuses what JavaScript would accept (look-around, back-references, \Z).
  try {
    RE2JS.compile(pattern);
  } catch (e) {
    invalid(where, `${prop} ${show(pattern)} is not a valid RE2 regular expression (the syntax Cilium and Envoy use): ${(e as Error).message}`);
  }
}

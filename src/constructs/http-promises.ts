import { HttpMatcher, checkHttpRequest, compileCiliumHttpRule } from '../analysis/http';
import { HttpRequest } from '../analysis/types';
import { HttpRule } from '../core/http-rule';

/** A method and a path that ordinary rules do not admit: the request HTTP rules must refuse. */
export const REFUSED_REQUEST: HttpRequest = { method: 'NETPOLPROOF', path: '/netpol-proof/not-admitted' };
/** A method written as plain text (a regular expression matching only itself). */
const PLAIN_METHOD = /^[A-Z]+$/;
/** A path written as plain text: "." also matches itself, so "/index.html" is one. */
const PLAIN_PATH = /^\/[A-Za-z0-9/_.-]*$/;

/**
 * What HTTP rules let a proof say: a request they refuse (when they refuse the stand-in one) and
 * a request the first rule admits (when that rule is plain enough to write one down).
 */
export function httpProbes(rules: HttpRule[]): { refused?: HttpRequest; admitted?: HttpRequest } {
  const matchers = rules.map((rule, i) => compileCiliumHttpRule(rule, `http[${i}]`));
  const admits = (request: HttpRequest) => {
    const l7 = checkHttpRequest('proof', request, undefined);
    return matchers.some((m: HttpMatcher) => m.matches(l7));
  };
  const first = plainRequest(rules[0]);
  return {
    ...(!admits(REFUSED_REQUEST) ? { refused: REFUSED_REQUEST } : {}),
    ...(first !== undefined && admits(first) ? { admitted: first } : {}),
  };
}

/** A request a rule admits, when its method and path are plain text (or absent) and it needs no host or header. */
function plainRequest(rule: HttpRule): HttpRequest | undefined {
  if (rule.host !== undefined || rule.headers !== undefined) {
    return undefined;
  }
  const method = rule.method ?? 'GET';
  const path = rule.path ?? '/';
  return PLAIN_METHOD.test(method) && PLAIN_PATH.test(path) ? { method, path } : undefined;
}

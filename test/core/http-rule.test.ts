import { HTTP_METHODS, HttpRule, validateHttpRules } from '../../src/core/http-rule';

const WHERE = 'CiliumPolicy.allowHttp()';

/** Validates `rules` as the prop `http`, returning the error message or undefined. */
function problem(rules: unknown): string | undefined {
  try {
    validateHttpRules(WHERE, 'http', rules as HttpRule[]);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('HTTP_METHODS', () => {
  test('lists the RFC 9110 methods plus PATCH, in upper case', () => {
    expect([...HTTP_METHODS].sort()).toEqual(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);
    for (const method of HTTP_METHODS) {
      expect(method).toBe(method.toUpperCase());
    }
  });
});

describe('validateHttpRules: accepted rules', () => {
  test.each(HTTP_METHODS)('method %s', (method) => {
    expect(problem([{ method }])).toBeUndefined();
  });

  const valid: Array<[string, HttpRule[]]> = [
    ['a method regex', [{ method: 'GET|HEAD' }]],
    ['a grouped method regex', [{ method: '(GET|HEAD|OPTIONS)' }]],
    ['the root path', [{ path: '/' }]],
    ['a path regex', [{ path: '/api/v1/products(/.*)?' }]],
    ['an anchored path', [{ path: '^/api/.*$' }]],
    ['every path explicitly', [{ path: '/.*' }]],
    ['a host regex', [{ host: 'api\\.example\\.com' }]],
    ['any host', [{ host: '.*' }]],
    ['a header name', [{ headers: ['X-Token'] }]],
    ['a header with a value', [{ headers: ['X-Token: abc'] }]],
    ['a header value with a colon', [{ headers: ['X-Time: 12:30'] }]],
    ['a header value with spaces and punctuation', [{ headers: ['Content-Type: application/json; charset=utf-8'] }]],
    ['token characters in a header name', [{ headers: ["X-A!#$%&'*+.^_`|~0-9"] }]],
    ['several headers', [{ headers: ['X-A', 'X-B: 1'] }]],
    ['every field at once', [{ method: 'POST', path: '/api/v1/orders', host: 'shop\\.example\\.com', headers: ['X-Token'] }]],
    ['several rules', [{ method: 'GET', path: '/api/.*' }, { method: 'POST', path: '/api/orders' }, { host: 'a\\.b' }]],
  ];
  test.each(valid)('%s', (_what, rules) => {
    expect(problem(rules)).toBeUndefined();
  });

  test('returns nothing and does not change the rules', () => {
    const rules: HttpRule[] = [{ method: 'GET', headers: ['X-Token'] }];
    expect(validateHttpRules(WHERE, 'http', rules)).toBeUndefined();
    expect(rules).toEqual([{ method: 'GET', headers: ['X-Token'] }]);
  });
});

describe('validateHttpRules: the list', () => {
  test.each([
    ['an empty list', [], '[]'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
    ['a single rule that is not in a list', { method: 'GET' }, '{"method":"GET"}'],
    ['a string', 'GET', '"GET"'],
  ])('rejects %s, naming the prop and the value', (_what, rules, shown) => {
    expect(problem(rules)).toBe(
      `${WHERE}: http ${shown} must list at least one HttpRule, e.g. [{ method: "GET", path: "/api/v1/products" }]`,
    );
  });

  test('uses the given where and prop', () => {
    expect(() => validateHttpRules('MyConstruct', 'props.rules[2].http', [])).toThrow(/^MyConstruct: props\.rules\[2\]\.http \[\] must list/);
  });
});

describe('validateHttpRules: each rule', () => {
  test.each([
    ['null', null, 'null'],
    ['a string', 'GET /', '"GET /"'],
    ['a number', 5, '5'],
  ])('rejects %s as a rule', (_what, rule, shown) => {
    expect(problem([{ method: 'GET' }, rule])).toBe(`${WHERE}: http[1] ${shown} is not an HttpRule`);
  });

  test('rejects an empty rule, which would allow every request', () => {
    expect(problem([{}])).toBe(
      `${WHERE}: http[0] is empty and would allow every request; set method, path, host or headers (path "/.*" allows every path explicitly)`,
    );
  });

  test('names the index of the empty rule', () => {
    expect(problem([{ method: 'GET' }, {}])).toMatch(/^CiliumPolicy\.allowHttp\(\): http\[1\] is empty and would allow every request/);
  });

  test('a rule with only undefined fields is empty; an unknown field (a typo) is refused', () => {
    expect(problem([{ methods: ['GET'] }])).toMatch(/http\[0\] has the unknown field "methods"; an HttpRule has method, path, host, headers/);
    expect(problem([{ path: '/x', methd: 'GET' }])).toMatch(/http\[0\] has the unknown field "methd"/);
    expect(problem([{ method: undefined, path: undefined }])).toMatch(/http\[0\] is empty/);
    // A list is no HttpRule (a JavaScript caller's slip), refused as such rather than as an empty rule.
    expect(problem([[]])).toMatch(/http\[0\] is a list of 0 entries, not a plain object/);
  });

  test('reports the first bad rule', () => {
    expect(problem([{ method: 'get' }, { path: 'api' }])).toMatch(/http\[0\]\.method/);
    expect(problem([{ method: 'GET' }, { path: 'api' }, { method: 'get' }])).toMatch(/http\[1\]\.path/);
  });
});

describe('validateHttpRules: method', () => {
  test.each([
    ['get', 'GET'],
    ['Post', 'POST'],
    ['delete', 'DELETE'],
  ])('rejects %j with a hint to use upper case', (method, upper) => {
    expect(problem([{ method }])).toBe(
      `${WHERE}: http[0].method ${JSON.stringify(method)} is not an HTTP method (${HTTP_METHODS.join(', ')}); methods are upper case: "${upper}"`,
    );
  });

  test.each(['GTE', 'PROPFIND', 'FETCH'])('rejects the unknown method %j without an upper-case hint', (method) => {
    const message = problem([{ method }]);
    expect(message).toBe(`${WHERE}: http[0].method ${JSON.stringify(method)} is not an HTTP method (${HTTP_METHODS.join(', ')})`);
    expect(message).not.toMatch(/upper case/);
  });

  test.each([
    ['an empty string', '', '""'],
    ['a number', 5, '5'],
    ['a list', ['GET'], '["GET"]'],
  ])('rejects %s', (_what, method, shown) => {
    expect(problem([{ method }])).toBe(
      `${WHERE}: http[0].method ${shown} must be an HTTP method such as "GET", or a regular expression such as "GET|HEAD"`,
    );
  });

  test('rejects a regex that does not compile, naming it', () => {
    const message = problem([{ path: '/' }, { method: 'GET|(' }]);
    expect(message).toMatch(/^CiliumPolicy\.allowHttp\(\): http\[1\]\.method "GET\|\(" is not a valid RE2 regular expression \(the syntax Cilium and Envoy use\): /);
  });

  // BUG: validateHttpRules rejects the lowercase method "get" (methods are case-sensitive, so it
  // would never match) but accepts the lowercase regex "get|head", which can never match either:
  // Envoy matches the :method header against the regex case-sensitively. validateHttpRules
  // returns normally for [{ method: 'get|head' }].
  test('rejects a method regex that can only match lower-case methods', () => {
    expect(problem([{ method: 'get|head' }])).toMatch(/http\[0\]\.method "get\|head"/);
  });
});

describe('validateHttpRules: path', () => {
  test.each(['api/v1', '.*', '^api', '(/api|/v2)', ' /api'])('rejects %j, which does not start with "/"', (path) => {
    expect(problem([{ path }])).toBe(
      `${WHERE}: http[0].path ${JSON.stringify(path)} must start with "/": it is matched against the whole request path`,
    );
  });

  test.each(['/api/(', '/[a-', '/a**', '/(?<x)'])('rejects %j, which does not compile', (path) => {
    expect(problem([{ path }])).toMatch(new RegExp(`^CiliumPolicy\\.allowHttp\\(\\): http\\[0\\]\\.path ${escapeRegExp(JSON.stringify(path))} is not a valid RE2 regular expression \\(the syntax Cilium and Envoy use\\): .+`));
  });

  test('checks that the path compiles before checking that it starts with "/"', () => {
    expect(problem([{ path: 'api(' }])).toMatch(/http\[0\]\.path "api\(" is not a valid RE2 regular expression \(the syntax Cilium and Envoy use\)/);
  });

  test.each([
    ['an empty string', '', '""'],
    ['a number', 42, '42'],
    ['null', null, 'null'],
  ])('rejects %s', (_what, path, shown) => {
    expect(problem([{ path }])).toBe(`${WHERE}: http[0].path ${shown} must be a non-empty regular expression`);
  });

  test('names the rule index', () => {
    expect(problem([{ method: 'GET' }, { path: 'api' }])).toMatch(/^CiliumPolicy\.allowHttp\(\): http\[1\]\.path "api" must start with "\/"/);
  });

  // BUG: validateHttpRules checks paths with JavaScript's RegExp, but Cilium compiles them with
  // Go's regexp (RE2; pkg/policy/api/http.go PortRuleHTTP.Sanitize) and Envoy matches them with
  // RE2, which has no look-around or back-references. validateHttpRules returns normally for
  // [{ path: '/(?!admin).*' }] and [{ path: '/(a)\\1' }]; Cilium rejects both.
  test('rejects JavaScript-only regex syntax that RE2 cannot compile', () => {
    expect(problem([{ path: '/(?!admin).*' }])).toMatch(/http\[0\]\.path "\/\(\?!admin\)\.\*"/);
    expect(problem([{ path: '/(a)\\1' }])).toMatch(/http\[0\]\.path/);
  });
});

describe('validateHttpRules: host', () => {
  test('rejects a host that does not compile, naming it', () => {
    expect(problem([{ host: '*.example.com' }])).toMatch(
      /^CiliumPolicy\.allowHttp\(\): http\[0\]\.host "\*\.example\.com" is not a valid RE2 regular expression \(the syntax Cilium and Envoy use\): .+/,
    );
    expect(problem([{ host: 'api(' }])).toMatch(/http\[0\]\.host "api\(" is not a valid RE2 regular expression \(the syntax Cilium and Envoy use\)/);
  });

  test.each([
    ['an empty string', '', '""'],
    ['a number', 1, '1'],
  ])('rejects %s', (_what, host, shown) => {
    expect(problem([{ host }])).toBe(`${WHERE}: http[0].host ${shown} must be a non-empty regular expression`);
  });
});

describe('validateHttpRules: headers', () => {
  test.each([
    ['an empty list', [], '[]'],
    ['a string instead of a list', 'X-Token', '"X-Token"'],
    ['null', null, 'null'],
  ])('rejects %s', (_what, headers, shown) => {
    expect(problem([{ headers }])).toBe(`${WHERE}: http[0].headers ${shown} must list at least one header (omit it to require none)`);
  });

  test.each([
    ['an empty header', '', '""'],
    ['a colon without a space (Cilium would read it as part of the name)', 'X-Foo:bar', '"X-Foo:bar"'],
    ['a value without a name', ': value', '": value"'],
    ['a name with "@"', 'X@Y', '"X@Y"'],
    ['a name with "/"', 'X/Y: 1', '"X/Y: 1"'],
    ['a number', 5, '5'],
    ['null', null, 'null'],
  ])('rejects %s, naming the header and its index', (_what, header, shown) => {
    expect(problem([{ headers: ['X-Ok', header] }])).toBe(
      `${WHERE}: http[0].headers[1] ${shown} is not "Name" or "Name: value" (a space after the colon) with a valid header name`,
    );
  });

  test('names the rule index', () => {
    expect(problem([{ method: 'GET' }, { headers: ['bad@header'] }])).toMatch(/^CiliumPolicy\.allowHttp\(\): http\[1\]\.headers\[0\] "bad@header"/);
  });

  test('"Name value" is Cilium\'s other spelling of "Name: value" (split at the first space)', () => {
    expect(problem([{ headers: ['X-Token abc'] }])).toBeUndefined();
  });

  // BUG: Cilium splits each header string at the first SPACE, not at ":" (pkg/envoy/server.go
  // getHTTPRule: strings.SplitN(hdr, " ", 2), then strings.TrimRight(key, ":")). "X-Foo:bar" (no
  // space) therefore requires the presence of a header literally named "X-Foo:bar", which can
  // never exist, and " X-Foo" requires a header named "" with value "X-Foo". validateHttpRules
  // splits at ":" and trims, so it returns normally for both.
  test('rejects header strings that Cilium would split differently', () => {
    expect(problem([{ headers: ['X-Foo:bar'] }])).toMatch(/http\[0\]\.headers\[0\] "X-Foo:bar"/);
    expect(problem([{ headers: [' X-Foo'] }])).toMatch(/http\[0\]\.headers\[0\] " X-Foo"/);
  });
});

/** Escapes `text` for use inside a RegExp. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

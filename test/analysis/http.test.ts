import { checkHttpRequest, compileCalicoHttpMatch, compileCiliumHttpRule, describeRequest, L7Request } from '../../src/analysis/http';

const request = (method: string, path: string, host?: string, headers: Record<string, string> = {}): L7Request =>
  ({ method, path, host, headers: new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) });

describe('checkHttpRequest', () => {
  test('normalizes header names and takes the default host', () => {
    const r = checkHttpRequest('W', { method: 'GET', path: '/a?b=1', headers: { 'X-Tenant': 'blue' } }, 'api.example.com');
    expect(r.host).toBe('api.example.com');
    expect(r.headers.get('x-tenant')).toBe('blue');
    expect(describeRequest(r)).toBe('HTTP GET /a?b=1 (host api.example.com)');
    expect(checkHttpRequest('W', { method: 'GET', path: '/', host: 'h' }, 'd').host).toBe('h');
  });

  test.each([
    [{ method: 'GET' }, /W: http.path undefined is not a request path; expected one starting with "\/"/],
    [{ method: 'GET', path: 'api' }, /http.path "api" is not a request path/],
    [{ method: 'GET', path: '/a b' }, /http.path "\/a b" is not a request path/],
    [{ method: 'G ET', path: '/' }, /http.method "G ET" is not an HTTP method; expected e.g. "GET"/],
    [{ path: '/' }, /http.method undefined is not an HTTP method/],
    [{ method: 'GET', path: '/', host: 'a b' }, /http.host "a b" is not a Host header value/],
    [{ method: 'GET', path: '/', headers: ['x'] }, /http.headers \["x"\] is not a map of header names to values/],
    [{ method: 'GET', path: '/', headers: { 'bad name': 'x' } }, /http.headers has the invalid header name "bad name"/],
    [{ method: 'GET', path: '/', headers: { a: 'x\ny' } }, /http.headers "a" has the value "x\\ny"; expected a string without line breaks/],
    [{ method: 'GET', path: '/', verb: 'x' }, /http has an unknown key "verb"; the keys are method, path, host, headers/],
    ['GET /', /http "GET \/" is not an object/],
  ])('refuses %j', (http, message) => {
    expect(() => checkHttpRequest('W', http as any, undefined)).toThrow(message);
  });
});

describe('compileCiliumHttpRule (docs/semantics/cilium.md#http-rules)', () => {
  test('method, path and host are regexes matched against the whole value', () => {
    const rule = compileCiliumHttpRule({ method: 'GET|HEAD', path: '/api/v[0-9]+/items', host: 'api\\.example\\.com' }, 'r');
    expect(rule.matches(request('HEAD', '/api/v2/items', 'api.example.com'))).toBe(true);
    expect(rule.matches(request('GET', '/api/v2/items/1', 'api.example.com'))).toBe(false);
    expect(rule.matches(request('GETX', '/api/v2/items', 'api.example.com'))).toBe(false);
    expect(rule.matches(request('GET', '/api/v2/items', 'apiXexample.com'))).toBe(false);
    expect(rule.matches(request('GET', '/api/v2/items'))).toBe(false);
    expect(rule.text).toBe('GET|HEAD /api/v[0-9]+/items host api\\.example\\.com');
  });

  test('headers: "Name" must be present, "Name value" (colon stripped) must have that value; headerMatches by value', () => {
    const rule = compileCiliumHttpRule({ headers: ['X-Present', 'X-Tenant: blue'], headerMatches: [{ name: 'X-Env', value: 'prod' }] }, 'r');
    expect(rule.matches(request('GET', '/', undefined, { 'x-present': '', 'X-Tenant': 'blue', 'x-env': 'prod' }))).toBe(true);
    expect(rule.matches(request('GET', '/', undefined, { 'X-Tenant': 'blue', 'x-env': 'prod' }))).toBe(false);
    expect(rule.matches(request('GET', '/', undefined, { 'x-present': '', 'X-Tenant': 'red', 'x-env': 'prod' }))).toBe(false);
    expect(rule.matches(request('GET', '/', undefined, { 'x-present': '', 'X-Tenant': 'blue', 'x-env': 'dev' }))).toBe(false);
  });

  test('an empty rule matches every request', () => {
    expect(compileCiliumHttpRule({}, 'r').matches(request('DELETE', '/x'))).toBe(true);
    expect(compileCiliumHttpRule({ method: '' }, 'r').text).toBe('any request');
  });

  test.each([
    [{ path: '(' }, /r.path "\(" is not a valid regular expression/],
    [{ verb: 'GET' }, /r: unknown field "verb"/],
    [{ headerMatches: [{ name: 'a', secret: { name: 's' } }] }, /headerMatches\[0\].secret is not modelled/],
    [{ headerMatches: [{ name: 'a', value: 'b', mismatch: 'LOG' }] }, /headerMatches\[0\].mismatch "LOG" is not modelled/],
    [{ headers: 'X' }, /r.headers "X" is not a list/],
  ])('refuses %j', (rule, message) => {
    expect(() => compileCiliumHttpRule(rule, 'r')).toThrow(message);
  });
});

describe('compileCalicoHttpMatch (docs/semantics/calico.md#http-match)', () => {
  test('methods exact, paths exact or prefix', () => {
    const match = compileCalicoHttpMatch({ methods: ['GET', 'PUT'], paths: [{ exact: '/a' }, { prefix: '/b/' }] }, 'h');
    expect(match.matches(request('PUT', '/b/c'))).toBe(true);
    expect(match.matches(request('GET', '/a'))).toBe(true);
    expect(match.matches(request('GET', '/a/'))).toBe(false);
    expect(match.matches(request('POST', '/a'))).toBe(false);
    expect(match.text).toBe('GET|PUT /a|/b/*');
  });

  test.each([
    [{ paths: [{ exact: '/a', prefix: '/b' }] }, /paths\[0\] .* must be exactly one of/],
    [{ methods: [1] }, /methods\[0\] 1 is not a method/],
    [{ verbs: [] }, /unknown field "verbs"/],
  ])('refuses %j', (http, message) => {
    expect(() => compileCalicoHttpMatch(http, 'h')).toThrow(message);
  });
});

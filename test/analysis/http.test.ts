import { checkHttpRequest, compileCalicoHttpMatch, compileCiliumHttpRule, describeRequest, L7Request, normalizeCalicoHttpPath } from '../../src/analysis/http';

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
  test('methods exact, paths exact or prefix; before 3.31.6/3.32 (raw): paths compared as text without query and fragment', () => {
    const match = compileCalicoHttpMatch({ methods: ['GET', 'PUT'], paths: [{ exact: '/a' }, { prefix: '/b/' }] }, 'h', 'raw');
    expect(match.matches(request('PUT', '/b/c'))).toBe(true);
    expect(match.matches(request('GET', '/a'))).toBe(true);
    expect(match.matches(request('GET', '/a?x=1#f'))).toBe(true);
    expect(match.matches(request('GET', '/a/'))).toBe(false);
    expect(match.matches(request('POST', '/a'))).toBe(false);
    expect(match.matches(request('GET', '/b'))).toBe(false);
    expect(match.text).toBe('GET|PUT /a|/b/*');
    const prefix = compileCalicoHttpMatch({ paths: [{ prefix: '/pub' }] }, 'h', 'raw');
    expect(prefix.matches(request('GET', '/public-leak'))).toBe(true);
    expect(prefix.matches(request('GET', '/pub/../admin'))).toBe(true);
    expect(prefix.matches(request('GET', '/admin'))).toBe(false);
  });

  test('from 3.31.6/3.32 (segments, the default): normalised paths, prefixes at / boundaries', () => {
    const match = compileCalicoHttpMatch({ methods: ['GET', 'PUT'], paths: [{ exact: '/a' }, { prefix: '/b/' }] }, 'h');
    expect(match.matches(request('GET', '/a/'))).toBe(true);
    expect(match.matches(request('GET', '/x/../a'))).toBe(true);
    expect(match.matches(request('PUT', '/b'))).toBe(true);
    expect(match.matches(request('PUT', '//b//c'))).toBe(true);
    expect(match.matches(request('PUT', '/bc'))).toBe(false);
    expect(match.matches(request('POST', '/a'))).toBe(false);
    expect(match.text).toBe('GET|PUT /a|/b/**');
    const prefix = compileCalicoHttpMatch({ paths: [{ prefix: '/pub' }] }, 'h');
    expect(prefix.text).toBe('/pub/**');
    expect(prefix.matches(request('GET', '/pub/file?x'))).toBe(true);
    expect(prefix.matches(request('GET', '/public-leak'))).toBe(false);
    expect(prefix.matches(request('GET', '/pub/../admin'))).toBe(false);
    expect(prefix.matches(request('GET', '/pub%2F..%2Fadmin'))).toBe(false);
    expect(prefix.matches(request('GET', '/pub/%252e%252e/admin'))).toBe(false);
    expect(prefix.matches(request('GET', '/pub/%zz'))).toBe(false);
  });

  test('method * matches every method', () => {
    const match = compileCalicoHttpMatch({ methods: ['*'] }, 'h');
    expect(match.matches(request('MADNESS', '/'))).toBe(true);
    expect(compileCalicoHttpMatch({ methods: ['get'] }, 'h').matches(request('GET', '/'))).toBe(false);
  });

  test.each([
    ['/foo?x', '/foo'], ['/foo#f', '/foo'], ['/a/./b/../c', '/a/c'], ['//a///b/', '/a/b'], ['/..', '/'], ['/a%2Fb', '/a/b'],
    ['/a\\b', '/a/b'], ['/a;x/b;y=1', '/a/b'], ['/%66ile', '/file'], ['/a%3Fb', '/a?b'], ['/%FF', '/\u00ff'],
    ['/a%2e%2e', '/a..'], ['/%252e', undefined], ['/%00', undefined], ['/%zz', undefined], ['http://x/a', undefined],
  ])('normalizeCalicoHttpPath(%j) is %j', (path, expected) => {
    expect(normalizeCalicoHttpPath(path)).toBe(expected);
  });

  // The cases of libcalico-go's validator (lib/validator/v3/validator.go validateHTTPMethods,
  // validateHTTPPaths; validator_test.go "disallow HTTP Path with invalid match clauses").
  test.each([
    [{ paths: [{ exact: '/a', prefix: '/b' }] }, /paths\[0\] .* sets both exact and prefix; give one/],
    [{ paths: [{}] }, /paths\[0\] \{\} sets neither exact nor prefix/],
    [{ paths: [{ exact: '' }] }, /paths\[0\] \{"exact":""\} sets neither exact nor prefix \(an empty path is unset\)/],
    [{ paths: [{ prefix: 'api' }] }, /paths\[0\] "api" does not start with "\/": Calico takes absolute paths only/],
    [{ paths: [{ exact: '/a', regex: '.*' }] }, /paths\[0\]: unknown field "regex"/],
    [{ paths: [{ exact: 7 }] }, /paths\[0\].exact 7 is not a string/],
    [{ paths: ['/a'] }, /paths\[0\] "\/a" is not a path match/],
    [{ methods: ['GET', 'PUT', 'GET'] }, /methods\[2\] "GET" repeats methods\[0\]: Calico refuses duplicate methods/],
    [{ methods: [1] }, /methods\[0\] 1 is not a method/],
    [{ verbs: [] }, /unknown field "verbs"/],
    [{ paths: [{ exact: '/a?b' }] }, /may not hold "\?", "#" or spaces/],
    [{ paths: [{ exact: '/f#oo' }] }, /may not hold "\?", "#" or spaces/],
    [{ paths: [{ prefix: '/fo o' }] }, /may not hold "\?", "#" or spaces/],
  ])('refuses %j', (http, message) => {
    expect(() => compileCalicoHttpMatch(http, 'h')).toThrow(message);
  });

  test('accepts what the validator accepts: an empty field beside a set one, a tab in a path', () => {
    const match = compileCalicoHttpMatch({ paths: [{ exact: '', prefix: '/a' }, { exact: '/t\tab' }] }, 'h', 'raw');
    expect(match.matches(request('GET', '/a/b'))).toBe(true);
    expect(match.matches(request('GET', '/t\tab'))).toBe(true);
    expect(match.matches(request('GET', '/b'))).toBe(false);
  });
});

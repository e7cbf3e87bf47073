import { ClusterCni, NetworkModel } from '../../../../src';

/*
 * Calico's own test expectations, ported to NetworkModel.evaluate (the rules: docs/semantics/calico.md).
 * The cases are translated into our TypeScript; no upstream code is copied. Stored copies of projectcalico/calico read:
 *
 * - HTTP matching of Calico's application layer policy (Dikastes), app-policy/checker:
 *   - before the 2026 change: match.go @ 03510ccbf332b3c39c9e3cfbbe28167fdbc70a2b and match_test.go
 *     @ 95cbb081e0791ef5113c9562e24e6b90fc45663e (TestMatchHTTPMethods, TestMatchHTTPPaths, TestMatchHTTPNil);
 *   - after it: match_test.go @ 24616d0144582fb7d2cfaf54d73d3faa10c70d22 (TestMatchHTTPPaths,
 *     TestMatchHTTPPaths_Normalization, TestNormalizeHTTPPath) and the matching match.go (the index gave no
 *     commit for it). The change is PR #12531 "normalize HTTP request-target before ALP path matching"
 *     (2026-04-17); it ships in Calico 3.32.0 (#12532) and in the 3.31.6 patch release (#12533), not in
 *     3.30. The tests below use calicoVersion '3.29' for the old behaviour (the old match.go is older than
 *     3.29; 3.30.0 to 3.31.x answer every checked request with 403, #11986, so the model refuses HTTP
 *     matches there) and '3.32' for the new one.
 *   Each case runs under both versions. An expectation comes from the upstream table of that version when
 *   the entry is in it, and otherwise from that version's match.go (old: the path cut at "?" and "#", then
 *   compared as a string, a prefix by plain string prefix; new: both request and rule paths normalised,
 *   a prefix matched at "/" boundaries); each case's comment says which.
 *   Requests that cannot be sent as a probe (not starting with "/": TestNormalizeHTTPPath's
 *   "non-absolute", "absolute URI form", "empty") are left out.
 * - Named ports without a protocol: PR #11916 "ClusterNetworkPolicy named ports" (in 3.32.0) and
 *   libcalico-go/lib/validator/v3/validator.go validateRule (no protocol: all ports must be named);
 *   before it, validateRule rejected any ports without a protocol. validator_test.go
 *   @ 177083676e4527580d3c26f7d0bea1fdc7a74c68 ("should reject Rule with dest ports and no protocol") and
 *   felix/fv/named_ports_test.go @ 07dc0bc36eff221d6f6ae5b3d1dc6b1d6c5d2ca0 (the TCP/UDP/SCTP named-port
 *   contexts). The stored copies do not have the "named ports and no protocol" test titles themselves.
 * - serviceAccounts and serviceAccountSelector: libcalico-go/lib/backend/syncersv1/updateprocessors/rules.go
 *   (@ bdf2a75f5909b9203511fdb1deecf122564d6573: names -> projectcalico.org/serviceaccount, selector ->
 *   the ServiceAccount's labels under pcsa., namespaced to the policy's namespace), networkpolicyprocessor.go
 *   @ 15a452baa4cfe37a6123db5d8e46a3dd6ca99218 (serviceAccountSelector AND'd with the policy's selector),
 *   and app-policy/checker/match_test.go (TestMatchName, TestMatchLabels, TestMatchRule,
 *   TestMatchRulePolicyNamespace).
 */

type Json = Record<string, any>;
type Version = '3.29' | '3.30' | '3.31' | '3.32' | '3.33';
/** The releases whose HTTP matching is ported: before and after PR #12531. */
const VERSIONS: Version[] = ['3.29', '3.32'];

const np = (name: string, namespace: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const gnp = (name: string, spec: Json) => ({ apiVersion: 'projectcalico.org/v3', kind: 'GlobalNetworkPolicy', metadata: { name }, spec });

// ---------------------------------------------------------------------------------------------
// HTTP matching (app-policy/checker/match_test.go)
// ---------------------------------------------------------------------------------------------

/** app/client calls app/server on 8080; the server allows only the requests of one HTTP match. */
function alpModel(version: Version, http: Json | undefined): NetworkModel {
  const m = new NetworkModel({ cni: ClusterCni.CALICO, calicoVersion: version });
  m.addNamespace('app', {});
  m.addPod({ namespace: 'app', name: 'client', labels: { app: 'client' }, ip: '10.0.0.11' });
  m.addPod({ namespace: 'app', name: 'server', labels: { app: 'server' }, ip: '10.0.0.10', ports: [{ port: 8080, name: 'http', protocol: 'TCP' }] });
  const rule: Json = { action: 'Allow', protocol: 'TCP', destination: { ports: [8080] } };
  if (http !== undefined) {
    rule.http = http;
  }
  m.addManifest(np('alp', 'app', { selector: "app == 'server'", types: ['Ingress'], ingress: [rule] }));
  return m;
}

const send = (m: NetworkModel, method: string, path: string, port = 8080) =>
  m.evaluate({ from: 'app/client', to: 'app/server', port, http: { method, path } });

/** One request: method, path, allowed under 3.30, allowed under 3.32. */
type Request = [string, string, boolean, boolean];

interface HttpCase {
  /** The upstream test function and table entry. */
  readonly upstream: string;
  /** The rule's `http` clause. */
  readonly http: Json;
  /** The upstream request first, then requests with the other outcome. */
  readonly requests: Request[];
}

const exact = (p: string) => ({ exact: p });
const prefix = (p: string) => ({ prefix: p });

/**
 * A TestMatchHTTPPaths_Normalization entry whose rule is prefix /public: the upstream request (new:
 * `new`; old: `old`, from the old match.go), a request under the prefix (allowed by both) and one outside
 * it (denied by both).
 */
const underPublic = (entry: string, path: string, old: boolean, neu: boolean): HttpCase => ({
  upstream: `TestMatchHTTPPaths_Normalization/${entry}`,
  http: { paths: [prefix('/public')] },
  requests: [['GET', path, old, neu], ['GET', '/public/index.html', true, true], ['GET', '/admin', false, false]],
});

const METHOD_CASES: HttpCase[] = [
  // Upstream: methods [] matches GET. The paths restrict the rule so that a request can be denied.
  { upstream: 'TestMatchHTTPMethods/empty', http: { methods: [], paths: [exact('/foo')] }, requests: [['GET', '/foo', true, true], ['DELETE', '/foo', true, true], ['GET', '/bar', false, false]] },
  { upstream: 'TestMatchHTTPMethods/match', http: { methods: ['GET', 'HEAD'] }, requests: [['GET', '/foo', true, true], ['HEAD', '/foo', true, true], ['POST', '/foo', false, false]] },
  // Methods are case-sensitive: "get" does not match GET.
  { upstream: 'TestMatchHTTPMethods/case-sensitive', http: { methods: ['get', 'HEAD'] }, requests: [['GET', '/foo', false, false], ['HEAD', '/foo', true, true], ['get', '/foo', true, true]] },
  // "*" matches any method (upstream: MADNESS); the paths restrict the rule so that a request can be denied.
  { upstream: 'TestMatchHTTPMethods/wildcard', http: { methods: ['*'], paths: [exact('/foo')] }, requests: [['MADNESS', '/foo', true, true], ['GET', '/foo', true, true], ['MADNESS', '/bar', false, false]] },
];

const PATH_CASES: HttpCase[] = [
  // Upstream: paths [] matches /foo. The methods restrict the rule so that a request can be denied.
  { upstream: 'TestMatchHTTPPaths/empty', http: { methods: ['GET'], paths: [] }, requests: [['GET', '/foo', true, true], ['GET', '/any/thing?x=1', true, true], ['POST', '/foo', false, false]] },
  { upstream: 'TestMatchHTTPPaths/exact', http: { paths: [exact('/foo')] }, requests: [['GET', '/foo', true, true], ['GET', '/foo/bar', false, false]] },
  // The 3.30 table's "prefix": prefix /foo matches /foobar. Removed from the 3.32 table ("prefix not segment aligned").
  { upstream: 'TestMatchHTTPPaths/prefix (3.30 table)', http: { paths: [prefix('/foo')] }, requests: [['GET', '/foobar', true, false], ['GET', '/foo', true, true], ['GET', '/bar', false, false]] },
  // 3.32 table; 3.30 from the old match.go (a plain string prefix).
  { upstream: 'TestMatchHTTPPaths/prefix segment boundary', http: { paths: [prefix('/foo')] }, requests: [['GET', '/foo/bar', true, true], ['GET', '/joo', false, false]] },
  { upstream: 'TestMatchHTTPPaths/prefix not segment aligned', http: { paths: [prefix('/foo')] }, requests: [['GET', '/foobar', true, false], ['GET', '/foo', true, true], ['GET', '/joo/foo', false, false]] },
  { upstream: 'TestMatchHTTPPaths/exact fail', http: { paths: [exact('/foo')] }, requests: [['GET', '/joo', false, false], ['GET', '/foo', true, true]] },
  { upstream: 'TestMatchHTTPPaths/exact not match prefix', http: { paths: [exact('/foo')] }, requests: [['GET', '/foobar', false, false], ['GET', '/foo', true, true]] },
  { upstream: 'TestMatchHTTPPaths/prefix fail', http: { paths: [prefix('/foo')] }, requests: [['GET', '/joobar', false, false], ['GET', '/foo/x', true, true]] },
  // The 3.30 table's "multiple": prefix /joo or exact /foo matches /joobar. The 3.32 table splits it in two.
  { upstream: 'TestMatchHTTPPaths/multiple (3.30 table)', http: { paths: [prefix('/joo'), exact('/foo')] }, requests: [['GET', '/joobar', true, false], ['GET', '/foo', true, true], ['GET', '/bar', false, false]] },
  { upstream: 'TestMatchHTTPPaths/multiple none match', http: { paths: [prefix('/joo'), exact('/foo')] }, requests: [['GET', '/joobar', true, false], ['GET', '/foo', true, true], ['GET', '/foobar', false, false]] },
  { upstream: 'TestMatchHTTPPaths/multiple one matches', http: { paths: [prefix('/joo'), exact('/foo')] }, requests: [['GET', '/joo/bar', true, true], ['GET', '/jo', false, false]] },
  // The query (after "?") and the fragment (after "#") are not part of the path.
  { upstream: 'TestMatchHTTPPaths/exact path with query', http: { paths: [exact('/foo')] }, requests: [['GET', '/foo?xyz', true, true], ['GET', '/fo?o', false, false]] },
  { upstream: 'TestMatchHTTPPaths/exact path with fragment', http: { paths: [exact('/foo')] }, requests: [['GET', '/foo#xyz', true, true], ['GET', '/fo#o', false, false]] },
  { upstream: 'TestMatchHTTPPaths/prefix path with query fail', http: { paths: [prefix('/foobar')] }, requests: [['GET', '/foo?bar', false, false], ['GET', '/foobar?x', true, true]] },
  { upstream: 'TestMatchHTTPPaths/prefix path with fragment fail', http: { paths: [prefix('/foobar')] }, requests: [['GET', '/foo#bar', false, false], ['GET', '/foobar#x', true, true]] },
];

// TestMatchHTTPPaths_Normalization (3.32 table); the 3.30 expectations come from the old match.go.
const NORMALIZATION_CASES: HttpCase[] = [
  // Regression guards: legitimate requests stay matched.
  { upstream: 'TestMatchHTTPPaths_Normalization/prefix baseline', http: { paths: [prefix('/public')] }, requests: [['GET', '/public', true, true], ['GET', '/private', false, false]] },
  { upstream: 'TestMatchHTTPPaths_Normalization/prefix with trailing slash', http: { paths: [prefix('/public')] }, requests: [['GET', '/public/', true, true], ['GET', '/publi', false, false]] },
  { upstream: 'TestMatchHTTPPaths_Normalization/prefix with subpath', http: { paths: [prefix('/public')] }, requests: [['GET', '/public/index.html', true, true], ['GET', '/index.html', false, false]] },
  { upstream: 'TestMatchHTTPPaths_Normalization/exact baseline', http: { paths: [exact('/public')] }, requests: [['GET', '/public', true, true], ['GET', '/public/x', false, false]] },
  {
    upstream: 'TestMatchHTTPPaths_Normalization/trailing dot-segment collapses to exact',
    http: { paths: [exact('/public')] },
    requests: [['GET', '/public/.', false, true], ['GET', '/public', true, true], ['GET', '/public/x', false, false]],
  },
  // Dot-dot traversal.
  underPublic('dotdot escapes prefix', '/public/../admin', true, false),
  underPublic('dotdot nested escapes prefix', '/public/a/../../admin', true, false),
  {
    upstream: 'TestMatchHTTPPaths_Normalization/dotdot escapes exact',
    http: { paths: [exact('/public')] },
    requests: [['GET', '/public/../public', false, true], ['GET', '/public', true, true], ['GET', '/admin', false, false]],
  },
  {
    upstream: 'TestMatchHTTPPaths_Normalization/dotdot changes exact',
    http: { paths: [exact('/public/foo')] },
    requests: [['GET', '/public/bar/../foo', false, true], ['GET', '/public/foo', true, true], ['GET', '/public/bar', false, false]],
  },
  // Percent-encoded slashes and dots.
  underPublic('percent-encoded slash traversal', '/public%2F..%2Fadmin', true, false),
  underPublic('percent-encoded dots traversal', '/public/%2e%2e/admin', true, false),
  underPublic('percent-encoded uppercase dots', '/public/%2E%2E/admin', true, false),
  {
    upstream: 'TestMatchHTTPPaths_Normalization/percent-encoded unreserved should not be re-escaped',
    http: { paths: [exact('/public/file')] },
    requests: [['GET', '/public/%66ile', false, true], ['GET', '/public/file', true, true], ['GET', '/public/other', false, false]],
  },
  // Repeated slashes.
  underPublic('double slash traversal', '/public//../admin', true, false),
  underPublic('leading double slash', '//public', false, true),
  underPublic('interior double slash collapsed still matches prefix', '/public//foo', true, true),
  // Prefixes anchored at a segment boundary.
  {
    upstream: 'TestMatchHTTPPaths_Normalization/short-prefix sibling leak',
    http: { paths: [prefix('/pub')] },
    requests: [['GET', '/public-leak-endpoint', true, false], ['GET', '/pub', true, true], ['GET', '/admin', false, false]],
  },
  {
    upstream: 'TestMatchHTTPPaths_Normalization/short-prefix sibling path',
    http: { paths: [prefix('/pub')] },
    requests: [['GET', '/public', true, false], ['GET', '/pub/x', true, true], ['GET', '/admin', false, false]],
  },
  { upstream: 'TestMatchHTTPPaths_Normalization/short-prefix matches own segment', http: { paths: [prefix('/pub')] }, requests: [['GET', '/pub', true, true], ['GET', '/pu', false, false]] },
  { upstream: 'TestMatchHTTPPaths_Normalization/short-prefix matches deeper segment', http: { paths: [prefix('/pub')] }, requests: [['GET', '/pub/x', true, true], ['GET', '/pu/x', false, false]] },
  // Query and fragment stripped before normalisation.
  underPublic('query stripped then normalised', '/public/../admin?x=1', true, false),
  underPublic('fragment stripped then normalised', '/public/../admin#frag', true, false),
  // Backslash as a separator.
  underPublic('backslash traversal escapes prefix', '/public\\..\\admin', true, false),
  underPublic('backslash mixed with slash', '/public/..\\admin', true, false),
  underPublic('percent-encoded backslash traversal', '/public%5C..%5Cadmin', true, false),
  underPublic('backslash within legitimate segment still inside prefix', '/public/foo\\bar', true, true),
  // Matrix parameters stripped per segment.
  underPublic('matrix param on dotdot escapes prefix', '/public/..;x/admin', true, false),
  underPublic('matrix param jsessionid on dotdot', '/public/..;jsessionid=abc/admin', true, false),
  underPublic('matrix param percent-encoded semicolon on dotdot', '/public/..%3Bx/admin', true, false),
  underPublic('matrix param on leaf segment still under prefix', '/public/foo;jsessionid=abc', true, true),
  underPublic('matrix param on middle segment still under prefix', '/public/foo;x=1/bar', true, true),
  // Still encoded after one decode: rejected.
  underPublic('double-encoded dotdot rejected', '/public/%252e%252e/admin', true, false),
  underPublic('double-encoded slash rejected', '/public%252fadmin', true, false),
  underPublic('double-encoded backslash rejected', '/public%255c..%255cadmin', true, false),
  underPublic('deep double-encoded dot rejected', '/public/%25%32%65%25%32%65/admin', true, false),
  // Null bytes: rejected.
  underPublic('percent-null in traversal rejected', '/public%00/admin', true, false),
  underPublic('percent-null mid-segment rejected', '/public/foo%00bar', true, false),
  underPublic('raw null byte rejected', '/public/foo\x00', true, false),
];

// TestNormalizeHTTPPath (3.32: the canonical form a request is compared as), probed with an exact rule
// naming that form; the 3.30 expectations come from the old match.go (no normalisation).
const CANONICAL_CASES: HttpCase[] = [
  { upstream: 'TestNormalizeHTTPPath/root', http: { paths: [exact('/')] }, requests: [['GET', '/', true, true], ['GET', '/x', false, false]] },
  {
    upstream: 'TestNormalizeHTTPPath/trailing slash stripped',
    http: { paths: [exact('/public')] },
    requests: [['GET', '/public/', false, true], ['GET', '/public', true, true], ['GET', '/public/x', false, false]],
  },
  { upstream: 'TestNormalizeHTTPPath/dotdot above root clamped', http: { paths: [exact('/')] }, requests: [['GET', '/..', false, true], ['GET', '/', true, true], ['GET', '/x', false, false]] },
  {
    upstream: 'TestNormalizeHTTPPath/repeated slash collapsed',
    http: { paths: [exact('/public/foo')] },
    requests: [['GET', '/public//foo', false, true], ['GET', '/public/foo', true, true], ['GET', '/public', false, false]],
  },
  // The other side of normalisation: a traversal reaches an exact rule for where it ends up.
  {
    upstream: 'TestNormalizeHTTPPath/percent-encoded slash decoded',
    http: { paths: [exact('/admin')] },
    requests: [['GET', '/public%2F..%2Fadmin', false, true], ['GET', '/admin', true, true], ['GET', '/public', false, false]],
  },
  {
    upstream: 'TestNormalizeHTTPPath/matrix param on every segment stripped',
    http: { paths: [exact('/a/b/c')] },
    requests: [['GET', '/a;p=1/b;q=2/c;r=3', false, true], ['GET', '/a/b/c', true, true], ['GET', '/a/b', false, false]],
  },
  // An encoded "?" is part of the path, not a query: /public?foo is not /public.
  {
    upstream: 'TestNormalizeHTTPPath/encoded query marker stays literal',
    http: { paths: [exact('/public')] },
    requests: [['GET', '/public%3Ffoo', false, false], ['GET', '/public?foo', true, true]],
  },
  // An invalid escape fails normalisation: no rule matches it, not even prefix "/".
  {
    upstream: 'TestNormalizeHTTPPath/invalid percent escape rejected',
    http: { methods: ['GET'], paths: [prefix('/')] },
    requests: [['GET', '/%XY/admin', true, false], ['GET', '/admin', true, true], ['POST', '/admin', false, false]],
  },
];

// PR #12531 "Rule paths go through the same normalisation as the request" (match.go normalises each rule
// path): a prefix or exact path with a trailing slash is the path without it from 3.32.
const RULE_PATH_CASES: HttpCase[] = [
  {
    upstream: 'PR 12531/rule paths normalised: prefix /foo/',
    http: { paths: [prefix('/foo/')] },
    requests: [['GET', '/foo', false, true], ['GET', '/foo/bar', true, true], ['GET', '/foobar', false, false]],
  },
  {
    upstream: 'PR 12531/rule paths normalised: exact /foo/',
    http: { paths: [exact('/foo/')] },
    requests: [['GET', '/foo', false, true], ['GET', '/foo/', true, true], ['GET', '/foo/bar', false, false]],
  },
];

function describeHttpCases(name: string, cases: HttpCase[]): void {
  describe(name, () => {
    test('every case has an allowed and a denied request under each version', () => {
      for (const c of cases) {
        for (const v of [2, 3]) {
          expect([c.upstream, c.requests.some((r) => r[v])]).toEqual([c.upstream, true]);
          expect([c.upstream, c.requests.some((r) => !r[v])]).toEqual([c.upstream, true]);
        }
      }
    });
    for (const version of VERSIONS) {
      test.each(cases.map((c) => [c.upstream, c] as const))(`%s (Calico ${version})`, (_title, c) => {
        const m = alpModel(version, c.http);
        const got = c.requests.map(([method, path]) => [method, path, send(m, method, path).allowed]);
        const want = c.requests.map(([method, path, old, neu]) => [method, path, version === '3.29' ? old : neu]);
        expect(got).toEqual(want);
      });
    }
  });
}

describeHttpCases('app-policy TestMatchHTTPMethods', METHOD_CASES);
describeHttpCases('app-policy TestMatchHTTPPaths', PATH_CASES);
describeHttpCases('app-policy TestMatchHTTPPaths_Normalization', NORMALIZATION_CASES);
describeHttpCases('app-policy TestNormalizeHTTPPath', CANONICAL_CASES);
describeHttpCases('app-policy rule path normalisation (PR 12531)', RULE_PATH_CASES);

describe('app-policy TestMatchHTTPNil', () => {
  test.each(VERSIONS)('an omitted HTTP match matches every request; the rule\'s ports still decide (Calico %s)', (version) => {
    const m = alpModel(version, undefined);
    expect(send(m, 'GET', '/anything').allowed).toBe(true);
    expect(send(m, 'MADNESS', '/x/../y?z#w').allowed).toBe(true);
    expect(send(m, 'GET', '/anything', 9090).allowed).toBe(false);
  });

  test('the default calicoVersion is the newest: prefixes match at "/" boundaries', () => {
    const m = new NetworkModel({ cni: ClusterCni.CALICO });
    m.addPod({ namespace: 'app', name: 'client', labels: { app: 'client' } });
    m.addPod({ namespace: 'app', name: 'server', labels: { app: 'server' } });
    m.addManifest(np('alp', 'app', { selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', http: { paths: [prefix('/foo')] } }] }));
    expect(send(m, 'GET', '/foo/bar').allowed).toBe(true);
    expect(send(m, 'GET', '/foobar').allowed).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Named ports without a protocol (PR #11916, validator.go validateRule, felix/fv/named_ports_test.go)
// ---------------------------------------------------------------------------------------------

/** fv/server serves http (TCP 8080), dns (UDP 53), diameter (SCTP 3868) and shared-udp (UDP 2200). */
function namedPortModel(version: Version): NetworkModel {
  const m = new NetworkModel({ cni: ClusterCni.CALICO, calicoVersion: version });
  m.addNamespace('fv', {});
  m.addPod({ namespace: 'fv', name: 'client', labels: { name: 'client' }, ip: '10.65.0.11' });
  m.addPod({
    namespace: 'fv',
    name: 'server',
    labels: { name: 'server' },
    ip: '10.65.0.10',
    ports: [
      { port: 8080, name: 'http', protocol: 'TCP' },
      { port: 53, name: 'dns', protocol: 'UDP' },
      { port: 3868, name: 'diameter', protocol: 'SCTP' },
      { port: 2200, name: 'shared-udp', protocol: 'UDP' },
    ],
  });
  return m;
}

const namedPortPolicy = (ports: (string | number)[], protocol?: string) => np('policy-1', 'fv', {
  selector: "name == 'server'",
  types: ['Ingress'],
  ingress: [{ action: 'Allow', ...(protocol ? { protocol } : {}), destination: { ports } }],
});

const reach = (m: NetworkModel, port: number, protocol: string) => m.evaluate({ from: 'fv/client', to: 'fv/server', port, protocol }).allowed;

describe('named ports without a protocol (PR 11916, Calico 3.32)', () => {
  test('named ports only, no protocol: each matches its port on the protocol the pod declares (TCP, UDP, SCTP); other ports are denied', () => {
    const m = namedPortModel('3.32');
    m.addManifest(namedPortPolicy(['http', 'dns', 'diameter']));
    expect(reach(m, 8080, 'TCP')).toBe(true);
    expect(reach(m, 53, 'UDP')).toBe(true);
    expect(reach(m, 3868, 'SCTP')).toBe(true);
    // The named port's number on another protocol is not the named port.
    expect(reach(m, 8080, 'UDP')).toBe(false);
    expect(reach(m, 8080, 'SCTP')).toBe(false);
    expect(reach(m, 53, 'TCP')).toBe(false);
    expect(reach(m, 3868, 'TCP')).toBe(false);
    // Ports the rule does not name (shared-udp is named by the pod, not by the rule).
    expect(reach(m, 2200, 'UDP')).toBe(false);
    expect(reach(m, 9090, 'TCP')).toBe(false);
  });

  test.each(['TCP', 'UDP', 'SCTP'])('cf. felix/fv/named_ports_test.go "%s: Destination named ports", the rule without its protocol', (protocol) => {
    const m = new NetworkModel({ cni: ClusterCni.CALICO, calicoVersion: '3.32' });
    m.addPod({ namespace: 'fv', name: 'client', labels: { name: 'client' } });
    m.addPod({
      namespace: 'fv',
      name: 'server',
      labels: { name: 'server' },
      ports: [{ port: 1100, name: 'shared-port', protocol }, { port: 1000, name: 'w0-port', protocol }, { port: 2200, name: 'shared-udp', protocol: 'UDP' }],
    });
    m.addManifest(namedPortPolicy(['shared-port']));
    expect(reach(m, 1100, protocol)).toBe(true);
    // upstream: w0-port and the unlisted numeric 4000 are blocked once the policy applies.
    expect(reach(m, 1000, protocol)).toBe(false);
    expect(reach(m, 4000, protocol)).toBe(false);
    for (const other of ['TCP', 'UDP', 'SCTP'].filter((p) => p !== protocol)) {
      expect([other, reach(m, 1100, other)]).toEqual([other, false]);
    }
  });

  test('the same named ports with protocol TCP: only TCP named ports match (cf. "should accept Rule with source named ports and protocol type tcp")', () => {
    const m = namedPortModel('3.32');
    m.addManifest(namedPortPolicy(['http', 'dns'], 'TCP'));
    expect(reach(m, 8080, 'TCP')).toBe(true);
    expect(reach(m, 53, 'UDP')).toBe(false);
    expect(reach(m, 53, 'TCP')).toBe(false);
  });

  test('"should reject Rule with dest ports and no protocol": a numeric port without a protocol is refused', () => {
    const m = namedPortModel('3.32');
    expect(() => {
      m.addManifest(namedPortPolicy([8080]));
      m.evaluate({ from: 'fv/client', to: 'fv/server', port: 8080 });
    }).toThrow();
  });

  test('named and numeric ports without a protocol are refused (validator.go: all ports must be named)', () => {
    const m = namedPortModel('3.32');
    expect(() => {
      m.addManifest(namedPortPolicy(['http', 9090]));
      m.evaluate({ from: 'fv/client', to: 'fv/server', port: 8080 });
    }).toThrow();
  });

  test('before PR 11916 (Calico 3.30) any ports without a protocol are refused, named ones too (old validateRule)', () => {
    const m = namedPortModel('3.30');
    expect(() => {
      m.addManifest(namedPortPolicy(['http', 'dns', 'diameter']));
      m.evaluate({ from: 'fv/client', to: 'fv/server', port: 8080 });
    }).toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// serviceAccounts and serviceAccountSelector
// ---------------------------------------------------------------------------------------------

describe('app-policy TestMatchRule (service accounts, nets, ports, protocol and HTTP of one rule)', () => {
  // The request of the upstream test: sam (192.168.4.22, port 8458) -> ian (10.54.44.23:80), TCP, GET /path,
  // namespace default. Upstream changes one clause of the rule at a time; here the request changes instead.
  function matchRuleModel(): NetworkModel {
    const m = new NetworkModel({ cni: ClusterCni.CALICO });
    m.addPod({ namespace: 'default', name: 'sam', labels: { role: 'client' }, ip: '192.168.4.22', serviceAccount: 'sam' });
    m.addPod({ namespace: 'default', name: 'wendy', labels: { role: 'client' }, ip: '192.168.4.23', serviceAccount: 'wendy' });
    m.addPod({ namespace: 'default', name: 'sam-elsewhere', labels: { role: 'client' }, ip: '30.0.0.1', serviceAccount: 'sam' });
    m.addPod({ namespace: 'default', name: 'ian', labels: { role: 'server' }, ip: '10.54.44.23', serviceAccount: 'ian' });
    m.addPod({ namespace: 'default', name: 'not-ian', labels: { role: 'server' }, ip: '10.54.44.24', serviceAccount: 'wendy' });
    m.addManifest(gnp('match-rule', {
      selector: "role == 'server'",
      types: ['Ingress'],
      ingress: [{
        action: 'Allow',
        protocol: 'TCP',
        source: { serviceAccounts: { names: ['john', 'stevie', 'sam'] }, nets: ['192.168.4.0/24'] },
        destination: { serviceAccounts: { names: ['ian'] }, ports: ['76:80', '70:79'], nets: ['10.54.0.0/16'] },
        http: { methods: ['GET', 'POST'], paths: [prefix('/path'), exact('/pathlong')] },
      }],
    }));
    return m;
  }
  const probe = (m: NetworkModel, from: string, to: string, extra: Json = {}) =>
    m.evaluate({ from: `default/${from}`, to: `default/${to}`, port: 80, http: { method: 'GET', path: '/path' }, ...extra }).allowed;

  test('the whole rule matches the upstream request', () => {
    expect(probe(matchRuleModel(), 'sam', 'ian')).toBe(true);
  });
  test('SrcServiceAccountMatch: a source whose service account is not named is denied', () => {
    const m = matchRuleModel();
    expect(probe(m, 'wendy', 'ian')).toBe(false);
    expect(probe(m, 'sam', 'ian')).toBe(true);
  });
  test('DstServiceAccountMatch: a destination whose service account is not named is denied', () => {
    const m = matchRuleModel();
    expect(probe(m, 'sam', 'not-ian')).toBe(false);
    expect(probe(m, 'sam', 'ian')).toBe(true);
  });
  test('HTTPMatch methods: HEAD is not GET or POST', () => {
    const m = matchRuleModel();
    expect(probe(m, 'sam', 'ian', { http: { method: 'HEAD', path: '/path' } })).toBe(false);
    expect(probe(m, 'sam', 'ian', { http: { method: 'POST', path: '/path' } })).toBe(true);
  });
  test('HTTPPath: /nopath is neither under prefix /path nor /pathlong', () => {
    const m = matchRuleModel();
    expect(probe(m, 'sam', 'ian', { http: { method: 'GET', path: '/nopath' } })).toBe(false);
    expect(probe(m, 'sam', 'ian', { http: { method: 'GET', path: '/pathlong' } })).toBe(true);
  });
  test('Protocol: UDP is not the rule\'s TCP', () => {
    const m = matchRuleModel();
    expect(m.evaluate({ from: 'default/sam', to: 'default/ian', port: 80, protocol: 'UDP' }).allowed).toBe(false);
    expect(probe(m, 'sam', 'ian', { protocol: 'TCP' })).toBe(true);
  });
  test('DstPorts: 25 is outside 76-80 and 70-79', () => {
    const m = matchRuleModel();
    expect(probe(m, 'sam', 'ian', { port: 25 })).toBe(false);
    expect(probe(m, 'sam', 'ian', { port: 70 })).toBe(true);
  });
  test('SrcNet: a source outside 192.168.4.0/24 is denied, whatever its service account', () => {
    const m = matchRuleModel();
    expect(probe(m, 'sam-elsewhere', 'ian')).toBe(false);
    expect(probe(m, 'sam', 'ian')).toBe(true);
  });
});

/**
 * testns and different (labelled team=b), each with a client sam (ServiceAccount sam) and a server ian;
 * testns also has steven and nobody (ServiceAccount default). The ServiceAccounts exist, without labels
 * (in a cluster a pod's ServiceAccount must exist; the model asks for those whose labels a policy reads).
 */
function namespacesModel(): NetworkModel {
  const m = new NetworkModel({ cni: ClusterCni.CALICO });
  m.addNamespace('testns', { team: 'a' });
  m.addNamespace('different', { team: 'b' });
  for (const ns of ['testns', 'different']) {
    m.addServiceAccount(ns, 'sam', {});
    m.addServiceAccount(ns, 'ian', {});
    m.addPod({ namespace: ns, name: 'sam', labels: { app: 'client' }, serviceAccount: 'sam' });
    m.addPod({ namespace: ns, name: 'ian', labels: { app: 'server' }, serviceAccount: 'ian' });
  }
  m.addServiceAccount('testns', 'steven', {});
  m.addPod({ namespace: 'testns', name: 'steven', labels: { app: 'client' }, serviceAccount: 'steven' });
  m.addPod({ namespace: 'testns', name: 'nobody', labels: { app: 'client' } });
  return m;
}

const ingressFrom = (source: Json, extra: Json = {}) => ({ selector: "app == 'server'", types: ['Ingress'], ingress: [{ action: 'Allow', source, ...extra }] });
const can = (m: NetworkModel, from: string, to: string, port = 80) => m.evaluate({ from, to, port }).allowed;

describe('app-policy TestMatchRulePolicyNamespace: a namespaced policy\'s rule matches its own namespace', () => {
  test('With SA selector: serviceAccounts.names [sam] in a NetworkPolicy of testns matches sam of testns only', () => {
    const m = namespacesModel();
    m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { names: ['sam'] } })));
    expect(can(m, 'testns/sam', 'testns/ian')).toBe(true);
    expect(can(m, 'different/sam', 'testns/ian')).toBe(false);
    expect(can(m, 'testns/steven', 'testns/ian')).toBe(false);
  });

  test('With SA selector: the same rule in a NetworkPolicy of "different" matches sam of "different" only', () => {
    const m = namespacesModel();
    m.addManifest(np('sa', 'different', ingressFrom({ serviceAccounts: { names: ['sam'] } })));
    expect(can(m, 'different/sam', 'different/ian')).toBe(true);
    expect(can(m, 'testns/sam', 'different/ian')).toBe(false);
  });

  test('With pod selector: has(app) in a NetworkPolicy of testns matches pods of testns only', () => {
    const m = namespacesModel();
    m.addManifest(np('pods', 'testns', ingressFrom({ selector: 'has(app)' })));
    expect(can(m, 'testns/sam', 'testns/ian')).toBe(true);
    expect(can(m, 'different/sam', 'testns/ian')).toBe(false);
  });

  test('With no pod selector or SA selector: the rule matches every namespace (its ports still decide)', () => {
    const m = namespacesModel();
    m.addManifest(np('any', 'testns', ingressFrom({}, { protocol: 'TCP', destination: { ports: [80] } })));
    expect(can(m, 'different/sam', 'testns/ian')).toBe(true);
    expect(can(m, 'different/sam', 'testns/ian', 81)).toBe(false);
  });

  test('cf. rules.go getEndpointSelector: with a namespaceSelector, serviceAccounts match in the selected namespaces instead', () => {
    const m = namespacesModel();
    m.addManifest(np('sa', 'testns', ingressFrom({ namespaceSelector: "team == 'b'", serviceAccounts: { names: ['sam'] } })));
    expect(can(m, 'different/sam', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/sam', 'testns/ian')).toBe(false);
  });

  test('cf. rules.go getEndpointSelector: in a GlobalNetworkPolicy, serviceAccounts match in every namespace', () => {
    const m = namespacesModel();
    m.addManifest(gnp('sa', ingressFrom({ serviceAccounts: { names: ['sam'] } })));
    expect(can(m, 'testns/sam', 'testns/ian')).toBe(true);
    expect(can(m, 'different/sam', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/steven', 'testns/ian')).toBe(false);
  });
});

describe('app-policy TestMatchName: serviceAccounts.names', () => {
  function namesModel(): NetworkModel {
    const m = namespacesModel();
    m.addServiceAccount('testns', 'reginald', {});
    m.addPod({ namespace: 'testns', name: 'reginald', labels: { app: 'client' }, serviceAccount: 'reginald' });
    m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { names: ['susan', 'jim', 'reginald'] } })));
    return m;
  }

  test('match: [susan, jim, reginald] matches reginald', () => {
    const m = namesModel();
    expect(can(m, 'testns/reginald', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/sam', 'testns/ian')).toBe(false);
  });

  test('no match: [susan, jim, reginald] does not match steven', () => {
    const m = namesModel();
    expect(can(m, 'testns/steven', 'testns/ian')).toBe(false);
    expect(can(m, 'testns/reginald', 'testns/ian')).toBe(true);
  });

  test('empty: no names (and no selector) matches any service account, in any namespace (rules.go: no selector, so no namespace limit)', () => {
    const m = namespacesModel();
    m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { names: [] } }, { protocol: 'TCP', destination: { ports: [80] } })));
    expect(can(m, 'testns/steven', 'testns/ian')).toBe(true);
    expect(can(m, 'different/sam', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/steven', 'testns/ian', 81)).toBe(false);
  });

  test('a pod without a service account runs as "default"', () => {
    const m = namespacesModel();
    m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { names: ['default'] } })));
    expect(can(m, 'testns/nobody', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/sam', 'testns/ian')).toBe(false);
  });
});

/** testns: ServiceAccounts foo-sa {app: foo, env: prod}, bar-sa {app: bar}, canary {env: prod}, plain (no labels). */
function serviceAccountLabelsModel(): NetworkModel {
  const m = namespacesModel();
  m.addServiceAccount('testns', 'foo-sa', { app: 'foo', env: 'prod' });
  m.addServiceAccount('testns', 'bar-sa', { app: 'bar' });
  m.addServiceAccount('testns', 'canary', { env: 'prod' });
  m.addServiceAccount('testns', 'plain', {});
  m.addServiceAccount('different', 'foo-sa', { app: 'foo', env: 'prod' });
  m.addPod({ namespace: 'testns', name: 'foo', labels: { app: 'client' }, serviceAccount: 'foo-sa' });
  m.addPod({ namespace: 'testns', name: 'bar', labels: { app: 'client' }, serviceAccount: 'bar-sa' });
  m.addPod({ namespace: 'testns', name: 'canary', labels: { app: 'client' }, serviceAccount: 'canary' });
  // Its own labels say app=foo; its ServiceAccount's do not.
  m.addPod({ namespace: 'testns', name: 'foo-lookalike', labels: { app: 'foo' }, serviceAccount: 'plain' });
  m.addPod({ namespace: 'different', name: 'foo', labels: { app: 'client' }, serviceAccount: 'foo-sa' });
  return m;
}

describe('app-policy TestMatchLabels: serviceAccounts.selector matches the ServiceAccount\'s labels', () => {
  test('good selector: app == \'foo\' matches a pod whose ServiceAccount has {app: foo, env: prod}', () => {
    const m = serviceAccountLabelsModel();
    m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { selector: "app == 'foo'" } })));
    expect(can(m, 'testns/foo', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/bar', 'testns/ian')).toBe(false);
    // The pod's own labels are not the ServiceAccount's (rules.go: the selector's keys get the pcsa. prefix).
    expect(can(m, 'testns/foo-lookalike', 'testns/ian')).toBe(false);
    // Namespaced policy: the same ServiceAccount name and labels in another namespace do not match.
    expect(can(m, 'different/foo', 'testns/ian')).toBe(false);
  });

  test('empty: selector "" (no names) matches any ServiceAccount\'s labels (its ports still decide)', () => {
    const m = serviceAccountLabelsModel();
    m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { selector: '' } }, { protocol: 'TCP', destination: { ports: [80] } })));
    expect(can(m, 'testns/bar', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/foo-lookalike', 'testns/ian')).toBe(true);
    expect(can(m, 'testns/bar', 'testns/ian', 81)).toBe(false);
  });

  test('bad selector: "not.a.real.selector" is not a selector, so the policy is refused', () => {
    const m = serviceAccountLabelsModel();
    expect(() => {
      m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { selector: 'not.a.real.selector' } })));
      m.evaluate({ from: 'testns/foo', to: 'testns/ian', port: 80 });
    }).toThrow();
  });

  test('cf. rules.go parseServiceAccounts: names and selector are AND\'d', () => {
    const m = serviceAccountLabelsModel();
    m.addManifest(np('sa', 'testns', ingressFrom({ serviceAccounts: { names: ['foo-sa'], selector: "env == 'prod'" } })));
    expect(can(m, 'testns/foo', 'testns/ian')).toBe(true);
    // canary has env=prod but another name; bar-sa neither.
    expect(can(m, 'testns/canary', 'testns/ian')).toBe(false);
    expect(can(m, 'testns/bar', 'testns/ian')).toBe(false);
  });
});

describe('networkpolicyprocessor.go: the policy-level serviceAccountSelector', () => {
  /** testns servers: db-1 (ServiceAccount db-sa, role=db), web-1 and web-2 (web-sa, role=web; web-2's own labels say role=db). */
  function serverAccountsModel(): NetworkModel {
    const m = namespacesModel();
    m.addServiceAccount('testns', 'db-sa', { role: 'db' });
    m.addServiceAccount('testns', 'web-sa', { role: 'web' });
    m.addPod({ namespace: 'testns', name: 'db-1', labels: { app: 'server' }, serviceAccount: 'db-sa' });
    m.addPod({ namespace: 'testns', name: 'web-1', labels: { app: 'server' }, serviceAccount: 'web-sa' });
    m.addPod({ namespace: 'testns', name: 'web-2', labels: { app: 'server', role: 'db' }, serviceAccount: 'web-sa' });
    m.addManifest(np('db-only', 'testns', {
      selector: "app == 'server'",
      serviceAccountSelector: "role == 'db'",
      types: ['Ingress'],
      ingress: [{ action: 'Allow', source: { serviceAccounts: { names: ['sam'] } } }],
    }));
    return m;
  }

  test('the policy applies to the pods whose ServiceAccount\'s labels match, AND its selector', () => {
    const m = serverAccountsModel();
    expect(can(m, 'testns/sam', 'testns/db-1')).toBe(true);
    expect(can(m, 'testns/steven', 'testns/db-1')).toBe(false);
  });

  test('pods whose ServiceAccount does not match are not selected, even with the label on the pod itself', () => {
    const m = serverAccountsModel();
    expect(can(m, 'testns/steven', 'testns/web-1')).toBe(true);
    expect(can(m, 'testns/steven', 'testns/web-2')).toBe(true);
    expect(can(m, 'testns/steven', 'testns/db-1')).toBe(false);
  });

  test('NetworkModel.fromManifests reads the ServiceAccount objects\' labels', () => {
    const pod = (name: string, serviceAccountName: string, labels: Json) =>
      ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'testns', labels }, spec: { serviceAccountName, containers: [{ name: 'c', image: 'nginx' }] } });
    const m = NetworkModel.fromManifests([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'testns' } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'db-sa', namespace: 'testns', labels: { role: 'db' } } },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web-sa', namespace: 'testns', labels: { role: 'web' } } },
      pod('db-1', 'db-sa', { app: 'server' }),
      pod('web-1', 'web-sa', { app: 'server' }),
      pod('client', 'default', { app: 'client' }),
      np('db-only', 'testns', { selector: "app == 'server'", serviceAccountSelector: "role == 'db'", types: ['Ingress'], ingress: [] }),
    ], { cni: ClusterCni.CALICO });
    expect(can(m, 'testns/client', 'testns/db-1')).toBe(false);
    expect(can(m, 'testns/client', 'testns/web-1')).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Application layer policy by release: #11986 (3.30.0 to 3.31.x answer every checked request with
// 403; the fix's FV tests exercise the ext_authz Check flow) and #13174 / #13668 (Dikastes never
// matched named ports before 3.33.0; the issue's reproduction: a rule allowing destination port
// "http" on a server whose port 8080 is named http).
// ---------------------------------------------------------------------------------------------

describe('application layer policy by Calico release (#11986, #13174)', () => {
  test.each(['3.30', '3.30.7', '3.31', '3.31.5'])('Calico %s: an HTTP match is refused as not modelled, naming the release and #11986', (version) => {
    expect(() => alpModel(version as Version, { methods: ['GET'] }))
      .toThrow(new RegExp(`an HTTP match is not modelled for Calico ${version.replace('.', '\\.')}: from 3.30.0 to 3.31.x application layer policy ` +
        '\\(Dikastes\\) answers every request it checks with 403.*projectcalico/calico#11986, fixed in 3.32.0'));
    // Without an HTTP match the rule is a plain L4 rule, enforced by the dataplane.
    expect(send(alpModel(version as Version, undefined), 'GET', '/').allowed).toBe(true);
  });

  /** The reproduction of #13174: allow TCP to the named port "http" (8080), plus an HTTP match on another rule. */
  const issueModel = (version: Version | undefined) => {
    const m = new NetworkModel({ cni: ClusterCni.CALICO, ...(version !== undefined ? { calicoVersion: version } : {}) });
    m.addNamespace('app', {});
    m.addPod({ namespace: 'app', name: 'client', labels: { app: 'client' }, ip: '10.0.0.11' });
    m.addPod({ namespace: 'app', name: 'server', labels: { app: 'server' }, ip: '10.0.0.1', ports: [{ port: 8080, name: 'http', protocol: 'TCP' }] });
    m.addManifest(gnp('allow-http-named-port', {
      selector: "app == 'server'",
      types: ['Ingress'],
      ingress: [
        { action: 'Allow', protocol: 'TCP', destination: { ports: [9090] }, http: { methods: ['GET'] } },
        { action: 'Allow', protocol: 'TCP', destination: { ports: ['http'] } },
      ],
    }));
    return m;
  };

  test.each(['3.29', '3.32'])('Calico %s: a named port beside an HTTP match is refused (Dikastes never matched it; the backport\'s patch is unknown)', (version) => {
    expect(() => issueModel(version as Version)).toThrow(new RegExp('GlobalNetworkPolicy allow-http-named-port spec.ingress\\[1\\]: a named port beside an HTTP match ' +
      `is not modelled for Calico ${version.replace('.', '\\.')}: .*projectcalico/calico#13668 \\(3.33.0`));
  });

  test('Calico 3.33 (the default): the named port matches under application layer policy, as in the dataplane', () => {
    for (const m of [issueModel('3.33'), issueModel(undefined)]) {
      expect(m.evaluate({ from: 'app/client', to: 'app/server', port: 8080, http: { method: 'GET', path: '/' } }).allowed).toBe(true);
      expect(m.evaluate({ from: 'app/client', to: 'app/server', port: 8081 }).allowed).toBe(false);
      expect(m.evaluate({ from: 'app/client', to: 'app/server', port: 9090, http: { method: 'POST', path: '/' } }).allowed).toBe(false);
      expect(m.evaluate({ from: 'app/client', to: 'app/server', port: 9090, http: { method: 'GET', path: '/' } }).allowed).toBe(true);
    }
  });

  test('a release newer than the newest the model knows is refused', () => {
    expect(() => new NetworkModel({ calicoVersion: '3.34' }))
      .toThrow(/calicoVersion "3.34" is newer than the newest Calico release the model knows, 3.33: its semantics may differ.*give "3.33"/);
    expect(() => new NetworkModel({ calicoVersion: '3.33.2' })).not.toThrow();
  });

  test('a release older than 3.29, before tiers came to Calico open source (release-notes/v3.29.0), is refused', () => {
    expect(() => new NetworkModel({ calicoVersion: '3.28.2' }))
      .toThrow(/calicoVersion "3.28.2" is older than the oldest Calico release the model knows, 3.29: Calico open source has tiers/);
    expect(() => new NetworkModel({ calicoVersion: '3.0' })).toThrow(/older than the oldest Calico release the model knows/);
    expect(() => new NetworkModel({ calicoVersion: 'v3.29' })).not.toThrow();
  });
});

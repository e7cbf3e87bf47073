import { Chart, Testing } from 'cdk8s';
import {
  AllowPrometheusScrape, CalicoGlobalDeny, CalicoSelector, CiliumL7Rule, ExternalHttpsEgress, LabelExpression, LabelSelector, Linter,
  NetpolValidation, NetworkModel, Peer, PolicyEngine, Port, Report, ServiceGraph, ThreeTierApp, ZeroTrustNamespace,
} from '../src';

/**
 * What JavaScript (and Python, Java, ... through jsii) callers can pass where TypeScript forbids
 * it: each value is refused at the call, with an Error naming the call and the prop. Before, a
 * Map or inherited labels read as `{}` (every pod), prototype keys passed the unknown-key check,
 * "false" was true, and holes in lists were skipped by the checks and rendered.
 */
const chart = () => new Chart(Testing.app(), 'c');
/** A list whose first entry is a hole: `[, value]`. */
const withHole = (value: unknown): any[] => {
  const list: any[] = [];
  list[1] = value;
  return list;
};

class Labels {
  public readonly app = 'x';
}

/** Label maps a JavaScript caller can pass: none is a plain object of string data properties. */
const HOSTILE_LABELS: [string, () => unknown, RegExp][] = [
  ['a Map', () => new Map([['app', 'x']]), /is a Map, not a plain object/],
  ['inherited labels', () => Object.create({ app: 'x' }), /is an object that inherits from another object, not a plain object/],
  ['a class instance', () => new Labels(), /is a Labels, not a plain object/],
  ['a non-enumerable label', () => Object.defineProperty({}, 'app', { value: 'x' }), /has a non-enumerable property "app"/],
  ['a getter', () => ({ get app() { return 'x'; } }), /has a getter or setter for "app"/],
  ['a symbol key', () => ({ [Symbol('app')]: 'x' }), /has a symbol key "Symbol\(app\)"/],
];

/** Every public entry point that takes a label map, with the call and prop its errors name. */
const LABEL_ENTRY_POINTS: [string, RegExp, (labels: any) => unknown][] = [
  ['Peer.pods', /^Peer\.pods\(\): labels /, (l) => Peer.pods(l)],
  ['Peer.namespaces', /^Peer\.namespaces\(\): labels /, (l) => Peer.namespaces(l)],
  ['Peer.podsInNamespace', /^Peer\.podsInNamespace\(\): labels /, (l) => Peer.podsInNamespace('db', l)],
  ['Peer.kubeDns labels', /^Peer\.kubeDns\(\): labels /, (l) => Peer.kubeDns({ labels: l })],
  ['LabelSelector.of', /^LabelSelector\.of\(\): labels /, (l) => LabelSelector.of(l)],
  ['ZeroTrustNamespace namespaceLabels', /^ZeroTrustNamespace "c\/z": namespaceLabels /, (l) => new ZeroTrustNamespace(chart(), 'z', { namespace: 'p', namespaceLabels: l })],
  ['ExternalHttpsEgress selector', /^ExternalHttpsEgress "c\/e": selector /, (l) => new ExternalHttpsEgress(chart(), 'e', { namespace: 'p', selector: l })],
  ['CiliumL7Rule selector', /^CiliumL7Rule "c\/l": selector /,
    (l) => new CiliumL7Rule(chart(), 'l', { namespace: 'p', selector: l, from: [Peer.pods({ app: 'w' })], port: Port.tcp(80), http: [{ method: 'GET' }] })],
  ['AllowPrometheusScrape targets', /^AllowPrometheusScrape "c\/a": targets /, (l) => new AllowPrometheusScrape(chart(), 'a', { namespace: 'p', targets: l })],
  ['ThreeTierApp tier labels', /^ThreeTierApp "c\/t": frontend\.labels /, (l) => new ThreeTierApp(chart(), 't', { namespace: 'p', frontend: { labels: l } })],
  ['ServiceGraph.workload labels', /labels /, (l) => new ServiceGraph(chart(), 'g', { namespace: 'p' }).workload('web', { labels: l })],
  ['NetworkModel.addPod labels', /^NetworkModel\.addPod\(\): labels /, (l) => new NetworkModel().addPod({ namespace: 'a', name: 'b', labels: l })],
  ['NetworkModel.addNamespace labels', /^NetworkModel\.addNamespace\(\): labels /, (l) => new NetworkModel().addNamespace('a', l)],
];

describe('untyped callers: label maps', () => {
  const cases = LABEL_ENTRY_POINTS.flatMap(([entry, where, call]) =>
    HOSTILE_LABELS.map(([what, make, message]) => [entry, what, where, call, make, message] as const));
  test.each(cases)('%s refuses %s', (_entry, _what, where, call, make, message) => {
    let error: unknown;
    try {
      call(make());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(where);
    expect((error as Error).message).toMatch(message);
  });

  test('a Map given to Peer.pods never becomes "every pod"; plain labels still work, label keys named like Object methods too', () => {
    expect(() => Peer.pods(new Map([['app', 'x']]) as any)).toThrow(/^Peer\.pods\(\): labels is a Map, not a plain object; expected a label map such as \{ app: "api" \}$/);
    expect(Peer.pods({ app: 'x' }).toString()).toBe('pods {app=x}');
    // "constructor" is a valid label key: it is data here, not a prototype slip.
    expect(Peer.pods({ constructor: 'x' } as any).toString()).toBe('pods {constructor=x}');
    expect(Peer.pods(JSON.parse('{"app":"x"}')).toString()).toBe('pods {app=x}');
    expect(Peer.pods(Object.assign(Object.create(null), { app: 'x' })).toString()).toBe('pods {app=x}');
  });
});

/** Every public entry point that takes a props or options object, with a valid one and the call and prop its errors name. */
const OPTIONS_ENTRY_POINTS: [string, Record<string, unknown>, RegExp, (options: any) => unknown][] = [
  ['ZeroTrustNamespace', { namespace: 'p' }, /^ZeroTrustNamespace "c\/z": props /, (o) => new ZeroTrustNamespace(chart(), 'z', o)],
  ['ThreeTierApp', { namespace: 'p' }, /^ThreeTierApp "c\/t": props /, (o) => new ThreeTierApp(chart(), 't', o)],
  ['ThreeTierApp tier', { port: 8080 }, /^ThreeTierApp "c\/t": frontend /, (o) => new ThreeTierApp(chart(), 't', { namespace: 'p', frontend: o })],
  ['ServiceGraph', { namespace: 'p' }, /^ServiceGraph "c\/g": props /, (o) => new ServiceGraph(chart(), 'g', o)],
  ['ServiceGraph.workload', { ports: [Port.tcp(80)] }, /options /, (o) => new ServiceGraph(chart(), 'g', { namespace: 'p' }).workload('web', o)],
  ['AllowPrometheusScrape', { namespace: 'p' }, /^AllowPrometheusScrape "c\/a": props /, (o) => new AllowPrometheusScrape(chart(), 'a', o)],
  ['ExternalHttpsEgress', { namespace: 'p' }, /^ExternalHttpsEgress "c\/e": props /, (o) => new ExternalHttpsEgress(chart(), 'e', o)],
  ['CiliumL7Rule', { namespace: 'p', selector: { app: 'a' }, from: [Peer.pods({ app: 'w' })], port: Port.tcp(80), http: [{ method: 'GET' }] },
    /^CiliumL7Rule "c\/l": props /, (o) => new CiliumL7Rule(chart(), 'l', o)],
  ['CalicoGlobalDeny', { selector: 'all()' }, /^CalicoGlobalDeny "c\/g": props /, (o) => new CalicoGlobalDeny(chart(), 'g', o)],
  ['NetpolValidation', { cni: 'kubernetes' }, /^NetpolValidation: properties /, (o) => new NetpolValidation(o)],
  ['new Linter', { cni: 'kubernetes' }, /^new Linter\(\): options /, (o) => new Linter(o)],
  ['Report.fromManifests', { title: 'x' }, /^Report\.fromManifests\(\): options /, (o) => Report.fromManifests([], o)],
  ['new NetworkModel', { cni: 'kubernetes' }, /^new NetworkModel\(\): options /, (o) => new NetworkModel(o)],
  ['NetworkModel.fromManifests', { cni: 'kubernetes' }, /^NetworkModel\.fromManifests\(\): options /, (o) => NetworkModel.fromManifests([], o)],
  ['NetworkModel.addPod', { namespace: 'a', name: 'b' }, /^NetworkModel\.addPod\(\): pod /, (o) => new NetworkModel().addPod(o)],
  ['Peer.kubeDns', { namespace: 'dns' }, /^Peer\.kubeDns\(\): options /, (o) => Peer.kubeDns(o)],
  ['Peer.internet', { ipv6: false }, /^Peer\.internet\(\): options /, (o) => Peer.internet(o)],
  ['Peer.kubeApiServer', { cidrs: ['10.0.0.1/32'] }, /^Peer\.kubeApiServer\(\): options /, (o) => Peer.kubeApiServer(o)],
];

/** Options objects a JavaScript caller can pass, made from a valid one. */
const HOSTILE_OPTIONS: [string, (valid: Record<string, unknown>) => unknown, RegExp][] = [
  ['a Map', (v) => new Map(Object.entries(v)), /is a Map, not a plain object/],
  ['inherited options', (v) => Object.create(v), /is an object that inherits from another object, not a plain object/],
  ['a "constructor" key', (v) => ({ ...v, constructor: 'x' }), /has an unknown key "constructor"/],
  ['a "toString" key', (v) => ({ ...v, toString: 'x' }), /has an unknown key "toString"/],
  ['a "hasOwnProperty" key', (v) => ({ ...v, hasOwnProperty: 1 }), /has an unknown key "hasOwnProperty"/],
  ['a "__proto__" key (as JSON.parse and YAML make it)', (v) => ({ ...v, ...JSON.parse('{"__proto__":{"x":1}}') }), /has an unknown key "__proto__"/],
];

describe('untyped callers: props and options objects', () => {
  const cases = OPTIONS_ENTRY_POINTS.flatMap(([entry, valid, where, call]) =>
    HOSTILE_OPTIONS.map(([what, make, message]) => [entry, what, valid, where, call, make, message] as const));
  test.each(cases)('%s refuses %s', (_entry, _what, valid, where, call, make, message) => {
    expect(() => call(valid)).not.toThrow();
    let error: unknown;
    try {
      call(make(valid));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(where);
    expect((error as Error).message).toMatch(message);
  });
});

describe('untyped callers: misspelt options', () => {
  test.each([
    ['Peer.kubeDns', () => Peer.kubeDns({ namespce: 'dns' } as any), /^Peer\.kubeDns\(\): options has an unknown key "namespce"; the keys are namespace, labels$/],
    ['Peer.internet', () => Peer.internet({ ipv4: false } as any), /^Peer\.internet\(\): options has an unknown key "ipv4"; the keys are ipv6, excludeCidrs$/],
    ['Peer.kubeApiServer', () => Peer.kubeApiServer({ cidr: ['10.0.0.1/32'] } as any), /^Peer\.kubeApiServer\(\): options has an unknown key "cidr"; the keys are cidrs$/],
    ['NetpolValidation', () => new NetpolValidation({ failOnWarning: true } as any), /^NetpolValidation: properties has an unknown key "failOnWarning"; the keys are cni, failOnWarnings, calicoVersion$/],
  ])('%s: a misspelt key is refused, not ignored in favour of the default', (_entry, call, message) => {
    expect(call).toThrow(message);
  });
});

describe('untyped callers: scalars and lists', () => {
  test.each([['"false"', 'false'], ['"true"', 'true'], ['1', 1], ['0', 0], ['null', null]])('NetpolValidation failOnWarnings %s is refused, not read as a boolean', (_shown, value) => {
    expect(() => new NetpolValidation({ failOnWarnings: value as any })).toThrow(/^NetpolValidation: failOnWarnings .* is not a boolean; expected true or false, unquoted in cdk8s\.yaml$/);
  });

  test.each([
    ['Peer.ipBlock except', () => Peer.ipBlock('10.0.0.0/8', withHole('10.1.0.0/16')), /^Peer\.ipBlock\(\): except\[0\] undefined is not a valid CIDR/],
    ['Peer.internet excludeCidrs', () => Peer.internet({ excludeCidrs: withHole('203.0.113.0/24') }), /^Peer\.internet\(\): excludeCidrs\[0\] undefined is not a valid CIDR/],
    ['Peer.kubeApiServer cidrs', () => Peer.kubeApiServer({ cidrs: withHole('10.0.0.1/32') }), /^Peer\.kubeApiServer\(\): cidrs\[0\] undefined is not a valid CIDR/],
    ['LabelExpression.isIn values', () => LabelExpression.isIn('tier', withHole('web')), /^LabelExpression\.isIn\(\): values\[0\] value undefined is not a valid label value/],
    ['ExternalHttpsEgress ports', () => new ExternalHttpsEgress(chart(), 'e', { namespace: 'p', ports: withHole(Port.HTTPS) }), /ports\[0\] undefined is not a Port/],
    ['ExternalHttpsEgress fqdns', () => new ExternalHttpsEgress(chart(), 'e', { namespace: 'p', engine: PolicyEngine.CILIUM, fqdns: withHole('a.example.com') }),
      /fqdns\[0\] undefined is not a valid DNS name/],
    ['CiliumL7Rule from', () => new CiliumL7Rule(chart(), 'l', { namespace: 'p', selector: { app: 'a' }, from: withHole(Peer.pods({ app: 'w' })), port: Port.tcp(80), http: [{ method: 'GET' }] }),
      /from\[0\] undefined is not a Peer/],
    ['CalicoGlobalDeny nets', () => new CalicoGlobalDeny(chart(), 'g', { nets: withHole('169.254.169.254/32') }), /nets\[0\] undefined is not a valid CIDR/],
    ['CalicoSelector.isIn values', () => CalicoSelector.isIn('tier', withHole('web')), /^CalicoSelector\.isIn\(\): value undefined is not a string/],
    ['ServiceGraph.workload ports', () => new ServiceGraph(chart(), 'g', { namespace: 'p' }).workload('web', { ports: withHole(Port.tcp(80)) }),
      /^ServiceGraph "c\/g"\.workload\("web"\): ports\[0\] undefined is not a Port/],
    ['NetworkModel.addPod ports', () => new NetworkModel().addPod({ namespace: 'a', name: 'b', ports: withHole({ port: 80 }) }),
      /^NetworkModel\.addPod\(\): ports\[0\] of a\/b undefined needs a port number/],
    ['NetworkModel podCidrs', () => new NetworkModel({ podCidrs: withHole('10.244.0.0/16') }), /^new NetworkModel\(\): podCidrs\[0\] undefined is not a valid CIDR/],
  ])('%s: a hole in the list is refused, not skipped by the check and then rendered', (_entry, call, message) => {
    expect(call).toThrow(message);
  });

  test('an HttpRule inheriting its path is refused: the check would see the path, the rendered rule would drop it (every path)', () => {
    const rule = Object.assign(Object.create({ path: '/admin' }), { method: 'GET' });
    expect(() => new CiliumL7Rule(chart(), 'l', { namespace: 'p', selector: { app: 'a' }, from: [Peer.pods({ app: 'w' })], port: Port.tcp(80), http: [rule] }))
      .toThrow(/^CiliumL7Rule "c\/l": http\[0\] is an object that inherits from another object, not a plain object/);
    expect(() => new CiliumL7Rule(chart(), 'l', { namespace: 'p', selector: { app: 'a' }, from: [Peer.pods({ app: 'w' })], port: Port.tcp(80), http: [new Map([['method', 'GET']]) as any] }))
      .toThrow(/http\[0\] is a Map, not a plain object/);
  });

  test('a probe inheriting its fields is refused', () => {
    const m = new NetworkModel();
    m.addPod({ namespace: 'a', name: 'b' });
    expect(() => m.evaluate(Object.assign(Object.create({ from: 'a/b' }), { to: 'a/b', port: 80 }))).toThrow(/^NetworkModel\.evaluate\(\): probe is an object that inherits/);
  });
});

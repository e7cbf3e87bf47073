import { Linter, NetworkModel } from '../../src';
import { admit } from '../../src/analysis/admission/admission';

// Admission (src/analysis/admission/): the analysis never evaluates an object the API server would
// refuse. Each case is a sound object made unsound in one field, the way hand-written YAML goes
// wrong; the sound object is admitted (the control), the broken one refused, naming its field.

type Json = Record<string, any>;
const clone = <T>(v: T): T => structuredClone(v);
/** Sets `path` of a copy of `obj` to `value`. */
function withField(obj: Json, path: (string | number)[], value: unknown): Json {
  const copy = clone(obj);
  let at: any = copy;
  path.slice(0, -1).forEach((key) => { at = at[key]; });
  at[path[path.length - 1]] = value;
  return copy;
}

const K8S: Json = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'db', namespace: 'prod', labels: { team: 'data' } },
  spec: {
    podSelector: { matchLabels: { app: 'db' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [{
      from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] } }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
      ports: [{ protocol: 'TCP', port: 5432 }, { port: 6000, endPort: 6010 }],
    }],
    egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
  },
};
const CNP: Json = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'db', namespace: 'prod' },
  spec: {
    endpointSelector: { matchLabels: { app: 'db' } },
    ingress: [{ fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['api'] }] }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
  },
};
const CALICO: Json = {
  apiVersion: 'projectcalico.org/v3',
  kind: 'NetworkPolicy',
  metadata: { name: 'db', namespace: 'prod' },
  spec: { order: 100, selector: "app == 'db'", types: ['Ingress'], ingress: [{ action: 'Allow', protocol: 'TCP', source: { selector: "app == 'api'" }, destination: { ports: [5432] } }] },
};
const TIER: Json = { apiVersion: 'projectcalico.org/v3', kind: 'Tier', metadata: { name: 'security' }, spec: { order: 100 } };
const NAMESPACE: Json = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'production' } } };
const DEPLOYMENT: Json = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', namespace: 'prod' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'api' } },
    template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', ports: [{ containerPort: 8080, name: 'http' }] }] } },
  },
};
const CRONJOB: Json = {
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'report', namespace: 'prod' },
  spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { app: 'report' } }, spec: { restartPolicy: 'OnFailure', containers: [{ name: 'r' }] } } } } },
};

/** [what, object, path, bad value, what the message must say]. */
const CASES: [string, Json, (string | number)[], unknown, RegExp][] = [
  // The classic missing "-": a list written as a map, or as a scalar.
  ['from as a map', K8S, ['spec', 'ingress', 0, 'from'], { podSelector: {} }, /spec\.ingress\[0\]\.from must be a list \(a "-" is missing\?\), got a map/],
  ['to as a string', K8S, ['spec', 'egress', 0, 'to'], 'kube-dns', /spec\.egress\[0\]\.to must be a list.*got a string "kube-dns"/],
  ['ports as a map', K8S, ['spec', 'ingress', 0, 'ports'], { port: 5432 }, /spec\.ingress\[0\]\.ports must be a list/],
  ['ingress as a map', K8S, ['spec', 'ingress'], { from: [] }, /spec\.ingress must be a list/],
  ['egress as a string', K8S, ['spec', 'egress'], 'none', /spec\.egress must be a list/],
  ['policyTypes as a string', K8S, ['spec', 'policyTypes'], 'Ingress', /spec\.policyTypes must be a list/],
  ['values as a string', K8S, ['spec', 'ingress', 0, 'from', 0, 'podSelector', 'matchExpressions', 0, 'values'], 'db', /values must be a list.*got a string "db"/],
  ['matchExpressions as a map', K8S, ['spec', 'ingress', 0, 'from', 0, 'podSelector', 'matchExpressions'], { key: 'app', operator: 'Exists' }, /matchExpressions must be a list/],
  ['matchLabels as a list', K8S, ['spec', 'podSelector', 'matchLabels'], [{ app: 'db' }], /matchLabels must be a map, got a list/],
  ['except as a string', K8S, ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'except'], '10.1.0.0/16', /except must be a list/],
  // Wrong scalar types, as YAML 1.1 reads unquoted yes/no and numbers.
  ['a numeric namespace', K8S, ['metadata', 'namespace'], 123, /metadata\.namespace must be a string, got an integer 123/],
  ['a boolean label value (unquoted yes)', K8S, ['spec', 'podSelector', 'matchLabels', 'app'], true, /matchLabels\.app must be a string, got a boolean true \(unquoted yes, no.*quote it\)/],
  ['a boolean label on the policy', K8S, ['metadata', 'labels', 'team'], false, /metadata\.labels\.team must be a string/],
  ['a port as a boolean', K8S, ['spec', 'ingress', 0, 'ports', 0, 'port'], true, /ports\[0\]\.port must be an integer or a string/],
  ['endPort as a string', K8S, ['spec', 'ingress', 0, 'ports', 1, 'endPort'], '6010', /endPort must be an integer/],
  ['a fractional port', K8S, ['spec', 'ingress', 0, 'ports', 0, 'port'], 54.5, /port must be an integer or a string, got a number 54\.5/],
  ['an unknown field (a typo)', K8S, ['spec', 'podSelecter'], {}, /spec: unknown field "podSelecter"; the fields are podSelector, policyTypes, ingress, egress/],
  ['an unknown field in a peer', K8S, ['spec', 'ingress', 0, 'from', 0, 'namespaceSelecter'], {}, /unknown field "namespaceSelecter"/],
  ['a spec that is a list', K8S, ['spec'], [], /^spec must be a map/],
  // The API server's own rules, which the schema lacks.
  ['policyTypes with a lowercase entry', K8S, ['spec', 'policyTypes'], ['ingress'], /spec\.policyTypes \["ingress"\] may hold at most two entries/],
  ['an In without values', K8S, ['spec', 'ingress', 0, 'from', 0, 'podSelector', 'matchExpressions', 0, 'values'], [], /In needs at least one value/],
  ['an invalid namespace name', K8S, ['metadata', 'namespace'], 'Prod_1', /metadata\.namespace "Prod_1" is invalid/],
  ['an except outside its cidr', K8S, ['spec', 'ingress', 0, 'from', 1, 'ipBlock', 'except'], ['192.168.0.0/16'], /must be a strict subset of cidr/],
  // Cilium and Calico: metadata and the top level here; their compilers check the rules.
  ['a Cilium policy with a numeric namespace', CNP, ['metadata', 'namespace'], 7, /metadata\.namespace must be a string/],
  ['a Cilium selector with a boolean label value', CNP, ['spec', 'endpointSelector', 'matchLabels', 'app'], true, /matchLabels "app": value true is not a string/],
  ['a Cilium selector whose values is a string', CNP, ['spec', 'ingress', 0, 'fromEndpoints', 0, 'matchExpressions', 0, 'values'], 'api', /matchExpressions\[0\]: values "api" is not a list of strings/],
  ['a Cilium specs that is a map', CNP, ['specs'], { endpointSelector: {} }, /specs must be a list/],
  ['a Calico order as a string', CALICO, ['spec', 'order'], '100', /spec\.order must be a number, got a string "100"/],
  ['Calico types as a string', CALICO, ['spec', 'types'], 'Ingress', /spec\.types must be a list/],
  ['a Calico selector as a boolean', CALICO, ['spec', 'selector'], true, /spec\.selector must be a string, got a boolean/],
  ['Calico ingress as a map', CALICO, ['spec', 'ingress'], { action: 'Allow' }, /spec\.ingress must be a list/],
  ['a Tier order as a string', TIER, ['spec', 'order'], '100', /spec\.order must be a number/],
];

describe('an object the API server would refuse is refused, naming its field; the sound object is admitted', () => {
  test.each(CASES)('%s', (_what, sound, path, bad, message) => {
    expect(admit(sound).problems).toEqual([]);
    expect(() => NetworkModel.fromManifests([NAMESPACE, sound])).not.toThrow();
    const broken = withField(sound, path, bad);
    let error = '';
    try {
      NetworkModel.fromManifests([NAMESPACE, broken]);
    } catch (e) {
      error = (e as Error).message;
    }
    // Inside Cilium's rules the Cilium compiler finds the slip, in its own words; either way the
    // object is refused, never evaluated, and the message names the object and the field.
    expect([...admit(broken).problems, error].join('\n')).toMatch(message);
    expect(error).toContain(`${sound.kind} `);
    expect(error).toMatch(/\/db |Tier security/);
  });

  test('the model\'s message names the object, says the cluster refuses it, and lists every problem', () => {
    const broken = withField(withField(K8S, ['spec', 'ingress', 0, 'from'], { podSelector: {} }), ['spec', 'policyTypes'], 'Ingress');
    expect(() => new NetworkModel().addManifest(broken)).toThrow(
      /^NetworkModel\.addManifest\(\): NetworkPolicy prod\/db would be refused by the API server \(kubectl apply fails\), so it is not evaluated: .*policyTypes must be a list.*; .*from must be a list/);
  });

  test('the linter reports each problem as api-server-rejects, for every kind the tools read', () => {
    const objects = [
      withField(K8S, ['spec', 'ingress', 0, 'from'], { podSelector: {} }),
      withField(CALICO, ['spec', 'order'], '100'),
      withField(NAMESPACE, ['metadata', 'labels', 'env'], true),
      withField(DEPLOYMENT, ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'], '8080'),
    ];
    const found = new Linter().lint(objects).filter((f) => f.rule === 'api-server-rejects').map((f) => f.message);
    expect(found).toEqual([
      expect.stringMatching(/^NetworkPolicy prod\/db: spec\.ingress\[0\]\.from must be a list/),
      expect.stringMatching(/^NetworkPolicy prod\/db: spec\.order must be a number/),
      expect.stringMatching(/^Namespace prod: metadata\.labels\.env must be a string/),
      expect.stringMatching(/^Deployment prod\/api: spec\.template\.spec\.containers\[0\]\.ports\[0\]\.containerPort must be an integer/),
    ]);
  });
});

describe('Namespaces and workloads the API server would refuse are refused too', () => {
  test.each([
    ['a Namespace label that is a boolean', NAMESPACE, ['metadata', 'labels', 'env'], true, /metadata\.labels\.env must be a string/],
    ['a Namespace name that is a number', NAMESPACE, ['metadata', 'name'], 42, /metadata\.name must be a string/],
    ['a Namespace name with capitals', NAMESPACE, ['metadata', 'name'], 'Prod', /metadata\.name "Prod" is invalid/],
    ['template labels that are a list', DEPLOYMENT, ['spec', 'template', 'metadata', 'labels'], ['app=api'], /spec\.template\.metadata\.labels must be a map/],
    ['hostNetwork as a string', DEPLOYMENT, ['spec', 'template', 'spec', 'hostNetwork'], 'true', /hostNetwork must be a boolean/],
    ['containers as a map', DEPLOYMENT, ['spec', 'template', 'spec', 'containers'], { name: 'api' }, /containers must be a list/],
    ['a container port out of range', DEPLOYMENT, ['spec', 'template', 'spec', 'containers', 0, 'ports', 0, 'containerPort'], 70000, /containerPort 70000 is not a port number/],
    ['a selector whose matchLabels is a string', DEPLOYMENT, ['spec', 'selector', 'matchLabels'], 'app=api', /spec\.selector\.matchLabels must be a map/],
    ['replicas as a string', DEPLOYMENT, ['spec', 'replicas'], '2', /spec\.replicas must be an integer/],
    ['a CronJob template label that is a number', CRONJOB, ['spec', 'jobTemplate', 'spec', 'template', 'metadata', 'labels', 'app'], 1, /spec\.jobTemplate\.spec\.template\.metadata\.labels\.app must be a string/],
  ] as [string, Json, (string | number)[], unknown, RegExp][])('%s', (_what, sound, path, bad, message) => {
    expect(admit(sound).problems).toEqual([]);
    const broken = withField(sound, path, bad);
    expect(admit(broken).problems.join('\n')).toMatch(message);
    const others = sound === NAMESPACE ? [] : [NAMESPACE];
    expect(() => NetworkModel.fromManifests([...others, sound])).not.toThrow();
    expect(() => NetworkModel.fromManifests([...others, broken])).toThrow(/would be refused by the API server/);
  });
});

describe('bounded messages', () => {
  test('a huge bad value is shown capped, with its length', () => {
    const broken = withField(K8S, ['metadata', 'namespace'], 'x'.repeat(200_000));
    const [problem] = admit(broken).problems;
    expect(problem.length).toBeLessThan(400);
    expect(problem).toMatch(/\(200000 characters\)/);
  });

  test('an object with hundreds of problems reports ten and counts the rest', () => {
    const broken = withField(K8S, ['spec', 'ingress'], Array.from({ length: 300 }, () => ({ from: { podSelector: {} } })));
    const problems = admit(broken).problems;
    expect(problems).toHaveLength(11);
    expect(problems[10]).toBe('and 290 more problem(s)');
  });

  test('null means absent, as the API server decodes it: admitted', () => {
    const nulls = withField(withField(K8S, ['spec', 'egress', 0, 'ports'], null), ['metadata', 'labels'], null);
    expect(admit(nulls).problems).toEqual([]);
  });
});

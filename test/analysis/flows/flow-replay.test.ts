import * as path from 'path';
import { ClusterCni, FlowLog, FlowReplay, NetworkModel } from '../../../src';
import { fileObjects } from '../../support/examples';
import { describeUpstream, readUpstream } from '../../support/upstream';

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'flows');
const fixture = (name: string) => path.join(FIXTURES, name);

const namespace = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

const deployment = (ns: string, name: string, labels: Record<string, string>, port: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns },
  spec: {
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name, image: `${name}:1`, ports: [{ containerPort: port }] }] } },
  },
});

const policy = (ns: string, name: string, spec: Record<string, any>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });

/** A shop: web calls api, api calls db; default deny both ways, DNS allowed. */
function shop(options: { apiToDb?: boolean } = {}): any[] {
  return [
    namespace('shop', { team: 'shop' }),
    deployment('shop', 'web', { app: 'web' }, 8080),
    deployment('shop', 'api', { app: 'api' }, 9000),
    deployment('shop', 'db', { app: 'db' }, 5432),
    policy('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    policy('shop', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }],
    }),
    policy('shop', 'api-from-web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 9000 }] }] }),
    policy('shop', 'web-to-api', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 9000 }] }],
    }),
    ...(options.apiToDb === false ? [] : [
      policy('shop', 'db-from-api', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }] }),
      policy('shop', 'api-to-db', {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }], ports: [{ port: 5432 }] }],
      }),
    ]),
  ];
}

interface End { ns?: string; pod?: string; app?: string; ip?: string; names?: string[]; reserved?: string; workload?: string }

/** A Hubble jsonpb line from `from` to `to`. */
interface LineOptions { protocol?: string; time?: string; http?: { method: string; url: string } }

function hubble(from: End, to: End, port: number, options: LineOptions = {}): string {
  const endpoint = (e: End) => e.ns !== undefined ? {
    namespace: e.ns,
    pod_name: e.pod,
    labels: [`k8s:app=${e.app}`, `k8s:io.cilium.k8s.namespace.labels.team=${e.ns}`, `k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${e.ns}`,
      'k8s:io.cilium.k8s.policy.serviceaccount=default', `k8s:io.kubernetes.pod.namespace=${e.ns}`],
    ...(e.workload !== undefined ? { workloads: [{ name: e.workload, kind: 'Deployment' }] } : {}),
  } : { labels: [`reserved:${e.reserved ?? 'world'}`] };
  return JSON.stringify({
    flow: {
      time: options.time ?? '2026-11-30T10:00:00Z',
      verdict: 'FORWARDED',
      is_reply: false,
      IP: { source: from.ip ?? '10.0.0.250', destination: to.ip ?? '10.0.0.251' },
      l4: { [options.protocol ?? 'TCP']: { source_port: 40000, destination_port: port } },
      source: endpoint(from),
      destination: endpoint(to),
      ...(to.names ? { destination_names: to.names } : {}),
      ...(options.http ? { Type: 'L7', l7: { type: 'REQUEST', http: options.http } } : { Type: 'L3_L4' }),
    },
  });
}

const webA: End = { ns: 'shop', pod: 'web-7d9c-a', app: 'web', workload: 'web', ip: '10.0.0.1' };
const webB: End = { ns: 'shop', pod: 'web-7d9c-b', app: 'web', workload: 'web', ip: '10.0.0.2' };
const api: End = { ns: 'shop', pod: 'api-5f6d-a', app: 'api', workload: 'api', ip: '10.0.0.3' };
const db: End = { ns: 'shop', pod: 'db-0', app: 'db', workload: 'db', ip: '10.0.0.4' };
const dns: End = { ns: 'kube-system', pod: 'coredns-1', app: 'kube-dns', workload: 'coredns', ip: '10.0.0.10' };

const observed = () => FlowLog.parse([
  hubble(webA, api, 9000, { time: '2026-11-30T10:00:00Z' }),
  hubble(webB, api, 9000, { time: '2026-11-30T10:00:01Z' }),
  hubble(api, db, 5432),
  hubble(webA, db, 5432, { time: '2026-11-30T10:05:00Z' }),
  hubble(webB, db, 5432, { time: '2026-11-30T11:05:00Z' }),
  hubble(webB, db, 5432, { time: '2026-11-30T09:05:00Z' }),
  hubble(webA, dns, 53, { protocol: 'UDP' }),
  hubble(api, { ip: '203.0.113.10' }, 443),
].join('\n'), 'shop.jsonl');

describe('FlowReplay', () => {
  test('the flows the policies would deny, grouped by workload pair and port, most records first', () => {
    const result = FlowReplay.fromManifests(shop()).replay([observed()]);
    expect(result).toMatchObject({ flows: 7, allowed: 4, deniedFlows: 3, unevaluated: [] });
    expect(result.denied).toEqual([
      {
        from: 'shop/web',
        to: 'shop/db',
        port: 'TCP/5432',
        flows: 2,
        count: 3,
        firstSeen: '2026-11-30T09:05:00.000Z',
        lastSeen: '2026-11-30T11:05:00.000Z',
        isolatedBy: ['NetworkPolicy shop/default-deny', 'NetworkPolicy shop/web-to-api', 'NetworkPolicy shop/allow-dns', 'NetworkPolicy shop/db-from-api']
          .sort(),
        reasons: [
          expect.stringMatching(/^egress of shop\/web-7d9c-a: denied, isolated by/),
          expect.stringMatching(/^ingress of shop\/db-0: denied, isolated by/),
        ],
        sources: ['shop.jsonl:4', 'shop.jsonl:5'],
      },
      expect.objectContaining({ from: 'shop/api', to: '203.0.113.10', port: 'TCP/443', flows: 1, count: 1, sources: ['shop.jsonl:8'] }),
    ]);
  });

  test('removing one allowance reports exactly the flows of that dependency as well', () => {
    const before = FlowReplay.fromManifests(shop()).replay([observed()]);
    const after = FlowReplay.fromManifests(shop({ apiToDb: false })).replay([observed()]);
    const pairs = (r: typeof before) => r.denied.map((g) => `${g.from} -> ${g.to} ${g.port}`);
    expect(pairs(after).filter((p) => !pairs(before).includes(p))).toEqual(['shop/api -> shop/db TCP/5432']);
    expect(after.deniedFlows - before.deniedFlows).toBe(1);
  });

  test('without policies nothing is denied; the input\'s records not replayed are in the notes', () => {
    const log = FlowLog.parse(`${hubble(webA, api, 9000)}\n${JSON.stringify({ lost_events: { num_events_lost: '2' } })}`, 'x.jsonl');
    const result = FlowReplay.fromManifests([]).replay([log]);
    expect(result).toEqual({ flows: 1, allowed: 1, deniedFlows: 0, denied: [], unevaluated: [], notes: [expect.stringMatching(/^x\.jsonl: 1 record\(s\) not replayed: records that are no flow/)] });
  });

  test('flows without labels (CSV) take the manifests\' pods and workloads; ends they lack cannot be evaluated', () => {
    const csv = FlowLog.parse('shop/web,shop/api,9000,TCP,4\nshop/web,shop/db,5432,TCP\nshop/api,kube-system/coredns,53,UDP\n', 'deps.csv');
    const result = FlowReplay.fromManifests(shop()).replay([csv]);
    expect(result.allowed).toBe(1);
    expect(result.denied.map((g) => `${g.from} -> ${g.to} ${g.port} x${g.count}`)).toEqual(['shop/web -> shop/db TCP/5432 x1']);
    expect(result.unevaluated).toEqual([{
      from: 'shop/api',
      to: 'kube-system/coredns',
      port: 'UDP/53',
      problem: expect.stringMatching(/^its server kube-system\/coredns is not a pod or workload of the manifests, and the flow gives no labels/),
      source: 'deps.csv:3',
    }]);
    const withDns = FlowReplay.fromManifests([...shop(), deployment('kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 53)]).replay([csv]);
    expect(withDns.unevaluated).toEqual([]);
    expect(withDns.allowed).toBe(2);
  });

  test('a pod without labels is the manifests\' pod of the one workload whose controller names its pods so', () => {
    const csv = FlowLog.parse('shop/web-7d9c5f8b6-x2k4p,shop/db-5c8b7f9d4d-abcde,5432,TCP\nshop/web-7d9c5f8b6-x2k4p,shop/api-5f6d7c8b9-zzzzz,9000,TCP\n', 'pods.csv');
    const result = FlowReplay.fromManifests(shop()).replay([csv]);
    expect(result.unevaluated.map((u) => u.problem)).toEqual([]);
    expect(result.denied.map((g) => `${g.from} -> ${g.to}`)).toEqual(['shop/web-7d9c5f8b6-x2k4p -> shop/db-5c8b7f9d4d-abcde']);
    expect(result.notes).toContainEqual('pod shop/web-7d9c5f8b6-x2k4p: the flow gives no labels; taken as a pod of shop/web (its controller names its pods so)');
    // A name no controller gives (or two workloads could give) is not guessed.
    const odd = FlowReplay.fromManifests(shop()).replay([FlowLog.parse('shop/web-canary,shop/db-0,5432,TCP\n')]);
    expect(odd.unevaluated).toEqual([expect.objectContaining({ problem: expect.stringMatching(/its client shop\/web-canary is not a pod or workload of the manifests/) })]);
  });

  test('a namespace neither the manifests nor the flows label is said in the notes', () => {
    const log = FlowLog.parse('{"start_time":1,"source_namespace":"edge","source_name":"proxy-1","source_type":"wep","source_labels":{"labels":["app=proxy"]},' +
      '"dest_namespace":"shop","dest_name":"web-1","dest_type":"wep","dest_labels":{"labels":["app=web"]},"dest_port":8080,"proto":"tcp","action":"allow"}');
    const result = FlowReplay.fromManifests(shop()).replay([log]);
    expect(result.notes).toContainEqual(expect.stringMatching(/^namespace edge: neither the manifests nor the flows give its labels/));
    expect(result.denied).toHaveLength(1);
  });

  test('a node, a host endpoint or an aggregated address cannot be evaluated: reported, never counted as allowed', () => {
    const hubbleLog = FlowLog.parse(hubble({ reserved: 'remote-node', ip: '172.18.0.4' }, api, 9000), 'hubble.jsonl');
    const hubbleResult = FlowReplay.fromManifests(shop()).replay([hubbleLog]);
    expect(hubbleResult.unevaluated.map((u) => u.problem)).toEqual([expect.stringMatching(/^its client remote-node 172\.18\.0\.4 is a node/)]);
    const calico = FlowLog.parse([
      '{"source_namespace":"-","source_type":"hep","source_name_aggr":"node-2","source_ip":"172.18.0.5","dest_namespace":"shop","dest_name":"api-1",' +
        '"dest_type":"wep","dest_labels":{"labels":["app=api"]},"dest_port":9000,"proto":"tcp","action":"allow"}',
      '{"source_namespace":"shop","source_name":"api-1","source_type":"wep","source_labels":{"labels":["app=api"]},"dest_namespace":"-",' +
        '"dest_type":"net","dest_name_aggr":"pub","dest_port":443,"proto":"tcp","action":"allow"}',
    ].join('\n'), 'calico.log');
    const result = FlowReplay.fromManifests(shop()).replay([calico]);
    expect(result.allowed + result.deniedFlows).toBe(0);
    expect(result.unevaluated.map((u) => `${u.from} -> ${u.to}: ${u.problem}`)).toEqual([
      expect.stringMatching(/^host-endpoint 172\.18\.0\.5 -> shop\/api-1: its client .* is a Calico host endpoint/),
      expect.stringMatching(/^shop\/api-1 -> network pub: its server network pub has no address: the flow log aggregated it away/),
    ]);
  });

  test('labels the model refuses make the flow unevaluated, naming the problem', () => {
    const bad = JSON.parse(hubble(webA, api, 9000));
    bad.flow.source.labels = ['k8s:app=web', 'k8s:bad key=x'];
    const result = FlowReplay.fromManifests(shop()).replay([FlowLog.parse(JSON.stringify(bad))]);
    expect(result.unevaluated).toEqual([expect.objectContaining({ problem: expect.stringMatching(/^its client shop\/web cannot be added to the model: .*bad key/) })]);
  });

  test('the model given is not changed: the flows\' pods go to a copy', () => {
    const model = NetworkModel.fromManifests(shop());
    const pods = model.podIds;
    FlowReplay.fromModel(model).replay([observed()]);
    expect(model.podIds).toEqual(pods);
  });

  test('arguments are checked', () => {
    expect(() => FlowReplay.fromModel({} as any)).toThrow(/FlowReplay\.fromModel\(\): model \{\} is not a NetworkModel/);
    expect(() => FlowReplay.fromManifests([], { cni: 'flannel' as any })).toThrow(/FlowReplay\.fromManifests\(\): .*cni "flannel"/);
    expect(() => FlowReplay.fromManifests([]).replay(['flows.jsonl'] as any)).toThrow(/FlowReplay\.replay\(\): logs .* is not a list of FlowLog/);
  });
});

describe('FlowReplay on Cilium: HTTP rules and DNS names', () => {
  const objects = [
    ...shop().filter((o) => o.kind !== 'NetworkPolicy'),
    {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'api', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '9000', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1/.*' }] } }] }],
        egress: [
          {
            toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
            toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
          },
          { toFQDNs: [{ matchName: 'api.github.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        ],
      },
    },
  ];

  test('an HTTP request outside the rules is denied at L7; one inside is allowed', () => {
    const log = FlowLog.parse([
      hubble(webA, api, 9000, { http: { method: 'GET', url: 'http://api.shop:9000/v1/orders' } }),
      hubble(webA, api, 9000, { http: { method: 'DELETE', url: 'http://api.shop:9000/v1/orders/1' } }),
    ].join('\n'));
    const result = FlowReplay.fromManifests(objects, { cni: ClusterCni.CILIUM }).replay([log]);
    expect(result.allowed).toBe(1);
    expect(result.denied).toEqual([expect.objectContaining({ from: 'shop/web', to: 'shop/api', reasons: expect.arrayContaining([expect.stringMatching(/denied at L7/)]) })]);
  });

  test('an address the client found by a DNS name is allowed by toFQDNs for that name; without the name it is denied', () => {
    const github = { ip: '140.82.112.6', names: ['api.github.com'] };
    const log = FlowLog.parse([hubble(api, github, 443), hubble(api, { ip: '140.82.112.7' }, 443)].join('\n'));
    const result = FlowReplay.fromManifests(objects, { cni: ClusterCni.CILIUM }).replay([log]);
    expect(result.allowed).toBe(1);
    expect(result.denied.map((g) => g.to)).toEqual(['140.82.112.7']);
  });
});

describeUpstream('FlowReplay against the upstream demos\' own policies (../shared/upstream)', () => {
  // Cilium's Star Wars demo (cilium/cilium examples/minikube, see ../shared/upstream/README.md):
  // the L3/L4 policy admits org=empire to the deathstar on TCP/80; the L7 one only POST /v1/request-landing.
  test('Star Wars, L3/L4 policy: of the observed flows only the xwing\'s landing would be denied', () => {
    // The file's top-level description is no field of the CRD: kubectl apply refuses it, and
    // without strict validation the API server prunes it; the pruned object is replayed.
    const objects = readUpstream('cilium-star-wars/http-sw-app.yaml', 'cilium-star-wars/sw_l3_l4_policy.yaml').map(({ description, ...rest }: any) => rest);
    const replay = FlowReplay.fromManifests(objects, { cni: ClusterCni.CILIUM });
    const result = replay.replay([FlowLog.fromFile(fixture('hubble-star-wars.jsonl'))]);
    expect(result.denied.map((g) => `${g.from} -> ${g.to} ${g.port} x${g.count}`)).toEqual(['default/xwing -> default/deathstar TCP/80 x2']);
    expect(result.denied[0].isolatedBy).toEqual(['CiliumNetworkPolicy default/rule1']);
    expect(result.allowed).toBe(5);
  });

  test('Star Wars, L7 policy: the PUT /v1/exhaust-port the tiefighter made would be refused too', () => {
    const replay = FlowReplay.fromManifests(readUpstream('cilium-star-wars/http-sw-app.yaml', 'cilium-star-wars/sw_l3_l4_l7_policy.yaml'), { cni: ClusterCni.CILIUM });
    const result = replay.replay([FlowLog.fromFile(fixture('hubble-star-wars.jsonl'))]);
    expect(result.denied.map((g) => `${g.from} -> ${g.to} ${g.port}`)).toEqual(['default/xwing -> default/deathstar TCP/80', 'default/tiefighter -> default/deathstar TCP/80']);
    expect(result.denied[1].reasons.join(' ')).toMatch(/HTTP PUT \/v1\/exhaust-port .* matches no HTTP rule/);
  });

  // Calico's stars demo (../shared/upstream/calico-stars/kubernetes-demo.md): after step 5 "The
  // client can now access the frontend, but not the backend. Neither the frontend nor the
  // backend can initiate connections to the client. The frontend can still access the backend."
  test('Star Wars, the drop in Cilium\'s exporter docs (no labels): replayed against the demo\'s manifests, rule1 denies it', () => {
    const line = '{"flow":{"time":"2023-08-21T12:12:18.510175415Z","verdict":"DROPPED","IP":{"source":"10.244.1.60","destination":"10.244.1.5",' +
      '"ipVersion":"IPv4"},"l4":{"TCP":{"source_port":44916,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"default",' +
      '"pod_name":"xwing"},"destination":{"namespace":"default","pod_name":"deathstar-7848d6c4d5-th9v2"},"node_name":"kind-kind/kind-worker",' +
      '"drop_reason_desc":"POLICY_DENIED"},"node_name":"kind-kind/kind-worker","time":"2023-08-21T12:12:18.510175415Z"}';
    const objects = readUpstream('cilium-star-wars/http-sw-app.yaml', 'cilium-star-wars/sw_l3_l4_policy.yaml').map(({ description, ...rest }: any) => rest);
    const result = FlowReplay.fromManifests(objects, { cni: ClusterCni.CILIUM }).replay([FlowLog.parse(line, 'export.jsonl', { includeDropped: true })]);
    expect(result.denied.map((g) => `${g.from} -> ${g.to} ${g.port}: ${g.isolatedBy.join(', ')}`))
      .toEqual(['default/xwing -> default/deathstar-7848d6c4d5-th9v2 TCP/80: CiliumNetworkPolicy default/rule1']);
    expect(result.notes).toContainEqual(expect.stringMatching(/^pod default\/deathstar-7848d6c4d5-th9v2: the flow gives no labels; taken as a pod of default\/deathstar/));
  });

  test.each([ClusterCni.CILIUM, ClusterCni.KUBERNETES, ClusterCni.CALICO])('Star Wars, examples/star-wars\' L3/L4 stage on %s: the same verdicts', (engine) => {
    const objects = [...readUpstream('cilium-star-wars/http-sw-app.yaml'), ...fileObjects('star-wars', `star-wars-l3-l4-${engine}.k8s.yaml`)];
    const result = FlowReplay.fromManifests(objects, { cni: engine }).replay([FlowLog.fromFile(fixture('hubble-star-wars.jsonl'))]);
    // As upstream's policy: only the xwing's landing; the ships' egress is not restricted (restrictEgress: false).
    expect(result.denied.map((g) => `${g.from} -> ${g.to} ${g.port}`)).toEqual(['default/xwing -> default/deathstar TCP/80']);
    expect(result.allowed).toBe(5);
  });

  const step5Denied = [
    'client/client -> stars/backend TCP/6379',
    'stars/backend -> client/client TCP/9000',
    'stars/backend -> stars/frontend TCP/80',
    'stars/frontend -> client/client TCP/9000',
  ];

  test.each(['calico-enterprise-stars.flows.jsonl', 'calico-whisker-stars.sse', 'goldmane-emitter-stars.jsonl', 'stars.csv'])(
    'stars, all policies (%s): exactly the connections the demo says are cut', (file) => {
      const replay = FlowReplay.fromManifests(starsDemo('calico-stars/manifests', 'calico-stars/policies'), { cni: ClusterCni.CALICO });
      const result = replay.replay([FlowLog.fromFile(fixture(file))]);
      expect(result.denied.map((g) => `${g.from} -> ${g.to} ${g.port}`).sort()).toEqual(step5Denied);
      // Allowed: the UI to every service, client -> frontend, frontend -> backend (and DNS, where the file has it).
      expect(result.allowed).toBeGreaterThanOrEqual(5);
      // Whisker gives no addresses outside the cluster: its one flow to the internet cannot be evaluated.
      expect(result.unevaluated.map((u) => u.to)).toEqual(file === 'calico-whisker-stars.sse' ? ['network PUBLIC NETWORK']
        : file === 'stars.csv' ? ['kube-system/coredns'] : []);
    });

  test('stars, step 3 (isolation and the UI\'s access only): "they should not be able to access each other any more"', () => {
    const objects = starsDemo('calico-stars/manifests', 'calico-stars/policies/default-deny.yaml', 'calico-stars/policies/allow-ui.yaml',
      'calico-stars/policies/allow-ui-client.yaml');
    const result = FlowReplay.fromManifests(objects, { cni: ClusterCni.CALICO }).replay([FlowLog.fromFile(fixture('calico-enterprise-stars.flows.jsonl'))]);
    const denied = result.denied.map((g) => `${g.from} -> ${g.to}`);
    expect(denied).not.toContainEqual(expect.stringMatching(/^management-ui/));
    expect(denied.sort()).toEqual([
      'client/client -> stars/backend', 'client/client -> stars/frontend',
      'stars/backend -> client/client', 'stars/backend -> stars/frontend', 'stars/frontend -> client/client', 'stars/frontend -> stars/backend',
    ]);
  });
});

/**
 * The stars demo's objects. The demo creates default-deny.yaml (which names no namespace) with
 * `kubectl create -n stars` and `-n client`: the same object in both namespaces.
 */
function starsDemo(...files: string[]): any[] {
  return readUpstream(...files).flatMap((o: any) => o.kind === 'NetworkPolicy' && o.metadata.namespace === undefined
    ? ['stars', 'client'].map((ns) => ({ ...o, metadata: { ...o.metadata, namespace: ns } })) : [o]);
}

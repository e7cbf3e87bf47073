import { ClusterCni, FlowFormat, FlowLog, FlowReplay } from '../../../src';

// Replay verdicts must be the cluster's, in both directions: where the flows do not say enough
// (labels, the kind of an end, the direction of a record), the flow is not evaluated rather than
// evaluated on a guess. Each case below once gave a wrong verdict or refused a whole file.

interface End { ns?: string; pod?: string; labels?: string[]; reserved?: string; ip?: string; workload?: string }

function hubble(from: End, to: End, port: number, extra: Record<string, unknown> = {}, l4: Record<string, unknown> = {}): string {
  const endpoint = (e: End) => (e.ns !== undefined
    ? { namespace: e.ns, pod_name: e.pod, labels: e.labels ?? [], ...(e.workload ? { workloads: [{ name: e.workload, kind: 'Deployment' }] } : {}) }
    : { labels: [`reserved:${e.reserved ?? 'world'}`] });
  return JSON.stringify({
    flow: {
      verdict: 'FORWARDED',
      is_reply: false,
      IP: { source: from.ip ?? '10.0.0.1', destination: to.ip ?? '10.0.0.2' },
      l4: { TCP: { source_port: 40000, destination_port: port }, ...l4 },
      source: endpoint(from),
      destination: endpoint(to),
      node_name: 'prod/node-1',
      ...extra,
    },
  });
}

const web: End = { ns: 'shop', pod: 'web-1', labels: ['k8s:app=web', 'k8s:io.cilium.k8s.policy.cluster=prod'], ip: '10.0.0.1' };
const db: End = { ns: 'shop', pod: 'db-0', labels: ['k8s:app=db', 'k8s:io.cilium.k8s.policy.cluster=prod'], ip: '10.0.0.2' };

describe('namespace labels nobody gave', () => {
  const calicoRecord = (fromNs: string, toNs: string) => JSON.stringify({
    source_namespace: fromNs,
    source_name: 'client-*',
    source_labels: 'app=client',
    dest_namespace: toNs,
    dest_name: 'server-*',
    dest_labels: 'app=server',
    protocol: 'tcp',
    dest_port: 443,
    action: 'Allow',
    reporter: 'Dst',
  });
  const guard = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'GlobalNetworkPolicy',
    metadata: { name: 'no-dev-to-prod' },
    spec: { order: 10, namespaceSelector: "env == 'prod'", types: ['Ingress'], ingress: [{ action: 'Deny', source: { namespaceSelector: "env == 'dev'" } }, { action: 'Allow' }] },
  };
  const ns = (name: string, env: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { env } } });

  test('a policy chooses its pods by them: not evaluated (it was allowed), and decided once the Namespaces are given', () => {
    const log = FlowLog.parse(calicoRecord('dev-a', 'prod-b'), 'whisker.jsonl');
    const unknown = FlowReplay.fromManifests([guard], { cni: ClusterCni.CALICO }).replay([log]);
    expect(unknown.allowed).toBe(0);
    expect(unknown.unevaluated.map((u) => u.problem)).toEqual([expect.stringMatching(
      /^its client dev-a\/client cannot be decided: the labels of namespace dev-a are unknown .*, and policies choose the pods they apply to by env: add the Namespace manifest of dev-a$/)]);
    const known = FlowReplay.fromManifests([guard, ns('dev-a', 'dev'), ns('prod-b', 'prod')], { cni: ClusterCni.CALICO }).replay([log]);
    expect(known.denied.map((g) => `${g.from} -> ${g.to}: ${g.isolatedBy.join(', ')}`)).toEqual(['dev-a/client -> prod-b/server: GlobalNetworkPolicy no-dev-to-prod']);
  });

  test('a peer selector on them decides the flow: not evaluated; a flow no such policy decides is', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'server', namespace: 'prod-b' },
      spec: { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] },
    };
    const log = FlowLog.parse([calicoRecord('dev-a', 'prod-b'), calicoRecord('dev-a', 'other')].join('\n'), 'flows.jsonl');
    const result = FlowReplay.fromManifests([policy], { cni: ClusterCni.CALICO }).replay([log]);
    expect(result.unevaluated.map((u) => `${u.to}: ${u.problem}`)).toEqual([
      expect.stringMatching(/^prod-b\/server: cannot be decided: the labels of namespace dev-a are unknown .*the policies that deny it allow namespaces by env/),
    ]);
    expect(result.allowed).toBe(1);
  });
});

describe('ends the flows do not name precisely', () => {
  test('a Whisker end without a type and without "*" may be a NetworkSet: not evaluated', () => {
    const record = JSON.stringify({
      source_namespace: 'shop',
      source_name: 'web-*',
      source_labels: 'app=web',
      dest_namespace: 'shop',
      dest_name: 'partners',
      dest_labels: '',
      protocol: 'tcp',
      dest_port: 443,
      action: 'Allow',
      reporter: 'Src',
    });
    const result = FlowReplay.fromManifests([]).replay([FlowLog.parse(record)]);
    expect(result.unevaluated.map((u) => u.problem)).toEqual([expect.stringMatching(/may be a pod or a NetworkSet \(Calico Whisker gives no endpoint type\)/)]);
  });

  test('Cilium\'s reserved identities: ingress and unmanaged are not addresses; kube-apiserver is the API server; a pod of another cluster', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'web' } },
        ingress: [{ fromCIDR: ['0.0.0.0/0'] }, { fromEndpoints: [{ matchLabels: { app: 'db' } }] }],
        egress: [{ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
      },
    };
    const log = FlowLog.parse([
      hubble({ reserved: 'ingress', ip: '10.0.9.9' }, web, 8080),
      hubble(web, { reserved: 'kube-apiserver', ip: '172.18.0.2' }, 443),
      hubble({ ...db, labels: ['k8s:app=db', 'k8s:io.cilium.k8s.policy.cluster=dr'] }, web, 8080),
    ].join('\n'));
    const result = FlowReplay.fromManifests([cnp], { cni: ClusterCni.CILIUM }).replay([log]);
    expect(result.allowed).toBe(1);
    expect(result.unevaluated.map((u) => u.problem)).toEqual([
      expect.stringMatching(/^its client ingress 10\.0\.9\.9 has Cilium's reserved:ingress identity, which no address rule matches/),
      expect.stringMatching(/^its client cluster dr 10\.0\.0\.2 is a pod of another cluster \(cluster dr, Cluster Mesh\)/),
    ]);
  });

  // Cilium matches the rule's path against the request's :path, which holds the query string.
  test('an HTTP request is matched with its query string, as sent', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'db', namespace: 'shop' },
      spec: {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/public' }] } }] }],
      },
    };
    const request = (url: string) => hubble(web, db, 80, { Type: 'L7', l7: { type: 'REQUEST', http: { method: 'GET', url } } });
    const result = FlowReplay.fromManifests([cnp], { cni: ClusterCni.CILIUM })
      .replay([FlowLog.parse([request('http://db.shop/public'), request('http://db.shop/public?x=1')].join('\n'))]);
    expect(result.allowed).toBe(1);
    expect(result.deniedFlows).toBe(1);
  });

  test('the manifests\' pod an observed pod takes its named ports from: its workload\'s, else the most specific', () => {
    const deployment = (name: string, labels: Record<string, string>, port: number) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image: 'x', ports: [{ name: 'http', containerPort: port }] }] } } },
    });
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 'http' }] }] },
    };
    const v2 = { ns: 'shop', pod: 'api-v2-1', labels: ['k8s:app=api', 'k8s:version=v2'] };
    const log = FlowLog.parse([hubble(web, v2, 9090), hubble(web, v2, 8080)].join('\n'));
    const objects = [deployment('api', { app: 'api' }, 8080), deployment('api-v2', { app: 'api', version: 'v2' }, 9090), policy];
    const result = FlowReplay.fromManifests(objects).replay([log]);
    expect(result.allowed).toBe(1);
    expect(result.denied.map((g) => g.port)).toEqual(['TCP/8080']);
  });
});

describe('records that are no connection', () => {
  test('is_reply unknown: a TCP SYN opens a connection; a SYN-ACK, other packets and UDP are not replayed', () => {
    const unknown = (flags: Record<string, boolean> | undefined, protocol: string = 'TCP') => {
      const line = JSON.parse(hubble(web, db, 40000));
      delete line.flow.is_reply;
      line.flow.l4 = { [protocol]: { destination_port: 40000, ...(flags ? { flags } : {}) } };
      return JSON.stringify(line);
    };
    const log = FlowLog.parse([unknown({ SYN: true }), unknown({ SYN: true, ACK: true }), unknown({ ACK: true }), unknown(undefined, 'UDP')].join('\n'));
    expect(log.flows).toHaveLength(1);
    expect(log.ignored).toEqual([{ reason: expect.stringMatching(/^records whose direction Hubble does not know/), count: 3 }]);
  });

  test('socket load-balancer traces, IGMP and VRRP are counted, not refused', () => {
    const sock = hubble(web, { ip: '10.96.0.10' }, 80, { Type: 'SOCK', sock_xlate_point: 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD', verdict: 'TRACED' });
    const rev = JSON.parse(hubble(web, db, 80, { Type: 'SOCK', sock_xlate_point: 'SOCK_XLATE_POINT_PRE_DIRECTION_REV', verdict: 'TRANSLATED' }));
    delete rev.flow.l4.TCP.destination_port;
    const igmp = JSON.stringify({ flow: { verdict: 'FORWARDED', is_reply: false, l4: { IGMP: { type: 22 } }, IP: { source: '10.0.0.1', destination: '224.0.0.22' } } });
    const log = FlowLog.parse([sock, JSON.stringify(rev), igmp, hubble(web, db, 5432)].join('\n'), 'x', { format: FlowFormat.HUBBLE });
    expect(log.flows).toHaveLength(1);
    expect(log.ignored).toEqual([
      { reason: expect.stringMatching(/^socket load-balancer traces/), count: 2 },
      { reason: expect.stringMatching(/^ICMP and other protocols without ports/), count: 1 },
    ]);
  });
});

describe('verdicts do not depend on the order of the records', () => {
  test('an address seen for a pod and for the world is given to neither', () => {
    const cnp = {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ toEntities: ['world'] }] },
    };
    const old: End = { ns: 'other', pod: 'old-1', labels: ['k8s:app=old'], ip: '10.1.0.9' };
    const a = hubble(web, { ip: '10.1.0.9' }, 443);
    const b = hubble(old, db, 5432);
    const verdicts = (lines: string[]) => {
      const result = FlowReplay.fromManifests([cnp], { cni: ClusterCni.CILIUM }).replay([FlowLog.parse(lines.join('\n'))]);
      return { allowed: result.allowed, denied: result.denied.map((g) => `${g.from} -> ${g.to}`) };
    };
    expect(verdicts([a, b])).toEqual(verdicts([b, a]));
    expect(verdicts([a, b]).allowed).toBe(2);
  });
});

describe('inputs in no format read are refused at once, with what to do', () => {
  test.each([
    ['pretty-printed JSON', '{\n  "flow": {}\n}\n', /x:1: the input is pretty-printed JSON; write one record per line/],
    ['a JSON array', '[{"flow": {}}]\n', /x:1: the input is a JSON array; write one record per line \(jq -c '\.\[\]'\)/],
    ['Hubble\'s default output', 'Nov 30 09:00:01.117: default/tiefighter:36742 (ID:1250) -> default/deathstar:80 to-endpoint FORWARDED (TCP Flags: SYN)\n',
      /x:1: the input is neither JSON \(one record per line\) nor CSV .*export Hubble flows with -o jsonpb/],
  ])('%s', (_what, text, message) => {
    expect(() => FlowLog.parse(text, 'x')).toThrow(message);
    expect(() => FlowLog.parse(text, 'x', { skipMalformed: true })).toThrow(message);
  });
});

describe('namespace labels nobody gave: every way a policy selects by them', () => {
  const csv = FlowLog.parse('dev-a/client,prod-b/server,443,TCP\n', 'deps.csv');
  const deployment = (ns: string, name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } },
  });
  const workloads = [deployment('dev-a', 'client'), deployment('prod-b', 'server')];
  const namespaces = [['dev-a', 'dev'], ['prod-b', 'prod']].map(([name, env]) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { env } } }));
  const verdict = (policy: any, cni: ClusterCni, withNamespaces: boolean) => {
    const result = FlowReplay.fromManifests([...workloads, policy, ...(withNamespaces ? namespaces : [])], { cni }).replay([csv]);
    return result.allowed === 1 ? 'allowed' : result.deniedFlows === 1 ? 'denied' : 'not evaluated';
  };

  test.each([
    ['a Calico rule by pcns. labels', ClusterCni.CALICO, {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'g' },
      spec: { order: 1, selector: 'all()', types: ['Ingress'], ingress: [{ action: 'Deny', source: { selector: "pcns.env == 'dev'" } }, { action: 'Allow' }] },
    }],
    ['a Calico subject by pcns. labels', ClusterCni.CALICO, {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'g' },
      spec: { order: 1, selector: "pcns.env == 'prod'", types: ['Ingress'], ingress: [{ action: 'Deny' }] },
    }],
    ['a Cilium deny by any: namespace labels', ClusterCni.CILIUM, {
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumClusterwideNetworkPolicy',
      metadata: { name: 'c' },
      spec: {
        endpointSelector: {},
        enableDefaultDeny: { ingress: false },
        ingressDeny: [{ fromEndpoints: [{ matchLabels: { 'any:io.cilium.k8s.namespace.labels.env': 'dev' } }] }],
      },
    }],
    ['a ClusterNetworkPolicy deny by namespaces', ClusterCni.KUBERNETES, {
      apiVersion: 'policy.networking.k8s.io/v1alpha2',
      kind: 'ClusterNetworkPolicy',
      metadata: { name: 'c' },
      spec: { tier: 'Admin', priority: 10, subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }] },
    }],
  ])('%s: denied with the Namespaces, not evaluated without them (never allowed)', (_what, cni, policy) => {
    expect(verdict(policy, cni, true)).toBe('denied');
    expect(verdict(policy, cni, false)).toBe('not evaluated');
  });

  test('an allow rule on unknown labels cannot overturn an allowed verdict', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'server', namespace: 'prod-b' },
      spec: {
        podSelector: { matchLabels: { app: 'server' } },
        ingress: [
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dev-a' } } }] },
          { from: [{ namespaceSelector: { matchLabels: { team: 'monitoring' } } }], ports: [{ port: 9090 }] },
        ],
      },
    };
    expect(verdict(policy, ClusterCni.KUBERNETES, false)).toBe('allowed');
  });

  test('labels a later record gives count for the earlier ones; labels that changed during the recording decide nothing', () => {
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'server', namespace: 'prod-b' },
      spec: { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'dev' } } }] }] },
    };
    const client = (env: string) => ({ ns: 'dev-a', pod: 'client-1', labels: ['k8s:app=client', `k8s:io.cilium.k8s.namespace.labels.env=${env}`] });
    const server = { ns: 'prod-b', pod: 'server-1', labels: ['k8s:app=server'] };
    const once = FlowReplay.fromManifests([...workloads, policy]).replay([FlowLog.parse(['dev-a/client,prod-b/server,443,TCP', ''].join('\n'), 'a.csv'),
      FlowLog.parse(hubble(client('dev'), server, 443), 'b.jsonl')]);
    expect(once.unevaluated).toEqual([]);
    expect(once.allowed).toBe(2);
    const changed = FlowReplay.fromManifests([...workloads, policy]).replay([FlowLog.parse([hubble(client('dev'), server, 443), hubble(client('prod'), server, 443)].join('\n'))]);
    expect(changed.allowed).toBe(0);
    expect(changed.unevaluated.map((u) => u.problem)).toEqual([
      expect.stringMatching(/cannot be decided: the labels of namespace dev-a are unknown/), expect.stringMatching(/cannot be decided/),
    ]);
    expect(changed.notes).toContainEqual(expect.stringMatching(/^namespace dev-a: its labels changed during the recording \(2 label sets\)/));
  });
});

describe('more ends', () => {
  test('a Whisker end without "*" that the manifests hold as a pod (a StatefulSet\'s) is that pod', () => {
    const statefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'shop' },
      spec: { replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'x' }] } } },
    };
    const record = JSON.stringify({
      source_namespace: 'shop',
      source_name: 'web-*',
      source_labels: 'app=web',
      dest_namespace: 'shop',
      dest_name: 'db-1',
      dest_labels: 'app=db',
      protocol: 'tcp',
      dest_port: 5432,
      action: 'Allow',
      reporter: 'Dst',
    });
    const result = FlowReplay.fromManifests([statefulSet]).replay([FlowLog.parse(record)]);
    expect(result.unevaluated).toEqual([]);
    expect(result.allowed).toBe(1);
  });

  test('what the model cannot decide (a Calico nets deny, pods without addresses) is not evaluated, not denied', () => {
    const gnp = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'GlobalNetworkPolicy',
      metadata: { name: 'no-range' },
      spec: { order: 1, selector: 'all()', types: ['Egress'], egress: [{ action: 'Deny', destination: { nets: ['10.0.0.0/8'] } }, { action: 'Allow' }] },
    };
    const record = JSON.stringify({
      source_namespace: 'shop',
      source_name: 'web-*',
      source_labels: 'app=web',
      dest_namespace: 'shop',
      dest_name: 'api-*',
      dest_labels: 'app=api',
      protocol: 'tcp',
      dest_port: 9000,
      action: 'Allow',
      reporter: 'Dst',
    });
    const result = FlowReplay.fromManifests([gnp], { cni: ClusterCni.CALICO }).replay([FlowLog.parse(record)]);
    expect(result.deniedFlows).toBe(0);
    expect(result.unevaluated.map((u) => u.problem)).toEqual([expect.stringMatching(/^cannot be decided: .*address of pod .* is unknown/)]);
    expect(FlowReplay.fromManifests([gnp], { cni: ClusterCni.CALICO, podCidrs: ['192.168.0.0/16'] }).replay([FlowLog.parse(record)]).allowed).toBe(1);
  });

  test('Cilium: an API server on the nodes is no address: world and CIDR rules do not reach it, kube-apiserver and node entities do', () => {
    const egress = (rule: Record<string, unknown>) => ({
      apiVersion: 'cilium.io/v2',
      kind: 'CiliumNetworkPolicy',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, egress: [{ ...rule, toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] }] },
    });
    const onNodes = FlowLog.parse(hubble(web, { reserved: 'kube-apiserver', ip: '172.18.0.2' }, 6443)
      .replace('"reserved:kube-apiserver"', '"reserved:kube-apiserver","reserved:remote-node"'));
    const allowed = (rule: Record<string, unknown>) =>
      FlowReplay.fromManifests([egress(rule)], { cni: ClusterCni.CILIUM }).replay([onNodes]).allowed === 1;
    expect(allowed({ toEntities: ['kube-apiserver'] })).toBe(true);
    expect(allowed({ toEntities: ['remote-node'] })).toBe(true);
    expect(allowed({ toEntities: ['cluster'] })).toBe(true);
    expect(allowed({ toEntities: ['world'] })).toBe(false);
    expect(allowed({ toCIDR: ['0.0.0.0/0'] })).toBe(false);
    // An API server outside the cluster (a managed control plane) is an address as before.
    const outside = FlowLog.parse(hubble(web, { reserved: 'kube-apiserver', ip: '172.18.0.2' }, 6443));
    expect(FlowReplay.fromManifests([egress({ toCIDR: ['172.18.0.0/16'] })], { cni: ClusterCni.CILIUM }).replay([outside]).allowed).toBe(1);
  });
});

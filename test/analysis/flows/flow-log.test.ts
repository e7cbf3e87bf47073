import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FlowFormat, FlowLog, ObservedFlow } from '../../../src';
import { MAX_LINE_CHARS } from '../../../src/util/lines';

// The flow samples in test/fixtures/flows were written from the documented formats (sources in
// docs/guides/from-observed-traffic.md#flow-formats): Hubble's jsonpb export of the Cilium Star
// Wars demo, and the Calico stars demo as Calico Enterprise's flows.log, Calico OSS Whisker's
// watch stream and Goldmane's emitter, and as the plain CSV.

const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'flows');
const fixture = (name: string) => path.join(FIXTURES, name);

function tempFile(name: string, content: string | Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-flows-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** A Hubble jsonpb line: a FORWARDED TCP flow between two pods of "shop", with overrides. */
function hubble(overrides: Record<string, any> = {}, wrapper: Record<string, any> = {}): string {
  const flow = {
    time: '2026-11-30T10:00:00.000000001Z',
    verdict: 'FORWARDED',
    IP: { source: '10.0.0.1', destination: '10.0.0.2', ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 40000, destination_port: 8080, flags: { SYN: true } } },
    source: { namespace: 'shop', pod_name: 'web-1', labels: ['k8s:app=web', 'k8s:io.kubernetes.pod.namespace=shop'] },
    destination: { namespace: 'shop', pod_name: 'api-1', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop'] },
    Type: 'L3_L4',
    traffic_direction: 'INGRESS',
    is_reply: false,
    ...overrides,
  };
  return JSON.stringify({ flow, node_name: 'node-1', time: flow.time, ...wrapper });
}

const byRoute = (flows: ObservedFlow[]) => flows.map((f) => `${f.from.namespace ?? f.from.ip ?? f.from.reserved}/${f.from.workload ?? f.from.pod ?? ''} -> ` +
  `${f.to.namespace ?? f.to.ip ?? f.to.reserved}/${f.to.workload ?? f.to.pod ?? ''} ${f.protocol}/${f.port}${f.http ? ` ${f.http.method} ${f.http.path}` : ''} x${f.count}`);

describe('Hubble (hubble observe -o jsonpb)', () => {
  const log = FlowLog.fromFile(fixture('hubble-star-wars.jsonl'));

  test('the Star Wars sample: the connections that happened, once each, with their counts', () => {
    expect(log.format).toBe(FlowFormat.HUBBLE);
    expect(log.lines).toBe(16);
    expect(byRoute(log.flows)).toEqual([
      'default/tiefighter -> default/deathstar TCP/80 x1',
      'default/xwing -> default/deathstar TCP/80 x2',
      'default/tiefighter -> kube-system/coredns UDP/53 x2',
      'default/tiefighter -> default/deathstar TCP/80 POST /v1/request-landing x1',
      'default/tiefighter -> default/deathstar TCP/80 PUT /v1/exhaust-port x1',
      'default/tiefighter -> 2606:4700:4700::1111/ TCP/443 x1',
    ]);
  });

  test('what is not replayed is counted by why', () => {
    expect(log.ignored).toEqual([
      { reason: expect.stringMatching(/^records that are no flow/), count: 2 },
      { reason: expect.stringMatching(/^replies/), count: 3 },
      { reason: expect.stringMatching(/^connections from the node to its own pods/), count: 1 },
      { reason: expect.stringMatching(/^flows the cluster dropped/), count: 2 },
    ]);
    expect(log.malformed).toEqual([]);
  });

  test('an end: its pod labels, namespace labels and ServiceAccount from Cilium\'s identity labels; its workload', () => {
    const flow = log.flows[0];
    expect(flow.from).toEqual({
      namespace: 'default',
      pod: 'tiefighter',
      labels: { 'app.kubernetes.io/name': 'tiefighter', 'class': 'tiefighter', 'org': 'empire' },
      namespaceLabels: { 'kubernetes.io/metadata.name': 'default' },
      serviceAccount: 'default',
      ip: '10.244.1.249',
    });
    expect(flow.to).toMatchObject({ pod: 'deathstar-8464cdd4d9-4vq9w', workload: 'deathstar', workloadKind: 'Deployment' });
    expect(flow).toMatchObject({ firstSeen: '2026-11-30T09:00:01.117Z', lastSeen: '2026-11-30T09:00:01.117Z', source: `${fixture('hubble-star-wars.jsonl')}:2` });
  });

  test('the same connection from two trace points is one flow, first and last seen across both', () => {
    const xwing = log.flows[1];
    expect(xwing).toMatchObject({ count: 2, firstSeen: '2026-11-30T09:00:02.310Z', lastSeen: '2026-11-30T09:00:02.310Z' });
  });

  test('L7: the HTTP request\'s method, path and host; an IPv6 destination outside the cluster with its DNS names', () => {
    expect(log.flows[3].http).toEqual({ method: 'POST', path: '/v1/request-landing', host: 'deathstar.default.svc.cluster.local' });
    expect(log.flows[5].to).toEqual({ ip: '2606:4700:4700::1111', dnsNames: ['one.one.one.one'] });
    expect(log.flows[5].from.ip).toBe('fd00:10:244:1::f9');
  });

  test('--include-dropped: dropped flows are replayed too', () => {
    const all = FlowLog.fromFile(fixture('hubble-star-wars.jsonl'), { includeDropped: true });
    expect(byRoute(all.flows)).toContain('default/xwing -> default/deathstar TCP/80 x3');
    expect(all.ignored.map((i) => i.reason)).not.toContainEqual(expect.stringMatching(/dropped/));
    // The IPv6 router solicitation of the exporter's docs is ICMP: not replayed either way.
    expect(all.ignored).toContainEqual({ reason: expect.stringMatching(/^ICMP/), count: 1 });
  });

  test('the legacy -o json form (the flow alone) and protojson\'s lowerCamelCase names', () => {
    const legacy = JSON.stringify(JSON.parse(hubble()).flow);
    const camel = hubble({
      l4: { TCP: { sourcePort: 40000, destinationPort: 9090 } },
      source: { namespace: 'shop', podName: 'web-1', labels: ['k8s:app=web'] },
      isReply: false,
    });
    const parsed = FlowLog.parse(`${legacy}\n${camel}\n`, 'mixed.jsonl', { format: FlowFormat.HUBBLE });
    expect(byRoute(parsed.flows)).toEqual(['shop/web-1 -> shop/api-1 TCP/8080 x1', 'shop/web-1 -> shop/api-1 TCP/9090 x1']);
  });

  test('the exporter\'s other events (agent, debug, lost events, node status) are no flows', () => {
    const text = [
      JSON.stringify({ agent_event: { type: 'ENDPOINT_CREATED' }, node_name: 'n', time: '2026-11-30T10:00:00Z' }),
      JSON.stringify({ debug_event: { type: 'DBG_CAPTURE_DELIVERY' }, node_name: 'n' }),
      JSON.stringify({ lost_events: { source: 'HUBBLE_RING_BUFFER', num_events_lost: '12' } }),
      hubble(),
    ].join('\n');
    const parsed = FlowLog.parse(text);
    expect(parsed.flows).toHaveLength(1);
    expect(parsed.ignored).toEqual([{ reason: expect.stringMatching(/^records that are no flow/), count: 3 }]);
  });

  test('fields a newer Hubble adds are ignored', () => {
    const parsed = FlowLog.parse(hubble({ aggregate: { ingress_flow_count: 3 }, extensions: { '@type': 'x' }, policy_log: ['a'], emitter: { name: 'Hubble' } }));
    expect(parsed.flows).toHaveLength(1);
  });

  test('CRLF line ends and a byte order mark are read', () => {
    const file = tempFile('crlf.jsonl', `\uFEFF${hubble()}\r\n${hubble({ l4: { UDP: { destination_port: 53 } } })}\r\n`);
    expect(byRoute(FlowLog.fromFile(file).flows)).toEqual(['shop/web-1 -> shop/api-1 TCP/8080 x1', 'shop/web-1 -> shop/api-1 UDP/53 x1']);
  });
});

describe('Hubble: hostile and malformed lines are reported with their line numbers, never guessed', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['truncated JSON', hubble().slice(0, 120), /^not JSON \(.*\); each line holds one record$/],
    ['a JSON list', '[1, 2]', /a JSON list, not an object/],
    ['no destination port', hubble({ l4: { TCP: { source_port: 1 } } }), /l4\.TCP\.destination_port undefined is not a port/],
    ['port 0', hubble({ l4: { UDP: { destination_port: 0 } } }), /l4\.UDP\.destination_port 0 is not a port from 1 to 65535/],
    ['no l4', hubble({ l4: undefined }), /the flow has no l4/],
    ['an unknown verdict', hubble({ verdict: 'MAYBE' }), /verdict "MAYBE" is not one of FORWARDED/],
    ['a bad address', hubble({ IP: { source: '10.0.0.999', destination: '10.0.0.2' } }), /IP\.source "10\.0\.0\.999" is not an IP address/],
    ['labels not a list', hubble({ source: { namespace: 'shop', pod_name: 'web', labels: 'app=web' } }), /source\.labels "app=web" is not a list/],
    ['a pod without a name', hubble({ destination: { namespace: 'shop', labels: [] } }), /destination is in namespace "shop" but has no pod_name/],
    ['a bad time', hubble({}, { time: 'yesterday' }), /time "yesterday" is not an RFC 3339 time/],
    ['a flow field that is no object', JSON.stringify({ flow: 'FORWARDED' }), /"flow" "FORWARDED" is not an object/],
    ['is_reply not a boolean', hubble({ is_reply: 'no' }), /is_reply "no" is not true or false/],
  ];

  test.each(cases)('%s', (_what, line, problem) => {
    const text = `${hubble()}\n${line}\n${hubble()}\n`;
    expect(() => FlowLog.parse(text, 'flows.jsonl', { format: FlowFormat.HUBBLE })).toThrow(/^FlowLog\.parse\(\): 1 malformed line\(s\) in flows\.jsonl; nothing is guessed/);
    const skipped = FlowLog.parse(text, 'flows.jsonl', { format: FlowFormat.HUBBLE, skipMalformed: true });
    expect(skipped.malformed).toEqual([{ source: 'flows.jsonl:2', problem: expect.stringMatching(problem) }]);
    expect(skipped.flows).toEqual([expect.objectContaining({ count: 2 })]);
  });

  test('the refusal names every malformed line (up to ten), and stops reading at the tenth', () => {
    const lines = [hubble(), ...Array.from({ length: 25 }, (_, i) => `{"flow": ${i}`)];
    let message = '';
    try {
      FlowLog.parse(lines.join('\n'), 'big.jsonl');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^FlowLog\.parse\(\): at least 10 malformed line\(s\) in big\.jsonl; nothing is guessed: fix them, or skip them/);
    expect(message.split('\n').slice(1)).toEqual(Array.from({ length: 10 }, (_, i) => expect.stringMatching(new RegExp(`^  big\\.jsonl:${i + 2}: not JSON`))));
  });

  test('a line longer than any record is reported by its length, not held', () => {
    const file = tempFile('long.jsonl', `${hubble()}\n{"flow": "${'x'.repeat(MAX_LINE_CHARS + 10)}"}\n${hubble()}\n`);
    expect(() => FlowLog.fromFile(file)).toThrow(/long\.jsonl:2: the line is 1048598 characters long, longer than any flow record; is this a flow file\?/);
    const skipped = FlowLog.fromFile(file, { skipMalformed: true });
    expect(skipped.flows).toEqual([expect.objectContaining({ count: 2 })]);
    expect(skipped.malformedTotal).toBe(1);
  });

  test('control characters and huge values in a bad field are cut short in the message', () => {
    const skipped = FlowLog.parse(hubble({ verdict: `\u001b[31m${'A'.repeat(500)}` }), 'x', { skipMalformed: true });
    expect(skipped.malformed[0].problem.length).toBeLessThan(200);
  });

  test('binary input is refused as malformed lines', () => {
    const file = tempFile('binary.jsonl', Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x0a, 0x00, 0x01, 0x0a]));
    expect(() => FlowLog.fromFile(file, { format: FlowFormat.HUBBLE })).toThrow(/2 malformed line\(s\)/);
  });
});

describe('Calico flow logs', () => {
  test('Calico Enterprise flows.log: aggregated by pod prefix, reported at both ends, counted by num_flows', () => {
    const log = FlowLog.fromFile(fixture('calico-enterprise-stars.flows.jsonl'));
    expect(log.format).toBe(FlowFormat.CALICO);
    expect(byRoute(log.flows)).toEqual([
      'management-ui/management-ui -> stars/frontend TCP/80 x24',
      'management-ui/management-ui -> stars/backend TCP/6379 x24',
      'management-ui/management-ui -> client/client TCP/9000 x24',
      'client/client -> stars/frontend TCP/80 x60',
      'client/client -> stars/backend TCP/6379 x60',
      'stars/frontend -> stars/backend TCP/6379 x60',
      'stars/frontend -> client/client TCP/9000 x60',
      'stars/backend -> stars/frontend TCP/80 x60',
      'stars/backend -> client/client TCP/9000 x56',
      'client/client -> kube-system/coredns UDP/53 x120',
      // The record not aggregated names the pods: a flow of its own.
      'client/client -> stars/frontend TCP/80 x1',
    ]);
    expect(log.flows[0]).toMatchObject({
      from: { namespace: 'management-ui', workload: 'management-ui', labels: { 'role': 'management-ui', 'pod-template-hash': '58c6f4d5b9' } },
      firstSeen: '2025-11-30T09:00:00.000Z',
      lastSeen: '2025-11-30T09:05:00.000Z',
    });
    expect(log.flows[10].from).toMatchObject({ pod: 'client-6d5d7cbdc5-kx2vz', workload: 'client', ip: '192.168.47.9' });
    expect(log.ignored).toEqual([
      { reason: expect.stringMatching(/^flows the cluster dropped/), count: 1 },
      { reason: expect.stringMatching(/^ICMP/), count: 1 },
    ]);
  });

  test('Calico Whisker\'s watch stream: server-sent events, labels as one " | "-joined string, aggregated networks', () => {
    const log = FlowLog.fromFile(fixture('calico-whisker-stars.sse'));
    expect(log.format).toBe(FlowFormat.CALICO);
    expect(log.flows).toHaveLength(11);
    expect(log.flows[3].from).toEqual({ namespace: 'client', workload: 'client', labels: { 'role': 'client', 'pod-template-hash': '6d5d7cbdc5' } });
    expect(log.flows[10].to).toEqual({ reserved: 'network PUBLIC NETWORK' });
  });

  test('Goldmane\'s emitter: the key under "Key", enums as numbers', () => {
    const log = FlowLog.fromFile(fixture('goldmane-emitter-stars.jsonl'));
    expect(log.format).toBe(FlowFormat.CALICO);
    expect(byRoute(log.flows)).toContain('stars/backend -> client/client TCP/9000 x28');
    expect(log.ignored).toEqual([{ reason: expect.stringMatching(/^flows the cluster dropped/), count: 1 }]);
  });

  const record = (overrides: Record<string, any> = {}) => JSON.stringify({
    start_time: 1764493200,
    end_time: 1764493500,
    source_namespace: 'shop',
    source_name: 'web-1',
    source_name_aggr: 'web-*',
    source_type: 'wep',
    source_labels: { labels: ['app=web'] },
    dest_namespace: 'shop',
    dest_name: 'api-1',
    dest_name_aggr: 'api-*',
    dest_type: 'wep',
    dest_labels: { labels: ['app=api', 'projectcalico.org/serviceaccount=api', 'projectcalico.org/namespace=shop'] },
    dest_port: 8080,
    proto: 'tcp',
    action: 'allow',
    reporter: 'dst',
    num_flows: 2,
    ...overrides,
  });

  test('Calico\'s own labels give the ServiceAccount and are no pod labels; numeric protocols are named', () => {
    const log = FlowLog.parse(`${record()}\n${record({ proto: '17', dest_port: 53 })}\n${record({ proto: 6 })}`);
    expect(log.flows[0].to).toEqual({ namespace: 'shop', pod: 'api-1', workload: 'api', labels: { app: 'api' }, serviceAccount: 'api' });
    expect(byRoute(log.flows)).toEqual(['shop/web -> shop/api TCP/8080 x4', 'shop/web -> shop/api UDP/53 x2']);
  });

  test('an address outside the cluster with its domains; a host endpoint', () => {
    const log = FlowLog.parse([
      record({ dest_namespace: '-', dest_name: '-', dest_name_aggr: 'pub', dest_type: 'net', dest_ip: '2001:db8::10', dest_labels: null, dest_domains: ['API.example.com.'] }),
      record({ source_namespace: '-', source_name: '-', source_name_aggr: 'node-1', source_type: 'hep', source_ip: '172.18.0.3', source_labels: null }),
    ].join('\n'));
    expect(log.flows.map((f) => [f.from, f.to])).toEqual([
      [expect.objectContaining({ namespace: 'shop' }), { ip: '2001:db8::10', dnsNames: ['api.example.com'] }],
      [{ reserved: 'host-endpoint', ip: '172.18.0.3' }, expect.objectContaining({ namespace: 'shop' })],
    ]);
  });

  test('labels the record does not give are unknown, not empty: the manifests must then hold the pod', () => {
    const log = FlowLog.parse(record({ source_labels: null, dest_labels: { labels: [] } }));
    expect(log.flows[0].from.labels).toBeUndefined();
    expect(log.flows[0].to.labels).toBeUndefined();
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['action pass', record({ action: 'pass' }), /action "pass" is a policy's, not a flow's/],
    ['an unknown action', record({ action: 'maybe' }), /action "maybe" is not allow or deny/],
    ['no protocol', record({ proto: undefined }), /the record has no proto/],
    ['a TCP flow without its port', record({ dest_port: null }), /TCP flow without dest_port/],
    ['a port out of range', record({ dest_port: 70000 }), /dest_port 70000 is not a port from 1 to 65535/],
    ['a workload endpoint without namespace', record({ dest_namespace: '-' }), /dest is a workload endpoint \(wep\) without dest_namespace/],
    ['an unknown endpoint type', record({ source_type: 'vm' }), /source_type "vm" is not wep, hep, ns or net/],
    ['a label without "="', record({ source_labels: { labels: ['app'] } }), /source_labels holds "app", not a "key=value" label/],
    ['a bad time', record({ start_time: 'noon' }), /start_time "noon" is neither Unix seconds nor an RFC 3339 time/],
    ['a negative count', record({ num_flows: -1 }), /num_flows -1 is not a whole number/],
    ['a bad address', record({ dest_ip: 'api.internal' }), /dest_ip "api\.internal" is not an IP address/],
    ['an unknown enum number', JSON.stringify({ Key: { source_namespace: 'a', source_name: 'x', source_type: 1, dest_namespace: 'b', dest_name: 'y', dest_type: 1, dest_port: 80, proto: 'tcp', action: 7 } }),
      /action 7 is not a known value/],
  ];

  test.each(malformed)('malformed: %s', (_what, line, problem) => {
    const log = FlowLog.parse(`${record()}\n${line}`, 'flows.log', { format: FlowFormat.CALICO, skipMalformed: true });
    expect(log.malformed).toEqual([{ source: 'flows.log:2', problem: expect.stringMatching(problem) }]);
    expect(() => FlowLog.parse(`${record()}\n${line}`, 'flows.log', { format: FlowFormat.CALICO })).toThrow(/flows\.log:2: /);
  });

  test('Whisker\'s list response is refused with the command that makes it one flow per line', () => {
    expect(() => FlowLog.parse(JSON.stringify({ items: [JSON.parse(record())], total: 1 }))).toThrow(/jq -c '\.items\[\]'/);
  });
});

describe('CSV', () => {
  test('the stars sample: ends as namespace/name, the header and comments skipped, counts summed', () => {
    const log = FlowLog.fromFile(fixture('stars.csv'));
    expect(log.format).toBe(FlowFormat.CSV);
    expect(byRoute(log.flows)[0]).toBe('management-ui/management-ui -> stars/frontend TCP/80 x12');
    expect(log.flows).toHaveLength(10);
    expect(log.flows[0].from).toEqual({ namespace: 'management-ui', workload: 'management-ui' });
    expect(log.ignored).toEqual([]);
  });

  test('addresses (IPv4 and IPv6), quoted cells, no count column, lower-case protocols', () => {
    const log = FlowLog.parse('shop/web,"2001:db8::1",443,tcp\n10.1.2.3 , shop/api , 8080 , TCP\n', 'f.csv');
    expect(byRoute(log.flows)).toEqual(['shop/web -> 2001:db8::1/ TCP/443 x1', '10.1.2.3/ -> shop/api TCP/8080 x1']);
  });

  const malformed: Array<[string, string, RegExp]> = [
    ['too few columns', 'shop/web,shop/api,8080', /expected 4 or 5 columns/],
    ['a missing port', 'shop/web,shop/api,,TCP', /port is empty/],
    ['a port that is a name', 'shop/web,shop/api,http,TCP', /port "http" is not a port/],
    ['ICMP', 'shop/web,shop/api,8,ICMP', /protocol "ICMP" is not one of TCP, UDP, SCTP/],
    ['an end that is neither', 'web,shop/api,80,TCP', /from "web" is not an IP address/],
    ['a bad namespace', 'Shop/web,shop/api,80,TCP', /from "Shop\/web" is not namespace\/name or an IP address/],
    ['a bad count', 'shop/web,shop/api,80,TCP,many', /count "many" is not a positive whole number/],
  ];

  test.each(malformed)('malformed: %s', (_what, line, problem) => {
    const log = FlowLog.parse(`from,to,port,protocol\n${line}\nshop/web,shop/api,80,TCP`, 'f.csv', { skipMalformed: true });
    expect(log.malformed).toEqual([{ source: 'f.csv:2', problem: expect.stringMatching(problem) }]);
    expect(log.flows).toHaveLength(1);
  });
});

describe('FlowLog input checks', () => {
  test('files that cannot be read are named with the problem', () => {
    expect(() => FlowLog.fromFile('/nonexistent/flows.jsonl')).toThrow('FlowLog.fromFile(): /nonexistent/flows.jsonl: no such file');
    expect(() => FlowLog.fromFile(FIXTURES)).toThrow(`FlowLog.fromFile(): ${FIXTURES} is not a file`);
    expect(() => FlowLog.fromFile('')).toThrow(/path "" is not a file name/);
  });

  test('options are checked', () => {
    expect(() => FlowLog.parse('', 'x', { format: 'pcap' as any })).toThrow(/options\.format "pcap" is not one of auto, hubble, calico, csv/);
    expect(() => FlowLog.parse('', 'x', { skipmalformed: true } as any)).toThrow(/options\.skipmalformed is not an option/);
    expect(() => FlowLog.parse('', 'x', { includeDropped: 'yes' } as any)).toThrow(/options\.includeDropped "yes" is not true or false/);
    expect(() => FlowLog.parse(42 as any)).toThrow(/text 42 is not a string/);
  });

  test('JSON that is neither Hubble\'s nor Calico\'s asks for the format', () => {
    expect(() => FlowLog.parse('{"src": "a", "dst": "b"}')).toThrow(/neither a Hubble flow .* nor a Calico flow log .*; give the format/);
  });

  test('an empty input has no flows and no format', () => {
    const log = FlowLog.parse('\n# nothing yet\n');
    expect(log.flows).toEqual([]);
    expect(log.format).toBe(FlowFormat.AUTO);
  });

  test('a format given is kept: a Hubble file read as CSV is malformed, not guessed', () => {
    expect(() => FlowLog.fromFile(fixture('hubble-star-wars.jsonl'), { format: FlowFormat.CSV })).toThrow(/hubble-star-wars\.jsonl:1: /);
  });
});

describe('Hubble: the upstream examples, verbatim', () => {
  // cilium/cilium Documentation/observability/hubble/configuration/export.rst @ 4e656fa4fabcc25f32bf435967ef76f3a757a3fe
  // (the exporter's file, with a field mask: no labels, no workloads).
  const EXPORT_RST = [
    '{"flow":{"time":"2023-08-21T12:12:13.517394084Z","verdict":"DROPPED","IP":{"source":"fe80::64d8:8aff:fe72:fc14","destination":"ff02::2",' +
      '"ipVersion":"IPv6"},"l4":{"ICMPv6":{"type":133}},"source":{},"destination":{},"node_name":"kind-kind/kind-worker","drop_reason_desc":' +
      '"INVALID_SOURCE_IP"},"node_name":"kind-kind/kind-worker","time":"2023-08-21T12:12:13.517394084Z"}',
    '{"flow":{"time":"2023-08-21T12:12:18.510175415Z","verdict":"DROPPED","IP":{"source":"10.244.1.60","destination":"10.244.1.5","ipVersion":' +
      '"IPv4"},"l4":{"TCP":{"source_port":44916,"destination_port":80,"flags":{"SYN":true}}},"source":{"namespace":"default","pod_name":"xwing"},' +
      '"destination":{"namespace":"default","pod_name":"deathstar-7848d6c4d5-th9v2"},"node_name":"kind-kind/kind-worker","drop_reason_desc":' +
      '"POLICY_DENIED"},"node_name":"kind-kind/kind-worker","time":"2023-08-21T12:12:18.510175415Z"}',
  ].join('\n');

  test('both are drops: counted, not replayed; with --include-dropped the xwing\'s is a flow, its labels unknown (the export left them out)', () => {
    expect(FlowLog.parse(EXPORT_RST, 'export.jsonl').ignored).toEqual([{ reason: expect.stringMatching(/^flows the cluster dropped/), count: 2 }]);
    const all = FlowLog.parse(EXPORT_RST, 'export.jsonl', { includeDropped: true });
    expect(all.flows).toEqual([expect.objectContaining({
      from: { namespace: 'default', pod: 'xwing', ip: '10.244.1.60' },
      to: { namespace: 'default', pod: 'deathstar-7848d6c4d5-th9v2', ip: '10.244.1.5' },
      port: 80,
      protocol: 'TCP',
    })]);
    expect(all.ignored).toEqual([{ reason: expect.stringMatching(/^ICMP/), count: 1 }]);
  });
});

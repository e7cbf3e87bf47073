/**
 * Reading and replaying observed flows at the size of a day of a busy cluster's export: 100,000
 * lines of each format (Hubble jsonpb, Calico flows.log, CSV), and a replay of them against an
 * estate of 50 namespaces × 20 pods under 8 policies each. Two shapes: the common one, where the
 * lines repeat a set of connections (2,000 generated, 1,286 of them distinct: Hubble reports a
 * connection at every trace point and every time it is opened), and the worst, where every line
 * is a connection of its own pod pair; and "namespaces": every line its own pod pair among 10,000 pods of 5,000
 * namespaces (the cost must not grow with namespaces squared).
 * `flows-bench.ts <format> <shape>` prints one JSON line; `npx projen bench` runs each in a fresh process.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FlowLog, FlowReplay } from '../src';

const LINES = 100_000;
const NAMESPACES = 50;
const PODS_PER_NAMESPACE = 20;
const APPS = ['frontend', 'api', 'worker', 'cache', 'postgres'];
const PORTS: Record<string, number> = { frontend: 80, api: 8080, worker: 9000, cache: 6379, postgres: 5432 };

function estate(): any[] {
  const objects: any[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    const ns = `ns-${n}`;
    const policy = (name: string, spec: any) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns }, spec });
    const app = (a: string) => ({ matchLabels: { app: a } });
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { team: `t${n % 5}` } } },
      policy('default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      policy('allow-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }] }] }),
      policy('frontend-out', { podSelector: app('frontend'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: app('api') }], ports: [{ port: 8080 }] }] }),
      policy('api', { podSelector: app('api'), ingress: [{ from: [{ podSelector: app('frontend') }], ports: [{ port: 8080 }] }] }),
      policy('api-out', { podSelector: app('api'), policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['cache', 'postgres'] }] } }] }] }),
      policy('cache', { podSelector: app('cache'), ingress: [{ from: [{ podSelector: app('api') }], ports: [{ port: 6379 }] }] }),
      policy('postgres', { podSelector: app('postgres'), ingress: [{ from: [{ podSelector: app('api') }], ports: [{ port: 5432 }] }] }),
      policy('worker-out', { podSelector: app('worker'), policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: app('api') }], ports: [{ port: 8080 }] }] }));
  }
  return objects;
}

interface Pod { ns: string; name: string; app: string; ip: string }

/** The pods of the "namespaces" shape: two in each of 5,000 namespaces that the estate's policies do not govern. */
function spreadPods(): Pod[] {
  const out: Pod[] = [];
  for (let n = 0; n < 5000; n++) {
    for (const app of ['client', 'server']) {
      out.push({ ns: `spread-${n}`, name: `${app}-0`, app: app === 'client' ? 'frontend' : 'api', ip: `10.${100 + Math.floor(n / 250)}.${n % 250}.${app === 'client' ? 1 : 2}` });
    }
  }
  return out;
}

function pods(): Pod[] {
  const out: Pod[] = [];
  for (let n = 0; n < NAMESPACES; n++) {
    for (let p = 0; p < PODS_PER_NAMESPACE; p++) {
      const app = APPS[p % APPS.length];
      out.push({ ns: `ns-${n}`, name: `${app}-${p}`, app, ip: `10.${Math.floor(n / 200)}.${n % 200}.${p + 1}` });
    }
  }
  return out;
}

/**
 * The i-th connection. Repeating: 2,000 connections, mostly the estate's own calls, one in seven
 * an undeclared dependency. Distinct: every i a pod pair of its own, across namespaces.
 */
function connection(all: Pod[], i: number, distinct: boolean): [Pod, Pod] {
  if (distinct) {
    return [all[i % all.length], all[(Math.floor(i / all.length) + i) % all.length]];
  }
  const from = all[(i * 7919) % all.length];
  const sameNs = all.filter((p) => p.ns === from.ns);
  const wanted = from.app === 'frontend' ? 'api' : from.app === 'api' ? (i % 2 === 0 ? 'cache' : 'postgres') : from.app === 'worker' ? 'api' : 'frontend';
  const candidates = sameNs.filter((p) => p.app === wanted);
  const to = i % 7 === 0 ? sameNs[(i * 31) % sameNs.length] : candidates[i % candidates.length];
  return [from, to];
}

const hubbleLine = (from: Pod, to: Pod, i: number) => JSON.stringify({
  flow: {
    time: new Date(Date.UTC(2026, 10, 30, 10) + i * 100).toISOString(),
    verdict: 'FORWARDED',
    IP: { source: from.ip, destination: to.ip, ipVersion: 'IPv4' },
    l4: { TCP: { source_port: 30000 + (i % 30000), destination_port: PORTS[to.app], flags: { SYN: true } } },
    source: { namespace: from.ns, pod_name: from.name, labels: [`k8s:app=${from.app}`, `k8s:io.kubernetes.pod.namespace=${from.ns}`] },
    destination: { namespace: to.ns, pod_name: to.name, labels: [`k8s:app=${to.app}`, `k8s:io.kubernetes.pod.namespace=${to.ns}`] },
    Type: 'L3_L4',
    node_name: 'node-1',
    traffic_direction: 'INGRESS',
    is_reply: false,
  },
  node_name: 'node-1',
  time: new Date(Date.UTC(2026, 10, 30, 10) + i * 100).toISOString(),
});

const calicoLine = (from: Pod, to: Pod, i: number) => JSON.stringify({
  start_time: 1764496800 + i,
  end_time: 1764497100 + i,
  source_ip: from.ip,
  source_name: from.name,
  source_name_aggr: `${from.app}-*`,
  source_namespace: from.ns,
  source_port: null,
  source_type: 'wep',
  source_labels: { labels: [`app=${from.app}`] },
  dest_ip: to.ip,
  dest_name: to.name,
  dest_name_aggr: `${to.app}-*`,
  dest_namespace: to.ns,
  dest_port: PORTS[to.app],
  dest_type: 'wep',
  dest_labels: { labels: [`app=${to.app}`] },
  proto: 'tcp',
  action: 'allow',
  reporter: 'dst',
  num_flows: 1,
});

const csvLine = (from: Pod, to: Pod) => `${from.ns}/${from.name},${to.ns}/${to.name},${PORTS[to.app]},TCP`;

function write(file: string, distinct: boolean, line: (from: Pod, to: Pod, i: number) => string, all: Pod[]): void {
  const fd = fs.openSync(file, 'w');
  const batch: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const [from, to] = connection(all, distinct ? i : i % 2000, distinct);
    batch.push(line(from, to, i));
    if (batch.length === 5000) {
      fs.writeSync(fd, batch.join('\n') + '\n');
      batch.length = 0;
    }
  }
  fs.writeSync(fd, batch.join('\n') + '\n');
  fs.closeSync(fd);
}

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Measures one format and shape: `flows-bench.ts hubble distinct`. */
function main(format: string, shape: string): void {
  const line = { hubble: hubbleLine, calico: calicoLine, csv: csvLine }[format];
  if (line === undefined || !['repeating', 'distinct', 'namespaces'].includes(shape)) {
    throw new Error(`usage: flows-bench.ts hubble|calico|csv repeating|distinct|namespaces (got ${format} ${shape})`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-bench-flows-'));
  try {
    const all = shape === 'namespaces' ? spreadPods() : pods();
    const objects = estate();
    // The CSV names pods without their labels: the manifests must hold them.
    const podObjects = format !== 'csv' ? [] : all.map((p) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: p.name, namespace: p.ns, labels: { app: p.app } },
      spec: { containers: [{ name: 'c', image: 'c', ports: [{ containerPort: PORTS[p.app] }] }] },
    }));
    const file = path.join(dir, `${format}-${shape}.txt`);
    write(file, shape !== 'repeating', line, all);
    const bytes = fs.statSync(file).size;
    const readStart = process.hrtime.bigint();
    const log = FlowLog.fromFile(file);
    const readMs = ms(readStart);
    const replayStart = process.hrtime.bigint();
    const result = FlowReplay.fromManifests([...objects, ...podObjects]).replay([log]);
    const replayMs = ms(replayStart);
    const expected = shape === 'namespaces' ? result.allowed === result.flows : result.deniedFlows > 0 && result.allowed > 0;
    if (result.unevaluated.length > 0 || !expected) {
      throw new Error(`the ${format} replay decided wrongly: ${JSON.stringify({ ...result, denied: result.denied.length, unevaluated: result.unevaluated.slice(0, 2) })}`);
    }
    console.log(JSON.stringify({
      format,
      shape,
      lines: LINES,
      mb: bytes / (1024 * 1024),
      pods: all.length,
      namespaces: NAMESPACES,
      policies: objects.length - NAMESPACES,
      distinctFlows: result.flows,
      readMs,
      replayMs,
      denied: result.deniedFlows,
      groups: result.denied.length,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main(process.argv[2], process.argv[3]);

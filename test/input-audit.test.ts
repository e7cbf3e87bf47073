import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import {
  AllowPrometheusScrape, CalicoGlobalDeny, CalicoSelector, CiliumL7Rule, ExternalHttpsEgress, Linter, NetworkModel, Peer, PolicyEngine, Port, Report,
  ThreeTierApp, ZeroTrustNamespace,
} from '../src';
import { runCli } from '../src/cli/main';

/** The gaps an audit of every public entry point found (276 probes), each now refused at the call. */
describe('input audit', () => {
  const chart = () => new Chart(Testing.app(), 'c');

  test('props objects: lists, nulls and misspelt keys are refused, naming the key and the valid ones', () => {
    expect(() => new ThreeTierApp(chart(), 's', { namespace: 'p', frontend: [] as any })).toThrow(/ThreeTierApp "c\/s": frontend \[\] is not an object; expected \{ labels, port, workload, http \}/);
    expect(() => new ThreeTierApp(chart(), 's', { namespace: 'p', frontend: { lables: { app: 'web' } } as any })).toThrow(/frontend has an unknown key "lables"; the keys are labels, port, workload, http/);
    expect(() => new ThreeTierApp(chart(), 's', { namespace: 'p', frontend: null as any })).toThrow(/frontend null is not an object/);
    expect(() => new ThreeTierApp(chart(), 's', { namespace: 'p', engine: PolicyEngine.CILIUM, api: { http: 'GET /' as any } })).toThrow(/api\.http "GET \/" is not a list of HttpRule/);
    expect(() => new CalicoGlobalDeny(chart(), 'g', [] as any)).toThrow(/CalicoGlobalDeny "c\/g": props \[\] is not an object/);
    expect(() => new ZeroTrustNamespace(chart(), 'z', { namespace: 'p', allowDNS: false } as any)).toThrow(/ZeroTrustNamespace "c\/z": props has an unknown key "allowDNS"; the keys are namespace, createNamespace/);
    expect(() => new AllowPrometheusScrape(chart(), 'a', { namespace: 'p', port: Port.tcp(9100) } as any)).toThrow(/unknown key "port"/);
    expect(() => new ExternalHttpsEgress(chart(), 'e', { namespace: 'p', fqdn: ['a.com'] } as any)).toThrow(/unknown key "fqdn"/);
    expect(() => new CiliumL7Rule(chart(), 'l', { namespace: 'p', selector: {}, from: [], port: Port.tcp(80), http: [], rules: [] } as any)).toThrow(/unknown key "rules"/);
  });

  test('dnsPeer must be a DNS server: the DNS pods or a node-local address, never the internet or a name', () => {
    expect(() => new ZeroTrustNamespace(chart(), 'z', { namespace: 'p', dnsPeer: Peer.internet() })).toThrow(/ZeroTrustNamespace "c\/z": dnsPeer .* is not a DNS server peer/);
    expect(() => new ThreeTierApp(chart(), 's', { namespace: 'p', dnsPeer: Peer.internet() })).toThrow(/ThreeTierApp "c\/s": dnsPeer .* is not a DNS server peer/);
    expect(() => new ZeroTrustNamespace(chart(), 'z', { namespace: 'p', dnsPeer: Peer.fqdn('dns.example.com') })).toThrow(/dnsPeer .* is not a DNS server peer/);
    expect(() => new ExternalHttpsEgress(chart(), 'e', { namespace: 'p', engine: PolicyEngine.CILIUM, fqdns: ['a.example.com'], dnsPeer: Peer.ipBlock('169.254.20.10/32') }))
      .toThrow(/dnsPeer .* is not a DNS server peer.*Cilium's DNS proxy/);
    // A node-local DNS cache is a legitimate DNS peer on the address engines.
    expect(() => new ZeroTrustNamespace(chart(), 'z', { namespace: 'p', dnsPeer: Peer.ipBlock('169.254.20.10/32') })).not.toThrow();
  });

  test('Calico selector builders refuse keys and values no label can carry', () => {
    expect(() => CalicoSelector.has('///')).toThrow(/^CalicoSelector\.has\(\): key "\/\/\/" is not a valid label key/);
    expect(() => CalicoSelector.has('-app-')).toThrow(/^CalicoSelector\.has\(\): key "-app-" is not a valid label key/);
    expect(() => CalicoSelector.labelEquals('app', 'bad value!')).toThrow(/^CalicoSelector\.labelEquals\(\): value "bad value!" is not a valid label value/);
  });

  test('FQDNs: labels starting or ending with "-" and IP literals are refused', () => {
    expect(() => Peer.fqdn('-bad-.com')).toThrow(/Peer\.fqdn\(\): pattern "-bad-\.com" is not a valid DNS name or pattern: label "-bad-" starts or ends with "-"/);
    expect(() => Peer.fqdn('10.0.0.1')).toThrow(/it is an IP address, not a DNS name; use Peer\.ipBlock/);
    expect(() => Peer.fqdn('2001:db8::1')).toThrow(/Peer\.fqdn\(\)/);
  });

  test('NetworkModel, Linter and Report options', () => {
    const model = new NetworkModel();
    expect(() => model.addPod({ namespace: 'a', name: 'p', ports: { port: 80 } as any })).toThrow(/NetworkModel\.addPod\(\): ports \{"port":80\} of a\/p is not a list/);
    expect(() => model.addPod({ namespace: 'a', name: 'p', label: { app: 'x' } } as any)).toThrow(/pod has an unknown key "label"/);
    expect(() => model.addManifest({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'n', namespace: 'a' }, spec: { podSelector: {}, ingress: {} } }))
      .toThrow(/NetworkModel\.addManifest\(\): .*spec\.ingress must be a list \(a "-" is missing\?\), got a map \{\}/);
    expect(() => new Linter('cilium' as any)).toThrow(/new Linter\(\): options "cilium" is not an object; expected \{ cni, calicoVersion \}/);
    expect(() => Report.fromManifests([], null as any)).toThrow(/Report\.fromManifests\(\): options null is not an object/);
    expect(() => Report.fromManifests([], { title: 42 } as any)).toThrow(/Report\.fromManifests\(\): title 42 is not a string/);
    expect(() => Report.fromManifests([], { cni: 'x' } as any)).toThrow(/Report\.fromManifests\(\): cni "x" is not one of/);
    expect(() => Report.fromManifests([null])).toThrow(/Report\.fromManifests\(\): objects\[0\] null is not a manifest object/);
    expect(() => Report.writeForApp(new App(), null as any)).toThrow(/Report\.writeForApp\(\): options null is not an object/);
  });

  test('manifest inputs name the object at fault; L7 sources cannot be DNS names', () => {
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'a' }, spec: { template: 'x' } }]))
      .toThrow(/^NetworkModel\.fromManifests\(\): objects\[0\]: Deployment a\/d would be refused by the API server \(kubectl apply fails\), so it is not evaluated: spec\.template must be a map, got a string "x"$/);
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'a' } }]))
      .toThrow(/^NetworkModel\.fromManifests\(\): objects\[0\]: Pod a\/\(no name\) would be refused by the API server \(kubectl apply fails\), so it is not evaluated: metadata\.name is required/);
    expect(() => NetworkModel.fromManifests([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'a' }, spec: { containers: {} } }]))
      .toThrow(/spec\.containers must be a list \(a "-" is missing\?\), got a map \{\}/);
    expect(() => new CiliumL7Rule(chart(), 'l', { namespace: 'p', selector: { app: 'api' }, from: [Peer.pods({ app: 'web' }), Peer.fqdn('a.example.com')], port: Port.tcp(80), http: [{ method: 'GET' }] }))
      .toThrow(/^CiliumL7Rule "c\/l": from\[1\] .* is a DNS name; Cilium matches DNS names on egress only/);
  });

  test.each(['0x50', '1e2', ' 80 ', '', 'abc', '0', '65536'])('CLI explain --port %j is refused, showing the text', async (port) => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-audit-')), 'pods.yaml');
    fs.writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata: { name: b, namespace: a }\nspec: { containers: [{ name: c }] }\n---\napiVersion: v1\nkind: Pod\nmetadata: { name: c, namespace: a }\nspec: { containers: [{ name: c }] }\n');
    const err: string[] = [];
    const code = await runCli(['explain', '--from', 'a/b', '--to', 'a/c', '--port', port, file], { out: () => undefined, err: (t) => err.push(t) });
    expect(code).toBe(2);
    expect(err.join('\n')).toBe(`cdk8s-netpol explain: --port ${JSON.stringify(port)} is not a port; expected a number from 1 to 65535, e.g. --port 8080`);
  });
});

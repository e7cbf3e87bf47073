import { groupBy } from '../../../util/group-by';
import { describeLabelSelector } from '../../labels';
import { NetworkModel } from '../../model';
import { Item, Workload } from '../inventory';
import { Severity, asList, asObject, canonicalSelector, defineRule, describeItem, isEmptySelector, kubernetesPolicies, pinnedNamespaces } from '../rule';
import { standInLabels } from '../stand-in';

const PROBE_POD = 'netpol-lint-probe';
const DNS_NAMESPACE = 'kube-system';
const DNS_POD = `${PROBE_POD}-dns`;
/** How many cut-off pods a message names before it counts the rest. */
const NAMED_MAX = 5;

/** The policy's directions, as the API server defaults them. */
function types(item: Item): string[] {
  const spec = asObject(item.obj.spec);
  const given = asList(spec.policyTypes);
  return given.length > 0 ? given : ['Ingress', ...(asList(spec.egress).length > 0 ? ['Egress'] : [])];
}

/** Does the policy select every pod of its namespace and isolate egress? */
function deniesAllEgress(item: Item): boolean {
  return isEmptySelector(asObject(item.obj.spec).podSelector) && types(item).includes('Egress');
}

/** A pod whose DNS is probed: a workload's, or a stand-in for the pods a selector picks. */
interface Subject {
  /** As messages name it: "Deployment api", "pods {app=api}"; undefined for the pod without labels that stands for every pod. */
  readonly name?: string;
  readonly labels: Record<string, string>;
  readonly hostNetwork: boolean;
}

/**
 * The pods of a namespace whose DNS is probed: its workloads in the input; without any, a stand-in
 * per distinct pod selector of its policies; when those select every pod, one pod without labels.
 * Pods with the same labels (and host network) share a verdict, so each such group is probed once.
 */
function subjectsOf(policies: Item[], workloads: Workload[]): Subject[] {
  const seen = new Set<string>();
  const subjects: Subject[] = [];
  const add = (name: string | undefined, labels: Record<string, string>, hostNetwork: boolean) => {
    const key = JSON.stringify([hostNetwork, Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))]);
    if (!seen.has(key)) {
      seen.add(key);
      subjects.push({ name, labels, hostNetwork });
    }
  };
  if (workloads.length > 0) {
    for (const { kind, pod } of workloads) {
      add(`${kind} ${pod.name}`, pod.labels ?? {}, pod.hostNetwork === true);
    }
    return subjects;
  }
  const selectors = new Set<string>();
  for (const item of policies) {
    const selector = asObject(item.obj.spec).podSelector;
    const key = canonicalSelector(selector);
    if (isEmptySelector(selector) || selectors.has(key)) {
      continue;
    }
    selectors.add(key);
    const labels = standInLabels(selector);
    if (labels !== undefined) {
      add(`pods ${describeLabelSelector(selector)}`, labels, false);
    }
  }
  // No policy names particular pods: one pod without labels stands for all of them. (Next to
  // selectors it would stand for pods no policy was written for, which the deny isolates on purpose.)
  if (selectors.size === 0) {
    add(undefined, {}, false);
  }
  return subjects;
}

/** A DNS server the probes try: kube-dns, or a server the namespace's policies name. */
interface DnsServer {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

/** A DNS server in the model, under the name of its stand-in pod. */
interface PlacedServer extends DnsServer {
  readonly pod: string;
}

const KUBE_DNS: DnsServer = { namespace: DNS_NAMESPACE, labels: { 'k8s-app': 'kube-dns' } };
/** The port names CoreDNS gives 53, which rules may name. */
const DNS_PORT_NAMES = ['dns', 'dns-tcp'];

/** Does a rule's port entry cover DNS (53, or CoreDNS's port names)? */
function coversDns(port: any): boolean {
  const value = port?.port;
  if (typeof value === 'string') {
    return DNS_PORT_NAMES.includes(value);
  }
  return typeof value === 'number' && (value === 53 || (typeof port.endPort === 'number' && value <= 53 && port.endPort >= 53));
}

/**
 * The DNS servers the probes try: kube-dns, and the pods the namespace's own egress rules on port
 * 53 name (a cluster DNS elsewhere, such as OpenShift's openshift-dns): a workload is cut off when
 * it reaches none of them. Pod peers in namespaces named by kubernetes.io/metadata.name, or in the
 * policy's own namespace, stand in; other peers (namespaces chosen by other labels, addresses)
 * name no pod the lint can make.
 */
function dnsServers(namespace: string, policies: Item[]): DnsServer[] {
  const servers = [KUBE_DNS];
  const seen = new Set([JSON.stringify([KUBE_DNS.namespace, canonicalSelector({ matchLabels: KUBE_DNS.labels })])]);
  for (const item of policies) {
    for (const rule of asList(asObject(item.obj.spec).egress)) {
      if (!asList(rule?.ports).some(coversDns)) {
        continue;
      }
      for (const peer of asList(rule?.to)) {
        const pods = peer?.podSelector;
        const inOwn = peer?.namespaceSelector === undefined || peer?.namespaceSelector === null;
        const namespaces = inOwn ? [namespace] : pinnedNamespaces(peer.namespaceSelector);
        const labels = pods === undefined || pods === null ? {} : standInLabels(pods);
        if (labels === undefined) {
          continue;
        }
        for (const at of namespaces ?? []) {
          const key = JSON.stringify([at, canonicalSelector(pods)]);
          if (!seen.has(key)) {
            seen.add(key);
            servers.push({ namespace: at, labels });
          }
        }
      }
    }
  }
  return servers;
}

/** The protocols on which `subject` reaches none of the DNS servers, as the model decides its egress. */
function missingDns(model: NetworkModel, namespace: string, subject: string, servers: PlacedServer[]): string[] {
  return ['UDP', 'TCP'].filter((protocol) => servers.every((server) => {
    const verdict = model._explain({ from: `${namespace}/${subject}`, to: `${server.namespace}/${server.pod}`, port: 53, protocol });
    return verdict.sides.find((side) => side.direction === 'egress')?.allowed === false;
  }));
}

/** A namespace-wide egress default deny that also cuts DNS. */
export const missingDnsEgress = defineRule({
  id: 'missing-dns-egress',
  severity: Severity.ERROR,
  title: 'Default-deny egress without DNS egress (UDP and TCP 53) to kube-dns',
  explanation: 'A policy that selects every pod of a namespace and isolates egress also blocks DNS, so every name lookup in ' +
    'the namespace fails and the applications go down. Allow egress to kube-dns (namespace kube-system, pods ' +
    'k8s-app=kube-dns) on UDP 53 and TCP 53 (large answers fall back to TCP), as ZeroTrustNamespace does by default. ' +
    'Decided with the network model, as `explain` would: each workload of the namespace in the input (without any, a stand-in ' +
    'pod per pod selector of the namespace\'s policies) is probed on UDP and TCP 53 to kube-dns and to the DNS servers the ' +
    'namespace\'s own egress rules on port 53 name (a cluster DNS elsewhere, e.g. openshift-dns), and the finding names the ' +
    'workloads that reach none; a workload\'s own policy that allows it DNS (`egress: [{}]` included) is enough. Checked for ' +
    'Kubernetes NetworkPolicy.',
}, (inventory) => {
  const byNamespace = groupBy(kubernetesPolicies(inventory), (item) => item.namespace!);
  const workloadsByNamespace = groupBy(inventory.workloads, (w) => w.pod.namespace);
  const findings = [];
  for (const [namespace, policies] of byNamespace) {
    // Namespaces with a namespace-wide egress deny. (A policy that isolates the egress of some pods
    // can cut their DNS too; checking those is left for later: ThreeTierApp alone emits such
    // policies without DNS, and the rule would fail its synthesis.)
    const denying = policies.filter(deniesAllEgress);
    if (denying.length === 0) {
      continue;
    }
    // One model per namespace, with the namespace's policies that govern egress, its pods and the
    // DNS servers: a Kubernetes policy selects pods of its own namespace only, and only the egress
    // side of a probe is read (the DNS servers' namespaces' policies are their business). So each
    // policy and workload joins one model, and each distinct set of pod labels is probed on UDP
    // and TCP. (A model per namespace holding every namespace of the input made the rule quadratic
    // in namespaces; one model for all namespaces is quadratic too, as each pod's policies are
    // found among all the model's.)
    const model = new NetworkModel({ cni: inventory.cni });
    const namespacesIn = new Set<string>();
    const addNamespace = (name: string) => {
      if (!namespacesIn.has(name)) {
        model.addNamespace(name, inventory.namespaces.get(name));
        namespacesIn.add(name);
      }
    };
    try {
      addNamespace(namespace);
    } catch {
      continue; // an invalid namespace name or labels: api-server-rejects reports them
    }
    const servers: PlacedServer[] = [];
    dnsServers(namespace, policies).forEach((server, i) => {
      // The input's own DNS pods when it has them (their ports, named or not, are what rules
      // naming ports resolve against); else a stand-in with CoreDNS's own port names.
      const real = server === KUBE_DNS ? (workloadsByNamespace.get(DNS_NAMESPACE) ?? [])
        .filter((w) => Object.entries(KUBE_DNS.labels).every(([k, v]) => w.pod.labels?.[k] === v)) : [];
      const stands = real.length > 0 ? real.map((w) => ({ labels: w.pod.labels ?? {}, ports: w.pod.ports ?? [] }))
        : [{ labels: server.labels, ports: [{ port: 53, name: 'dns', protocol: 'UDP' }, { port: 53, name: 'dns-tcp', protocol: 'TCP' }] }];
      stands.forEach((stand, j) => {
        const placed = { ...server, pod: `${DNS_POD}-${i}-${j}` };
        try {
          addNamespace(server.namespace);
          model.addPod({ namespace: server.namespace, name: placed.pod, labels: stand.labels, ports: stand.ports });
          servers.push(placed);
        } catch {
          // A namespace or labels the API server would refuse: api-server-rejects reports them.
        }
      });
    });
    if (servers.length === 0) {
      continue;
    }
    for (const item of policies) {
      if (!types(item).includes('Egress')) {
        continue; // decides no egress: the model would only check and compile it
      }
      try {
        model.addManifest(item.obj);
      } catch {
        // Invalid policies are reported by api-server-rejects; the rest still decides DNS.
      }
    }
    const cut: { subject: Subject; missing: string[] }[] = [];
    subjectsOf(policies, workloadsByNamespace.get(namespace) ?? []).forEach((subject, i) => {
      const pod = `${PROBE_POD}-${i}`;
      try {
        model.addPod({ namespace, name: pod, labels: subject.labels, ...(subject.hostNetwork ? { hostNetwork: true } : {}) });
      } catch {
        return; // a workload with invalid labels: api-server-rejects reports it
      }
      const missing = missingDns(model, namespace, pod, servers);
      if (missing.length > 0) {
        cut.push({ subject, missing });
      }
    });
    if (cut.length === 0) {
      continue;
    }
    // Anchor on a namespace-wide deny (without egress rules first) when there is one.
    const anchor = denying.find((p) => deniesAllEgress(p) && asList(asObject(p.obj.spec).egress).length === 0) ??
      denying.find(deniesAllEgress) ?? denying[0];
    const fix = 'allow egress to namespace kube-system pods k8s-app=kube-dns on UDP and TCP 53';
    const protocols = (missing: string[]) => `${missing.join(' and ')} 53`;
    if (cut.length === 1 && cut[0].subject.name === undefined && deniesAllEgress(anchor)) {
      findings.push({
        item: anchor,
        message: `${describeItem(anchor)}: denies all egress in namespace ${namespace}, and no policy there allows DNS (${protocols(cut[0].missing)}) ` +
          `to kube-dns, so every name lookup fails; ${fix}`,
      });
      continue;
    }
    const named = cut.slice(0, NAMED_MAX).map(({ subject, missing }) => `${subject.name ?? 'pods without labels'} (${protocols(missing)})`);
    const more = cut.length > NAMED_MAX ? ` and ${cut.length - NAMED_MAX} more` : '';
    const isolation = deniesAllEgress(anchor) ? `denies all egress in namespace ${namespace}` : `isolates egress in namespace ${namespace}`;
    findings.push({
      item: anchor,
      message: `${describeItem(anchor)}: ${isolation}, and no policy there allows DNS to kube-dns for ` +
        `${named.join(', ')}${more}, so their name lookups fail; ${fix}`,
    });
  }
  return findings;
});

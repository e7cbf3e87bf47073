import { Cidr, cidrContainsIp, cidrProblem, parseCidr } from '../../../util/cidr';
import { NetworkModel } from '../../model';
import { DecisionCause } from '../../semantics/decision';
import { Inventory, Item } from '../inventory';
import { Severity, asList, asObject, defineRule, describeItem, modelCni } from '../rule';
import { standInLabelsOf } from '../stand-in';

/** The cloud metadata endpoints: 169.254.169.254 (every major cloud), AWS's IPv6 one. */
const METADATA = ['169.254.169.254', 'fd00:ec2::254'];

function parsed(texts: unknown): Cidr[] {
  return asList(texts).filter((t) => typeof t === 'string' && !cidrProblem(t, true)).map((t) => parseCidr(t, true));
}

/** The metadata address an allowed block (with its holes, and blocks denied first) still includes. */
function leaked(cidr: unknown, holes: unknown, deniedFirst: Cidr[] = []): string | undefined {
  const [block] = parsed([cidr]);
  if (!block) {
    return undefined;
  }
  const except = [...parsed(holes), ...deniedFirst];
  return METADATA.find((ip) => cidrContainsIp(block, ip) && !except.some((e) => cidrContainsIp(e, ip)));
}

const EVERYWHERE = ['0.0.0.0/0', '::/0'];

/** An allowance that includes a metadata address, with the port a probe of it tries. */
interface Leak {
  readonly item: Item;
  readonly problem: string;
  readonly ip: string;
  /** The rule's first numeric port; 80 (the metadata service's HTTP) when it names none. */
  readonly port: number;
  readonly protocol: string;
}

/** The first numeric port of a rule's ports (Kubernetes `ports`, Cilium `toPorts[].ports`, Calico `destination.ports`). */
function probePort(ports: any[], protocol?: unknown): { port: number; protocol: string } {
  for (const entry of ports) {
    const port = typeof entry === 'object' && entry !== null ? entry.port : entry;
    const number = typeof port === 'string' && /^[0-9]+$/.test(port) ? Number(port) : port;
    if (typeof number === 'number' && Number.isInteger(number) && number >= 1 && number <= 65535) {
      const given = typeof entry === 'object' && entry !== null ? entry.protocol : protocol;
      return { port: number, protocol: typeof given === 'string' && ['TCP', 'UDP', 'SCTP'].includes(given) ? given : 'TCP' };
    }
  }
  return { port: 80, protocol: 'TCP' };
}

/** The allowances of one object that include a metadata address, read from the object alone. */
function leaksOf(item: Item): Leak[] {
  const spec = asObject(item.obj.spec);
  const found: Leak[] = [];
  const check = (where: string, cidr: unknown, holes: unknown, at: { port: number; protocol: string }, deniedFirst: Cidr[] = []) => {
    const ip = leaked(cidr, holes, deniedFirst);
    if (ip) {
      found.push({ item, problem: `${where} to ${cidr} includes the metadata endpoint ${ip}`, ip, ...at });
    }
  };
  if (item.flavour === 'kubernetes') {
    asList(spec.egress).forEach((rule: any, i: number) => {
      const to = asList(rule?.to);
      const at = probePort(asList(rule?.ports));
      if (to.length === 0) {
        EVERYWHERE.forEach((cidr) => check(`egress rule #${i + 1} (no "to": every destination)`, cidr, [], at));
      }
      for (const peer of to) {
        if (peer?.ipBlock) {
          check(`egress rule #${i + 1}`, peer.ipBlock.cidr, peer.ipBlock.except, at);
        }
      }
    });
  } else if (item.flavour === 'cilium') {
    // egressDeny takes precedence over every allow.
    const denied = asList(spec.egressDeny).flatMap((r: any) => [...parsed(asList(r?.toCIDRSet).map((c: any) => c?.cidr)), ...parsed(r?.toCIDR)]);
    asList(spec.egress).forEach((rule: any, i: number) => {
      const at = probePort(asList(rule?.toPorts).flatMap((p: any) => asList(p?.ports)));
      const l3 = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'].some((k) => rule?.[k] !== undefined);
      if (!l3 && rule?.toPorts !== undefined) {
        EVERYWHERE.forEach((cidr) => check(`egress rule #${i + 1} (ports only: every destination)`, cidr, [], at, denied));
      }
      for (const c of [...asList(rule?.toCIDRSet), ...asList(rule?.toCIDR).map((cidr: string) => ({ cidr }))]) {
        check(`egress rule #${i + 1}`, c?.cidr, c?.except, at, denied);
      }
      const entity = asList(rule?.toEntities).find((e: string) => e === 'world' || e === 'all');
      if (entity) {
        check(`egress rule #${i + 1} to the entity "${entity}" (0.0.0.0/0)`, '0.0.0.0/0', [], at, denied);
      }
    });
  } else if (item.flavour === 'cluster') {
    // A ClusterNetworkPolicy's rules are evaluated in order: a Deny or Pass earlier in the list takes the address out.
    const decidedSoFar: Cidr[] = [];
    asList(spec.egress).forEach((rule: any, i: number) => {
      const networks = asList(rule?.to).flatMap((peer: any) => asList(peer?.networks));
      if (rule?.action !== 'Accept') {
        decidedSoFar.push(...parsed(networks));
        return;
      }
      const at = probePort(asList(rule?.protocols).map((p: any) => {
        const [protocol, entry] = Object.entries(asObject(p)).find(([k]) => k !== 'destinationNamedPort') ?? [];
        const port = asObject(asObject(entry).destinationPort);
        return { protocol: String(protocol ?? 'tcp').toUpperCase(), port: port.number ?? asObject(port.range).start };
      }));
      for (const net of networks) {
        check(`egress rule #${i + 1}${typeof rule?.name === 'string' ? ` "${rule.name}"` : ''} (Accept)`, net, [], at, [...decidedSoFar]);
      }
    });
  } else if (item.flavour === 'calico') {
    // Rules are evaluated in order: a Deny earlier in the list takes the address out.
    const deniedSoFar: Cidr[] = [];
    asList(spec.egress).forEach((rule: any, i: number) => {
      const destination = asObject(rule?.destination);
      if (rule?.action === 'Deny') {
        deniedSoFar.push(...parsed(destination.nets));
        return;
      }
      if (rule?.action !== 'Allow') {
        return;
      }
      const at = probePort(asList(destination.ports), rule?.protocol);
      const nets = asList(destination.nets);
      const narrowed = ['selector', 'namespaceSelector', 'services', 'serviceAccounts'].some((key) => destination[key]);
      const anywhere = nets.length === 0 && !narrowed;
      for (const net of anywhere ? EVERYWHERE : nets) {
        check(`egress rule #${i + 1}${anywhere ? ' (no destination: every address)' : ''}`, net, destination.notNets, at, [...deniedSoFar]);
      }
    });
  }
  return found;
}

/** Calico's, Cilium's and ClusterNetworkPolicy objects can deny; Kubernetes NetworkPolicies only allow. */
function canDeny(item: Item): boolean {
  return item.flavour === 'calico' || item.flavour === 'cilium' || item.flavour === 'cluster' || item.category === 'tier';
}

/**
 * The leaks the cluster would not close: a leak is dropped only when the model says that a pod the
 * leaking object selects (a stand-in), which that object alone lets reach the address, is denied
 * by another object (a Calico Deny or tier, a Cilium egressDeny; e.g. a CalicoGlobalDeny of the
 * metadata endpoint). Kubernetes NetworkPolicies cannot deny, so input without Calico or Cilium
 * objects skips the model. Leaks of cluster-wide objects, and of objects the lint cannot make a
 * stand-in for, are kept. One model per namespace with leaks: its objects and the cluster-wide ones.
 */
function notDeniedElsewhere(inventory: Inventory, leaks: Leak[]): Leak[] {
  if (leaks.length === 0 || !inventory.items.some(canDeny)) {
    return leaks;
  }
  const clusterWide = inventory.items.filter((i) => i.clusterScoped && (i.category === 'policy' || i.category === 'tier'));
  const byNamespace = new Map<string, Item[]>();
  for (const item of inventory.items) {
    if (item.namespace !== undefined && item.flavour !== undefined) {
      byNamespace.set(item.namespace, [...(byNamespace.get(item.namespace) ?? []), item]);
    }
  }
  const models = new Map<string, { all: NetworkModel; pods: Map<Item, string | undefined> } | undefined>();
  const probeIn = (model: NetworkModel, pod: string, leak: Leak) =>
    model._explain({ from: pod, to: leak.ip, port: leak.port, protocol: leak.protocol }).sides.find((side) => side.direction === 'egress');
  return leaks.filter((leak) => {
    const namespace = leak.item.namespace;
    const flavour = leak.item.flavour;
    if (namespace === undefined || flavour === undefined || flavour === 'cluster') {
      return true;
    }
    if (!models.has(namespace)) {
      const all = new NetworkModel({ cni: modelCni(inventory) });
      try {
        all.addNamespace(namespace, inventory.namespaces.get(namespace));
        for (const item of [...clusterWide, ...byNamespace.get(namespace) ?? []]) {
          try {
            all.addManifest(item.obj);
          } catch {
            // Refused or invalid objects are other rules' business; the rest still decides.
          }
        }
        models.set(namespace, { all, pods: new Map() });
      } catch {
        models.set(namespace, undefined);
      }
    }
    const entry = models.get(namespace);
    if (!entry) {
      return true;
    }
    if (!entry.pods.has(leak.item)) {
      const labels = standInLabelsOf(flavour, asObject(leak.item.obj.spec));
      const name = `netpol-lint-probe-${entry.pods.size}`;
      try {
        if (labels === undefined) {
          throw new Error('no stand-in');
        }
        entry.all.addPod({ namespace, name, labels });
        entry.pods.set(leak.item, `${namespace}/${name}`);
      } catch {
        entry.pods.set(leak.item, undefined);
      }
    }
    const pod = entry.pods.get(leak.item);
    if (pod === undefined) {
      return true;
    }
    const decided = probeIn(entry.all, pod, leak);
    if (decided === undefined || decided.allowed || (decided.cause !== DecisionCause.DENY_RULE && decided.cause !== DecisionCause.TIER_DEFAULT)) {
      return true;
    }
    // Denied elsewhere: but only if the leaking object does allow this pod there (the stand-in is one of its pods).
    const alone = new NetworkModel({ cni: modelCni(inventory) });
    try {
      alone.addNamespace(namespace, inventory.namespaces.get(namespace));
      alone.addManifest(leak.item.obj);
      alone.addPod({ namespace, name: 'netpol-lint-probe', labels: standInLabelsOf(flavour, asObject(leak.item.obj.spec)) });
      return probeIn(alone, `${namespace}/netpol-lint-probe`, leak)?.allowed !== true;
    } catch {
      return true;
    }
  });
}

/** Egress allowances that include the cloud metadata endpoint. */
export const egressToMetadata = defineRule({
  id: 'egress-to-metadata',
  severity: Severity.WARNING,
  title: 'Egress that includes the cloud metadata endpoint (e.g. to 0.0.0.0/0 without excluding it)',
  explanation: 'An egress allowance to 0.0.0.0/0 (or ::/0, or any block around 169.254.169.254, or a rule without destinations) ' +
    'also allows the cloud metadata endpoint 169.254.169.254 (fd00:ec2::254 on AWS IPv6), which hands out the node\'s ' +
    'credentials. Exclude link-local (169.254.0.0/16, fe80::/10), the metadata addresses and private ranges in `except` ' +
    '(Peer.internet() and ExternalHttpsEgress do), deny them first (Calico, Cilium egressDeny), or allow only the addresses needed. ' +
    'A deny in another object that the network model says closes the address for the pods the allowance selects (a ' +
    'CalicoGlobalDeny of the metadata endpoint, a Cilium egressDeny) counts too.',
}, (inventory) => notDeniedElsewhere(inventory, inventory.items.flatMap(leaksOf)).map(({ item, problem }) => ({
  item,
  message: `${describeItem(item)}: ${problem}; exclude 169.254.0.0/16 (and fe80::/10, fd00:ec2::254/128) or use Peer.internet()`,
})));

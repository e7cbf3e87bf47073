import { Cidr, cidrContainsIp, cidrProblem, parseCidr } from '../../../util/cidr';
import { Severity, asList, asObject, defineRule, describeItem } from '../rule';

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

/** Egress allowances that include the cloud metadata endpoint. */
export const egressToMetadata = defineRule({
  id: 'egress-to-metadata',
  severity: Severity.WARNING,
  title: 'Egress that includes the cloud metadata endpoint (e.g. to 0.0.0.0/0 without excluding it)',
  explanation: 'An egress allowance to 0.0.0.0/0 (or ::/0, or any block around 169.254.169.254, or a rule without destinations) ' +
    'also allows the cloud metadata endpoint 169.254.169.254 (fd00:ec2::254 on AWS IPv6), which hands out the node\'s ' +
    'credentials. Exclude link-local (169.254.0.0/16, fe80::/10), the metadata addresses and private ranges in `except` ' +
    '(Peer.internet() and ExternalHttpsEgress do), deny them first (Calico, Cilium egressDeny), or allow only the addresses needed.',
}, (inventory) => inventory.items.flatMap((item) => {
  const spec = asObject(item.obj.spec);
  const found: string[] = [];
  const check = (where: string, cidr: unknown, holes: unknown, deniedFirst: Cidr[] = []) => {
    const ip = leaked(cidr, holes, deniedFirst);
    if (ip) {
      found.push(`${where} to ${cidr} includes the metadata endpoint ${ip}`);
    }
  };
  if (item.flavour === 'kubernetes') {
    asList(spec.egress).forEach((rule: any, i: number) => {
      const to = asList(rule?.to);
      if (to.length === 0) {
        EVERYWHERE.forEach((cidr) => check(`egress rule #${i + 1} (no "to": every destination)`, cidr, []));
      }
      for (const peer of to) {
        if (peer?.ipBlock) {
          check(`egress rule #${i + 1}`, peer.ipBlock.cidr, peer.ipBlock.except);
        }
      }
    });
  } else if (item.flavour === 'cilium') {
    // egressDeny takes precedence over every allow.
    const denied = asList(spec.egressDeny).flatMap((r: any) => [...parsed(asList(r?.toCIDRSet).map((c: any) => c?.cidr)), ...parsed(r?.toCIDR)]);
    asList(spec.egress).forEach((rule: any, i: number) => {
      const l3 = ['toEndpoints', 'toCIDR', 'toCIDRSet', 'toEntities', 'toServices', 'toGroups', 'toNodes', 'toFQDNs'].some((k) => rule?.[k] !== undefined);
      if (!l3 && rule?.toPorts !== undefined) {
        EVERYWHERE.forEach((cidr) => check(`egress rule #${i + 1} (ports only: every destination)`, cidr, [], denied));
      }
      for (const c of [...asList(rule?.toCIDRSet), ...asList(rule?.toCIDR).map((cidr: string) => ({ cidr }))]) {
        check(`egress rule #${i + 1}`, c?.cidr, c?.except, denied);
      }
      const entity = asList(rule?.toEntities).find((e: string) => e === 'world' || e === 'all');
      if (entity) {
        check(`egress rule #${i + 1} to the entity "${entity}" (0.0.0.0/0)`, '0.0.0.0/0', [], denied);
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
      const nets = asList(destination.nets);
      const narrowed = ['selector', 'namespaceSelector', 'services', 'serviceAccounts'].some((key) => destination[key]);
      const anywhere = nets.length === 0 && !narrowed;
      for (const net of anywhere ? EVERYWHERE : nets) {
        check(`egress rule #${i + 1}${anywhere ? ' (no destination: every address)' : ''}`, net, destination.notNets, [...deniedSoFar]);
      }
    });
  }
  return found.map((problem) => ({
    item,
    message: `${describeItem(item)}: ${problem}; exclude 169.254.0.0/16 (and fe80::/10, fd00:ec2::254/128) or use Peer.internet()`,
  }));
}));

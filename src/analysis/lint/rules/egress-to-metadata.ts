import { cidrContainsIp, cidrProblem, parseCidr } from '../../../util/cidr';
import { Severity, defineRule, describeItem } from '../rule';

/** The cloud metadata endpoints: 169.254.169.254 (every major cloud), AWS's IPv6 one. */
const METADATA = ['169.254.169.254', 'fd00:ec2::254'];

/** Does an allowed block (with its holes) contain a metadata address? */
function leaksMetadata(cidr: unknown, holes: unknown): string | undefined {
  if (cidrProblem(cidr as string, true) || !String(cidr).endsWith('/0')) {
    return undefined;
  }
  const block = parseCidr(cidr as string, true);
  const except = (Array.isArray(holes) ? holes : []).filter((h) => !cidrProblem(h, true)).map((h) => parseCidr(h, true));
  return METADATA.find((ip) => cidrContainsIp(block, ip) && !except.some((e) => cidrContainsIp(e, ip)));
}

/** Egress to everywhere that still includes the cloud metadata endpoint. */
export const egressToMetadata = defineRule({
  id: 'egress-to-metadata',
  severity: Severity.WARNING,
  title: 'Egress to 0.0.0.0/0 or ::/0 that does not exclude the cloud metadata endpoint',
  explanation: 'An egress allowance to 0.0.0.0/0 (or ::/0) also allows 169.254.169.254 (fd00:ec2::254 on AWS IPv6), the cloud ' +
    'metadata endpoint that hands out the node\'s credentials. Exclude link-local (169.254.0.0/16, fe80::/10), the metadata ' +
    'addresses and private ranges in `except` (Peer.internet() and ExternalHttpsEgress do), or allow only the addresses needed.',
}, (inventory) => inventory.items.flatMap((item) => {
  const spec = item.obj.spec ?? {};
  const found: string[] = [];
  if (item.flavour === 'kubernetes') {
    (Array.isArray(spec.egress) ? spec.egress : []).forEach((rule: any, i: number) => {
      for (const peer of Array.isArray(rule?.to) ? rule.to : []) {
        const ip = peer?.ipBlock ? leaksMetadata(peer.ipBlock.cidr, peer.ipBlock.except) : undefined;
        if (ip) {
          found.push(`egress rule #${i + 1} to ${peer.ipBlock.cidr} includes the metadata endpoint ${ip}`);
        }
      }
    });
  } else if (item.flavour === 'cilium') {
    (Array.isArray(spec.egress) ? spec.egress : []).forEach((rule: any, i: number) => {
      for (const c of [...(rule?.toCIDRSet ?? []), ...(rule?.toCIDR ?? []).map((cidr: string) => ({ cidr }))]) {
        const ip = leaksMetadata(c?.cidr, c?.except);
        if (ip) {
          found.push(`egress rule #${i + 1} to ${c.cidr} includes the metadata endpoint ${ip}`);
        }
      }
      const entity = (rule?.toEntities ?? []).find((e: string) => e === 'world' || e === 'all');
      if (entity) {
        found.push(`egress rule #${i + 1} to the entity "${entity}" includes the metadata endpoint 169.254.169.254`);
      }
    });
  } else if (item.flavour === 'calico') {
    (Array.isArray(spec.egress) ? spec.egress : []).forEach((rule: any, i: number) => {
      if (rule?.action !== 'Allow') {
        return;
      }
      for (const net of rule?.destination?.nets ?? []) {
        const ip = leaksMetadata(net, rule.destination.notNets);
        if (ip) {
          found.push(`egress rule #${i + 1} to ${net} includes the metadata endpoint ${ip}`);
        }
      }
    });
  }
  return found.map((problem) => ({
    item,
    message: `${describeItem(item)}: ${problem}; exclude 169.254.0.0/16 (and fe80::/10, fd00:ec2::254/128) or use Peer.internet()`,
  }));
}));

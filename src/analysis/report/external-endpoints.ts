import { groupBy } from '../../util/group-by';
import { externalAddressClasses } from '../connectivity/address-classes';
import { EstateConnectivity } from '../connectivity/estate-connectivity';
import { NetworkModel } from '../model';

/** A row or column for addresses outside the cluster: the internet, the metadata endpoint, ranges the policies name. */
export interface ExternalEndpoint {
  readonly id: string;
  readonly label: string;
  readonly kind: string;
  readonly address: string;
}

/** One endpoint per range of addresses the policies can tell apart, besides `given` (the internet's and the metadata endpoint's). */
export function addressRangeEndpoints(model: NetworkModel, policyObjects: readonly unknown[], given: readonly string[]): ExternalEndpoint[] {
  const podIps = new Set(model.podIds.map((id) => model._pod(id)!.ip).filter((ip): ip is string => ip !== undefined));
  return externalAddressClasses(policyObjects, given, podIps).map((c) => {
    const name = c.within[0] ?? (c.family === 4 ? 'internet elsewhere' : 'internet (IPv6)');
    return { id: c.within[0] ?? (c.family === 4 ? 'internet-elsewhere' : 'internet-ipv6'), label: `${name} (${c.address})`, kind: 'external', address: c.address };
  });
}

/**
 * The ranges, merged where no pair can tell them apart: a range every pod reaches (and is reached
 * from) exactly as it reaches the internet is left to the internet's column; ranges that get the
 * same answers as each other share one column, named after the first and counted ("10.0.0.0/8,
 * 100.64.0.0/10 +10 more"). `pods` are the pod rows and columns (ids and model addresses). The
 * notes list what each merged column stands for.
 */
export function mergeAlikeRanges(model: NetworkModel, pods: readonly { id: string; address: string }[], internet: ExternalEndpoint,
  ranges: readonly ExternalEndpoint[]): { ranges: ExternalEndpoint[]; notes: string[] } {
  if (ranges.length === 0) {
    return { ranges: [], notes: [] };
  }
  const outside = [internet, ...ranges].map((e) => ({ id: e.id, address: e.address }));
  // Every pod toward each range, and each range toward every pod: a range's answers, as one key.
  const toRanges = new EstateConnectivity(model, pods, outside);
  const fromRanges = new EstateConnectivity(model, outside, pods);
  const columns = outside.map(() => [] as string[]);
  pods.forEach((_pod, i) => {
    const row = toRanges.row(i);
    outside.forEach((_e, k) => columns[k].push(toRanges.results[row[k]]?.key ?? ''));
  });
  const keys = outside.map((_e, k) => {
    const row = fromRanges.row(k);
    return `${columns[k].join('\u0001')}\u0002${[...row].map((r) => fromRanges.results[r]?.key ?? '').join('\u0001')}`;
  });
  const keyOf = new Map(ranges.map((range, k) => [range, keys[k + 1]]));
  const groups = groupBy(ranges, (range) => keyOf.get(range)!);
  const out: ExternalEndpoint[] = [];
  const notes: string[] = [];
  for (const [key, members] of groups) {
    const names = members.map((m) => m.label.replace(/ \([^()]*\)$/, ''));
    if (key === keys[0]) {
      notes.push(`The internet's column also stands for ${listed(names)}: every pod reaches them, and is reached from them, as from the internet.`);
      continue;
    }
    const first = members[0];
    if (members.length === 1) {
      out.push(first);
      continue;
    }
    const shown = `${names.slice(0, 2).join(', ')}${members.length > 2 ? ` +${members.length - 2} more` : ''}`;
    out.push({ ...first, label: `${shown} (${first.address})` });
    notes.push(`The column ${shown} stands for ${listed(names)}: every pod reaches them, and is reached from them, alike.`);
  }
  return { ranges: out, notes };
}

/** At most this many ranges are named in a note (an IP block minus its exceptions can be a hundred CIDRs). */
const NOTE_NAMES_MAX = 12;

/** "a, b, c" or "a, b, ... and 40 more". */
function listed(names: readonly string[]): string {
  return names.length <= NOTE_NAMES_MAX ? names.join(', ') : `${names.slice(0, NOTE_NAMES_MAX).join(', ')} and ${names.length - NOTE_NAMES_MAX} more`;
}

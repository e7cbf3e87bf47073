import { cidrProblem, isStrictSubnet, parseCidr } from '../../../util/cidr';
import { dns1123LabelProblem, dns1123SubdomainProblem, ianaServiceNameProblem, labelKeyProblem, labelValueProblem } from '../../../util/names';
import { isIntegerInRange } from '../../../util/validation';
import { Item } from '../inventory';
import { RawFinding, Severity, asList, asObject, defineRule, describeItem, kubernetesPolicies, policyRules } from '../rule';

/** What the API server refuses in a NetworkPolicy, though the OpenAPI schema lets it through. */
export const apiServerRejects = defineRule({
  id: 'api-server-rejects',
  severity: Severity.ERROR,
  title: 'The API server would reject this NetworkPolicy',
  explanation: 'Much of NetworkPolicy validation lives in the API server, not the schema (kubernetes pkg/apis/networking/validation): an `except` ' +
    'must be a strict subset of its `cidr` (same family, longer prefix), `endPort` needs a numeric `port` and must not be ' +
    'below it, ports are 1-65535 or IANA service names, protocols are TCP, UDP or SCTP, a peer needs a field and may not ' +
    'mix `ipBlock` with selectors, `policyTypes` holds Ingress and Egress at most once, and names and labels follow DNS-1123 ' +
    'and label syntax. `kubectl apply` fails on such an object, so a pipeline that does not lint fails at deploy time.',
}, (inventory) => kubernetesPolicies(inventory).flatMap((item) => problemsOf(item).map((message) => ({ item, message }))));

function problemsOf(item: Item): string[] {
  const where = describeItem(item);
  const problems: string[] = [];
  const add = (problem: string) => problems.push(`${where}: ${problem}`);
  const meta = asObject(item.obj.metadata);
  const nameProblem = meta.name === undefined ? 'it is missing' : dns1123SubdomainProblem(meta.name);
  if (nameProblem) {
    add(`metadata.name ${meta.name === undefined ? '' : `${JSON.stringify(meta.name)} `}is invalid: ${nameProblem}`);
  }
  if (meta.namespace !== undefined && dns1123LabelProblem(meta.namespace)) {
    add(`metadata.namespace ${JSON.stringify(meta.namespace)} is invalid: ${dns1123LabelProblem(meta.namespace)}`);
  }
  checkLabels(meta.labels, 'metadata.labels', add);
  const spec = asObject(item.obj.spec);
  checkSelector(spec.podSelector, 'spec.podSelector', add);
  for (const key of ['policyTypes', 'ingress', 'egress']) {
    if (spec[key] !== undefined && spec[key] !== null && !Array.isArray(spec[key])) {
      add(`spec.${key} must be a list, got ${JSON.stringify(spec[key])}`);
    }
  }
  const types: unknown[] = Array.isArray(spec.policyTypes) ? spec.policyTypes : [];
  if (types.length > 2 || types.some((t) => t !== 'Ingress' && t !== 'Egress')) {
    add(`spec.policyTypes ${JSON.stringify(types)} may hold at most two entries, each Ingress or Egress`);
  }
  for (const { direction, peersKey, rule, index, peers } of policyRules(item.obj)) {
    const at = `spec.${direction}[${index}]`;
    for (const key of [peersKey, 'ports']) {
      if (rule?.[key] !== undefined && rule?.[key] !== null && !Array.isArray(rule[key])) {
        add(`${at}.${key} must be a list (a "-" is missing?), got ${JSON.stringify(rule[key])}`);
      }
    }
    peers.forEach((peer: any, j: number) => checkPeer(peer, `${at}.${peersKey}[${j}]`, add));
    asList(rule?.ports).forEach((port: any, j: number) => checkPort(port, `${at}.ports[${j}]`, add));
  }
  return problems;
}

function checkLabels(labels: unknown, at: string, add: (p: string) => void): void {
  for (const [key, value] of Object.entries(asObject(labels))) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value as string);
    if (problem) {
      add(`${at} ${JSON.stringify(key)}=${JSON.stringify(value)} is not a valid label: ${problem}`);
    }
  }
}

function checkSelector(selector: any, at: string, add: (p: string) => void): void {
  if (selector === undefined || selector === null) {
    return;
  }
  checkLabels(selector.matchLabels, `${at}.matchLabels`, add);
  if (selector.matchExpressions !== undefined && !Array.isArray(selector.matchExpressions)) {
    add(`${at}.matchExpressions must be a list`);
  }
  asList(selector.matchExpressions).forEach((e: any, i: number) => {
    const values = asList(e?.values);
    if (labelKeyProblem(e?.key)) {
      add(`${at}.matchExpressions[${i}].key ${JSON.stringify(e?.key)} is invalid: ${labelKeyProblem(e?.key)}`);
    }
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e?.operator)) {
      add(`${at}.matchExpressions[${i}].operator ${JSON.stringify(e?.operator)} is not In, NotIn, Exists or DoesNotExist`);
    } else if ((e.operator === 'In' || e.operator === 'NotIn') !== values.length > 0) {
      add(`${at}.matchExpressions[${i}]: ${e.operator} ${values.length > 0 ? 'takes no values' : 'needs at least one value'}`);
    }
  });
}

function checkPeer(peer: any, at: string, add: (p: string) => void): void {
  const podSelector = peer?.podSelector ?? undefined;
  const namespaceSelector = peer?.namespaceSelector ?? undefined;
  const ipBlock = peer?.ipBlock ?? undefined;
  if (podSelector === undefined && namespaceSelector === undefined && ipBlock === undefined) {
    add(`${at} must specify a peer (podSelector, namespaceSelector or ipBlock)`);
    return;
  }
  if (ipBlock !== undefined && (podSelector !== undefined || namespaceSelector !== undefined)) {
    add(`${at} may not specify both ipBlock and another peer; use two peers`);
  }
  checkSelector(podSelector, `${at}.podSelector`, add);
  checkSelector(namespaceSelector, `${at}.namespaceSelector`, add);
  if (ipBlock === undefined) {
    return;
  }
  const cidrIssue = cidrProblem(ipBlock.cidr, true);
  if (cidrIssue) {
    add(`${at}.ipBlock.cidr ${JSON.stringify(ipBlock.cidr)} is not a valid CIDR: ${cidrIssue}`);
    return;
  }
  const cidr = parseCidr(ipBlock.cidr, true);
  if (ipBlock.except !== undefined && ipBlock.except !== null && !Array.isArray(ipBlock.except)) {
    add(`${at}.ipBlock.except must be a list of CIDRs, got ${JSON.stringify(ipBlock.except)}`);
  }
  asList(ipBlock.except).forEach((text: string, i: number) => {
    const holeIssue = cidrProblem(text, true);
    if (holeIssue) {
      add(`${at}.ipBlock.except[${i}] ${JSON.stringify(text)} is not a valid CIDR: ${holeIssue}`);
    } else if (!isStrictSubnet(cidr, parseCidr(text, true))) {
      add(`${at}.ipBlock.except[${i}] ${JSON.stringify(text)} must be a strict subset of cidr ${JSON.stringify(ipBlock.cidr)} (inside it, same family, longer prefix)`);
    }
  });
}

function checkPort(port: any, at: string, add: (p: string) => void): void {
  const protocol = port?.protocol;
  if (protocol !== undefined && protocol !== null && !['TCP', 'UDP', 'SCTP'].includes(protocol)) {
    add(`${at}.protocol ${JSON.stringify(protocol)} is not TCP, UDP or SCTP`);
  }
  const value = port?.port ?? undefined;
  const endPort = port?.endPort ?? undefined;
  if (typeof value === 'number' && !isIntegerInRange(value, 1, 65535)) {
    add(`${at}.port ${value} is out of range 1-65535`);
  }
  if (typeof value === 'string' && ianaServiceNameProblem(value)) {
    add(`${at}.port ${JSON.stringify(value)} is not a valid port name: ${ianaServiceNameProblem(value)}`);
  }
  if (endPort !== undefined) {
    if (typeof value !== 'number') {
      add(`${at}.endPort ${endPort} needs a numeric port (it cannot follow a named port or stand alone)`);
    } else if (!isIntegerInRange(endPort, value, 65535)) {
      add(`${at}.endPort ${endPort} must be from port ${value} to 65535`);
    }
  }
}

/** The raw problems of one policy (for tests). */
export function apiServerProblems(item: Item): RawFinding[] {
  return problemsOf(item).map((message) => ({ item, message }));
}

import { Inventory, Item } from './inventory';
import { LintRuleInfo, Severity } from './types';
import { ClusterCni } from '../kinds';

/** A finding before severity and rule id are attached: the object it is reported on (and suppressed by), and the message. */
export interface RawFinding {
  readonly item: Item;
  readonly message: string;
  /** A severity other than the rule's, for a finding that weighs less (or more) than the rule says. */
  readonly severity?: Severity;
}

/** A lint rule: what it is and how it checks. */
export interface LintRule extends LintRuleInfo {
  check(inventory: Inventory): RawFinding[];
}

/** Shorthand for rules: a rule definition with its metadata and check. */
export function defineRule(info: LintRuleInfo, check: (inventory: Inventory) => RawFinding[]): LintRule {
  return { ...info, check };
}

/** "NetworkPolicy production/web" for messages. */
export function describeItem(item: Item): string {
  return `${item.kind} ${item.namespace ? `${item.namespace}/` : ''}${item.name}`;
}

/**
 * An engine's message about an item, after "<item>: " in a finding: without the object it may
 * start with ("Calico NetworkPolicy shop/x spec.ingress[0]: ..." becomes "spec.ingress[0]: ..."),
 * so that a finding names its object once.
 */
export function withoutItemPrefix(item: Item, message: string): string {
  const object = describeItem(item);
  for (const prefix of [`Calico ${object}`, object]) {
    if (message.startsWith(`${prefix}: `)) {
      return message.slice(prefix.length + 2);
    }
    if (message.startsWith(`${prefix} `)) {
      return message.slice(prefix.length + 1);
    }
  }
  return message;
}

/**
 * The cni of the models rules build: the lint's, unless that is the default (kubernetes) while the
 * input holds Cilium or Calico objects, which the model then takes as the cluster's plugin.
 */
export function modelCni(inventory: Inventory): ClusterCni | undefined {
  return inventory.cni === ClusterCni.KUBERNETES ? undefined : inventory.cni;
}

/** The input's Kubernetes NetworkPolicies. */
export function kubernetesPolicies(inventory: Inventory): Item[] {
  return inventory.items.filter((i) => i.flavour === 'kubernetes');
}

/** `value` when it is a list, else an empty one: rules read hand-written input, which may be malformed. */
export function asList(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/** `value` when it is an object (not a list), else an empty one. */
export function asObject(value: unknown): Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

/** One ingress or egress rule of a Kubernetes NetworkPolicy, with where it stands. */
export interface PolicyRuleAt {
  readonly direction: 'ingress' | 'egress';
  /** Where the rule lists its peers: `from` for ingress, `to` for egress. */
  readonly peersKey: 'from' | 'to';
  readonly rule: any;
  /** Its position in `spec.<direction>`, from 0. */
  readonly index: number;
  /** Its peers (empty when absent or malformed). */
  readonly peers: any[];
}

/** Every ingress rule, then every egress rule, of a NetworkPolicy object (malformed parts read as empty). */
export function policyRules(obj: any): PolicyRuleAt[] {
  const spec = asObject(obj?.spec);
  return (['ingress', 'egress'] as const).flatMap((direction) => {
    const peersKey = direction === 'ingress' ? 'from' : 'to';
    return asList(spec[direction]).map((rule: any, index: number) => ({ direction, peersKey, rule, index, peers: asList(rule?.[peersKey]) }));
  });
}

/** A label selector in one spelling: sorted labels and expressions, empty parts dropped. */
export function canonicalSelector(selector: unknown): string {
  const s = asObject(selector);
  const labels = Object.entries(asObject(s.matchLabels)).sort(([a], [b]) => a.localeCompare(b));
  const expressions = asList(s.matchExpressions).map((e) => JSON.stringify([e?.key, e?.operator, [...asList(e?.values)].sort()])).sort();
  return JSON.stringify([labels, expressions]);
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

/** The namespaces a namespaceSelector names by kubernetes.io/metadata.name, or undefined when it selects otherwise. */
export function pinnedNamespaces(selector: any): string[] | undefined {
  const s = asObject(selector);
  const labels = asObject(s.matchLabels);
  const expressions = asList(s.matchExpressions);
  if (Object.keys(labels).length === 1 && typeof labels[NAME_LABEL] === 'string' && expressions.length === 0) {
    return [labels[NAME_LABEL]];
  }
  if (Object.keys(labels).length === 0 && expressions.length === 1 && expressions[0]?.key === NAME_LABEL && expressions[0]?.operator === 'In') {
    return asList(expressions[0].values).map(String);
  }
  return undefined;
}

/** True for a label selector that selects everything: `{}`, or no labels and no expressions. */
export function isEmptySelector(selector: any): boolean {
  return Object.keys(asObject(selector?.matchLabels)).length === 0 && asList(selector?.matchExpressions).length === 0;
}

export { Severity };

import { Inventory, Item } from './inventory';
import { LintRuleInfo, Severity } from './types';

/** A finding before severity and rule id are attached. */
export interface RawFinding {
  readonly item: Item;
  readonly message: string;
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

/** The input's Kubernetes NetworkPolicies, the library's own excluded unless `all`. */
export function kubernetesPolicies(inventory: Inventory): Item[] {
  return inventory.items.filter((i) => i.flavour === 'kubernetes');
}

/** True for a label selector that selects everything: `{}`, or no labels and no expressions. */
export function isEmptySelector(selector: any): boolean {
  return Object.keys(selector?.matchLabels ?? {}).length === 0 && (selector?.matchExpressions ?? []).length === 0;
}

export { Severity };

import { NOT_A_STRING, SUPPRESS_ANNOTATION } from '../inventory';
import { Severity, defineRule, describeItem } from '../rule';

/** Suppressions must name a rule and say why. */
export function invalidSuppression(knownRules: string[]) {
  return defineRule({
    id: 'invalid-suppression',
    severity: Severity.ERROR,
    title: 'A suppression names an unknown rule or gives no reason',
    explanation: `The annotation ${SUPPRESS_ANNOTATION} lists suppressed rules, one "rule-id: reason" per line. A suppression ` +
      'without a reason hides a finding from the next reviewer without telling them why, so it is an error itself, as is ' +
      'a rule id that does not exist (a typo suppresses nothing).',
  }, (inventory) => inventory.items.flatMap((item) => [...item.suppressions.entries()].flatMap(([rule, reason]) => {
    if (rule === NOT_A_STRING) {
      return [{ item, message: `${describeItem(item)}: ${SUPPRESS_ANNOTATION} must be a string, one "rule-id: reason" per line` }];
    }
    if (!knownRules.includes(rule)) {
      return [{ item, message: `${describeItem(item)}: ${SUPPRESS_ANNOTATION} names the unknown rule "${rule}"; known rules: ${knownRules.join(', ')}` }];
    }
    if (reason.length === 0) {
      return [{ item, message: `${describeItem(item)}: ${SUPPRESS_ANNOTATION} suppresses "${rule}" without a reason; write "${rule}: <why this is fine>"` }];
    }
    return [];
  })));
}

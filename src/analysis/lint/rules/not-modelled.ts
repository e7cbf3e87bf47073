import { engineAdmission } from '../../admission/admission';
import { Severity, defineRule, describeItem, withoutItemPrefix } from '../rule';

/**
 * Valid Cilium and Calico policies that use a feature the NetworkModel does not evaluate: explain,
 * matrix, diff and the proofs refuse them, so the lint says so first, with the reason.
 */
export const notModelled = defineRule({
  id: 'not-modelled',
  severity: Severity.WARNING,
  title: 'The tools cannot evaluate this policy: it uses a feature the model does not model',
  explanation: 'The cluster takes the policy, but the NetworkModel does not evaluate one of its features (Calico `services` or ' +
    'Cilium `toServices` peers, Cilium `authentication` or group peers, an HTTP match on a Calico release whose application layer ' +
    'policy answers every request with 403, ...). Rather than give verdicts without it, `explain`, `matrix`, `diff` and the ' +
    'synth-time proofs refuse the input, naming the feature; this rule reports the same reason at lint time, so that a pipeline ' +
    'learns it before a verdict is asked. Rewrite the rule with what the model evaluates (select the pods behind a Service, give ' +
    'port numbers), or verify it another way and suppress the finding with the reason.',
}, (inventory) => inventory.items.flatMap((item) => {
  const reason = engineAdmission(item.obj, inventory.calico).notModelled;
  return reason === undefined ? [] : [{ item, message: `${describeItem(item)}: the tools do not evaluate it: ${withoutItemPrefix(item, reason)}` }];
}));

import { Severity, asObject, defineRule, describeItem, kubernetesPolicies } from '../rule';

/** Rules that are written but not enforced, and isolation nobody asked for. */
export const policyTypesMismatch = defineRule({
  id: 'policy-types-mismatch',
  severity: Severity.ERROR,
  title: 'Rules written but not enforced, or a direction isolated by accident, because of policyTypes',
  explanation: 'The API server defaults an empty `policyTypes` to ["Ingress"], adding "Egress" only when `egress` has a rule ' +
    '(kubernetes pkg/apis/networking/v1/defaults.go). So `egress: []` without policyTypes isolates nothing (a deny-all egress that does not deny), an ' +
    'egress-only policy without policyTypes also denies all ingress, and rules of a direction missing from an explicit ' +
    'policyTypes are ignored. Always list policyTypes explicitly, matching the rules you wrote.',
}, (inventory) => kubernetesPolicies(inventory).flatMap((item) => {
  const spec = asObject(item.obj.spec);
  const explicit = Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0;
  const ingress = Array.isArray(spec.ingress) ? spec.ingress : undefined;
  const egress = Array.isArray(spec.egress) ? spec.egress : undefined;
  const at = describeItem(item);
  const messages: string[] = [];
  if (explicit) {
    if (!spec.policyTypes.includes('Egress') && egress && egress.length > 0) {
      messages.push(`${at}: its ${egress.length} egress rule(s) are ignored because policyTypes lacks "Egress"; add it, or remove the rules`);
    }
    if (!spec.policyTypes.includes('Ingress') && ingress && ingress.length > 0) {
      messages.push(`${at}: its ${ingress.length} ingress rule(s) are ignored because policyTypes lacks "Ingress"; add it, or remove the rules`);
    }
  } else {
    if (egress && egress.length === 0) {
      messages.push(`${at}: "egress: []" isolates nothing without policyTypes (the server defaults them to ["Ingress"]); set policyTypes: [..., "Egress"] to deny egress`);
    }
    if (egress && egress.length > 0 && ingress === undefined) {
      messages.push(`${at}: without policyTypes the server adds "Ingress", so this egress policy also denies all ingress to the selected pods; set policyTypes: ["Egress"]`);
    }
  }
  return messages.map((message) => ({ item, message }));
}));

import { engineAdmission } from '../../admission/admission';
import { CalicoSemantics, NEWEST_CALICO } from '../../semantics/calico/rule';
import { Item } from '../inventory';
import { RawFinding, Severity, defineRule, describeItem, withoutItemPrefix } from '../rule';

/** What the API server refuses in the objects the analysis reads (admission/): structure, types, and the rules the schema lacks. */
export const apiServerRejects = defineRule({
  id: 'api-server-rejects',
  severity: Severity.ERROR,
  title: 'The API server would reject this object',
  explanation: 'Much of NetworkPolicy validation lives in the API server, not the schema (kubernetes pkg/apis/networking/validation): an `except` ' +
    'must be a strict subset of its `cidr` (same family, longer prefix), `endPort` needs a numeric `port` and must not be ' +
    'below it, ports are 1-65535 or IANA service names, protocols are TCP, UDP or SCTP, a peer needs a field and may not ' +
    'mix `ipBlock` with selectors, `policyTypes` holds Ingress and Egress at most once, and names and labels follow DNS-1123 ' +
    'and label syntax. Every field must also have its type: a list written without its "-" (`from:` holding a map), ' +
    '`policyTypes: Ingress` as a string, `values: db` as a string, an unquoted `yes` read as a boolean label value, an ' +
    'unknown field. Checked for every policy, Calico Tier, Namespace and workload the tools read. `kubectl apply` fails on ' +
    'such an object, so a pipeline that does not lint fails at deploy time, and the tools never evaluate it. Cilium and Calico ' +
    'policies are also checked against the rules of their languages as the engines check them (a rule whose fromEndpoints is ' +
    'a map, a Calico port without a protocol, an action Calico does not know): the CRD admits such an object, but the agent ' +
    'rejects the rule, so the cluster does not enforce it.',
}, (inventory) => inventory.items.flatMap((item) => problemsOf(item, inventory.calico).map((message) => ({ item, message }))));

function problemsOf(item: Item, calico: CalicoSemantics): string[] {
  const where = describeItem(item);
  return engineAdmission(item.obj, calico).problems.map((problem) => `${where}: ${withoutItemPrefix(item, problem)}`);
}

/** The raw problems of one object (for tests). */
export function apiServerProblems(item: Item, calico: CalicoSemantics = NEWEST_CALICO): RawFinding[] {
  return problemsOf(item, calico).map((message) => ({ item, message }));
}

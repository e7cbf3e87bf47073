import { calicoSelectorKeys, parseCalicoSelector } from '../../../util/calico-selector';
import { JOB_NAME_LABELS, UNKNOWABLE_CONTROLLER_LABELS } from '../../workloads';
import { Item } from '../inventory';
import { Severity, asList, asObject, defineRule, describeItem, policyRules } from '../rule';

/** What each label the model cannot give a pod holds, for the message. */
const WHAT: Record<string, string> = {
  'controller-uid': 'a Job\'s uid, given by the API server',
  'batch.kubernetes.io/controller-uid': 'a Job\'s uid, given by the API server',
  'pod-template-hash': 'a hash of a Deployment\'s pod template, new on every rollout',
  'controller-revision-hash': 'the name of a StatefulSet\'s or DaemonSet\'s revision, new on every rollout',
  'pod-template-generation': 'a DaemonSet\'s generation, new on every change',
};
const CRONJOB_JOB_NAME = 'the name of the Job a CronJob starts, "<cronjob>-<scheduled minute>", known only when it runs';

/** One pod selector of a policy: where it stands, and the label keys it names (source prefixes such as `k8s:` dropped). */
interface NamedKeys {
  readonly at: string;
  readonly keys: string[];
}

/** The keys a `metav1.LabelSelector` names, source prefixes (`k8s:`, `any:`) dropped. */
function selectorKeys(selector: unknown): string[] {
  const s = asObject(selector);
  return [...Object.keys(asObject(s.matchLabels)), ...asList(s.matchExpressions).map((e: any) => e?.key)]
    .filter((key): key is string => typeof key === 'string')
    .map((key) => key.replace(/^(k8s|any):/, ''));
}

/** The label keys a Calico selector expression reads, through the project's Calico selector parser. */
function calicoKeys(expression: unknown): string[] {
  if (typeof expression !== 'string') {
    return [];
  }
  try {
    return calicoSelectorKeys(parseCalicoSelector(expression, true));
  } catch {
    return []; // an invalid selector: api-server-rejects reports it
  }
}

/** Every pod selector of a policy object, in the policy language of its flavour. */
function podSelectors(item: Item): NamedKeys[] {
  const spec = asObject(item.obj?.spec);
  if (item.flavour === 'kubernetes') {
    return [
      { at: 'spec.podSelector', keys: selectorKeys(spec.podSelector) },
      ...policyRules(item.obj).flatMap(({ direction, peersKey, index, peers }) =>
        peers.map((peer: any, j: number) => ({ at: `spec.${direction}[${index}].${peersKey}[${j}].podSelector`, keys: selectorKeys(peer?.podSelector) }))),
    ];
  }
  if (item.flavour === 'cilium') {
    const specs: [string, Record<string, any>][] = [
      ...(item.obj?.spec !== undefined ? [['spec', spec] as [string, Record<string, any>]] : []),
      ...asList(item.obj?.specs).map((s: any, i: number) => [`specs[${i}]`, asObject(s)] as [string, Record<string, any>]),
    ];
    return specs.flatMap(([at, s]) => {
      const peers = (section: string, key: string) => asList(s[section]).flatMap((rule: any, r: number) =>
        asList(rule?.[key]).map((selector: any, j: number) => ({ at: `${at}.${section}[${r}].${key}[${j}]`, keys: selectorKeys(selector) })));
      return [
        { at: `${at}.endpointSelector`, keys: selectorKeys(s.endpointSelector) },
        ...peers('ingress', 'fromEndpoints'), ...peers('ingressDeny', 'fromEndpoints'),
        ...peers('egress', 'toEndpoints'), ...peers('egressDeny', 'toEndpoints'),
      ];
    });
  }
  if (item.flavour === 'calico') {
    const rules = (section: string, side: string) => asList(spec[section]).map((rule: any, r: number) =>
      ({ at: `spec.${section}[${r}].${side}.selector`, keys: calicoKeys(asObject(rule?.[side]).selector) }));
    return [
      { at: 'spec.selector', keys: calicoKeys(spec.selector) },
      ...rules('ingress', 'source'), ...rules('ingress', 'destination'), ...rules('egress', 'source'), ...rules('egress', 'destination'),
    ];
  }
  return [];
}

/** Selectors naming a label whose value its controller picks at run time: the model gives no pod that label. */
export const selectorOnControllerLabel = defineRule({
  id: 'selector-on-controller-label',
  severity: Severity.WARNING,
  title: 'A pod selector names a label whose value only the running cluster knows (pod-template-hash, controller-uid, ...)',
  explanation: 'Controllers add labels to the pods they create. The model gives pods those whose value the manifests show ' +
    '(`job-name` of a Job, `statefulset.kubernetes.io/pod-name` and `apps.kubernetes.io/pod-index` of StatefulSet pods, ' +
    '`batch.kubernetes.io/job-completion-index` of Indexed Job pods), but not those set to values only the running cluster ' +
    'knows: `pod-template-hash`, `controller-revision-hash`, `pod-template-generation`, `controller-uid`, and the `job-name` ' +
    'of the pods of a CronJob. A selector naming one is evaluated as if no pod carried it, which may differ from the ' +
    'cluster; the values change on every rollout anyway. Select by the workload\'s own labels.',
}, (inventory) => {
  // A CronJob's pods carry job-name with a value known only when its Job starts.
  const cronJobNamespaces = new Set(inventory.items.filter((i) => i.category === 'workload' && i.kind === 'CronJob').map((i) => i.namespace));
  return inventory.items.filter((item) => item.flavour !== undefined).flatMap((item) => {
    const jobNames = item.namespace === undefined ? cronJobNamespaces.size > 0 : cronJobNamespaces.has(item.namespace);
    const candidates = [...UNKNOWABLE_CONTROLLER_LABELS, ...(jobNames ? JOB_NAME_LABELS : [])];
    return podSelectors(item).flatMap(({ at, keys }) => {
      const key = keys.find((k) => candidates.includes(k));
      if (key === undefined) {
        return [];
      }
      const what = WHAT[key] ?? CRONJOB_JOB_NAME;
      return [{
        item,
        message: `${describeItem(item)}: ${at} selects by "${key}", which holds ${what}; the model gives no pod this label, ` +
          'so it evaluates the selector as if no pod carried it. Select by the workload\'s own labels',
      }];
    });
  });
});

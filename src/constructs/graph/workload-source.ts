import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { WORKLOAD_KINDS, WorkloadKind } from '../../analysis/kinds';
import { ContainerPort } from '../../analysis/types';
import { LabelExpression, LabelSelector, selectorMatches } from '../../core/selector';
import { invalid, show } from '../../util/validation';

/** What a workload construct tells about its pods: where they run, how they are selected, what they serve. */
export interface WorkloadSource {
  /** The construct's path, for messages. */
  readonly path: string;
  /** The object's kind: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod. */
  readonly kind: string;
  /** The object's namespace (its own, else its chart's), if it has one. */
  readonly namespace?: string;
  /** The controller's pod selector (a Pod's: its own labels): exactly the workload's pods. */
  readonly selector: LabelSelector;
  /** The labels every pod of the workload carries (its pod template's). */
  readonly podLabels: Record<string, string>;
  /** The ports its containers declare. */
  readonly containerPorts: ContainerPort[];
}

/**
 * The workload kinds a construct may be: the catalog's (src/analysis/kinds.ts), with their
 * template and selector paths, except those whose selector is a plain label map (a
 * ReplicationController's), which cdk8s-plus never renders and `toSelector` does not read.
 */
const SHAPES = new Map(WORKLOAD_KINDS.filter((w) => w.selector?.form !== 'labelMap').map((w) => [w.kind, w]));
const KINDS = `a ${[...SHAPES.keys()].slice(0, -1).join(', ')} or ${[...SHAPES.keys()].slice(-1)[0]} (cdk8s-plus of any major, or a Kube* object)`;

/**
 * Reads a workload construct without depending on one cdk8s-plus major: any construct whose
 * `ApiObject` (itself, its default child, or cdk8s-plus's `apiObject`) is a workload kind. The
 * labels come from the object's pod template as it is rendered now, so declare the workload's
 * containers and labels before handing it over.
 * @param where the user's call, named in errors
 * @param prop the argument that passed the workload, e.g. "workload"
 */
export function readWorkload(where: string, prop: string, workload: IConstruct): WorkloadSource {
  if (workload === null || typeof workload !== 'object' || typeof (workload as any).node !== 'object') {
    invalid(where, `${prop} ${show(workload)} is not a construct; expected ${KINDS}`);
  }
  const path = workload.node.path;
  const apiObject = apiObjectOf(workload);
  if (apiObject === undefined) {
    invalid(where, `${prop} ${path} is not a workload: it holds no Kubernetes object; expected ${KINDS}`);
  }
  const kind = apiObject.kind;
  const shape = SHAPES.get(kind);
  if (shape === undefined) {
    invalid(where, `${prop} ${path} is a ${kind}, not a workload; expected ${KINDS}`);
  }
  const json = renderedJson(where, prop, workload, apiObject, shape);
  const at = (keys: readonly string[]) => keys.reduce((node: any, key) => (node === null || node === undefined ? undefined : node[key]), json);
  const template = shape.templatePath.length === 0 ? json : at(shape.templatePath);
  const podLabels: Record<string, string> = { ...(template?.metadata?.labels ?? {}) };
  if (template?.spec?.hostNetwork === true) {
    invalid(where, `${prop} ${path} runs on the host network: network policies neither select nor protect it ` +
      '(its traffic is the node\'s); allow it by node address instead');
  }

  const rawSelector = shape.selector === undefined ? undefined : at(shape.selector.path);
  let selector: LabelSelector;
  if (rawSelector !== undefined && rawSelector !== null) {
    selector = toSelector(where, `${prop} ${path} selector`, rawSelector);
  } else if (shape.selector?.required) {
    return invalid(where, `${prop} ${path} has no pod selector (spec.selector); a ${kind} needs one`);
  } else {
    // A Pod is selected by its own labels; a Job or CronJob without a selector by its template's
    // (the API server adds its own controller-uid selector, which no policy can know).
    selector = toSelector(where, `${prop} ${path} labels`, { matchLabels: podLabels });
  }
  if (selector.isEmpty) {
    const fromLabels = rawSelector === undefined || rawSelector === null;
    invalid(where, `${prop} ${path} has ${fromLabels ? 'no pod labels' : 'an empty pod selector'}, so a policy for it would select every pod ` +
      `of the namespace; ${fromLabels ? `give its pod${shape.templatePath.length === 0 ? '' : ' template'} labels` : 'give it a selector (cdk8s-plus: do not pass select: false without select())'}`);
  }
  if (!selectorMatches(selector, podLabels)) {
    invalid(where, `${prop} ${path} selects ${selector} but its pod template carries ${show(podLabels)}, so it selects none of its own pods ` +
      '(the API server refuses such a workload); make the template\'s labels satisfy the selector');
  }
  const namespace = json?.metadata?.namespace;
  return {
    path,
    kind,
    ...(typeof namespace === 'string' ? { namespace } : {}),
    selector,
    podLabels,
    containerPorts: containerPorts(where, `${prop} ${path}`, template),
  };
}

/** The workload's ApiObject: the construct itself, its default child (cdk8s-plus's "Resource"), or its `apiObject`. */
function apiObjectOf(workload: IConstruct): ApiObject | undefined {
  let current: IConstruct | undefined = workload;
  for (let depth = 0; current !== undefined && depth < 8; depth++) {
    if (ApiObject.isApiObject(current)) {
      return current;
    }
    current = current.node.defaultChild;
  }
  const own = (workload as any).apiObject;
  return ApiObject.isApiObject(own) ? own : undefined;
}

/**
 * The object as it renders now. A cdk8s-plus workload without containers yet cannot render
 * (cdk8s-plus refuses a pod spec without containers); its selector and pod labels are then read
 * from cdk8s-plus's own accessors, which every major since 22 has.
 */
function renderedJson(where: string, prop: string, workload: IConstruct, apiObject: ApiObject, shape: WorkloadKind): any {
  try {
    return apiObject.toJson();
  } catch (error) {
    const plus = workload as any;
    const labelsOf = (metadata: any) => (typeof metadata?.toJson === 'function' ? metadata.toJson().labels : undefined);
    if (shape.selector !== undefined && plus.matchLabels !== undefined && typeof plus.matchLabels === 'object') {
      const template = { metadata: { labels: labelsOf(plus.podMetadata) ?? {} }, spec: {} };
      const selector = { matchLabels: { ...plus.matchLabels }, matchExpressions: [...(plus.matchExpressions ?? [])] };
      // Placed where the kind keeps them (a CronJob: in its job template).
      const json = { metadata: { namespace: apiObject.metadata.namespace } };
      placeAt(json, shape.templatePath, template);
      placeAt(json, shape.selector.path, selector);
      return json;
    }
    // A Pod (no selector: its own labels select it) is its own template.
    if (shape.selector === undefined && labelsOf(plus.metadata) !== undefined) {
      return { metadata: { namespace: apiObject.metadata.namespace, labels: labelsOf(plus.metadata) }, spec: {} };
    }
    return invalid(where, `${prop} ${workload.node.path} cannot be read: ${(error as Error).message}`);
  }
}

/** Sets `value` at `path` inside `root`, creating the objects on the way. */
function placeAt(root: any, path: readonly string[], value: unknown): void {
  const parent = path.slice(0, -1).reduce((node: any, key) => (node[key] ??= {}), root);
  parent[path[path.length - 1]] = value;
}

function toSelector(where: string, what: string, raw: any): LabelSelector {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    invalid(where, `${what} ${show(raw)} is not a label selector`);
  }
  try {
    const expressions = (raw.matchExpressions ?? []).map((e: any) => toExpression(e));
    return LabelSelector.of({ ...(raw.matchLabels ?? {}) }, ...expressions);
  } catch (error) {
    return invalid(where, `${what} is not usable: ${(error as Error).message}`);
  }
}

function toExpression(e: any): LabelExpression {
  switch (e?.operator) {
    case 'In': return LabelExpression.isIn(e.key, e.values ?? []);
    case 'NotIn': return LabelExpression.isNotIn(e.key, e.values ?? []);
    case 'Exists': return LabelExpression.exists(e.key);
    case 'DoesNotExist': return LabelExpression.doesNotExist(e.key);
    default: throw new Error(`operator ${show(e?.operator)} is not one of In, NotIn, Exists, DoesNotExist`);
  }
}

/** The container ports of a pod template, checked as the API server would (it refuses the workload otherwise). */
function containerPorts(where: string, what: string, template: any): ContainerPort[] {
  const containers = template?.spec?.containers;
  if (!Array.isArray(containers)) {
    return [];
  }
  return containers.flatMap((c: any) => (Array.isArray(c?.ports) ? c.ports : [])).map((p: any, i: number) => {
    if (!Number.isInteger(p?.containerPort) || p.containerPort < 1 || p.containerPort > 65535) {
      invalid(where, `${what} container port #${i + 1} ${show(p?.containerPort)} is not a port number (1-65535); the API server would refuse the workload`);
    }
    const protocol = p.protocol ?? 'TCP';
    if (!['TCP', 'UDP', 'SCTP'].includes(protocol)) {
      invalid(where, `${what} container port #${i + 1} protocol ${show(protocol)} is not TCP, UDP or SCTP (upper case); the API server would refuse the workload`);
    }
    return { port: p.containerPort, ...(typeof p.name === 'string' ? { name: p.name } : {}), protocol };
  });
}

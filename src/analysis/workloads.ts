import { workloadKind } from './kinds';
import { PodEndpoint } from './types';

/**
 * The pods of workload objects, with the labels their controllers add. Kubernetes adds labels of
 * its own to the pods it creates, and policies may select by them; those whose value the object
 * shows are modelled, so a policy selecting them is evaluated as the cluster does:
 *
 * - Job (the API server's job strategy, `generateSelector`, unless `spec.manualSelector` is true):
 *   `job-name` and `batch.kubernetes.io/job-name` (Kubernetes 1.27 and later) set to the Job's
 *   name, when the template does not set them itself. An Indexed Job (`completionMode: Indexed`)
 *   runs one pod per completion index, labelled `batch.kubernetes.io/job-completion-index`
 *   (the PodIndexLabel feature: beta and on by default since 1.28, GA in 1.32).
 * - CronJob: its pods are a Job's, but the Job is named `<cronjob>-<scheduled time in minutes>`,
 *   known only when it runs: `job-name` and `batch.kubernetes.io/job-name` are not modelled. The
 *   completion index of an Indexed job template is.
 * - StatefulSet (statefulset controller, `updateIdentity`): one pod per replica, named
 *   `<name>-<ordinal>` from `spec.ordinals.start` (default 0), labelled
 *   `statefulset.kubernetes.io/pod-name` (its name) and `apps.kubernetes.io/pod-index` (its
 *   ordinal; PodIndexLabel, 1.28 and later).
 *
 * Not modelled, because the manifests cannot know their values: `controller-uid` and
 * `batch.kubernetes.io/controller-uid` (a Job's uid, given by the API server),
 * `pod-template-hash` (a Deployment's ReplicaSets: a hash of the pod template and a collision
 * count), `controller-revision-hash` (StatefulSet and DaemonSet revisions) and DaemonSets'
 * `pod-template-generation`. A policy selecting by one is evaluated as if no pod carried it
 * (`UNKNOWABLE_CONTROLLER_LABELS` lists them, for whoever reports on such selectors).
 *
 * Sources: kubernetes/kubernetes `pkg/registry/batch/job/strategy.go` (`generateSelector`),
 * `pkg/controller/statefulset/stateful_set_utils.go` (`getPodName`, `updateIdentity`),
 * `pkg/controller/job/indexed_job_utils.go` (`addCompletionIndexLabel`),
 * `pkg/controller/cronjob/utils.go` (`getJobName`), `pkg/features/kube_features.go` (PodIndexLabel),
 * `staging/src/k8s.io/api/batch/v1/types.go` and `apps/v1/types.go` (the label constants).
 */

/**
 * The most pods the model makes of one StatefulSet or Indexed Job (one per replica or index). A
 * matrix grows with the square of its pods; pods past the cap (`<name>-16` and up, from ordinal 0)
 * are not in the model, and a probe naming one is refused as an unknown pod rather than decided.
 */
export const MAX_PODS_PER_WORKLOAD = 16;

/** The label keys controllers set to values no manifest shows (see the top of this file). */
export const UNKNOWABLE_CONTROLLER_LABELS: readonly string[] = [
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'pod-template-hash',
  'controller-revision-hash',
  'pod-template-generation',
];

/** The Job name labels: the first one for every Kubernetes version, the second since 1.27. */
export const JOB_NAME_LABELS: readonly string[] = ['job-name', 'batch.kubernetes.io/job-name'];
/** An Indexed Job's pod's completion index. */
export const JOB_COMPLETION_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
/** A StatefulSet pod's name. */
export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** A StatefulSet pod's ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** Where a workload object keeps its pod template (a Pod: itself). */
function templatePath(obj: any): readonly string[] {
  const workload = workloadKind(obj?.kind);
  if (workload === undefined) {
    throw new Error(`${String(obj?.kind)} is not a workload kind`);
  }
  return workload.templatePath;
}

/** The Job spec whose pods an object runs: a Job's own, a CronJob's job template's; else undefined. */
function jobSpec(obj: any): any {
  if (obj?.kind === 'Job') {
    return obj.spec;
  }
  return obj?.kind === 'CronJob' ? obj.spec?.jobTemplate?.spec : undefined;
}

/** Why a workload object cannot stand for its pods (its pod template or replica count is malformed), or undefined. */
export function workloadProblem(obj: any): string | undefined {
  const path = templatePath(obj);
  const template = path.reduce((node: any, key) => node?.[key], obj);
  const at = path.length === 0 ? 'the object' : path.join('.');
  if (template === null || typeof template !== 'object' || Array.isArray(template)) {
    return `${at} ${JSON.stringify(template)} is not a pod template`;
  }
  const containers = template.spec?.containers;
  if (containers !== undefined && !Array.isArray(containers)) {
    return `${path.length === 0 ? '' : `${at}.`}spec.containers is not a list`;
  }
  // The counts that decide how many pods are modelled: a string "3" would make none, or one.
  const counts: [string, unknown][] = obj.kind === 'StatefulSet'
    ? [['spec.replicas', obj.spec?.replicas], ['spec.ordinals.start', obj.spec?.ordinals?.start]]
    : [[`${obj.kind === 'CronJob' ? 'spec.jobTemplate.' : ''}spec.completions`, jobSpec(obj)?.completions]];
  for (const [field, value] of counts) {
    if (value !== undefined && value !== null && !(typeof value === 'number' && Number.isInteger(value) && value >= 0)) {
      return `${field} ${JSON.stringify(value) ?? String(value)} is not a whole number of pods`;
    }
  }
  return undefined;
}

/**
 * One representative pod of a Pod or workload object: the workload's name and namespace, the
 * template's labels and its containers' ports, without the labels that differ between the pods
 * of one StatefulSet or Indexed Job (their names and indexes: `podsOfWorkload` has them).
 */
export function podOfWorkload(obj: any): PodEndpoint {
  const template = templatePath(obj).reduce((node: any, key) => node?.[key], obj);
  const containers: any[] = template?.spec?.containers ?? [];
  const labels: Record<string, string> = { ...(template?.metadata?.labels ?? {}) };
  const job = jobSpec(obj);
  // An empty serviceAccountName is unset: the API server then takes the deprecated serviceAccount
  // (kubernetes pkg/apis/core/v1 conversion: DeprecatedServiceAccount fills an empty ServiceAccountName).
  const serviceAccount = [template?.spec?.serviceAccountName, template?.spec?.serviceAccount]
    .find((a): a is string => typeof a === 'string' && a !== '');
  // Only a Job's own name is known: a CronJob's Jobs are named when they are scheduled.
  if (obj.kind === 'Job' && job?.manualSelector !== true && typeof obj.metadata?.name === 'string') {
    for (const key of JOB_NAME_LABELS) {
      if (!Object.prototype.hasOwnProperty.call(labels, key)) {
        labels[key] = obj.metadata.name;
      }
    }
  }
  return {
    namespace: obj.metadata?.namespace ?? 'default',
    name: obj.metadata?.name,
    labels,
    ...(template?.spec?.hostNetwork === true ? { hostNetwork: true } : {}),
    // serviceAccount is the deprecated alias the API server still fills from serviceAccountName.
    ...(serviceAccount !== undefined ? { serviceAccount } : {}),
    ports: containers.flatMap((c) => (c.ports ?? []).map((p: any) => ({
      port: p.containerPort,
      ...(p.name !== undefined ? { name: p.name } : {}),
      protocol: p.protocol ?? 'TCP',
    }))),
  };
}

/**
 * The pods the model makes of a Pod or workload object: one per replica of a StatefulSet (named
 * `<name>-<ordinal>`) and one per completion index of an Indexed Job (`<name>-<index>`), at most
 * `MAX_PODS_PER_WORKLOAD`; one representative pod of anything else (replicas of a Deployment
 * share their labels and ports, so one stands for all). A workload scaled to zero is modelled as
 * running one pod: the policies are written for the pods it runs when scaled up.
 */
export function podsOfWorkload(obj: any): PodEndpoint[] {
  const pod = podOfWorkload(obj);
  if (typeof pod.name !== 'string') {
    // No name to number the pods after: the one pod is refused by the model, naming the object.
    return [pod];
  }
  if (obj.kind === 'StatefulSet') {
    const start = obj.spec?.ordinals?.start ?? 0;
    return ordinals(obj.spec?.replicas ?? 1).map((i) => {
      const name = `${pod.name}-${start + i}`;
      return { ...pod, name, labels: { ...pod.labels, [STATEFULSET_POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(start + i) } };
    });
  }
  const job = jobSpec(obj);
  if (job?.completionMode === 'Indexed') {
    // An Indexed Job requires completions; each index from 0 runs in its own pod.
    return ordinals(job.completions ?? 1).map((i) => ({ ...pod, name: `${pod.name}-${i}`, labels: { ...pod.labels, [JOB_COMPLETION_INDEX_LABEL]: String(i) } }));
  }
  return [pod];
}

/** 0 .. count-1, at least one and at most `MAX_PODS_PER_WORKLOAD`. */
function ordinals(count: number): number[] {
  return Array.from({ length: Math.min(Math.max(count, 1), MAX_PODS_PER_WORKLOAD) }, (_, i) => i);
}

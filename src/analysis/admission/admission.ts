import { apiServerProblems } from './api-server-rules';
import { plainDataProblem } from './plain-data';
import { structureProblems } from './structure';
import { show } from '../../util/validation';
import { KindClass, classify, isEvaluated } from '../kinds';
import { CalicoPolicy, compileTier } from '../semantics/calico/policy';
import { CalicoSemantics, NEWEST_CALICO } from '../semantics/calico/rule';
import { CiliumPolicy } from '../semantics/cilium/policy';
import { ClusterPolicy } from '../semantics/cluster/policy';
import { NotModelledError } from '../semantics/not-modelled';

/**
 * Admission: would the cluster take this object at all? The analysis never judges an object the
 * API server would refuse (a rule whose `from` is a map because a "-" is missing, `policyTypes`
 * written as a string, `values: "db"`, a numeric namespace): evaluated as written, such an object
 * reads as "from anyone" or "every port", and a verdict built on it matches no cluster.
 *
 * Checked here, for the kinds the analysis reads (evaluated policies, Calico Tiers, Namespaces,
 * workloads): the structure and field types (structure.ts), then the API server's own rules
 * (api-server-rules.ts). The NetworkModel refuses an object with problems (addManifest throws,
 * naming the object and the fields); the CLI exits 2 naming the file too; the linter reports them
 * as api-server-rejects. Other kinds pass unchecked.
 */
export interface Admission {
  /** The object as messages name it: "NetworkPolicy prod/web", "GlobalNetworkPolicy deny". */
  readonly object: string;
  /** Each problem names its field, e.g. 'spec.ingress[0].from must be a list (a "-" is missing?), got a map {...}'. */
  readonly problems: readonly string[];
  /**
   * Who refuses the object: the API server (kubectl apply fails), or the CNI, whose CRD admits
   * the object but whose agent rejects its rules (`engineAdmission` only).
   */
  readonly refusedBy?: 'api-server' | 'Cilium' | 'Calico';
  /**
   * Set for an admitted Cilium or Calico policy using a feature the NetworkModel does not evaluate
   * (NotModelledError: Services, HTTP matches on a Calico release whose application layer policy
   * is broken, ...): why (`engineAdmission` only).
   */
  readonly notModelled?: string;
}

/** "NetworkPolicy prod/web" (cluster-scoped kinds without a namespace); names are capped. */
export function describeObject(obj: any, c: KindClass = classify(obj)): string {
  const kind = typeof obj?.kind === 'string' ? obj.kind : 'object';
  const name = obj?.metadata?.name;
  const namespace = obj?.metadata?.namespace;
  const named = typeof name === 'string' ? name : name === undefined || name === null ? '(no name)' : show(name);
  const where = c.clusterScoped || namespace === undefined || namespace === null ? named
    : `${typeof namespace === 'string' ? namespace : show(namespace)}/${named}`;
  return `${kind} ${where.length > 120 ? `${where.slice(0, 120)}...` : where}`;
}

/** Admissions already decided during `withAdmissionMemo` (undefined outside it). */
let memo: WeakMap<object, Admission> | undefined;
/** `engineAdmission`s already decided during `withAdmissionMemo`, with the Calico release they assumed. */
let engineMemo: WeakMap<object, { readonly calico: CalicoSemantics; readonly admission: Admission }> | undefined;

/**
 * Runs `work` with each object admitted once: the linter's rules and the synth-time proofs build
 * several models of the same objects (one per namespace for missing-dns-egress), and each model
 * admits what it is given. Only for callers that do not change the objects while `work` runs; a
 * NetworkModel used on its own admits every object it is given.
 */
export function withAdmissionMemo<T>(work: () => T): T {
  if (memo !== undefined) {
    return work();
  }
  memo = new WeakMap();
  engineMemo = new WeakMap();
  try {
    return work();
  } finally {
    memo = undefined;
    engineMemo = undefined;
  }
}

/** Whether the cluster would admit `obj`, and if not, why. */
export function admit(obj: any): Admission {
  const known = memo !== undefined && obj !== null && typeof obj === 'object' ? memo.get(obj) : undefined;
  if (known !== undefined) {
    return known;
  }
  const admission = decide(obj);
  if (memo !== undefined && obj !== null && typeof obj === 'object') {
    memo.set(obj, admission);
  }
  return admission;
}

function decide(obj: any): Admission {
  const c = classify(obj);
  if (c.category !== 'policy' && c.category !== 'tier' && c.category !== 'namespace' && c.category !== 'workload') {
    return { object: describeObject(obj, c), problems: [] };
  }
  // Plain JSON first: the schemas read a Map as an empty map, and inherited fields not at all.
  const notData = plainDataProblem(obj);
  if (notData !== undefined) {
    return { object: describeObject(obj, c), problems: [notData] };
  }
  const structural = structureProblems(obj, c);
  // The API server's rules read fields of sound types only: report structure first.
  const problems = structural.length > 0 ? structural : [...new Set(apiServerProblems(obj, c))];
  return { object: describeObject(obj, c), problems };
}

/** "NetworkPolicy prod/web would be refused by the API server (kubectl apply fails), so it is not evaluated: a; b". */
export function admissionMessage(admission: Admission): string {
  // Calico's v3 API validates on apply (libcalico-go's validator); Cilium's CRD takes what its agent then rejects.
  const by = admission.refusedBy === undefined || admission.refusedBy === 'api-server' ? 'the API server (kubectl apply fails)'
    : admission.refusedBy === 'Calico' ? 'Calico (its API validation rejects it)' : `${admission.refusedBy} (its agent rejects the rule)`;
  return `${admission.object} would be refused by ${by}, so it is not evaluated: ${admission.problems.join('; ')}`;
}

/**
 * Admission as the tools that report on files see it (the linter, the CLI): the API server's
 * checks (`admit`), then, for Cilium and Calico policies and Calico Tiers, the rules of their
 * languages as the engines check them (compiling the object as the model does). A valid object
 * using a feature the model does not evaluate (NotModelledError) is not a refusal (`notModelled` says why): the cluster
 * applies it; the model says what it lacks when asked for a verdict.
 */
export function engineAdmission(obj: any, calico: CalicoSemantics = NEWEST_CALICO): Admission {
  const known = engineMemo !== undefined && obj !== null && typeof obj === 'object' ? engineMemo.get(obj) : undefined;
  if (known !== undefined && known.calico === calico) {
    return known.admission;
  }
  const admission = decideEngine(obj, calico);
  if (engineMemo !== undefined && obj !== null && typeof obj === 'object') {
    engineMemo.set(obj, { calico, admission });
  }
  return admission;
}

function decideEngine(obj: any, calico: CalicoSemantics): Admission {
  const admission = admit(obj);
  if (admission.problems.length > 0) {
    return { ...admission, refusedBy: 'api-server' };
  }
  const c = classify(obj);
  if (!isEvaluated(c) || c.cni === 'Kubernetes') {
    return admission;
  }
  if (c.cni === 'NetworkPolicyApi') {
    // The CRD's rules were checked by admit(); what is left is what the model does not evaluate.
    try {
      new ClusterPolicy(obj);
      return admission;
    } catch (e) {
      return e instanceof NotModelledError ? { ...admission, notModelled: (e as Error).message } : { ...admission, problems: [(e as Error).message], refusedBy: 'api-server' };
    }
  }
  try {
    if (c.category === 'tier') {
      compileTier(obj);
    } else if (c.cni === 'Cilium') {
      new CiliumPolicy(obj);
    } else {
      new CalicoPolicy(obj, calico);
    }
    return admission;
  } catch (e) {
    if (e instanceof NotModelledError) {
      return { ...admission, notModelled: (e as Error).message };
    }
    return { ...admission, problems: [(e as Error).message], refusedBy: c.cni };
  }
}

import { ApiObject, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { rolloutOf } from './rollout';
import { SYNTH_REPLAY } from '../analysis/flows/synth-replay';
import { Linter } from '../analysis/lint/linter';
import { PolicyEngine } from '../core/engine';
import { PolicyIntent, validateIntent, validateIntentRules } from '../core/intent';
import { DESCRIPTION_ANNOTATION, ManifestObject } from '../engines/manifest';
import { PolicyRenderer, rendererFor } from '../engines/renderer';
import { KUBERNETES_CANNOT_STAGE, stageManifest } from '../engines/staging';
import { registerCheck } from '../synth/app-checks';
import { AppRevision } from '../synth/app-revision';
import { GENERATED_ANNOTATION, generatedMark } from '../util/mark';

/** A policy whose content is revised until synthesis (see `PolicyEmitter.emitRevisable`). */
export interface RevisablePolicy {
  /** The policy as rendered now: the same object until its next revision. */
  current(): ManifestObject;
}

/**
 * The spec of a revisable policy, produced when cdk8s resolves the object. A class rather than a
 * closure: an estate holds one per policy, and a closure keeps a context object alive as well.
 */
class RevisedSpec {
  constructor(private readonly policy: RevisablePolicy) {}

  public produce(): unknown {
    return this.policy.current().spec;
  }
}

/** The description of a revisable policy, as rendered with it. */
class RevisedDescription {
  constructor(private readonly policy: RevisablePolicy) {}

  public produce(): string | undefined {
    return this.policy.current().metadata.annotations?.[DESCRIPTION_ANNOTATION];
  }
}

/** The mark of a revisable policy: a digest, computed once per revision, not at every synthesis of every chart. */
class RevisedMark {
  private manifest?: ManifestObject;
  private mark = '';

  constructor(private readonly policy: RevisablePolicy) {}

  public produce(): string {
    const manifest = this.policy.current();
    if (manifest !== this.manifest) {
      this.manifest = manifest;
      this.mark = generatedMark({ apiVersion: manifest.apiVersion, kind: manifest.kind, spec: manifest.spec });
    }
    return this.mark;
  }
}

/**
 * Who already emitted which object, per app: two constructs must not emit the same policy name,
 * even from two charts, because applying the app's output would let one overwrite the other.
 */
const EMITTED = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Emits intents as `ApiObject`s for one engine: one object per policy, no helper constructs
 * (cdk8s walks the whole tree once per chart during synth, so every extra node costs at scale).
 */
export class PolicyEmitter {
  private readonly renderer: PolicyRenderer;
  /** The owner's app's revision, which a refreshed policy moves. */
  private readonly revision: AppRevision;

  /**
   * @param owner the construct whose children the policies become
   * @param engine the engine to render for
   * @param where the owner as named in errors, e.g. `ThreeTierApp "shop"`
   */
  constructor(private readonly owner: Construct, engine: PolicyEngine, private readonly where: string) {
    const renderer = rendererFor(engine, where);
    // A staged rollout renders every policy of the construct in its staged form (engines/staging.ts);
    // the Kubernetes engine has none, which is said here, at the construct.
    if (rolloutOf(owner, engine, where) === 'staged') {
      if (engine === PolicyEngine.KUBERNETES) {
        throw new Error(`${where}: ${KUBERNETES_CANNOT_STAGE}`);
      }
      this.renderer = { engine, render: (intent, at) => stageManifest(renderer.render(intent, at), engine, at) };
    } else {
      this.renderer = renderer;
    }
    this.revision = AppRevision.of(owner);
    Linter.validateChart(Chart.of(owner));
    registerCheck(Chart.of(owner), SYNTH_REPLAY);
  }

  /** Validates and renders `intent` now (errors surface at the user's call) and emits it. */
  public emit(id: string, intent: PolicyIntent): ApiObject {
    const manifest = this.check(intent);
    return this.emitObject(id, manifest, manifest.spec);
  }

  /**
   * Emits a policy whose rules can still grow (`allowIngress`/`allowEgress`). The spec renders
   * the final rule list at synth; call `refresh` after each change to update the metadata.
   */
  public emitGrowing(id: string, intent: () => PolicyIntent): ApiObject {
    const first = this.check(intent());
    const spec = () => this.renderer.render(intent(), this.where).spec;
    return this.emitObject(id, first, Lazy.any({ produce: spec }), spec);
  }

  /**
   * Emits a policy whose content is revised until synthesis: its spec and mark are read from
   * `policy.current()` when the app is synthesized (the caller validates each revision at the
   * user's call and returns the same rendering until the next one, so each revision is rendered
   * and digested once); `frame` (any rendering of it) gives its apiVersion, kind, name and
   * namespace now.
   * @param where the user's call, named if the name is taken
   */
  public emitRevisable(id: string, frame: ManifestObject, policy: RevisablePolicy, where: string = this.where): ApiObject {
    claimObjectName(this.owner, where, frame.apiVersion, frame.kind, frame.metadata.namespace, frame.metadata.name);
    const object = new ApiObject(this.owner, id, {
      apiVersion: frame.apiVersion,
      kind: frame.kind,
      metadata: { name: frame.metadata.name, namespace: frame.metadata.namespace },
      spec: Lazy.any(new RevisedSpec(policy)),
    } as any);
    object.metadata.addAnnotation(DESCRIPTION_ANNOTATION, Lazy.any(new RevisedDescription(policy)) as any);
    object.metadata.addAnnotation(GENERATED_ANNOTATION, Lazy.any(new RevisedMark(policy)) as any);
    // The frame's other annotations (a staged rollout's mark) do not change with the revisions.
    for (const [key, value] of Object.entries(frame.metadata.annotations ?? {})) {
      if (key !== DESCRIPTION_ANNOTATION) {
        object.metadata.addAnnotation(key, value);
      }
    }
    return object;
  }

  /**
   * Records that a policy of this emitter renders differently now (a revisable policy revised,
   * a growing policy grown), in the app's revision: the app's synth-time checks are computed
   * again at the next synthesis. A new policy needs no call (the app sees new constructs).
   */
  public revised(): void {
    this.revision.revise();
  }

  /**
   * Re-renders a growing policy's metadata (its description annotation) after a change, and
   * records the change in the app's revision: the policy's spec renders differently now.
   */
  public refresh(policy: ApiObject, intent: PolicyIntent): void {
    this.revised();
    const annotations = this.check(intent).metadata.annotations ?? {};
    for (const [key, value] of Object.entries(annotations)) {
      policy.metadata.addAnnotation(key, value);
    }
  }

  /**
   * Validates and renders an intent without emitting it.
   * @param where the user's call named in errors, e.g. `ZeroTrustNamespace "c/z".allowEgress()`
   * @param frameChecked the intent's name, namespace and selector were checked before: only its rules are
   */
  public check(intent: PolicyIntent, where: string = this.where, frameChecked: boolean = false): ManifestObject {
    if (frameChecked) {
      validateIntentRules(where, intent);
    } else {
      validateIntent(where, intent);
    }
    return this.renderer.render(intent, where);
  }

  /**
   * @param spec the object's spec, possibly lazy
   * @param finalSpec produces the spec as finally rendered, for the generated mark of a growing
   * policy; without it the spec is final and its mark is computed once
   */
  private emitObject(id: string, manifest: ManifestObject, spec: unknown, finalSpec?: () => unknown): ApiObject {
    this.claimName(manifest);
    const object = new ApiObject(this.owner, id, {
      apiVersion: manifest.apiVersion,
      kind: manifest.kind,
      metadata: manifest.metadata,
      spec,
    } as any);
    // The mark of generated objects, over the spec as finally rendered: for readers of the YAML
    // only (it exempts nothing from the lint). A final spec's mark is computed now, once: every
    // synthesis reads it (the lint's snapshot and the written YAML), and a Lazy per object kept a
    // closure, a context and the Lazy alive for the whole synthesis. A growing policy's spec is
    // lazy, and so is its mark.
    object.metadata.addAnnotation(GENERATED_ANNOTATION, finalSpec
      ? Lazy.any({ produce: () => generatedMark({ apiVersion: manifest.apiVersion, kind: manifest.kind, spec: finalSpec() }) })
      : generatedMark({ apiVersion: manifest.apiVersion, kind: manifest.kind, spec: manifest.spec }));
    return object;
  }

  private claimName(manifest: ManifestObject): void {
    claimObjectName(this.owner, this.where, manifest.apiVersion, manifest.kind, manifest.metadata.namespace, manifest.metadata.name);
  }
}

/**
 * The key of an object in the emitted-name registry. Objects are the same object for the API
 * server when their API group, kind, namespace and name are: a Kubernetes and a Calico
 * `NetworkPolicy` of one name are two objects, while `networking.k8s.io/v1` and `/v1beta1` of one
 * group would be one.
 */
function objectKey(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return `${group} ${kind} ${namespace ?? ''}/${name}`;
}

/**
 * Records that `where` emits the object `apiVersion kind namespace/name` in the owner's app, and
 * throws when another construct already does: applying both would let one overwrite the other.
 */
export function claimObjectName(owner: IConstruct, where: string, apiVersion: string, kind: string, namespace: string | undefined,
  name: string): void {
  claimObjectNames(owner, where, [{ apiVersion, kind, metadata: { namespace, name } }]);
}

/** An object as far as its identity goes. */
interface NamedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly namespace?: string; readonly name: string };
}

/**
 * `claimObjectName` for several objects at once, all or none: when one name is taken, none of the
 * others stays claimed (a failed call leaves the names free for the user's next try).
 */
export function claimObjectNames(owner: IConstruct, where: string, objects: readonly NamedObject[]): void {
  const app = owner.node.root;
  let emitted = EMITTED.get(app);
  if (!emitted) {
    emitted = new Map();
    EMITTED.set(app, emitted);
  }
  const mine = new Set<string>();
  for (const { apiVersion, kind, metadata: { namespace, name } } of objects) {
    const key = objectKey(apiVersion, kind, namespace, name);
    const previous = emitted.get(key) ?? (mine.has(key) ? where : undefined);
    if (previous !== undefined) {
      const place = namespace === undefined ? `(${apiVersion}, cluster-scoped)` : `(${apiVersion}) in namespace "${namespace}"`;
      throw new Error(`${where}: ${kind} "${name}" ${place} is already emitted by ${previous}; ` +
        'two policies with one name would overwrite each other. Give one construct another id or `name`');
    }
    mine.add(key);
  }
  for (const key of mine) {
    emitted.set(key, where);
  }
}

/** The construct (as named in errors) that emitted `apiVersion kind namespace/name` in the scope's app, if any. */
export function emitterOf(scope: IConstruct, apiVersion: string, kind: string, namespace: string | undefined, name: string): string | undefined {
  return EMITTED.get(scope.node.root)?.get(objectKey(apiVersion, kind, namespace, name));
}

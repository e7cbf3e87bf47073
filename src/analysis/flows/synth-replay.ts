import * as fs from 'fs';
import * as path from 'path';
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FlowLog } from './flow-log';
import { FlowReplay } from './flow-replay';
import { AppCheck, AppSnapshot, CheckCharts } from '../../synth/app-checks';
import { semanticsContextOf } from '../../synth/semantics-context';
import { synthWarning } from '../../synth/synth-warnings';
import { ClusterCni } from '../kinds';

/**
 * The context key naming observed flows to replay at synth (a flows file, or a list of them;
 * relative paths from the working folder, where `cdk8s synth` runs): the app's manifests are
 * replayed against them, and the flows they would deny are reported.
 */
export const REPLAY_FLOWS_CONTEXT_KEY = 'cdk8s-netpol/replay-flows';
/** The context key saying what a would-be-denied flow does to synthesis: "warn" (the default) or "fail". */
export const REPLAY_DENIED_CONTEXT_KEY = 'cdk8s-netpol/replay-denied';
/** The context key of the cluster's CNI, shared with the synth-time lint. */
const CNI_KEY = 'cdk8s-netpol/cni';

/** The groups a synth message lists; the rest are counted. */
const LISTED = 10;

/** Flow files read, by path, size and modification time: an app validates once per chart, the file is read once. */
const READ = new Map<string, { stamp: string; log: FlowLog }>();

function readFlows(file: string): FlowLog {
  const full = path.resolve(file);
  let stamp = '';
  try {
    const stat = fs.statSync(full);
    stamp = `${stat.size}:${stat.mtimeMs}`;
  } catch {
    // FlowLog.fromFile names the problem.
  }
  const known = READ.get(full);
  if (known !== undefined && known.stamp === stamp && stamp !== '') {
    return known.log;
  }
  const log = FlowLog.fromFile(file);
  READ.set(full, { stamp, log });
  return log;
}

/**
 * The synth-time replay: when the context key `cdk8s-netpol/replay-flows` names flow files, the
 * whole app's manifests are replayed against them (FlowReplay), and each workload pair whose
 * observed flows the policies would deny is reported: a warning, or with
 * `cdk8s-netpol/replay-denied: "fail"` an error that fails synthesis, attributed to the chart
 * holding the policy that isolates the flows.
 */
export const SYNTH_REPLAY: AppCheck = {
  contextKey: REPLAY_FLOWS_CONTEXT_KEY,
  run({ apiObjects, jsons }: AppSnapshot, { registered, first }: CheckCharts): Map<IConstruct, string[]> {
    const errors = new Map<IConstruct, string[]>();
    const context = (key: string) => registered.map((c) => c.node.tryGetContext(key)).find((v) => v !== undefined);
    const setting = context(REPLAY_FLOWS_CONTEXT_KEY);
    if (setting === undefined || setting === false || setting === 'false') {
      return errors;
    }
    const fail = (message: string) => errors.set(registered[0], [...(errors.get(registered[0]) ?? []), `[cdk8s-netpol] replay: ${message}`]);
    const files = typeof setting === 'string' ? setting.split(',').map((s) => s.trim()).filter((s) => s !== '') : setting;
    if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== 'string' || f === '')) {
      fail(`context key ${REPLAY_FLOWS_CONTEXT_KEY} is ${JSON.stringify(setting)}; give a flows file or a list of them, e.g. "flows/hubble.jsonl"`);
      return errors;
    }
    const mode = context(REPLAY_DENIED_CONTEXT_KEY) ?? 'warn';
    if (mode !== 'warn' && mode !== 'fail') {
      fail(`context key ${REPLAY_DENIED_CONTEXT_KEY} is ${JSON.stringify(mode)}; it is "warn" (the default) or "fail"`);
      return errors;
    }
    const cni = context(CNI_KEY);
    if (cni !== undefined && !Object.values(ClusterCni).includes(cni)) {
      fail(`context key ${CNI_KEY} is ${JSON.stringify(cni)}; it is one of ${Object.values(ClusterCni).join(', ')}`);
      return errors;
    }
    let result;
    try {
      const logs = files.map(readFlows);
      const semantics = { ...semanticsContextOf(registered), ...(cni !== undefined ? { cni } : {}) };
      result = FlowReplay.fromManifests(jsons, semantics).replay(logs);
    } catch (e) {
      // The flows or the context are unusable: that fails synthesis in either mode (nothing was checked).
      fail(`${String((e as Error)?.message ?? e).replace(/^[A-Za-z]+\.[A-Za-z]+\(\): /, '')}`);
      return errors;
    }
    const report = (chart: IConstruct, message: string) => {
      if (mode === 'warn') {
        synthWarning(first, 'replay', `replay: ${message}`);
      } else {
        errors.set(chart, [...(errors.get(chart) ?? []), `[cdk8s-netpol] replay: ${message}`]);
      }
    };
    const chartOf = (ref: string): IConstruct => {
      const index = jsons.findIndex((o) => o !== null && typeof o === 'object' &&
        ref === `${o.kind} ${o.metadata?.namespace !== undefined ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`);
      const owner = index >= 0 ? Chart.of(apiObjects[index]) : undefined;
      return owner !== undefined && registered.includes(owner) ? owner : registered[0];
    };
    if (result.flows === 0) {
      report(registered[0], `no flow to replay in ${files.join(', ')}: nothing was checked (${result.notes.join('; ') || 'the files hold no flow'})`);
      return errors;
    }
    for (const g of result.denied.slice(0, LISTED)) {
      const seen = g.firstSeen !== undefined ? `, seen ${g.firstSeen} .. ${g.lastSeen}` : '';
      const by = g.isolatedBy.length > 0 ? ` (isolated by ${g.isolatedBy.join(', ')}; none allows it)` : '';
      report(chartOf(g.isolatedBy[0] ?? ''), `${g.count} observed flow record(s) ${g.from} -> ${g.to} on ${g.port} would be denied${by} ` +
        `(${g.sources[0]}${seen}): ${g.reasons.join('; ')}. Allow the dependency, or remove it from the flows if it is gone`);
    }
    if (result.denied.length > LISTED) {
      report(registered[0], `${result.denied.length - LISTED} more workload pair(s) would be denied; cdk8s-netpol replay <dist> --flows ... lists them all`);
    }
    for (const u of result.unevaluated.slice(0, LISTED)) {
      report(registered[0], `the observed flow ${u.from} -> ${u.to} on ${u.port} (${u.source}) cannot be evaluated: ${u.problem}`);
    }
    if (result.unevaluated.length > LISTED) {
      report(registered[0], `${result.unevaluated.length - LISTED} more observed flow(s) cannot be evaluated`);
    }
    return errors;
  },
};

import * as fs from 'fs';
import * as path from 'path';
import { IConstruct } from 'constructs';
import { parse } from 'yaml';

/** The context key that silences the synth-time warnings of an app (`false`). */
export const WARNINGS_CONTEXT_KEY = 'cdk8s-netpol/warnings';

/** What an app has already printed: a warning is printed once per app, however often it synthesizes. */
const PRINTED = new WeakMap<IConstruct, Set<string>>();

/**
 * Prints one synth-time warning of cdk8s-netpol (a lint finding, a promise that cannot be
 * proven) as one line on stderr: `console.warn` would have a test runner print a stack trace
 * with each. Once per app and message; never when the app sets the context key
 * `cdk8s-netpol/warnings` to false; and lint findings not when `cdk8s synth` will run the
 * `NetpolValidation` plugin, which reports them itself.
 * @param kind what the warning is about: a lint finding, a proof, or a replayed flow
 */
export function synthWarning(scope: IConstruct, kind: 'lint' | 'proofs' | 'replay', message: string): void {
  if (scope.node.tryGetContext(WARNINGS_CONTEXT_KEY) === false || (kind === 'lint' && validationPluginWillReport())) {
    return;
  }
  const root = scope.node.root;
  let printed = PRINTED.get(root);
  if (!printed) {
    printed = new Set();
    PRINTED.set(root, printed);
  }
  if (printed.has(message)) {
    return;
  }
  printed.add(message);
  process.stderr.write(`[cdk8s-netpol] ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

/** Whether the NetpolValidation plugin will report, per working folder and environment. */
const PLUGIN_WILL_REPORT = new Map<string, boolean>();

/**
 * True when this process is an app that `cdk8s synth` runs with validation plugins (it sets
 * CDK8S_RECORD_CONSTRUCT_METADATA for them) and the project's cdk8s.yaml lists `NetpolValidation`.
 */
function validationPluginWillReport(): boolean {
  if (process.env.CDK8S_RECORD_CONSTRUCT_METADATA !== 'true') {
    return false;
  }
  const file = path.join(process.cwd(), 'cdk8s.yaml');
  let answer = PLUGIN_WILL_REPORT.get(file);
  if (answer === undefined) {
    answer = listsNetpolValidation(file);
    PLUGIN_WILL_REPORT.set(file, answer);
  }
  return answer;
}

function listsNetpolValidation(file: string): boolean {
  try {
    const config = parse(fs.readFileSync(file, 'utf8'));
    const validations: unknown[] = Array.isArray(config?.validations) ? config.validations : [];
    return validations.some((v: any) => v?.class === 'NetpolValidation');
  } catch {
    return false;
  }
}

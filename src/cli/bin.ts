#!/usr/bin/env node
import { EXIT_UNUSABLE, runCli } from './main';
import { escapeControls } from '../util/control-chars';

// The process around runCli: its streams, its exit code, and what no command foresaw. A pipeline
// reads one line per problem on standard error and an exit code, never a stack trace (unless
// CDK8S_NETPOL_DEBUG=1 asks for it).

const REPORT = 'https://github.com/cdk8s-netpol/cdk8s-netpol/issues';

/** Set when the reader of standard output has gone (`cdk8s-netpol ... | head`): what is left to write is dropped. */
let stdoutClosed = false;
let stderrClosed = false;

function closedPipe(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (closedPipe(error)) {
    // Not a failure of the command: the exit code stays the command's.
    stdoutClosed = true;
    return;
  }
  internalError(error);
});
process.stderr.on('error', () => {
  // Nowhere is left to report anything.
  stderrClosed = true;
});

function writeErr(text: string): void {
  if (!stderrClosed) {
    process.stderr.write(`${text}\n`);
  }
}

/** One line for a failure no command foresaw, exit code 2; the stack only with CDK8S_NETPOL_DEBUG=1. */
function internalError(error: unknown): void {
  if (process.env.CDK8S_NETPOL_DEBUG === '1') {
    writeErr(`cdk8s-netpol: internal error: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    writeErr(`cdk8s-netpol: internal error: ${escapeControls(message)} (run with CDK8S_NETPOL_DEBUG=1 for the stack trace, and please ` +
      `report it at ${REPORT})`);
  }
  process.exitCode = EXIT_UNUSABLE;
}

process.on('uncaughtException', (error) => {
  internalError(error);
  process.exit(EXIT_UNUSABLE);
});

runCli(process.argv.slice(2), {
  out: (text) => {
    if (!stdoutClosed) {
      process.stdout.write(`${text}\n`);
    }
  },
  err: writeErr,
}).then((code) => {
  process.exitCode = code;
}, internalError);

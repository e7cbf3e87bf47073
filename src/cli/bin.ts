#!/usr/bin/env node
import { runCli } from './main';

runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then((code) => {
  process.exitCode = code;
}, (error) => {
  process.stderr.write(`cdk8s-netpol: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 2;
});

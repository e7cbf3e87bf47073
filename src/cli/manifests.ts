import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { classify, isEvaluated } from '../analysis/kinds';

/** What the CLI read from its PATH arguments. */
export interface ReadResult {
  /** Every object of every document, in order. */
  readonly objects: any[];
  /** The file each object came from. */
  readonly sources: WeakMap<object, string>;
  /** The files read. */
  readonly files: string[];
  /** Why some input could not be used (unreadable file, not YAML, missing path); empty when all is well. */
  readonly problems: string[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/**
 * Reads YAML (or JSON) manifests from files and folders (folders recursively, `.yaml`, `.yml`
 * and `.json` files). Multi-document files are split; `List` objects are unwrapped.
 */
export function readManifests(paths: string[]): ReadResult {
  const files: string[] = [];
  const problems: string[] = [];
  const visit = (p: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      problems.push(`${p}: no such file or folder`);
      return;
    }
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(p).sort()) {
        const child = path.join(p, entry);
        let isDir = false;
        try {
          isDir = fs.statSync(child).isDirectory();
        } catch {
          continue; // a dangling link or an editor's lock file inside a folder: not a manifest
        }
        if (isDir || MANIFEST_FILE.test(entry)) {
          visit(child);
        }
      }
      return;
    }
    const resolved = path.resolve(p);
    if (!files.some((f) => path.resolve(f) === resolved)) {
      files.push(p);
    }
  };
  paths.forEach(visit);
  if (files.length === 0 && problems.length === 0) {
    problems.push(`no manifest files (.yaml, .yml, .json) in ${paths.join(', ')}`);
  }
  const objects: any[] = [];
  const sources = new WeakMap<object, string>();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      problems.push(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      continue;
    }
    if (text.includes('\u0000')) {
      problems.push(`${file}: is not a text file`);
      continue;
    }
    const documents = parseAllDocuments(text);
    const broken = documents.find((d) => d.errors.length > 0);
    if (broken) {
      const error = broken.errors[0];
      const line = error.linePos?.[0].line;
      problems.push(`${file}${line ? `:${line}` : ''}: is not valid YAML (${error.message.split('\n')[0]})`);
      continue;
    }
    for (const document of documents) {
      let value: any;
      try {
        value = document.toJS();
      } catch (e) {
        problems.push(`${file}: cannot be read as data (${(e as Error).message})`);
        continue;
      }
      if (value === null || value === undefined) {
        continue;
      }
      if (typeof value !== 'object' || Array.isArray(value)) {
        problems.push(`${file}: a document is not a Kubernetes object (got ${Array.isArray(value) ? 'a list' : typeof value})`);
        continue;
      }
      for (const obj of value.kind === 'List' && Array.isArray(value.items) ? value.items : [value]) {
        objects.push(obj);
        if (obj !== null && typeof obj === 'object') {
          sources.set(obj, file);
        }
      }
    }
  }
  return { objects, sources, files, problems };
}

/**
 * Whether the tools read an object: the policies the model evaluates, and Namespaces and workloads
 * under the catalog's apiVersion (the model itself reads those by kind alone).
 */
function isKnown(obj: any): boolean {
  const c = classify(obj);
  return isEvaluated(c) || (c.category === 'namespace' && obj.apiVersion === c.apiVersion) ||
    (c.category === 'workload' && obj.apiVersion === c.workload.apiVersion);
}

/** Splits objects into those the tools use and a count of the others per kind. */
export function knownObjects(objects: any[]): { known: any[]; skipped: Map<string, number> } {
  const known: any[] = [];
  const skipped = new Map<string, number>();
  for (const obj of objects) {
    const kind = `${obj?.apiVersion ?? '?'} ${obj?.kind ?? '?'}`;
    if (isKnown(obj)) {
      known.push(obj);
    } else {
      skipped.set(kind, (skipped.get(kind) ?? 0) + 1);
    }
  }
  return { known, skipped };
}

/**
 * Objects given more than once (one API group, kind, namespace and name), with the files holding
 * each copy: applying them, the last would overwrite the others, and the model refuses to hold
 * two. Said up front, naming the files, instead of as the model's error about one name.
 */
export function duplicateProblems(objects: any[], sources: WeakMap<object, string>): string[] {
  const copies = new Map<string, string[]>();
  for (const obj of objects) {
    const name = obj?.metadata?.name;
    if (obj === null || typeof obj !== 'object' || typeof obj.kind !== 'string' || typeof name !== 'string') {
      continue;
    }
    const group = typeof obj.apiVersion === 'string' && obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    const namespace = typeof obj.metadata.namespace === 'string' ? `${obj.metadata.namespace}/` : '';
    const key = `${obj.kind}${group === '' ? '' : ` (${group})`} ${namespace}${name}`;
    copies.set(key, [...(copies.get(key) ?? []), sources.get(obj) ?? 'an unknown file']);
  }
  return [...copies].filter(([, files]) => files.length > 1)
    .map(([key, files]) => `${key} is given ${files.length} times, in ${files.join(', ')}; applied together, the last would overwrite ` +
      'the others: keep one');
}

import * as fs from 'fs';
import * as path from 'path';
import { KubectlYamlError, readKubectlYaml } from './kubectl-yaml';
import { classify, isEvaluated } from '../analysis/kinds';
import { describeValue } from '../util/plain-object';

/** What the CLI read from its PATH arguments. */
export interface ReadResult {
  /** Every object of every document, in order, lists flattened as kubectl apply flattens them. */
  readonly objects: any[];
  /** The file each object came from. */
  readonly sources: WeakMap<object, string>;
  /** The files read. */
  readonly files: string[];
  /** Why some input could not be used (unreadable file, not YAML, missing path); empty when all is well. */
  readonly problems: string[];
}

/** How much the CLI reads: above these, input is refused before it is read. */
export interface ReadLimits {
  /** The largest file read, in bytes. */
  readonly maxFileBytes: number;
  /** The most read in all, in bytes. */
  readonly maxTotalBytes: number;
}

/**
 * The default limits: 16 MB a file, 64 MB in all. The API server takes at most 3 MB in one
 * request, so a file of 16 MB already holds tens of thousands of objects. Parsing YAML takes about
 * 60 times a file's size in memory while the file is read (16 MB: about 1 GB, some 10 s on one
 * core) and keeps about 8 times its size as objects; these limits keep a run within an ordinary CI
 * runner's memory instead of ending in a crash of the JavaScript engine.
 */
export const DEFAULT_READ_LIMITS: ReadLimits = { maxFileBytes: 16 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 };

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** A size for messages: "150.0 MB", "900 bytes". */
function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${bytes} bytes` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Why a path could not be used, from the error's code. */
function fsProblem(e: unknown, what: string): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file or folder';
    case 'ELOOP': return 'is a loop of symbolic links';
    case 'EACCES': case 'EPERM': return `${what} cannot be read (permission denied)`;
    default: return `${what} cannot be read (${code ?? (e as Error)?.message ?? String(e)})`;
  }
}

/**
 * The files under `paths`: each real file once (two links to one file, a link to a folder already
 * walked, a link to `.` or to a folder above: each is read or walked once, so a walk is linear in
 * the files and folders there are, whatever the links), folders recursively for `.yaml`, `.yml`
 * and `.json` files; a path named explicitly is read whatever its name.
 */
function collectFiles(paths: string[], problems: string[]): { path: string; size: number }[] {
  const files: { path: string; size: number }[] = [];
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();
  const realPath = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const visit = (p: string, stat: fs.Stats) => {
    const real = realPath(p);
    if (stat.isDirectory()) {
      if (seenFolders.has(real)) {
        return;
      }
      seenFolders.add(real);
      let entries: string[];
      try {
        entries = fs.readdirSync(p);
      } catch (e) {
        problems.push(`${p}: ${fsProblem(e, 'the folder')}`);
        return;
      }
      for (const entry of entries.sort()) {
        const child = path.join(p, entry);
        let childStat: fs.Stats;
        try {
          childStat = fs.statSync(child);
        } catch (e) {
          // A dangling link (an editor's lock file) is not a manifest; a loop or a denied entry is said.
          if ((e as NodeJS.ErrnoException)?.code !== 'ENOENT') {
            problems.push(`${child}: ${fsProblem(e, 'it')}`);
          }
          continue;
        }
        if (childStat.isDirectory() || MANIFEST_FILE.test(entry)) {
          visit(child, childStat);
        }
      }
      return;
    }
    if (seenFiles.has(real)) {
      return;
    }
    seenFiles.add(real);
    if (!stat.isFile()) {
      // A pipe or a device may never end: only regular files are read.
      problems.push(`${p}: is not a regular file (a pipe, socket or device); give files or folders`);
      return;
    }
    files.push({ path: p, size: stat.size });
  };
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch (e) {
      problems.push(`${p}: ${fsProblem(e, 'it')}`);
      continue;
    }
    visit(p, stat);
  }
  return files;
}

/** A file's text, reading at most `limit` bytes (a file may grow after it was measured). */
function readText(file: string, expected: number, limit: number): string | { problem: string } {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(Math.min(expected, limit) + 1);
    let length = 0;
    let read: number;
    do {
      read = fs.readSync(fd, buffer, length, buffer.length - length, null);
      length += read;
    } while (read > 0 && length < buffer.length);
    if (length > limit) {
      return { problem: `is above the limit of ${size(limit)} per file (it grew while being read)` };
    }
    return buffer.toString('utf8', 0, length);
  } catch (e) {
    return { problem: fsProblem(e, 'it') };
  } finally {
    if (fd !== undefined) {
      fs.closeSync(fd);
    }
  }
}

const hasOwn = (value: object, key: string) => Object.prototype.hasOwnProperty.call(value, key);
const isObject = (value: unknown): value is Record<string, any> => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** An object for messages: "NetworkPolicy shop/web", or its kind alone. */
function describeObject(obj: Record<string, any>): string {
  const kind = text(obj.kind) || 'an object without a kind';
  const name = text(obj.metadata?.name);
  const namespace = text(obj.metadata?.namespace);
  return name === '' ? kind : `${kind} ${namespace === '' ? '' : `${namespace}/`}${name}`;
}

/**
 * The objects of one document as `kubectl apply` takes them. kubectl decodes any object with an
 * `items` field as a list (apimachinery's unstructured decoding); the items of a top-level list
 * without `kind` and `apiVersion` take the list's kind without "List" and its apiVersion; and
 * cli-runtime's FlattenListVisitor flattens lists recursively, a nested list's items queued after
 * the items of the list holding it. kubectl maps `List` and `<Kind>List` of every kind its
 * cluster serves, so `kind: List`, `NetworkPolicyList` (what `kubectl get -o yaml` prints) and
 * lists in lists are applied item by item. Refused, with the file and the item:
 * - an item that is not an object (kubectl fails on it);
 * - `items` that is not a list (kubectl fails on it; `items: null` on a top-level list is an
 *   empty list, as there);
 * - an object of a kind not ending in "List" with an `items` field: kubectl would apply its items
 *   and drop the object itself, which nobody writing it means.
 */
function documentObjects(document: Record<string, any>, where: (part: object) => string, problems: string[]): Record<string, any>[] {
  const objects: Record<string, any>[] = [];
  const queue: { value: Record<string, any>; path: string; top: boolean }[] = [{ value: document, path: '', top: true }];
  for (let i = 0; i < queue.length; i++) {
    const { value, path: at, top } = queue[i];
    const place = `${where(value)}: ${at === '' ? '' : `${at}: `}`;
    if (!hasOwn(value, 'items')) {
      objects.push(value);
      continue;
    }
    const kind = text(value.kind);
    if (!kind.endsWith('List')) {
      problems.push(`${place}${describeObject(value)} has an "items" field: kubectl apply reads any object with "items" as a list, applies ` +
        'its items and drops the object itself; remove "items" (or make it a kind: List)');
      continue;
    }
    if (value.items === null && top) {
      continue;
    }
    if (!Array.isArray(value.items)) {
      problems.push(`${place}the "items" of ${kind} is ${describeValue(value.items)}, not a list; kubectl refuses it`);
      continue;
    }
    const itemKind = kind.slice(0, -'List'.length);
    value.items.forEach((item: unknown, index: number) => {
      const itemPath = `${at === '' ? '' : `${at}.`}items[${index}]`;
      if (!isObject(item)) {
        problems.push(`${place}${itemPath} of ${kind} is ${describeValue(item)}, not an object; kubectl refuses it`);
        return;
      }
      if (top && itemKind !== '' && text(item.kind) === '' && text(item.apiVersion) === '') {
        // kubectl's decoding of a typed list (NetworkPolicyList) sets each bare item's kind and apiVersion.
        item.kind = itemKind;
        item.apiVersion = text(value.apiVersion);
      }
      queue.push({ value: item, path: itemPath, top: false });
    });
  }
  return objects;
}

/**
 * Reads YAML (or JSON) manifests from files and folders (folders recursively, `.yaml`, `.yml`
 * and `.json` files) as kubectl apply reads them: YAML 1.1 (see kubectl-yaml.ts), multi-document
 * files split, lists flattened. Bounded: each real file is read once, and files above `limits`
 * are refused before they are read (see DEFAULT_READ_LIMITS).
 */
export function readManifests(paths: string[], limits: ReadLimits = DEFAULT_READ_LIMITS): ReadResult {
  const problems: string[] = [];
  const found = collectFiles(paths, problems);
  const files = found.map((f) => f.path);
  if (found.length === 0 && problems.length === 0) {
    problems.push(`no manifest files (.yaml, .yml, .json) in ${paths.join(', ')}`);
  }
  const objects: any[] = [];
  const sources = new WeakMap<object, string>();
  const tooLarge = found.filter((f) => f.size > limits.maxFileBytes);
  tooLarge.forEach((f) => problems.push(`${f.path}: ${size(f.size)} is above the limit of ${size(limits.maxFileBytes)} per file; ` +
    'give the files that hold the policies, namespaces and workloads'));
  const total = found.reduce((sum, f) => sum + f.size, 0);
  if (tooLarge.length === 0 && total > limits.maxTotalBytes) {
    problems.push(`the ${found.length} files hold ${size(total)}, above the limit of ${size(limits.maxTotalBytes)} in all; ` +
      'give the files that hold the policies, namespaces and workloads');
  }
  if (tooLarge.length > 0 || total > limits.maxTotalBytes) {
    return { objects, sources, files, problems };
  }
  for (const { path: file, size: expected } of found) {
    const content = readText(file, expected, limits.maxFileBytes);
    if (typeof content !== 'string') {
      problems.push(`${file}: ${content.problem}`);
      continue;
    }
    if (content.includes('\u0000')) {
      problems.push(`${file}: is not a text file`);
      continue;
    }
    let documents;
    try {
      documents = readKubectlYaml(content);
    } catch (e) {
      if (!(e instanceof KubectlYamlError)) {
        throw e;
      }
      problems.push(`${file}${e.line ? `:${e.line}` : ''}: ${e.message}`);
      continue;
    }
    for (const document of documents) {
      const value = document.value;
      if (value === null || value === undefined) {
        continue;
      }
      if (!isObject(value)) {
        problems.push(`${file}:${document.line}: a document is not a Kubernetes object (got ${Array.isArray(value) ? 'a list' : typeof value})`);
        continue;
      }
      const where = (part: object) => `${file}:${document.lineOf(part) ?? document.line}`;
      for (const obj of documentObjects(value, where, problems)) {
        objects.push(obj);
        sources.set(obj, file);
      }
    }
  }
  return { objects, sources, files, problems };
}

/**
 * Whether the tools read an object: the policies the model evaluates, ServiceAccounts (Calico
 * selects pods by their labels), and Namespaces and workloads under the catalog's apiVersion (the
 * model itself reads those by kind alone).
 */
function isKnown(obj: any): boolean {
  const c = classify(obj);
  return isEvaluated(c) || c.category === 'serviceAccount' || (c.category === 'namespace' && obj.apiVersion === c.apiVersion) ||
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

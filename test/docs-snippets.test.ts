import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/*
 * Keeps the documentation honest (the convention is described at the top of docs/README.md):
 * - every ```ts block of README.md and docs/**\/*.md that has an `import` line is a complete
 *   program and must type-check against the package ('cdk8s-netpol' is mapped to src/, as in
 *   examples/tsconfig.json; 'cdk8s-netpol/lib/*' to src/*);
 * - every relative Markdown link of those files must point at a file that exists (and, for a
 *   link into a Markdown file with a #fragment, at a heading that exists).
 */

const ROOT = path.join(__dirname, '..');
/** Where the snippets pretend to live: module resolution starts there, nothing is written. */
const SNIPPET_DIR = path.join(ROOT, 'docs');

interface MarkdownFile {
  /** Relative to the repository root, e.g. "docs/README.md". */
  readonly name: string;
  readonly text: string;
}

interface Snippet {
  readonly file: string;
  /** 1-based line in the Markdown file of the snippet's first code line. */
  readonly line: number;
  readonly code: string;
}

function markdownFiles(): MarkdownFile[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith('.md')) {
        found.push(full);
      }
    }
  };
  walk(path.join(ROOT, 'docs'));
  return [path.join(ROOT, 'README.md'), ...found.sort()]
    .map((file) => ({ name: path.relative(ROOT, file).split(path.sep).join('/'), text: fs.readFileSync(file, 'utf8') }));
}

/** The fenced code blocks of a Markdown text, with their info string and first content line. */
function fencedBlocks(text: string): { info: string; line: number; code: string }[] {
  const lines = text.split('\n');
  const blocks: { info: string; line: number; code: string }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i]);
    if (!open) {
      continue;
    }
    const [, indent, fence, info] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !(lines[j].trim().startsWith(fence) && lines[j].trim().replace(/[`~]/g, '') === '')) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    blocks.push({ info: info.toLowerCase(), line: i + 2, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The complete programs: ```ts (or ```typescript) blocks with an import line. */
function snippets(files: MarkdownFile[]): Snippet[] {
  return files.flatMap((file) => fencedBlocks(file.text)
    .filter((block) => (block.info === 'ts' || block.info === 'typescript') && /^import\s/m.test(block.code))
    .map((block) => ({ file: file.name, line: block.line, code: block.code })));
}

function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'examples', 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) {
    throw new Error('examples/tsconfig.json cannot be read');
  }
  return {
    ...parsed.options,
    noEmit: true,
    // A snippet may name a value for the reader without using it again.
    noUnusedLocals: false,
    noUnusedParameters: false,
    baseUrl: ROOT,
    paths: { 'cdk8s-netpol': ['src'], 'cdk8s-netpol/lib/*': ['src/*'] },
  };
}

/** "docs/x.md:12: TS2345 message" for every problem of every snippet. */
function typeCheck(all: Snippet[]): string[] {
  const options = compilerOptions();
  const virtual = new Map(all.map((s, i) => [path.join(SNIPPET_DIR, `__snippet_${i}.ts`), s]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => virtual.has(path.resolve(file)) || fileExists.call(host, file);
  host.readFile = (file) => virtual.get(path.resolve(file))?.code ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError, create) => {
    const snippet = virtual.get(path.resolve(file));
    return snippet ? ts.createSourceFile(file, snippet.code, language, true) : getSourceFile.call(host, file, language, onError, create);
  };
  const program = ts.createProgram([...virtual.keys()], options, host);
  const problems: string[] = [];
  for (const [file, snippet] of virtual) {
    const source = program.getSourceFile(file)!;
    for (const d of ts.getPreEmitDiagnostics(program, source)) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      const where = d.file && path.resolve(d.file.fileName) !== file ? ` (in ${path.relative(ROOT, d.file.fileName)})` : '';
      problems.push(`${snippet.file}:${snippet.line + line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}${where}`);
    }
  }
  return problems;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to "-". */
function slug(heading: string): string {
  return heading.trim().toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Text outside code: fenced blocks blanked (line numbers kept), inline code spans dropped. */
function prose(text: string): string {
  const lines = text.split('\n');
  let fence: string | undefined;
  return lines.map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker) {
      fence = marker;
      return '';
    }
    if (fence !== undefined) {
      if (marker && line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') {
        fence = undefined;
      }
      return '';
    }
    return line.replace(/(`+)[\s\S]*?\1/g, '');
  }).join('\n');
}

function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(text).split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const n = seen.get(base) ?? 0;
      anchors.add(n === 0 ? base : `${base}-${n}`);
      seen.set(base, n + 1);
    }
    for (const m of line.matchAll(/\b(?:id|name)="([^"]+)"/g)) {
      anchors.add(m[1]);
    }
  }
  return anchors;
}

/** "docs/x.md:12: [text](target) ..." for every relative link that points nowhere. */
function brokenLinks(files: MarkdownFile[]): string[] {
  const problems: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchors = (file: string) => {
    let found = anchorCache.get(file);
    if (!found) {
      found = anchorsOf(fs.readFileSync(file, 'utf8'));
      anchorCache.set(file, found);
    }
    return found;
  };
  for (const file of files) {
    const lines = prose(file.text).split('\n');
    lines.forEach((line, i) => {
      const targets = [
        ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
        ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]),
      ];
      for (const target of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
          continue; // https:, mailto: and other absolute addresses
        }
        const [pathPart, fragment] = target.split('#', 2);
        const self = path.join(ROOT, file.name);
        const resolved = pathPart === '' ? self : path.resolve(path.dirname(self), decodeURI(pathPart));
        const at = `${file.name}:${i + 1}: (${target})`;
        if (resolved !== self && !fs.existsSync(resolved)) {
          problems.push(`${at} points at ${path.relative(ROOT, resolved)}, which does not exist`);
        } else if (fragment && resolved.endsWith('.md') && !(resolved === self ? anchorsOf(file.text) : anchors(resolved)).has(fragment)) {
          problems.push(`${at} names the anchor #${fragment}, which ${path.relative(ROOT, resolved)} has no heading for`);
        }
      }
    });
  }
  return problems;
}

describe('documentation', () => {
  const files = markdownFiles();

  test('every ```ts block with an import line type-checks against the package', () => {
    const all = snippets(files);
    // The README's example and the pages' examples: a lost convention must not pass with nothing checked.
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.some((s) => s.file === 'README.md')).toBe(true);
    expect(typeCheck(all)).toEqual([]);
  });

  test('every relative link points at a file (and heading) that exists', () => {
    expect(files.length).toBeGreaterThan(1);
    expect(brokenLinks(files)).toEqual([]);
  });

  test('the checks themselves catch what they are for', () => {
    const probe: MarkdownFile = {
      name: 'docs/probe.md',
      text: [
        '# Probe', '', '```ts', "import { Port } from 'cdk8s-netpol';", 'Port.tcp("80");', '```', '',
        '```ts', 'Port.tcp("fragment, not checked");', '```', '',
        '[gone](./nowhere.md) [here](#probe) [bad anchor](#nope) `[in code](./x.md)`',
      ].join('\n'),
    };
    const [snippet, ...others] = snippets([probe]);
    expect(others).toEqual([]);
    expect(typeCheck([snippet])).toEqual([
      expect.stringMatching(/^docs\/probe\.md:5: TS2345 Argument of type 'string' is not assignable to parameter of type 'number'/),
    ]);
    expect(brokenLinks([probe])).toEqual([
      'docs/probe.md:12: (./nowhere.md) points at docs/nowhere.md, which does not exist',
      'docs/probe.md:12: (#nope) names the anchor #nope, which docs/probe.md has no heading for',
    ]);
    expect(anchorsOf(probe.text).has('probe')).toBe(true);
    expect(slug('Peers: `Peer.pods()` & friends')).toBe('peers-peerpods--friends');
  });
});

import { spawnSync } from 'child_process';
import * as fs from 'fs';
// The module itself, not the namespace `import * as` builds: its functions can be spied on.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import nodeFs = require('fs');
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_READ_LIMITS, readManifests } from '../../src/cli/manifests';

// Bounded walks and sizes: each real file is read once whatever the links, files above the
// documented limits are refused before they are read, and what cannot be read is a problem line.

const POLICY = 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p, namespace: shop}\nspec: {podSelector: {}}\n';

function folder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'netpol-walk-'));
}

afterEach(() => jest.restoreAllMocks());

describe('each real file once', () => {
  test('two links to "." make no exponential walk, and the file is read once', () => {
    const root = folder();
    fs.writeFileSync(path.join(root, 'p.yaml'), POLICY);
    fs.symlinkSync('.', path.join(root, 'a'));
    fs.symlinkSync('.', path.join(root, 'b'));
    const stat = jest.spyOn(nodeFs, 'statSync');
    const result = readManifests([root]);
    expect(result.problems).toEqual([]);
    expect(result.files).toEqual([path.join(root, 'p.yaml')]);
    expect(result.objects).toHaveLength(1);
    // A handful of entries, each looked at once or twice: no walk of 2^40 paths.
    expect(stat.mock.calls.length).toBeLessThan(10);
  });

  test('a link to the folder itself, or to a folder above, is not walked again', () => {
    const root = folder();
    fs.mkdirSync(path.join(root, 'sub'));
    fs.writeFileSync(path.join(root, 'sub', 'p.yaml'), POLICY);
    fs.symlinkSync(root, path.join(root, 'sub', 'up'));
    fs.symlinkSync(path.join(root, 'sub'), path.join(root, 'sub', 'self'));
    const result = readManifests([root]);
    expect(result).toMatchObject({ problems: [], files: [path.join(root, 'sub', 'p.yaml')] });
  });

  test('a file named twice, through links or as a path and a folder, is read once', () => {
    const root = folder();
    fs.writeFileSync(path.join(root, 'p.yaml'), POLICY);
    fs.symlinkSync(path.join(root, 'p.yaml'), path.join(root, 'q.yaml'));
    const result = readManifests([root, path.join(root, 'q.yaml'), path.join(root, '.', 'p.yaml')]);
    expect(result).toMatchObject({ problems: [], files: [path.join(root, 'p.yaml')] });
    expect(result.objects).toHaveLength(1);
  });

  test('a link loop is said, not passed over in silence; a dangling link still is', () => {
    const root = folder();
    fs.writeFileSync(path.join(root, 'p.yaml'), POLICY);
    fs.symlinkSync('loop.yaml', path.join(root, 'loop.yaml'));
    fs.symlinkSync(path.join(root, 'gone.yaml'), path.join(root, '.#p.yaml'));
    expect(readManifests([root]).problems).toEqual([`${path.join(root, 'loop.yaml')}: is a loop of symbolic links`]);
  });
});

describe('sizes', () => {
  test('the limits are documented values: 16 MB a file, 64 MB in all', () => {
    expect(DEFAULT_READ_LIMITS).toEqual({ maxFileBytes: 16 * 1024 * 1024, maxTotalBytes: 64 * 1024 * 1024 });
  });

  test('a file above the limit is refused naming the file, its size and the limit, without being read', () => {
    const root = folder();
    const big = path.join(root, 'big.yaml');
    // Sparse: 150 MB as the file system reports it, no disk used.
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 150 * 1024 * 1024);
    fs.writeFileSync(path.join(root, 'p.yaml'), POLICY);
    const read = jest.spyOn(nodeFs, 'readSync');
    const readFile = jest.spyOn(nodeFs, 'readFileSync');
    const result = readManifests([root]);
    expect(result.problems).toEqual([`${big}: 150.0 MB is above the limit of 16.0 MB per file; ` +
      'give the files that hold the policies, namespaces and workloads']);
    expect(read).not.toHaveBeenCalled();
    expect(readFile).not.toHaveBeenCalled();
  });

  test('files within the per-file limit but above the total are refused, before any is read', () => {
    const root = folder();
    fs.writeFileSync(path.join(root, 'a.yaml'), POLICY);
    fs.writeFileSync(path.join(root, 'b.yaml'), POLICY.replace('name: p', 'name: q'));
    const read = jest.spyOn(nodeFs, 'readSync');
    const result = readManifests([root], { maxFileBytes: 1000, maxTotalBytes: POLICY.length + 10 });
    expect(result.problems).toEqual([`the 2 files hold ${2 * POLICY.length} bytes, above the limit of ${POLICY.length + 10} bytes in all; ` +
      'give the files that hold the policies, namespaces and workloads']);
    expect(read).not.toHaveBeenCalled();
  });

  test('a pipe is not read (it may never end): a problem line instead', () => {
    const root = folder();
    const fifo = path.join(root, 'fifo.yaml');
    if (spawnSync('mkfifo', [fifo]).status !== 0) {
      return; // no mkfifo here: nothing to test
    }
    expect(readManifests([fifo]).problems).toEqual([`${fifo}: is not a regular file (a pipe, socket or device); give files or folders`]);
  });
});

describe('what cannot be read is a problem line, never an exception', () => {
  const denied = (call: string) => Object.assign(new Error(`EACCES: permission denied, ${call}`), { code: 'EACCES' });

  test('an unreadable sub-folder', () => {
    const root = folder();
    fs.writeFileSync(path.join(root, 'p.yaml'), POLICY);
    fs.mkdirSync(path.join(root, 'locked'));
    fs.writeFileSync(path.join(root, 'locked', 'q.yaml'), POLICY);
    const locked = path.join(root, 'locked');
    if (process.getuid?.() === 0) {
      // root reads every folder: the refusal is simulated where the walk lists a folder.
      const readdir = fs.readdirSync;
      jest.spyOn(nodeFs, 'readdirSync').mockImplementation(((p: fs.PathLike, ...rest: any[]) => {
        if (String(p) === locked) {
          throw denied(`scandir '${locked}'`);
        }
        return (readdir as any)(p, ...rest);
      }) as any);
    } else {
      fs.chmodSync(locked, 0);
    }
    try {
      const result = readManifests([root]);
      expect(result.problems).toEqual([`${locked}: the folder cannot be read (permission denied)`]);
    } finally {
      fs.chmodSync(locked, 0o755);
    }
  });

  test('an unreadable file', () => {
    const root = folder();
    const file = path.join(root, 'p.yaml');
    fs.writeFileSync(file, POLICY);
    if (process.getuid?.() === 0) {
      // root reads every file: the refusal is simulated where the file is opened (or read whole).
      const open = fs.openSync;
      jest.spyOn(nodeFs, 'openSync').mockImplementation(((p: fs.PathLike, ...rest: any[]) => {
        if (String(p) === file) {
          throw denied(`open '${file}'`);
        }
        return (open as any)(p, ...rest);
      }) as any);
      jest.spyOn(nodeFs, 'readFileSync').mockImplementation(() => {
        throw denied(`open '${file}'`);
      });
    } else {
      fs.chmodSync(file, 0);
    }
    expect(readManifests([file]).problems).toEqual([`${file}: it cannot be read (permission denied)`]);
  });
});

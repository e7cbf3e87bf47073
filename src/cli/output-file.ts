import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The `--out` file of `matrix` and `diff`: refused when it is one of the inputs, written so that a
 * failure never leaves a truncated file behind.
 */

/** The real path `file` names, or where it would be created (its folder's real path and its name). */
function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
    } catch {
      return path.resolve(file);
    }
  }
}

/** The device and inode of a file, undefined when it does not exist: two names of one file (a hard link) share them. */
function identity(file: string): string | undefined {
  try {
    const stat = fs.statSync(file);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Why `--out file` cannot be written, or undefined: it is one of the `inputs` (by its real path,
 * through links, or a hard link to one), it is a folder, or its folder does not exist. Asked
 * before anything is computed or written.
 */
export function outputFileProblem(file: string, inputs: string[]): string | undefined {
  const target = realTarget(file);
  const id = identity(file);
  const input = inputs.find((i) => realTarget(i) === target || (id !== undefined && identity(i) === id));
  if (input !== undefined) {
    return `--out ${file} is the input file ${input}: writing would overwrite it; write the report elsewhere`;
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) {
    return `--out ${file} is a folder; name a file, e.g. --out ${path.join(file, 'report.md')}`;
  }
  const folder = path.dirname(path.resolve(file));
  if (!fs.existsSync(folder)) {
    return `--out ${file}: the folder ${folder} does not exist`;
  }
  return undefined;
}

/**
 * Writes `text` (or what a producer writes, chunk by chunk) to `file` atomically: into a new file in the same folder, flushed to disk, then
 * renamed over `file` (a rename within a folder replaces the old file at once). On any failure the
 * new file is removed and the old one, if there was one, is left as it was. A symbolic link is
 * written through: its target is replaced, the link stays. The old file's permissions are kept.
 * Throws an Error naming the file and the cause.
 */
export function writeFileAtomically(file: string, text: string | ((write: (chunk: string) => void) => void)): void {
  // A producer writes its chunks as it makes them: an output larger than memory never is a string.
  const produce = typeof text === 'string' ? (write: (chunk: string) => void) => write(text) : text;
  let kind: fs.Stats | undefined;
  try {
    // Through the name as given: /dev/stdout on a pipe resolves to "pipe:[...]", which no path names.
    kind = fs.statSync(file);
  } catch {
    // A new file.
  }
  const target = kind !== undefined && !kind.isFile() ? file : realTarget(file);
  if (kind !== undefined && !kind.isFile()) {
    // A device, a pipe or a socket (/dev/null, /dev/stdout, a FIFO a job reads): written to as
    // it is, never replaced by a regular file, and a failure (/dev/full: ENOSPC) is reported.
    let device: number | undefined;
    const inherited = inheritedDescriptor(file);
    try {
      if (inherited !== undefined) {
        // The process's own stream: written to as it is (a socket, which no path can open, included).
        produce((chunk) => writeAll(inherited, chunk));
        return;
      }
      device = fs.openSync(target, 'w');
      const fd = device;
      produce((chunk) => writeAll(fd, chunk));
      fs.closeSync(device);
      device = undefined;
    } catch (e) {
      if (device !== undefined) {
        try {
          fs.closeSync(device);
        } catch {
          // Already failing: the first error is the one to report.
        }
      }
      const cause = (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);
      if (cause === 'EPIPE') {
        // The reader of a pipe has gone (`--out /dev/stdout | head`): not a failure of the command.
        return;
      }
      throw new Error(`--out ${file} cannot be written (${cause})`);
    }
    return;
  }
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let mode = 0o666;
  let existed = false;
  try {
    mode = fs.statSync(target).mode % 0o10000;
    existed = true;
  } catch {
    // A new file: the usual permissions, less the umask.
  }
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx', mode);
    const open = fd;
    produce((chunk) => writeAll(open, chunk));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        // Already failing: the first error is the one to report.
      }
    }
    try {
      fs.unlinkSync(temp);
    } catch {
      // Never created, or already gone.
    }
    const cause = (e as NodeJS.ErrnoException)?.code ?? (e as Error)?.message ?? String(e);
    throw new Error(`--out ${file} cannot be written (${cause}); ${existed ? 'the old file is left as it was' : 'nothing was written'}`);
  }
}

/** Writes all of `chunk` (writeSync may write part of it). */
function writeAll(fd: number, chunk: string): void {
  const buffer = Buffer.from(chunk);
  let done = 0;
  while (done < buffer.length) {
    done += fs.writeSync(fd, buffer, done, buffer.length - done);
  }
}

/** The descriptor a name stands for when it names one of the process's own: /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N. */
function inheritedDescriptor(file: string): number | undefined {
  const named: Record<string, number> = { '/dev/stdout': 1, '/dev/stderr': 2 };
  if (named[file] !== undefined) {
    return named[file];
  }
  const match = /^\/(?:dev|proc\/self)\/fd\/([0-9]{1,9})$/.exec(file);
  return match ? Number(match[1]) : undefined;
}

import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The packaging outputs the binding tests read: the rosetta tablet, the Java sources jsii-pacmak generated
 * (with the javadoc report of scripts/check-java-sources.js) and the Python wheel.
 *
 * In the build they are made by the projen tasks (rosetta:check after compile; package:java and
 * package:python). When one is missing or older than the compiled assembly (.jsii, which holds the README
 * and every doc comment), the test runs the projen task that makes it, so a test never reads outputs of
 * an older build.
 */
export const ROOT = path.join(__dirname, '..', '..');
export const TABLET = path.join(ROOT, '.jsii.tabl.json');
export const JAVA_SOURCES = path.join(ROOT, 'dist-java-src', 'java', 'src', 'main', 'java');
export const JAVADOC_REPORT = path.join(ROOT, 'dist', 'java', 'javadoc-report.json');
export const PYTHON_DIST = path.join(ROOT, 'dist', 'python');

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function projen(task: string): { ok: boolean; output: string } {
  const result = spawnSync('npx', ['projen', task], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

/**
 * Runs `task` unless `output` is newer than the assembly; the task's result. (The tablet is made from the
 * assembly alone, and every packaging task rewrites it, so it is no input of its own here.)
 */
function freshOrMade(output: string, task: string): { ok: boolean; output: string } {
  const assembly = mtime(path.join(ROOT, '.jsii'));
  if (assembly === 0) throw new Error('no .jsii: compile with jsii first');
  if (mtime(output) >= assembly) return { ok: true, output: '' };
  return projen(task);
}

export function ensureTablet(): void {
  const assembly = mtime(path.join(ROOT, '.jsii'));
  if (mtime(TABLET) >= assembly && assembly > 0) return;
  const made = projen('rosetta:check');
  if (!made.ok) throw new Error(`rosetta:check failed:\n${made.output}`);
}

/** Generates the Java sources (and their javadoc report) unless fresh; the task's output when it failed. */
export function ensureJava(): { ok: boolean; output: string } {
  ensureTablet();
  return freshOrMade(JAVADOC_REPORT, 'package:java');
}

/** Builds the Python wheel unless fresh; the wheel's path. */
export function ensureWheel(): string {
  ensureTablet();
  const wheel = () => (fs.existsSync(PYTHON_DIST) ? fs.readdirSync(PYTHON_DIST).find((f) => f.endsWith('.whl')) : undefined);
  const existing = wheel();
  const made = freshOrMade(existing ? path.join(PYTHON_DIST, existing) : path.join(PYTHON_DIST, 'none.whl'), 'package:python');
  if (!made.ok) throw new Error(`package:python failed:\n${made.output}`);
  const built = wheel();
  if (!built) throw new Error(`package:python made no wheel in ${PYTHON_DIST}`);
  return path.join(PYTHON_DIST, built);
}

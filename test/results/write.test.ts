import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultResultsPath, saveResults, writeResultsFile } from '../../src/results/write.ts';
import type { RunResults } from '../../src/results/types.ts';
import { measuredCell, resultsFile } from '../gate/results-fixture.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mtls-write-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const results = resultsFile([measuredCell({ auth: 'tls' }, { 'handshake.full.p50': [1000, 1010, 990, 1005, 995] })]);

function read(file: string): RunResults {
  return JSON.parse(readFileSync(file, 'utf8')) as RunResults;
}

describe('writeResultsFile', () => {
  it('replaces the file it names by default, and leaves no temporary file', async () => {
    const file = path.join(scratch, 'replace', 'out.json');
    await writeResultsFile(results, file);
    const written = await writeResultsFile({ ...results, finishedAt: 'second' }, file);
    expect(written).toBe(file);
    expect(read(file).finishedAt).toBe('second');
    expect(readdirSync(path.dirname(file))).toEqual(['out.json']);
  });

  it('never replaces an earlier file without overwrite, and numbers the new one', async () => {
    const file = path.join(scratch, 'keep', 'run.json');
    const first = await writeResultsFile({ ...results, finishedAt: 'first' }, file, { overwrite: false });
    const second = await writeResultsFile({ ...results, finishedAt: 'second' }, file, { overwrite: false });
    const third = await writeResultsFile({ ...results, finishedAt: 'third' }, file, { overwrite: false });
    expect([first, second, third]).toEqual([file, path.join(scratch, 'keep', 'run-2.json'), path.join(scratch, 'keep', 'run-3.json')]);
    expect([first, second, third].map((written) => read(written).finishedAt)).toEqual(['first', 'second', 'third']);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['run-2.json', 'run-3.json', 'run.json']);
  });

  it('keeps a complete file in place when the writer is killed mid-write', async () => {
    const file = path.join(scratch, 'killed.json');
    let interruptedWrites = 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/write-loop.ts'), file], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      expect(chunk.toString()).toBe('ready\n');
      // Kill the writer as soon as its temporary file appears: inside a write.
      const temporary = `${file}.${child.pid}.tmp`;
      const deadline = Date.now() + 5000;
      while (!existsSync(temporary) && Date.now() < deadline) {
        // Polls without yielding, bounded by the deadline, so the kill follows the file at once.
      }
      child.kill('SIGKILL');
      await once(child, 'exit');

      // Whatever the moment of the kill, the file is one whole write.
      expect(read(file).cells).toHaveLength(3000);
      // A kill mid-write leaves the writer's temporary file, never a short results file.
      const leftovers = readdirSync(scratch).filter((name) => name.endsWith('.tmp'));
      interruptedWrites += leftovers.length;
      for (const name of leftovers) rmSync(path.join(scratch, name));
    }
    // Most kills landed inside a write; otherwise this test showed nothing.
    expect(interruptedWrites).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('saveResults', () => {
  it('writes to a new file under results/ when no file is named', async () => {
    const cwd = process.cwd();
    const directory = path.join(scratch, 'default');
    mkdirSync(directory);
    process.chdir(directory);
    try {
      const first = await saveResults(results, null);
      const second = await saveResults(results, null);
      expect(first).toEqual({ file: defaultResultsPath(results), error: null });
      expect(second).toEqual({ file: defaultResultsPath(results).replace(/\.json$/, '-2.json'), error: null });
    } finally {
      process.chdir(cwd);
    }
  });

  it('names a partial run as such', () => {
    const partial = { ...results, partial: { stoppedBy: 'SIGINT', cellsPlanned: 8 } };
    expect(defaultResultsPath(partial)).toMatch(/-partial\.json$/);
  });
});

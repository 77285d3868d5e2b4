#!/usr/bin/env node
/**
 * The README as a test (`npm run test:readme`). Runs, in order, the commands the
 * README shows: its first block (`npm install` is taken as done and `npm test` is
 * left to CI's own step; `npm start` runs in the background on a fresh data
 * directory and a free port) and the tour's `console` blocks, where `$ ` lines are
 * commands and the lines under them the output the README promises.
 *
 * A command fails the walk when it exits non-zero (unless its shown output is an
 * `error: …` line, which promises a refusal) or when its output differs in
 * substance: ids, hashes and times are compared by shape (the README shows one
 * run's values, a walk gets others), spacing is ignored, and a line `…` stands for
 * any number of lines. A value the README shows in an output (a run id, a time) and
 * uses in a later command is replaced there by the value this walk got.
 *
 * The walk runs on the embedded SQLite default, as written; then, when TEST_DATABASE_URL
 * is set (CI sets it), once more with DATABASE_URL pointing at a fresh PostgreSQL
 * database made for the walk and dropped after it: the same commands, the same outputs.
 *
 *   node scripts/readme-walk.mjs [--print]   (--print shows every actual output)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');
const PRINT = process.argv.includes('--print');

/** Values that differ from walk to walk, each compared by its shape. */
const VARYING = [
  ['RUN', /\brun_[0-9a-f]{24}\b/g],
  ['RAW', /\braw_[0-9a-f]{24}\b/g],
  ['KEY', /\btmk_[0-9a-z]+_[\w-]+/g],
  ['TIME', /\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?Z?/g],
  ['HEX', /\b[0-9a-f]{12,64}(?:\+dirty)?\b/g],
  ['MS', /"(?:durationMs|ageSeconds)":\s*[\d.]+/g],
];

function normalise(line) {
  let out = line;
  for (const [name, re] of VARYING) out = out.replace(re, `<${name}>`);
  return out.replace(/\s+/g, ' ').trim();
}

/** Pairs the varying values of a shown line with the actual line's, in order. */
function learn(shown, actual, learned) {
  for (const [, re] of VARYING) {
    const a = [...actual.matchAll(re)].map((m) => m[0]);
    [...shown.matchAll(re)].forEach((m, i) => {
      if (a[i] !== undefined && m[0] !== a[i]) learned.set(m[0], a[i]);
    });
  }
}

/** Matches shown lines (with `…` wildcards) against actual lines; learns values on success. */
function matches(shown, actual, learned) {
  const walk = (i, j, pairs) => {
    if (i === shown.length) return j === actual.length ? pairs : null;
    if (shown[i].trim() === '…') {
      for (let k = j; k <= actual.length; k++) {
        const r = walk(i + 1, k, pairs);
        if (r) return r;
      }
      return null;
    }
    if (j < actual.length && normalise(shown[i]) === normalise(actual[j]))
      return walk(i + 1, j + 1, [...pairs, [shown[i], actual[j]]]);
    return null;
  };
  const pairs = walk(0, 0, []);
  if (!pairs) return false;
  for (const [s, a] of pairs) learn(s, a, learned);
  return true;
}

/** The README's steps: the top block, then the `console` blocks of the tour. */
function readmeSteps(text) {
  const steps = [];
  const blocks = [...text.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)];
  const top = blocks[0][2].split('\n').filter(Boolean);
  for (const line of top) {
    for (const cmd of line
      .replace(/#.*$/, '')
      .split('&&')
      .map((c) => c.trim()))
      steps.push({ cmd, top: true });
  }
  const tourAt = text.indexOf('## A five-minute tour');
  const tourEnd = text.indexOf('\n## ', tourAt + 1);
  for (const b of blocks) {
    if (b[1] !== 'console' || b.index < tourAt || b.index > tourEnd) continue;
    let step = null;
    for (const line of b[2].replace(/\n$/, '').split('\n')) {
      if (line.startsWith('$ ')) {
        step = { cmd: line.slice(2), shown: [] };
        steps.push(step);
      } else if (step) step.shown.push(line);
    }
  }
  return steps;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function startServer(env, args) {
  const child = spawn('npm', ['start', '--silent', ...(args.length ? ['--', ...args] : [])], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      log += d.toString();
      if (log.includes('tidemark listening')) resolve({ child, log: () => log });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${log}`)));
    setTimeout(() => reject(new Error(`npm start did not listen within 60 s:\n${log}`)), 60_000).unref();
  });
}

/** Stops `npm start` and the server under it (their process group). */
function stop(child) {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    process.kill(-child.pid, 'SIGTERM');
    setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve();
    }, 10_000).unref();
  });
}

/** Commands that only read: retried for a while, since the server runs the samples as they arrive. */
const READS_ONLY = /^(npx tidemark (runs|inspect|features|contracts list)\b|G '\{"query":"\{)/;

const PRELUDE = (text) => [...text.matchAll(/^\$ (\w+\(\) \{.*\})$/gm)].map((m) => m[1]).join('\n');

function runShell(cmd, env, prelude) {
  const r = spawnSync('bash', ['-c', `${prelude}\n${cmd}`], { cwd: REPO, env, encoding: 'utf8' });
  return { code: r.status, out: (r.stdout + r.stderr).replace(/\n+$/, '') };
}

/**
 * One walk of the README; `store` adds DATABASE_URL for a PostgreSQL leg, whose `npm start`
 * asks for the samples (`-- --samples`): they land unasked only on the embedded default.
 * Returns the failures.
 */
async function walk(label, store = {}, startArgs = []) {
  console.log(`--- the README on ${label}`);
  const text = readFileSync(join(REPO, 'README.md'), 'utf8');
  const steps = readmeSteps(text);
  const prelude = PRELUDE(text);
  const dataDir = mkdtempSync(join(tmpdir(), 'tidemark-readme-'));
  const port = await freePort();
  // As on a fresh clone: the embedded store, nothing of this shell's Tidemark settings.
  const inherited = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('TIDEMARK_') && !['DATABASE_URL', 'REDIS_URL', 'NATS_URL', 'HOST'].includes(k),
  );
  const env = {
    ...Object.fromEntries(inherited),
    TIDEMARK_DATA_DIR: dataDir,
    PORT: String(port),
    TIDEMARK_LOG_FORMAT: 'json',
    ...store,
  };
  const learned = new Map();
  let server = null;
  let failures = 0;
  try {
    for (const step of steps) {
      let cmd = step.cmd;
      for (const [from, to] of learned) cmd = cmd.split(from).join(to);
      if (step.top) {
        if (cmd === 'npm start') {
          server = await startServer(env, startArgs);
          // Killed itself (a CI timeout, ^C): the server must not outlive the walk.
          for (const signal of ['SIGINT', 'SIGTERM'])
            process.once(signal, () => {
              process.kill(-server.child.pid, 'SIGTERM');
              process.exit(1);
            });
        }
        const shown = cmd === 'npm start' && startArgs.length ? `${cmd} -- ${startArgs.join(' ')}` : cmd;
        console.log(
          `${cmd === 'npm start' ? 'ok  ' : 'skip'} ${shown}${cmd === 'npm start' ? ` (port ${port}, data ${dataDir})` : ' (done by CI itself)'}`,
        );
        continue;
      }
      if (/^\w+\(\) \{/.test(cmd)) continue; // a shell function: part of the prelude
      const refusal = step.shown[0]?.startsWith('error:');
      let r;
      let ok = false;
      const deadline = Date.now() + 20_000;
      for (let attempt = 0; !ok && (attempt === 0 || Date.now() < deadline); attempt++) {
        if (attempt > 0) await new Promise((res) => setTimeout(res, 1000));
        r = runShell(cmd, env, prelude);
        const exitOk = refusal ? r.code !== 0 : r.code === 0;
        ok = exitOk && matches(step.shown, r.out.split('\n'), learned);
        if (!READS_ONLY.test(step.cmd)) break;
      }
      console.log(`${ok ? 'ok  ' : 'FAIL'} $ ${cmd}`);
      if (!ok || PRINT) {
        if (!ok) failures++;
        if (!ok) console.log(`  shown:\n${step.shown.map((l) => '    ' + l).join('\n')}`);
        console.log(
          `  got (exit ${r.code}):\n${r.out
            .split('\n')
            .map((l) => '    ' + l)
            .join('\n')}`,
        );
      }
    }
  } finally {
    if (server) await stop(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (!server) {
    console.log('FAIL the README has no `npm start`');
    failures++;
  }
  return failures;
}

/** A fresh database on TEST_DATABASE_URL's server for one walk, dropped afterwards. */
async function withDatabase(base, fn) {
  const { default: pg } = await import('pg');
  const name = `tidemark_readme_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
}

async function main() {
  let failures = await walk('SQLite (the embedded default)');
  const pgBase = process.env.TEST_DATABASE_URL;
  if (pgBase)
    failures += await withDatabase(pgBase, (url) => walk('PostgreSQL', { DATABASE_URL: url }, ['--samples']));
  else console.log('skip the PostgreSQL walk: TEST_DATABASE_URL is not set');
  console.log(
    failures
      ? `\n${failures} step(s) of the README did not do what it says`
      : '\nthe README walks as written',
  );
  process.exit(failures ? 1 : 0);
}

await main();

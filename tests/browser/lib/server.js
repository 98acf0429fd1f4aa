// Starts the aftersales binary with the demo company for one test file, and cleans up after.
//
// The caller builds the binary first (`cargo build -p aftersales`); it is taken from
// target/debug/aftersales at the repository root, or from env AFTERSALES_BIN.
// With env AFTERSALES_BROWSER_PG_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) a
// fresh PostgreSQL database is created from that server and dropped at the end; otherwise the
// server uses a SQLite file in a fresh temporary data directory.

import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const DEMO_PASSWORD = 'demo1234';

export function binaryPath() {
  const bin = process.env.AFTERSALES_BIN || join(repoRoot, 'target', 'debug', 'aftersales');
  if (!existsSync(bin)) {
    throw new Error(`${bin} does not exist: run \`cargo build -p aftersales\` first or set AFTERSALES_BIN`);
  }
  return bin;
}

/** A TCP port that nothing listens on right now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** The environment for the binary, without settings of the caller's that would change where it keeps data. */
function childEnv() {
  const env = { ...process.env };
  for (const name of ['AFTERSALES_CONFIG', 'AFTERSALES_DATABASE_URL', 'AFTERSALES_DATA_DIR', 'AFTERSALES_BIND']) {
    delete env[name];
  }
  env.AFTERSALES_LOG ??= 'warn';
  return env;
}

function psql(adminUrl, sql) {
  execFileSync('psql', [adminUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function run(bin, args, env) {
  return new Promise((ok, fail) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      code === 0 ? ok(output) : fail(new Error(`aftersales ${args.join(' ')} exited with ${code ?? signal}:\n${output}`)),
    );
  });
}

async function waitReady(baseUrl, child, log, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${log()}`);
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not answer 200 on /readyz within ${timeoutMs} ms:\n${log()}`);
}

/**
 * Loads the demo company into a fresh database and serves it on a free port of 127.0.0.1.
 * Returns { baseUrl, backend, log(), stop() }; stop() ends the server and removes its data.
 *
 * With `{ movableClock: true }` the server runs on the test clock (AFTERSALES_TEST_CLOCK_FILE)
 * and its timer runner every second, and the result also has `advanceClock(hours)`, which moves
 * the server's time forward: deadlines pass and due timers fire at the runner's next turn
 * (sessions expire too after 12 hours, so sign in again after a long jump).
 */
export async function startServer({ movableClock = false } = {}) {
  const bin = binaryPath();
  const env = childEnv();
  const dataDir = mkdtempSync(join(tmpdir(), 'aftersales-browser-'));
  const clockFile = join(dataDir, 'clock-offset-seconds');
  let offsetSeconds = 0;
  const serveArgs = [];
  if (movableClock) {
    writeFileSync(clockFile, '0');
    env.AFTERSALES_TEST_CLOCK_FILE = clockFile;
    serveArgs.push('--timer-interval-secs', '1');
  }
  const pgUrl = process.env.AFTERSALES_BROWSER_PG_URL;
  const common = ['--data-dir', dataDir];
  let dropDatabase = () => {};
  if (pgUrl) {
    const name = `aftersales_browser_${randomBytes(6).toString('hex')}`;
    psql(pgUrl, `CREATE DATABASE ${name}`);
    dropDatabase = () => psql(pgUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    const url = new URL(pgUrl);
    url.pathname = `/${name}`;
    common.push('--database-url', url.toString());
  }
  const cleanup = () => {
    try {
      dropDatabase();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  };

  let child;
  try {
    await run(bin, [...common, 'demo', '--no-serve'], env);
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    let output = '';
    child = spawn(bin, [...common, 'serve', '--bind', `127.0.0.1:${port}`, ...serveArgs], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // Should the test process die without calling stop(), do not leave the server behind.
    const killOnExit = () => child.exitCode === null && child.kill('SIGKILL');
    process.on('exit', killOnExit);
    const log = () => output;
    await waitReady(baseUrl, child, log);

    const stop = async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT'); // the server shuts down gracefully on Ctrl-C
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      cleanup();
    };
    const advanceClock = (hours) => {
      if (!movableClock) throw new Error('startServer({ movableClock: true }) to move the clock');
      offsetSeconds += Math.round(hours * 3600);
      writeFileSync(clockFile, String(offsetSeconds));
    };
    return { baseUrl, backend: pgUrl ? 'postgres' : 'sqlite', log, stop, advanceClock };
  } catch (err) {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    cleanup();
    throw err;
  }
}

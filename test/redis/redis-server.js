'use strict';
/**
 * A real redis-server for tests: started on a free loopback port in a temporary folder, with
 * no persistence, and stopped (or restarted on the same port) on demand. Other suites (the
 * multi-process Node-RED test, the benchmark) reuse it:
 *
 *   const { startRedis } = require('./test/redis/redis-server');
 *   const redis = await startRedis();   // { url, port, dir, stop(), restart(), freeze(), thaw() }
 *
 * stop() ends the server (a later restart() brings it back, empty, on the same port);
 * freeze()/thaw() stop and continue it (SIGSTOP/SIGCONT) to play a server that hangs;
 * dispose() stops it for good and removes its folder. Every server still running when the
 * test process exits is killed.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const running = new Set();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** The redis-server binary: REDIS_SERVER, or the Debian package's, or one on PATH. */
function redisServerPath() {
  if (process.env.REDIS_SERVER) return process.env.REDIS_SERVER;
  if (fs.existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('redis-server not found: install it (apt-get install redis-server) or set REDIS_SERVER');
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true when the server answers PONG. */
function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let data = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\r\n')) done(data.startsWith('+PONG'));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function startRedis(options = {}) {
  const bin = redisServerPath();
  const port = options.port || (await freePort());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vitally-redis-'));
  let child;
  let log = '';

  async function start() {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    args.push('--dir', dir, '--daemonize', 'no', '--loglevel', 'warning');
    child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const me = child;
    child.stdout.on('data', (d) => (log = (log + d).slice(-4000)));
    child.stderr.on('data', (d) => (log = (log + d).slice(-4000)));
    let exited = false;
    child.on('exit', () => {
      exited = true;
      running.delete(me);
    });
    const deadline = Date.now() + 10000;
    while (Date.now() < deadline) {
      if (exited) throw new Error(`redis-server exited at start on port ${port}:\n${log}`);
      if (await ping(port)) return;
      await sleep(25);
    }
    child.kill('SIGKILL');
    throw new Error(`redis-server did not answer PING on port ${port} within 10 s:\n${log}`);
  }

  async function stop() {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((resolve) => c.once('exit', resolve));
    c.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
    c.kill('SIGTERM');
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop,
    /** Starts it again on the same port (empty: nothing is persisted). */
    async restart() {
      await stop();
      await start();
    },
    freeze() {
      if (child) child.kill('SIGSTOP');
    },
    thaw() {
      if (child) child.kill('SIGCONT');
    },
    /** Stops it and removes its folder. */
    async dispose() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { startRedis, freePort, ping };

// run.mjs: the workshop as a learner sees it. Starts the Jupyter Notebook server (Debian's, classic
// Notebook 6 UI) on 127.0.0.1 with the corelab kernelspec, opens every notebook in notebooks/ plus
// tests/data/smoke.ipynb in Chromium (Debian's, driven by playwright-core; no browser download), runs
// Cell > Run All, waits until the kernel is idle and every cell has run, and checks that no cell shows
// an error and that every SVG figure the kernel sent is rendered with a size. Screenshots go to
// tests/browser/screenshots/; with CORELAB_SCREENSHOT=FILE one viewport screenshot of a figure is also
// written there (that is how docs/screenshot.png is made: `make screenshot`).
//
// Everything is bounded: the server start, each notebook, and the whole run (CORELAB_BROWSER_TIMEOUT_S,
// default 900). The server and its kernels are stopped at the end, also on failure.
//
// Environment: PYTHON (default /usr/bin/python3), CHROMIUM (default /usr/bin/chromium), and the Jupyter
// variables (HOME, JUPYTER_DATA_DIR, ...) under which the corelab kernelspec is installed; `make browser`
// sets them all.

import { spawn, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const python = process.env.PYTHON || '/usr/bin/python3';
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
const shotsDir = path.join(here, 'screenshots');
const totalSeconds = Number(process.env.CORELAB_BROWSER_TIMEOUT_S || 900);
const notebookSeconds = Number(process.env.CORELAB_BROWSER_NOTEBOOK_TIMEOUT_S || 300);
const started = Date.now();

const log = (...a) => console.log('browser:', ...a);
const seconds = (ms) => (ms / 1000).toFixed(1) + 's';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The notebooks to open: the smoke notebook always, then the workshop in order.
function notebooks() {
  const list = [path.join(root, 'tests', 'data', 'smoke.ipynb')];
  const dir = path.join(root, 'notebooks');
  const workshop = fs.existsSync(dir)
    ? fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort().map((f) => path.join(dir, f))
    : [];
  if (workshop.length === 0) log('notebooks/ has no .ipynb files yet: only the smoke notebook runs');
  return list.concat(workshop);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function notebookVersion() {
  return execFileSync(python, ['-c', 'import notebook; print(notebook.__version__)'], { encoding: 'utf8' }).trim();
}

// Server is the notebook server process; stop() ends it and, through its own shutdown, its kernels.
class Server {
  constructor(dir, port, token) {
    this.base = `http://127.0.0.1:${port}`;
    this.token = token;
    this.logFile = path.join(dir, 'server.log');
    const out = fs.openSync(this.logFile, 'a');
    this.proc = spawn(python, [
      '-m', 'notebook', '--no-browser', '--ip=127.0.0.1', `--port=${port}`,
      '--NotebookApp.port_retries=0', `--NotebookApp.token=${token}`,
      `--notebook-dir=${dir}`, '--NotebookApp.open_browser=False',
      ...(process.getuid() === 0 ? ['--allow-root'] : []), // CI runs as root
    ], { stdio: ['ignore', out, out], detached: true, env: process.env });
    this.exited = new Promise((r) => this.proc.once('exit', r));
  }

  async ready(timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) break;
      try {
        const res = await fetch(`${this.base}/api/status?token=${this.token}`);
        if (res.ok) return;
      } catch { /* not listening yet */ }
      await sleep(250);
    }
    const why = this.proc.exitCode !== null ? `exited (${this.proc.exitCode})` : `not ready within ${seconds(timeoutMs)}`;
    throw new Error(`notebook server ${why}:\n${this.logTail()}`);
  }

  logTail(lines = 40) {
    try {
      return fs.readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch { return '(no server log)'; }
  }

  async stop() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM'); // the server shuts its kernels down on SIGTERM
    const done = await Promise.race([this.exited.then(() => true), sleep(15000).then(() => false)]);
    if (!done) {
      try { process.kill(-this.proc.pid, 'SIGKILL'); } catch { /* gone */ }
      await this.exited;
    }
  }
}

// State of the open notebook, read from the classic Notebook's own JavaScript model.
function pageState() {
  /* global Jupyter */
  const nb = window.Jupyter && Jupyter.notebook;
  if (!nb || !nb.kernel) return { loaded: false };
  const cells = nb.get_cells().filter((c) => c.cell_type === 'code' && c.get_text().trim() !== '');
  const svgOutputs = [];
  const errors = [];
  cells.forEach((c, i) => {
    const allowed = ((c.metadata && c.metadata.tags) || []).includes('raises-exception');
    for (const o of c.output_area.outputs) {
      if (o.output_type === 'error' && !allowed) errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      // A figure: SVG output, or HTML carrying inline SVG (the notebook shows HTML first when both are sent).
      const data = o.data || {};
      const html = [].concat(data['text/html'] || []).join('');
      if (data['image/svg+xml'] || html.includes('<svg')) svgOutputs.push(i);
    }
  });
  const rendered = Array.from(document.querySelectorAll('.output_area svg')).filter((s) => {
    if (s.parentElement && s.parentElement.closest('svg')) return false; // count top-level figures only
    const r = s.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  });
  return {
    loaded: true,
    kernelName: nb.kernel.name,
    connected: nb.kernel.is_connected(),
    idle: !!document.querySelector('#kernel_indicator_icon.kernel_idle_icon'),
    prompts: cells.map((c) => c.input_prompt_number),
    errors,
    errorNodes: document.querySelectorAll('.output_error').length,
    svgOutputs: svgOutputs.length,
    svgRendered: rendered.length,
  };
}

async function runNotebook(context, server, name, shot) {
  const t0 = Date.now();
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  try {
    await page.goto(`${server.base}/notebooks/${encodeURIComponent(name)}?token=${server.token}`);
    await page.waitForFunction(
      () => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected(),
      null, { timeout: 90000, polling: 250 });
    let st = await page.evaluate(pageState);
    if (st.kernelName !== 'corelab') throw new Error(`kernel is ${st.kernelName}, want corelab`);

    await page.click('#celllink'); // the Cell menu
    await page.click('#run_all_cells > a');

    // Done when every code cell has a number (none queued, "*"), and the kernel says idle; after an error
    // the kernel aborts the queued cells (stop_on_error), so an error also ends the wait once it is idle.
    const deadline = Date.now() + notebookSeconds * 1000;
    let settledSince = 0;
    for (;;) {
      st = await page.evaluate(pageState);
      const running = st.prompts.some((p) => p === '*');
      const allRun = st.prompts.every((p) => typeof p === 'number');
      const settled = st.idle && !running && (allRun || st.errors.length > 0 || st.errorNodes > 0);
      if (settled) {
        if (!settledSince) settledSince = Date.now();
        if (Date.now() - settledSince > 1000) break; // idle for a second: late outputs are in
      } else settledSince = 0;
      if (Date.now() > deadline) {
        throw new Error(`not finished within ${notebookSeconds}s; prompts ${JSON.stringify(st.prompts)}`);
      }
      await sleep(250);
    }

    if (st.errors.length) problems.push(...st.errors.map((e) => `error output: ${e}`));
    else if (st.errorNodes) problems.push(`${st.errorNodes} error output(s) on the page`);
    const unrun = st.prompts.filter((p) => typeof p !== 'number').length;
    if (unrun) problems.push(`${unrun} code cell(s) did not run`);
    if (st.svgRendered < st.svgOutputs) {
      problems.push(`${st.svgOutputs} outputs with figures, only ${st.svgRendered} SVG elements rendered with a size`);
    }
    if (name === 'smoke.ipynb' && st.svgRendered < 1) problems.push('the smoke notebook\'s SVG did not render');

    // Screenshots: the whole notebook (the classic UI scrolls inside #site, so let it grow first).
    await page.addStyleTag({ content: '#site { height: auto !important; overflow: visible !important; }' });
    await page.screenshot({ path: path.join(shotsDir, name.replace(/\.ipynb$/, '.png')), fullPage: true });
    if (shot) await figureShot(page, shot);

    const summary = `${st.prompts.length} code cells, ${st.svgOutputs} outputs with figures, ${st.svgRendered} SVG elements rendered`;
    await page.evaluate(() => Jupyter.notebook.session.delete()).catch(() => {});
    return { name, ok: problems.length === 0, problems, summary, svg: st.svgRendered, ms: Date.now() - t0 };
  } catch (e) {
    await page.screenshot({ path: path.join(shotsDir, name.replace(/\.ipynb$/, '.failed.png')) }).catch(() => {});
    return { name, ok: false, problems: problems.concat(String(e.message || e)), summary: 'did not finish', ms: Date.now() - t0 };
  } finally {
    await page.close().catch(() => {});
  }
}

// figureShot writes a 1280x800 view of the notebook scrolled to its first figure: the README's picture.
async function figureShot(page, file) {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.addStyleTag({ content: '#site { height: 100vh !important; overflow: auto !important; }' });
  await page.evaluate(() => {
    const fig = document.querySelector('.output_area svg');
    const cell = fig && fig.closest('.cell');
    if (cell) cell.scrollIntoView({ block: 'start' });
  });
  await sleep(300);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  log(`wrote ${path.relative(root, file)}`);
}

async function main() {
  const version = notebookVersion();
  if (!version.startsWith('6.')) {
    // Notebook 7 is a JupyterLab-based UI with other selectors; Debian 12 ships 6.4.
    throw new Error(`notebook ${version}: this test drives the classic Notebook 6 UI`);
  }
  const files = notebooks();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'corelab-browser-'));
  for (const f of files) fs.copyFileSync(f, path.join(work, path.basename(f)));
  fs.rmSync(shotsDir, { recursive: true, force: true });
  fs.mkdirSync(shotsDir, { recursive: true });

  const server = new Server(work, await freePort(), crypto.randomBytes(16).toString('hex'));
  let context;
  const watchdog = setTimeout(async () => {
    console.error(`browser: FAILED: the whole run exceeded ${totalSeconds}s`);
    await server.stop();
    process.exit(1);
  }, totalSeconds * 1000);
  const results = [];
  try {
    await server.ready(60000);
    log(`notebook ${version} at ${server.base}, chromium ${chromiumPath}`);
    context = await chromium.launchPersistentContext(fs.mkdtempSync(path.join(os.tmpdir(), 'corelab-chromium-')), {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic'],
    });
    // Nothing leaves the machine: only the notebook server is reachable.
    await context.route('**/*', (route) =>
      route.request().url().startsWith(server.base) ? route.continue() : route.abort());

    for (const name of files.map((f) => path.basename(f))) {
      const r = await runNotebook(context, server, name, null);
      results.push(r);
      log(`${r.ok ? 'ok' : 'FAIL'} ${name}: ${r.summary} in ${seconds(r.ms)}`);
      for (const p of r.problems) log(`  - ${p}`);
    }
    // The README screenshot shows the workshop notebook with the most figures (the smoke one if none).
    const shotFile = process.env.CORELAB_SCREENSHOT;
    if (shotFile) {
      const withFigures = results.filter((r) => r.ok && r.svg > 0);
      const best = withFigures.filter((r) => r.name !== 'smoke.ipynb').sort((a, b) => b.svg - a.svg)[0] || withFigures[0];
      if (!best) throw new Error('no notebook with a rendered figure to take the screenshot from');
      await runNotebook(context, server, best.name, shotFile);
    }
  } finally {
    clearTimeout(watchdog);
    if (context) await context.close().catch(() => {});
    await server.stop();
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    console.error(`--- notebook server log (last lines)\n${server.logTail()}`);
    console.error(`browser: FAILED: ${failed.length} of ${results.length} notebooks (${failed.map((r) => r.name).join(', ')}) in ${seconds(Date.now() - started)}`);
    process.exit(1);
  }
  fs.rmSync(work, { recursive: true, force: true });
  log(`${results.length} notebooks ran clean in Chromium in ${seconds(Date.now() - started)}; screenshots in ${path.relative(root, shotsDir)}/`);
}

main().catch((e) => {
  console.error(`browser: FAILED: ${e.stack || e}`);
  process.exit(1);
});

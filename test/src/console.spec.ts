import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady, mnemonicGenerate } from '@polkadot/util-crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { cryptoReady } from '@sealbridge/chain-types';
import { startDevChain } from '@sealbridge/dev-chain';
import { prepareSetEnv, startWorker, waitForEnvResult, type WorkerHandle } from '@sealbridge/worker';

import { sendAndWaitInBlock, tempDir, testLogger, UNIT, useStack, waitFor, type Stack } from './harness.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'artifacts');
const SECRET = `console-spec-secret-${randomBytes(6).toString('hex')}`;
/** What a failing Smart Worker throws: its author's text, which the console must not repeat. */
const AUTHOR_TEXT = 'author-text-that-may-quote-env';

/**
 * Debian's Chromium, installed when missing (CI runs as root on a fresh machine): `apt-get update` and
 * `apt-get install -y chromium`, with their output shown.
 */
function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; install it with: sudo apt-get update && sudo apt-get install -y chromium`);
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    process.stdout.write(`      console spec: ${CHROMIUM} is missing, running apt-get ${args.join(' ')}\n`);
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 15 * 60_000 });
    if (run.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${run.error?.message ?? `exit ${run.status}`})`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
}

async function launchBrowser(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(tempDir('chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Prometheus text → value of one series, written as it is exposed (`name{label="value"}`). */
async function scrape(consoleUrl: string): Promise<(series: string) => number | undefined> {
  const text = await (await fetch(`${consoleUrl}metrics`)).text();
  const values = new Map(text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => {
    const at = line.lastIndexOf(' ');
    return [line.slice(0, at), Number(line.slice(at + 1))] as const;
  }));
  return (series) => values.get(series);
}

/** The number a field of the page shows (its text, thousands separators and `#` removed), or its text if none. */
async function shownValue(page: Page, field: string): Promise<number | string> {
  const text = ((await page.locator(`[data-field="${field}"]`).first().textContent()) ?? '').trim();
  const number = Number(text.replace(/[#,]/g, ''));
  return text !== '' && Number.isFinite(number) ? number : text;
}

async function shown(page: Page, field: string): Promise<number> {
  const value = await shownValue(page, field);
  assert.equal(typeof value, 'number', `field ${field} shows "${value}"`);
  return value as number;
}

describe('operator console: the page in headless Chromium', function () {
  this.timeout(20 * 60_000);
  let startedAt = 0;
  // Before the stack starts (hooks run in the order they are declared): a fresh machine installs Chromium first.
  before(() => {
    startedAt = Date.now();
    ensureChromium();
  });
  const currentStack = useStack({ worker: { metricsPort: 0 } });
  let stack: Stack;
  let context: BrowserContext | undefined;
  beforeEach(() => (stack = currentStack()));
  after(async () => {
    await context?.close();
    process.stdout.write(`      console spec: browser spec took ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
  });

  it('shows the numbers /metrics has, updates live, lists Smart Workers and warnings, and shows no secret', async () => {
    const { api, worker, keyring } = stack;
    const consoleUrl = worker.consoleUrl!;
    assert.match(consoleUrl, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const alice = keyring.addFromUri('//Alice');

    // Something for every card: a Smart Worker with a schedule that fails, a secret delivered through Olm, a warning.
    const deployed = await fetch(`${worker.runnerUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'ticker', type: 'module', shard: u8aToHex(worker.shard), schedule: '*/20 * * * * *',
        code: `export default { async fetch() { return new Response('ok'); }, async scheduled() { throw new Error('${AUTHOR_TEXT}'); } };`,
      }),
    });
    assert.equal(deployed.status, 201, await deployed.clone().text());
    const prepared = await prepareSetEnv(api, { worker: worker.account, shard: worker.shard, sender: alice.publicKey, env: { API_TOKEN: SECRET } });
    const claimed = await sendAndWaitInBlock(api, prepared.tx, alice);
    assert.equal(await waitForEnvResult(api, worker.account, prepared.oneTimeKey, claimed.blockNumber), 'Stored');
    await sendAndWaitInBlock(api, api.tx.enclaveBridge.invoke({ shard: u8aToHex(worker.shard), cyphertext: u8aToHex(randomBytes(384)) }), alice);
    await waitFor(async () => worker.metrics.get('sealbridge_invocations_rejected_total', { reason: 'undecryptable' }), (n) => n >= 1);

    context = await launchBrowser();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('request', (request) => {
      if (!request.url().startsWith(consoleUrl)) problems.push(`request outside the worker: ${request.url()}`);
    });
    await page.goto(consoleUrl);
    await page.waitForSelector('#live[data-state="live"]', { timeout: 20_000 });
    assert.equal(await page.locator('#health').textContent(), 'Ready');

    // The numbers shown are those of /metrics (read back from the chain for the confirmation and the keys).
    const pairs: Array<[field: string, series: string]> = [
      ['sync.imported', 'sealbridge_last_imported_block'],
      ['sync.finalized', 'sealbridge_last_finalized_block'],
      ['sync.lag', 'sealbridge_confirmation_lag_blocks'],
      ['outbox.pending', 'sealbridge_outbox_pending'],
      ['confirmations.lastConfirmed', 'sealbridge_last_confirmed_block'],
      ['confirmations.sent', 'sealbridge_extrinsics_sent_total{kind="confirm"}'],
      ['invocations.ok', 'sealbridge_invocations_total{result="ok"}'],
      ['olm.oneTimeKeysOnChain', 'sealbridge_olm_one_time_keys_available'],
      ['olm.published', 'sealbridge_olm_keys_published_total'],
    ];
    const compare = async () => {
      const metric = await scrape(consoleUrl);
      const rows = await Promise.all(pairs.map(async ([field, series]) => ({ field, page: await shownValue(page, field), metric: metric(series) })));
      return rows.filter((row) => row.page !== row.metric);
    };
    // Both move while the last confirmation lands; they must agree once it has (the page updates every 2 s).
    const mismatched = await waitFor(compare, (rows) => rows.length === 0, 20_000).catch(async () => compare());
    assert.deepEqual(mismatched, []);
    const metric = await scrape(consoleUrl);
    assert.equal(await shown(page, 'olm.oneTimeKeysOnChain'), 49, 'one of the 50 published keys was claimed');
    assert.ok(metric('sealbridge_enclave_account_free_balance')! > 0);
    // Read back from the chain: a block the worker imported and confirmed, not just any number.
    const lastConfirmed = metric('sealbridge_last_confirmed_block')!;
    assert.ok(lastConfirmed >= 1 && lastConfirmed <= metric('sealbridge_last_imported_block')!, `last confirmed ${lastConfirmed}`);
    const { version } = JSON.parse(fs.readFileSync(new URL('../../packages/worker/package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(await page.locator('[data-field="version"]').textContent(), version);
    assert.equal(metric(`sealbridge_build_info{mrenclave="${await page.locator('[data-field="enclave.mrenclave"]').textContent()}",version="${version}"}`), 1);
    assert.ok(metric('sealbridge_stf_block_execution_seconds_count')! >= 1);
    const entries = Number((await page.locator('#shards tbody td').nth(1).textContent())!.replace(/,/g, ''));
    assert.equal(entries, metric(`sealbridge_state_entries{shard="${await page.locator('#shards tbody td').first().textContent()}"}`));

    // Enclave identity, attestation said plainly, the Smart Worker with its next cron run, the warning.
    assert.match((await page.locator('[data-field="enclave.attestation"]').textContent())!, /^Simulated — no SGX hardware/);
    assert.match((await page.locator('#simulated').textContent())!, /without SGX hardware/);
    assert.ok(await shown(page, 'enclave.registeredAt') >= 1);
    await page.locator('#smart-workers tbody tr').first().waitFor({ timeout: 10_000 });
    const smartWorker = (await page.locator('#smart-workers tbody tr').first().innerText()).split('\t');
    assert.equal(smartWorker[0], 'ticker');
    assert.match(smartWorker[3]!, /^\*\/20 \* \* \* \* \*$/);
    assert.match(smartWorker[4]!, /^(ok|failed) · (create|cron) · /);
    assert.match(smartWorker[5]!, /^\d\d:\d\d:\d\d \((in \d+ s|now)\)$/);
    assert.match((await page.locator('#warnings ol').innerText()), /indirect call could not be deciphered/);

    // A new block reaches the page without a reload.
    const before = await shown(page, 'sync.imported');
    await sendAndWaitInBlock(api, api.tx.balances.transferKeepAlive(keyring.addFromUri(mnemonicGenerate()).address, UNIT), alice);
    await waitFor(() => shown(page, 'sync.imported'), (n) => n > before, 20_000);
    assert.equal(Number(await page.locator('[data-field="sync.imported"]').getAttribute('data-value')), await shown(page, 'sync.imported'));

    // No secret anywhere: not the env value, not the balance, not the Smart Worker's own error text.
    const runs = async () => ((await (await fetch(`${worker.runnerUrl}/workers`)).json()) as { workers: Array<{ lastRun?: { trigger: string } }> }).workers;
    await waitFor(runs, (list) => list[0]?.lastRun?.trigger === 'cron', 30_000);
    await page.waitForTimeout(2_500);
    const html = await page.content();
    const feed = await (await fetch(`${consoleUrl}status.json`)).text();
    for (const text of [html, feed]) {
      assert.ok(!text.includes(SECRET), 'the env value is not shown');
      assert.ok(!text.includes(AUTHOR_TEXT), 'a Smart Worker error text is not shown');
      assert.ok(!text.includes(String(metric('sealbridge_enclave_account_free_balance'))), 'the balance is not shown');
      assert.ok(!text.toLowerCase().includes('private'), 'no key material');
    }
    assert.match(await page.locator('#warnings ol').innerText(), /smart worker run failed/);

    // The import-rate chart has its line once two samples are in (one every 2 s).
    await page.locator('#rate-chart polyline').waitFor({ state: 'attached', timeout: 10_000 });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, 'console.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    process.stdout.write(`      console spec: screenshot at ${screenshot}\n`);
    assert.deepEqual(problems, []);
  });
});

describe('operator console: /health', function () {
  this.timeout(180_000);
  const marker = u8aToHex(new TextEncoder().encode('sealbridge console spec: hold the import'));
  let holding = true;
  let chain: Awaited<ReturnType<typeof startDevChain>>;
  let worker: WorkerHandle;

  before(async () => {
    await Promise.all([cryptoWaitReady(), cryptoReady()]);
    chain = await startDevChain({ port: 0, blockTime: 'instant' });
    const dataDir = tempDir('console-health');
    worker = await startWorker({
      parentchainUrl: chain.url, dataDir, rpcPort: -1, runnerPort: -1, metricsPort: 0, log: testLogger,
      platformSecretPath: path.join(dataDir, '..', `${path.basename(dataDir)}.platform-secret`),
      // Test hook (`StartWorkerOptions.testUndecodable`): the block with the marker remark fails while `holding`.
      testUndecodable: (block) => {
        if (!holding) return undefined;
        const extrinsicIndex = block.extrinsics.findIndex((xt) => xt.section === 'system' && xt.method === 'remark' && u8aToHex(xt.args).endsWith(marker.slice(2)));
        return extrinsicIndex < 0 ? undefined : { extrinsicIndex, message: `extrinsic ${extrinsicIndex}: held back by the console spec` };
      },
    });
  });
  after(async () => {
    await worker?.stop();
    await chain?.stop();
  });

  const health = async () => {
    const response = await fetch(`${worker.consoleUrl}health`);
    return { status: response.status, body: (await response.json()) as { live: boolean; ready: boolean; reasons: string[]; lag: number; stalled: { block: number } | null } };
  };

  it('is 200 ready when caught up, 503 not ready while the import is held back, and ready again after', async () => {
    const ready = await waitFor(health, (h) => h.status === 200);
    assert.deepEqual({ live: ready.body.live, ready: ready.body.ready, reasons: ready.body.reasons, stalled: ready.body.stalled }, { live: true, ready: true, reasons: [], stalled: null });

    const { ApiPromise, WsProvider } = await import('@polkadot/api');
    const api = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
    try {
      const eve = new Keyring({ type: 'sr25519' }).addFromUri('//Eve');
      const held = await sendAndWaitInBlock(api, api.tx.system.remark(marker), eve);
      const stalled = await waitFor(health, (h) => h.status === 503, 20_000);
      assert.equal(stalled.body.live, true);
      assert.equal(stalled.body.ready, false);
      assert.equal(stalled.body.stalled?.block, held.blockNumber);
      assert.match(stalled.body.reasons.join('\n'), new RegExp(`stalled at block #${held.blockNumber} .*held back by the console spec`));

      // The chain moves on: the lag passes the limit, and /health says that too.
      for (let i = 0; i < 4; i++) await sendAndWaitInBlock(api, api.tx.system.remark('0x00'), eve);
      const behind = await waitFor(health, (h) => h.body.lag > 3, 20_000);
      assert.match(behind.body.reasons.join('\n'), /finalized blocks not imported yet \(at most 3 for ready\)/);

      holding = false;
      const back = await waitFor(health, (h) => h.status === 200, 30_000);
      assert.deepEqual({ ready: back.body.ready, stalled: back.body.stalled }, { ready: true, stalled: null });
      assert.ok(back.body.lag <= 3);
    } finally {
      await api.disconnect();
    }
  });
});

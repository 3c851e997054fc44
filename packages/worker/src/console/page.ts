/**
 * The operator console: one HTML page, its stylesheet and its script, served by the worker itself — no CDN, no
 * external asset, nothing inline (the page is served with a strict Content-Security-Policy). The script renders the
 * `status` events of `/events` (Server-Sent Events) with `textContent` only, so no value is ever parsed as HTML.
 */

export const CONSOLE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sealbridge worker console</title>
<link rel="stylesheet" href="/console.css">
<script src="/console.js" defer></script>
</head>
<body>
<header>
  <h1>Sealbridge worker</h1>
  <span id="health" class="pill" data-state="unknown">connecting…</span>
  <span id="live" class="live" data-state="connecting">connecting</span>
  <span class="muted">v<span data-field="version">—</span> · up <span data-field="uptime">—</span></span>
</header>
<div id="reasons" class="banner bad" hidden></div>
<div id="simulated" class="banner warn" hidden></div>
<main>
  <section class="card" id="sync">
    <h2>Sync</h2>
    <dl class="numbers">
      <div><dt>Imported</dt><dd data-field="sync.imported">—</dd></div>
      <div><dt>Finalized</dt><dd data-field="sync.finalized">—</dd></div>
      <div><dt>Lag</dt><dd data-field="sync.lag">—</dd></div>
      <div><dt>Blocks/s (1 min)</dt><dd data-field="sync.blocksPerSecond">—</dd></div>
    </dl>
    <figure>
      <svg id="rate-chart" viewBox="0 0 600 120" preserveAspectRatio="none" role="img" aria-label="blocks imported per second, last minutes"></svg>
      <div class="axis"><span data-field="sync.from">—</span><span>now</span></div>
      <figcaption>blocks imported per second over the last <span data-field="sync.window">—</span>; peak <span data-field="sync.rateMax">—</span>/s</figcaption>
    </figure>
  </section>
  <section class="card" id="confirmations">
    <h2>Confirmations &amp; outbox</h2>
    <dl class="numbers">
      <div><dt>Last confirmed on chain</dt><dd data-field="confirmations.lastConfirmed">—</dd></div>
      <div><dt>Landed in block</dt><dd data-field="confirmations.lastConfirmedIn">—</dd></div>
      <div><dt>Outbox pending</dt><dd data-field="outbox.pending">—</dd></div>
      <div><dt>Next nonce</dt><dd data-field="outbox.nextNonce">—</dd></div>
      <div><dt>Confirmations sent</dt><dd data-field="confirmations.sent">—</dd></div>
      <div><dt>Calls ok / failed</dt><dd><span data-field="invocations.ok">—</span> / <span data-field="invocations.failed">—</span></dd></div>
    </dl>
    <p class="muted">read back from the chain at block <span data-field="confirmations.readAtBlock">—</span>, <span data-field="confirmations.readAt">—</span></p>
  </section>
  <section class="card" id="enclave">
    <h2>Enclave</h2>
    <dl class="facts">
      <dt>MRENCLAVE</dt><dd class="mono" data-field="enclave.mrenclave">—</dd>
      <dt></dt><dd class="mono small" data-field="enclave.mrenclaveHex">—</dd>
      <dt>MRSIGNER</dt><dd class="mono small" data-field="enclave.mrsigner">—</dd>
      <dt>Signer account</dt><dd class="mono small" data-field="enclave.account">—</dd>
      <dt>Attestation</dt><dd data-field="enclave.attestation">—</dd>
      <dt>Registered</dt><dd>block <span data-field="enclave.registeredAt">—</span></dd>
      <dt>Trusted RPC</dt><dd class="mono small" data-field="enclave.rpcUrl">—</dd>
    </dl>
  </section>
  <section class="card two" id="shards">
    <h2>Shards</h2>
    <table><thead><tr><th>shard</th><th class="num">entries</th><th class="num">state size</th></tr></thead><tbody></tbody></table>
  </section>
  <section class="card" id="olm">
    <h2>Olm env</h2>
    <dl class="numbers">
      <div><dt>One-time keys left on chain</dt><dd data-field="olm.oneTimeKeysOnChain">—</dd></div>
      <div><dt>Published since start</dt><dd data-field="olm.published">—</dd></div>
    </dl>
  </section>
  <section class="card wide" id="smart-workers">
    <h2>Smart Workers</h2>
    <table><thead><tr><th>name</th><th>id</th><th>status</th><th>schedule</th><th>last run</th><th>next cron run</th></tr></thead><tbody></tbody></table>
    <p class="muted empty" hidden>none deployed</p>
  </section>
  <section class="card wide" id="warnings">
    <h2>Last warnings <span class="muted">(<span data-field="warnings.total">0</span> since start)</span></h2>
    <ol class="log"></ol>
    <p class="muted empty">none</p>
  </section>
</main>
<footer class="muted">Public facts only: no env values, no keys, no balances. Prometheus metrics: <a href="/metrics">/metrics</a> · readiness: <a href="/health">/health</a></footer>
</body>
</html>
`;

export const CONSOLE_CSS = `
:root { --fg: #1b1f24; --muted: #5b6470; --bg: #f4f6f8; --card: #ffffff; --line: #d8dde3; --ok: #1a7f37; --bad: #c62828; --warn: #9a6700; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 12px; padding: 14px 20px; background: #15202b; color: #fff; }
header h1 { font-size: 19px; margin: 0 8px 0 0; font-weight: 600; }
header .muted { color: #b8c2cc; margin-left: auto; }
.pill { padding: 3px 12px; border-radius: 999px; font-weight: 600; font-size: 14px; background: #5b6470; }
.pill[data-state="ready"] { background: var(--ok); }
.pill[data-state="not-ready"] { background: var(--bad); }
.live { font-size: 13px; color: #b8c2cc; }
.live::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; margin-right: 6px; background: #888; vertical-align: 1px; }
.live[data-state="live"]::before { background: #3fb950; }
.live[data-state="lost"]::before { background: #f85149; }
.banner { margin: 12px 20px 0; padding: 10px 14px; border-radius: 6px; border: 1px solid; }
.banner.bad { background: #fdecea; border-color: #f1b0ab; color: #8a1c14; }
.banner.warn { background: #fff8e1; border-color: #f0d48a; color: #5c4300; }
main { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 16px; padding: 16px 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; min-width: 0; }
.card.two { grid-column: span 2; }
.card.wide { grid-column: 1 / -1; }
@media (max-width: 1000px) { main { grid-template-columns: minmax(0, 1fr); } .card.two { grid-column: auto; } }
.card h2 { font-size: 15px; margin: 0 0 10px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.card h2 .muted { text-transform: none; letter-spacing: 0; font-weight: normal; }
dl.numbers { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 10px; margin: 0; }
dl.numbers dt { font-size: 13px; color: var(--muted); }
dl.numbers dd { margin: 0; font-size: 24px; font-weight: 600; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; margin: 0; }
dl.facts dt { color: var(--muted); font-size: 13px; padding-top: 2px; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.small { font-size: 12.5px; }
.muted { color: var(--muted); }
.attestation-simulated { color: var(--warn); font-weight: 600; }
figure { margin: 12px 0 0; }
figcaption { font-size: 12.5px; color: var(--muted); }
.axis { display: flex; justify-content: space-between; font-size: 12px; color: var(--muted); }
td.shard { overflow-wrap: anywhere; }
#rate-chart { width: 100%; height: 120px; background: #f8fafc; border: 1px solid var(--line); border-radius: 4px; }
#rate-chart .area { fill: #cfe3f7; }
#rate-chart .line { fill: none; stroke: var(--accent); stroke-width: 2; vector-effect: non-scaling-stroke; }
#rate-chart .grid { stroke: var(--line); stroke-width: 1; vector-effect: non-scaling-stroke; }
table { width: 100%; border-collapse: collapse; font-size: 14px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12.5px; color: var(--muted); font-weight: 600; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: var(--ok); }
.failed { color: var(--bad); }
ol.log { list-style: none; margin: 0; padding: 0; font-size: 13.5px; }
ol.log li { padding: 5px 0; border-bottom: 1px solid var(--line); display: grid; grid-template-columns: 90px 52px minmax(90px, max-content) 1fr; gap: 10px; }
ol.log .level-error { color: var(--bad); font-weight: 600; }
ol.log .level-warn { color: var(--warn); font-weight: 600; }
ol.log .fields { color: var(--muted); overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
footer { padding: 4px 20px 20px; font-size: 13px; }
a { color: var(--accent); }
`;

export const CONSOLE_JS = `'use strict';
(function () {
  var SVG = 'http://www.w3.org/2000/svg';
  var last = null;

  function fmt(n) { return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'); }
  function rate(n) { return n < 10 ? n.toFixed(2) : n.toFixed(0); }
  function bytes(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1048576).toFixed(1) + ' MiB';
  }
  function ago(ms, now) {
    var s = Math.round((now - ms) / 1000);
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.round(s / 60) + ' min ago';
    return Math.round(s / 3600) + ' h ago';
  }
  function until(ms, now) {
    var s = Math.round((ms - now) / 1000);
    if (s <= 0) return 'now';
    if (s < 60) return 'in ' + s + ' s';
    if (s < 3600) return 'in ' + Math.round(s / 60) + ' min';
    return 'in ' + Math.round(s / 3600) + ' h';
  }
  function duration(s) {
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }
  function clock(ms) { return new Date(ms).toLocaleTimeString('en-GB'); }

  function set(field, text, value) {
    var els = document.querySelectorAll('[data-field="' + field + '"]');
    for (var i = 0; i < els.length; i++) {
      els[i].textContent = text;
      if (value !== undefined && value !== null) els[i].setAttribute('data-value', String(value));
      else els[i].removeAttribute('data-value');
    }
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function rows(tbody, items, cells) {
    tbody.replaceChildren();
    items.forEach(function (item) {
      var tr = document.createElement('tr');
      cells(item).forEach(function (td) { tr.appendChild(td); });
      tbody.appendChild(tr);
    });
  }

  function chart(samples) {
    var svg = document.getElementById('rate-chart');
    svg.replaceChildren();
    var W = 600, H = 120;
    [0.25, 0.5, 0.75].forEach(function (f) {
      var g = document.createElementNS(SVG, 'line');
      g.setAttribute('class', 'grid');
      g.setAttribute('x1', '0'); g.setAttribute('x2', String(W));
      g.setAttribute('y1', String(H * f)); g.setAttribute('y2', String(H * f));
      svg.appendChild(g);
    });
    var max = 0;
    samples.forEach(function (s) { if (s.blocksPerSecond > max) max = s.blocksPerSecond; });
    set('sync.rateMax', rate(max));
    if (samples.length < 2) {
      set('sync.window', 'few seconds (collecting)');
      return;
    }
    var t0 = samples[0].at, t1 = samples[samples.length - 1].at;
    var top = max > 0 ? max * 1.1 : 1;
    var pts = samples.map(function (s) {
      var x = ((s.at - t0) / Math.max(1, t1 - t0)) * W;
      var y = H - (s.blocksPerSecond / top) * (H - 4);
      return x.toFixed(1) + ',' + y.toFixed(1);
    });
    var area = document.createElementNS(SVG, 'polygon');
    area.setAttribute('class', 'area');
    area.setAttribute('points', '0,' + H + ' ' + pts.join(' ') + ' ' + W + ',' + H);
    svg.appendChild(area);
    var line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('class', 'line');
    line.setAttribute('points', pts.join(' '));
    svg.appendChild(line);
    set('sync.window', duration(Math.round((t1 - t0) / 1000)));
    set('sync.from', clock(t0));
  }

  function render(s) {
    var now = s.now;
    var h = s.health;
    var pill = document.getElementById('health');
    pill.setAttribute('data-state', !h.live ? 'not-ready' : h.ready ? 'ready' : 'not-ready');
    pill.textContent = !h.live ? 'Stopped' : h.ready ? 'Ready' : 'Not ready';
    var reasons = document.getElementById('reasons');
    reasons.hidden = h.reasons.length === 0;
    reasons.textContent = h.reasons.join(' · ');

    set('version', s.version);
    set('uptime', duration(Math.round((now - s.startedAt) / 1000)));
    set('sync.imported', fmt(s.sync.imported), s.sync.imported);
    set('sync.finalized', fmt(s.sync.finalized), s.sync.finalized);
    set('sync.lag', fmt(s.sync.lag), s.sync.lag);
    set('sync.blocksPerSecond', rate(s.sync.blocksPerSecond), s.sync.blocksPerSecond);
    chart(s.sync.rate);

    var c = s.confirmations;
    set('confirmations.lastConfirmed', c.lastConfirmed === null ? '—' : '#' + fmt(c.lastConfirmed), c.lastConfirmed);
    set('confirmations.lastConfirmedIn', c.lastConfirmedIn === null ? '—' : '#' + fmt(c.lastConfirmedIn), c.lastConfirmedIn);
    set('confirmations.sent', fmt(c.sent), c.sent);
    set('confirmations.readAtBlock', c.readAtBlock === null ? '—' : '#' + fmt(c.readAtBlock), c.readAtBlock);
    set('confirmations.readAt', c.readAt === null ? 'not yet' : ago(c.readAt, now));
    set('outbox.pending', fmt(s.outbox.pending), s.outbox.pending);
    set('outbox.nextNonce', fmt(s.outbox.nextNonce), s.outbox.nextNonce);
    set('invocations.ok', fmt(s.invocations.ok), s.invocations.ok);
    set('invocations.failed', fmt(s.invocations.failed), s.invocations.failed);

    var e = s.enclave;
    set('enclave.mrenclave', e.mrenclave);
    set('enclave.mrenclaveHex', e.mrenclaveHex);
    set('enclave.mrsigner', e.mrsigner);
    set('enclave.account', e.account);
    set('enclave.registeredAt', '#' + fmt(e.registeredAt.block), e.registeredAt.block);
    set('enclave.rpcUrl', e.rpcUrl || 'off');
    var att = document.querySelector('[data-field="enclave.attestation"]');
    var banner = document.getElementById('simulated');
    if (e.attestation === 'Simulated') {
      att.textContent = 'Simulated — no SGX hardware; the quote comes from enclave-sim';
      att.className = 'attestation-simulated';
      banner.textContent = 'Simulated enclave: this worker runs without SGX hardware. Its attestation is a Simulated quote, which proves nothing about the machine — for development and tests only.';
      banner.hidden = false;
    } else {
      att.textContent = 'Skip — registered without attestation (the chain allows skipping)';
      att.className = 'attestation-simulated';
      banner.textContent = 'Registered without attestation (Skip): nothing vouches for this enclave.';
      banner.hidden = false;
    }

    rows(document.querySelector('#shards tbody'), s.shards, function (sh) {
      var name = el('td', sh.shard, 'mono small shard');
      name.title = sh.shardHex;
      return [name, el('td', fmt(sh.entries), 'num'), el('td', bytes(sh.bytes), 'num')];
    });

    var sw = document.querySelector('#smart-workers tbody');
    document.querySelector('#smart-workers .empty').hidden = s.smartWorkers.length > 0;
    rows(sw, s.smartWorkers, function (w) {
      var lastRun = el('td', w.lastRun ? (w.lastRun.ok ? 'ok' : 'failed') + ' · ' + w.lastRun.trigger + ' · ' + ago(w.lastRun.at, now) : 'never', w.lastRun ? (w.lastRun.ok ? 'ok' : 'failed') : 'muted');
      return [
        el('td', w.name),
        el('td', w.id.slice(0, 12) + '…', 'mono small'),
        el('td', w.status),
        el('td', w.schedule || '—', 'mono small'),
        lastRun,
        el('td', w.nextRun ? clock(w.nextRun) + ' (' + until(w.nextRun, now) + ')' : '—'),
      ];
    });

    set('olm.oneTimeKeysOnChain', s.olm.oneTimeKeysOnChain === null ? 'no WorkerEnv pallet' : fmt(s.olm.oneTimeKeysOnChain), s.olm.oneTimeKeysOnChain);
    set('olm.published', fmt(s.olm.published), s.olm.published);

    set('warnings.total', fmt(s.warnings.total), s.warnings.total);
    var log = document.querySelector('#warnings ol');
    log.replaceChildren();
    document.querySelector('#warnings .empty').hidden = s.warnings.recent.length > 0;
    s.warnings.recent.forEach(function (w) {
      var li = document.createElement('li');
      li.appendChild(el('span', clock(w.time), 'muted'));
      li.appendChild(el('span', w.level, 'level-' + w.level));
      li.appendChild(el('span', w.component || 'worker', 'muted'));
      var msg = el('span', w.msg);
      var keys = Object.keys(w.fields);
      var details = keys.map(function (k) { return k + '=' + w.fields[k]; }).join(' ');
      if (w.textHidden) details = (details ? details + ' ' : '') + '(text not shown: Smart Worker output may quote its env)';
      if (details) {
        msg.appendChild(document.createElement('br'));
        msg.appendChild(el('span', details, 'fields'));
      }
      li.appendChild(msg);
      log.appendChild(li);
    });
    document.body.setAttribute('data-updated', String(now));
  }

  function connect() {
    var live = document.getElementById('live');
    var source = new EventSource('/events');
    source.addEventListener('status', function (ev) {
      last = JSON.parse(ev.data);
      render(last);
      live.setAttribute('data-state', 'live');
      live.textContent = 'live · ' + clock(last.now);
    });
    source.onerror = function () {
      live.setAttribute('data-state', 'lost');
      live.textContent = 'connection lost, retrying…' + (last ? ' (last update ' + clock(last.now) + ')' : '');
    };
  }
  connect();
})();
`;

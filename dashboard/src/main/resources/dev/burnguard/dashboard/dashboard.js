'use strict';
// The Burnguard dashboard (module burnguard-dashboard: the sample app's and `burnguard dashboard`'s): polls /api/state every second, keeps at most ten minutes of
// samples, draws them as inline SVG, and sends admin actions. Login: the link the app prints holds a
// one-time code (?code=...); the page removes it from the address bar at once and exchanges it
// (POST /api/session) for an HttpOnly, SameSite=Strict session cookie, which the browser then sends
// with every request; this script never sees it. /api/state says whether the page is admin; a
// read-only page shows no action buttons. Actions that expose users to the candidate again ask first.

const CODE = new URLSearchParams(location.search).get('code');
if (CODE) history.replaceState(null, '', location.pathname);
const SVG = 'http://www.w3.org/2000/svg';
const MAX_SAMPLES = 600;
const COLORS = { candidate: '#d1495b', control: '#2e6fba', factor: '#444', slo: '#999', exposure: '#2a7a3a' };
const MARKS = { ROLLBACK: '#b00', SHRINK: '#d08000', ADVANCE: '#2a7a3a', COMPLETE: '#2a7a3a', REPROBE: '#2a7a3a',
  FINISH: '#2a7a3a', START: '#557', RESET: '#557', PAUSE: '#888', RESUME: '#888', PROMOTE: '#2a7a3a', HOLD: '#aa8800' };

let seq = 0;
let samples = [];
let isAdmin = false;
let lastState = null;
// which decisions' evidence is open, by decision key: survives the re-rendering every second
const openEvidence = new Set();

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function pct(x, digits = 1) { return x == null ? '–' : (x * 100).toFixed(digits) + ' %'; }
function time(t) { return new Date(t).toLocaleTimeString(); }
// a duration in seconds the way people say it: 10 s, 5 min, 6 h, 1 h 30 min, 3 d
function dur(seconds) {
  const units = [[86400, 'd'], [3600, 'h'], [60, 'min'], [1, 's']];
  const parts = [];
  let rest = Math.round(seconds);
  for (const [size, name] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(Math.floor(rest / size) + ' ' + name);
      rest %= size;
    } else if (parts.length) break;
  }
  return parts.length ? parts.join(' ') : '0 s';
}
function ruleLabel(r) { return dur(r.longSeconds) + ' / ' + dur(r.shortSeconds) + ' × ' + r.factor; }

function message(text, error) {
  const m = document.getElementById('message');
  m.textContent = text;
  m.className = error ? 'error' : '';
}

async function admin(path, body) {
  try {
    const r = await fetch(path, { method: 'POST', body: body || '', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const j = await r.json();
    const done = j.decision || ('fault set' + (j.flag ? ' on ' + j.flag : '') + ': ' + pct(j.errorRate) + ' errors, +'
      + j.latencyMs + ' ms');
    message(r.ok ? done : r.status + ': ' + j.error, !r.ok);
  } catch (e) {
    message('request failed: ' + e, true);
  }
}

// ---------------------------------------------------------------- charts

// Draws series of [t, value] points (null values break the line) between t0 and t1.
function chart(svg, opts) {
  const W = 560, H = 170, L = 48, R = 10, T = 12, B = 22;
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  const [t0, t1] = opts.range;
  let yMax = opts.yMax || 0;
  for (const s of opts.series) for (const p of s.points) if (p[1] != null) yMax = Math.max(yMax, p[1]);
  for (const h of opts.hlines || []) yMax = Math.max(yMax, h.value * 1.15);
  if (!(yMax > 0)) yMax = 1;
  const x = t => L + (W - L - R) * (t1 === t0 ? 1 : (t - t0) / (t1 - t0));
  const y = v => H - B - (H - B - T) * Math.min(v, yMax) / yMax;
  svg.append(svgEl('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, stroke: '#bbc' }));
  svg.append(svgEl('line', { x1: L, y1: T, x2: L, y2: H - B, stroke: '#bbc' }));
  for (const f of [0, 0.5, 1]) {
    const label = svgEl('text', { x: L - 4, y: y(yMax * f) + 4, 'text-anchor': 'end', 'font-size': 10, fill: '#667' });
    label.textContent = opts.format(yMax * f);
    svg.append(label);
  }
  for (const [t, anchor] of [[t0, 'start'], [t1, 'end']]) {
    const label = svgEl('text', { x: x(t), y: H - 6, 'text-anchor': anchor, 'font-size': 10, fill: '#667' });
    label.textContent = time(t);
    svg.append(label);
  }
  for (const m of opts.marks || []) {
    if (m.t < t0 || m.t > t1) continue;
    const g = svgEl('g', { class: 'mark mark-' + m.action });
    g.append(svgEl('line', { x1: x(m.t), y1: T, x2: x(m.t), y2: H - B, stroke: MARKS[m.action] || '#888',
      'stroke-width': m.action === 'ROLLBACK' ? 2 : 1, 'stroke-dasharray': m.action === 'ROLLBACK' ? '' : '3 3' }));
    const nearEnd = x(m.t) > W - R - 60;
    const label = svgEl('text', { x: x(m.t) + (nearEnd ? -3 : 3), y: T + 9, 'font-size': 10,
      'text-anchor': nearEnd ? 'end' : 'start', fill: MARKS[m.action] || '#888' });
    label.textContent = m.action.toLowerCase();
    g.append(label);
    svg.append(g);
  }
  for (const h of opts.hlines || []) {
    svg.append(svgEl('line', { x1: L, y1: y(h.value), x2: W - R, y2: y(h.value), stroke: h.color,
      'stroke-dasharray': '6 4' }));
    const label = svgEl('text', { x: W - R - 2, y: y(h.value) - 3, 'text-anchor': 'end', 'font-size': 10, fill: h.color });
    label.textContent = h.label;
    svg.append(label);
  }
  for (const s of opts.series) {
    let d = '', prev = null;
    for (const [t, v] of s.points) {
      if (v == null) { prev = null; continue; }
      if (prev == null) d += `M${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      else if (s.step) d += `H${x(t).toFixed(1)}V${y(v).toFixed(1)}`;
      else d += `L${x(t).toFixed(1)},${y(v).toFixed(1)}`;
      prev = v;
    }
    if (d) svg.append(svgEl('path', { d, fill: 'none', stroke: s.color, 'stroke-width': s.width || 1.6,
      'stroke-dasharray': s.dash || '', class: 'series ' + (s.cls || '') }));
  }
}

function legend(items) {
  return el('div', {}, ...items.map(([color, text]) => {
    const swatch = el('b');
    swatch.textContent = '■ ';
    swatch.style.color = color; // CSSOM, allowed by the page's Content-Security-Policy
    return el('span', {}, swatch, text);
  }));
}

// ---------------------------------------------------------------- one flag

function flagSection(key, info) {
  const id = 'flag-' + key.replace(/[^A-Za-z0-9_-]/g, '_');
  let sec = document.getElementById(id);
  if (sec) return sec;
  sec = el('section', { id, class: 'panel flag', 'data-flag': key });
  const h = el('h2');
  h.textContent = key + ' — ' + info.plan.control + ' → ' + info.plan.candidate + ' (' + info.plan.mode.toLowerCase() + ')';
  // the rollout's report for an incident review (Rollouts.report), as a file; readers may download it too
  const report = el('a', { class: 'download', href: '/api/rollouts/' + encodeURIComponent(key) + '/report?format=html',
    download: key + '-report.html', 'data-report': key });
  report.textContent = 'Download report';
  const buttons = el('div', { class: 'buttons admin-only' });
  buttons.hidden = !isAdmin;
  for (const action of ['pause', 'resume', 'promote', 'rollback', 'reset']) {
    const b = el('button', { type: 'button', 'data-action': action, class: action === 'rollback' ? 'danger' : '' });
    b.textContent = action;
    b.addEventListener('click', () => {
      const question = reexposes(key, action);
      if (question && !confirm(question)) {
        message(action + ' cancelled; nothing changed.', false);
        return;
      }
      admin('/api/rollouts/' + encodeURIComponent(key) + '/' + action);
    });
    buttons.append(b);
  }
  const charts = el('div', { class: 'charts' });
  const names = [['exposure', 'Candidate exposure'], ['errors', 'Error ratio (last 10 s)'],
    ['latency', 'Latency p95 / p99 (last 10 s)']];
  info.plan.rules.forEach((r, i) => names.push(['burn' + i, 'Burn rate, rule ' + ruleLabel(r)]));
  for (const [name, title] of names) {
    const c = el('div', { class: 'chart' });
    const t = el('h3');
    t.textContent = title;
    c.append(t, svgEl('svg', { class: 'chart-' + name }), el('div', { class: 'legend legend-' + name }));
    charts.append(c);
  }
  const log = el('table', { class: 'log' });
  const logBox = el('div', { class: 'scroll' }, log);
  log.append(el('thead', {}, el('tr', {}, ...['time', 'decision', 'by', 'exposure', 'reason and evidence']
    .map(t => { const th = el('th'); th.textContent = t; return th; }))), el('tbody'));
  const logTitle = el('h3');
  logTitle.textContent = 'Decision log';
  sec.append(h, el('div', { class: 'summary' }), report, buttons, charts, logTitle, logBox);
  document.getElementById('flags').append(sec);
  return sec;
}

function renderFlag(key, info, decisions) {
  if (!info.state) return;
  const sec = flagSection(key, info);
  const plan = info.plan, st = info.state;
  const points = samples.filter(s => s.flags[key]).map(s => [s.t, s.flags[key]]);
  const latest = points.length ? points[points.length - 1][1] : null;
  // the candidate's error budget over the longest rule window: the share of the bad calls the SLO
  // allows there that are not yet spent (1 − burn rate); past 1 the budget is overspent
  const longest = plan.rules.reduce((best, r, i) => r.longSeconds > plan.rules[best].longSeconds ? i : best, 0);
  // no burn rate when the guardian's health is not at hand (the command line's view of a store)
  const budgetLeft = b => b.availabilityLong == null ? '–' : b.availabilityLong <= 1 ? pct(1 - b.availabilityLong, 0)
    : 'none (spent ' + b.availabilityLong.toFixed(1) + '×)';
  const summary = sec.querySelector('.summary');
  const status = el('span', { class: 'status ' + st.status, id: 'status-' + key });
  status.textContent = st.status;
  const item = (label, value) => { const s = el('span'); const b = el('b'); b.textContent = value; s.append(label + ' ', b); return s; };
  summary.replaceChildren(status,
    item('stage', (st.stage + 1) + ' / ' + plan.stages.length + ' (' + pct(plan.stages[st.stage].exposure, 0) + ')'),
    item('exposure', pct(st.exposure)),
    item('candidate calls this stage', latest ? String(latest.stageCalls) : '–'),
    item('last 10 s: candidate', latest ? latest.candidate.calls + ' calls, ' + latest.candidate.errors + ' errors' : '–'),
    item('control', latest ? latest.control.calls + ' calls, ' + latest.control.errors + ' errors' : '–'),
    item('error budget left over ' + dur(plan.rules[longest].longSeconds), latest ? budgetLeft(latest.burn[longest]) : '–'),
    item('SLO', (plan.slo.availability * 100) + ' % available' + (plan.slo.latencyThresholdMs != null
      ? ', ' + (plan.slo.latencyObjective * 100) + ' % ≤ ' + plan.slo.latencyThresholdMs + ' ms' : '')));

  const now = samples.length ? samples[samples.length - 1].t : Date.now();
  const range = [points.length ? points[0][0] : now - 60000, now];
  const mine = decisions.filter(d => d.flag === key);
  const marks = mine.map(d => ({ t: d.t, action: d.action }));
  const series = (f, color, extra) => Object.assign({ points: points.map(([t, p]) => [t, f(p)]), color }, extra || {});
  const q = cls => sec.querySelector(cls);

  chart(q('.chart-exposure'), { range, marks, yMax: 1, format: v => pct(v, 0),
    series: [series(p => p.exposure, COLORS.exposure, { step: true, width: 2.5, cls: 'exposure' })] });
  q('.legend-exposure').replaceChildren(legend([[COLORS.exposure, 'exposure'], ['#b00', 'rollback'], ['#d08000', 'shrink']]));

  chart(q('.chart-errors'), { range, marks, format: v => pct(v, 1),
    hlines: [{ value: plan.slo.errorBudget, color: COLORS.slo, label: 'SLO budget ' + pct(plan.slo.errorBudget, 2) }],
    series: [series(p => p.candidate.errorRatio, COLORS.candidate), series(p => p.control.errorRatio, COLORS.control)] });
  q('.legend-errors').replaceChildren(legend([[COLORS.candidate, 'candidate ' + plan.candidate],
    [COLORS.control, 'control ' + plan.control], [COLORS.slo, 'error budget']]));

  chart(q('.chart-latency'), { range, marks, format: v => v.toFixed(0) + ' ms',
    hlines: plan.slo.latencyThresholdMs != null
      ? [{ value: plan.slo.latencyThresholdMs, color: COLORS.slo, label: 'SLO ' + plan.slo.latencyThresholdMs + ' ms' }] : [],
    series: [series(p => p.candidate.p95, COLORS.candidate), series(p => p.candidate.p99, COLORS.candidate, { dash: '4 3' }),
      series(p => p.control.p95, COLORS.control), series(p => p.control.p99, COLORS.control, { dash: '4 3' })] });
  q('.legend-latency').replaceChildren(legend([[COLORS.candidate, 'candidate p95 (solid), p99 (dashed)'],
    [COLORS.control, 'control p95, p99']]));

  plan.rules.forEach((r, i) => {
    chart(q('.chart-burn' + i), { range, marks, format: v => v.toFixed(1),
      hlines: [{ value: r.factor, color: COLORS.factor, label: 'factor ' + r.factor + ' → ' + r.action.toLowerCase() }],
      series: [series(p => p.burn[i].availabilityLong, COLORS.candidate, { width: 2 }),
        series(p => p.burn[i].availabilityShort, COLORS.candidate, { dash: '4 3' }),
        series(p => p.burn[i].latencyLong, '#7a4bb0', { width: 2 }),
        series(p => p.burn[i].latencyShort, '#7a4bb0', { dash: '4 3' })] });
    q('.legend-burn' + i).replaceChildren(legend([[COLORS.candidate, 'errors: long ' + dur(r.longSeconds) + ' (solid), short '
      + dur(r.shortSeconds) + ' (dashed)'], ['#7a4bb0', 'slow calls: long, short'], [COLORS.factor, 'factor']]));
  });

  // the log is rebuilt only when its decisions change, and open evidence stays open when it is
  const seen = new Map();
  const keyed = mine.map(d => {
    const k = d.flag + '|' + d.t + '|' + d.action;
    const n = (seen.get(k) || 0) + 1;
    seen.set(k, n);
    return [k + '|' + n, d];
  });
  const body = sec.querySelector('.log tbody');
  const signature = keyed.map(([k]) => k).join(',');
  if (body.dataset.signature === signature) return;
  const rows = keyed.reverse().map(([decisionKey, d]) => {
    const tr = el('tr', { class: d.action });
    const cells = [time(d.t), (d.applied ? '' : 'would ') + d.action, d.actor,
      pct(d.exposureBefore) + ' → ' + pct(d.exposureAfter)];
    for (const c of cells) { const td = el('td'); td.textContent = c; tr.append(td); }
    const td = el('td');
    const reason = el('div', { class: 'reason' });
    reason.textContent = d.reason;
    td.append(reason);
    if (d.evidence.length) {
      const det = el('details', { 'data-decision': decisionKey });
      det.open = openEvidence.has(decisionKey);
      det.addEventListener('toggle', () => det.open ? openEvidence.add(decisionKey) : openEvidence.delete(decisionKey));
      const sum = el('summary');
      sum.textContent = 'evidence (' + d.evidence.length + ' checks)';
      const t = el('table');
      t.append(el('tr', {}, ...['rule', 'SLI', 'burn long', 'burn short', 'bad/calls long', 'short', 'control (short)',
        'ln R / threshold', 'fires'].map(x => { const th = el('th'); th.textContent = x; return th; })));
      for (const e of d.evidence) {
        const rule = ruleLabel({ longSeconds: e.ruleLongSeconds, shortSeconds: e.ruleShortSeconds, factor: e.factor })
          + ' → ' + e.ruleAction.toLowerCase();
        // a non-finite statistic arrives as null (JSON has no infinity or NaN)
        const fixed = v => v == null ? '–' : v.toFixed(2);
        t.append(el('tr', {}, ...[rule, e.sli, fixed(e.burnLong), fixed(e.burnShort), e.candidateLong,
          e.candidateShort, e.controlShort + (e.sharedCause ? ' (shared)' : ''),
          fixed(e.llr) + ' / ' + fixed(e.threshold), e.fires ? 'yes' : 'no']
          .map(x => { const c = el('td'); c.textContent = x; return c; })));
      }
      det.append(sum, el('div', { class: 'scroll' }, t));
      td.append(det);
    }
    tr.append(td);
    return tr;
  });
  body.replaceChildren(...rows);
  body.dataset.signature = signature; // only once built: a failed build is retried at the next poll
}

// The question to ask before an action that exposes users to the candidate again; null for the others.
function reexposes(key, action) {
  const info = lastState && lastState.flags[key];
  if (!info || !info.state) return null;
  const plan = info.plan, st = info.state;
  const who = ' of users to ' + plan.candidate + ' (' + key + ')';
  if (action === 'reset') {
    return 'Reset starts the rollout over: ' + pct(plan.stages[0].exposure, 0) + who + ' again, now at '
      + pct(st.exposure) + '. Reset?';
  }
  if (action === 'promote') {
    const next = plan.stages[Math.min(st.stage + (st.status === 'COOLING_DOWN' ? 0 : 1), plan.stages.length - 1)];
    return 'Promote exposes ' + pct(st.stage >= plan.stages.length - 1 ? 1 : next.exposure, 0) + who
      + ' without waiting for the bake time, now at ' + pct(st.exposure) + '. Promote?';
  }
  if (action === 'resume') {
    return 'Resume lets the rollout go on ramping from ' + pct(st.exposure) + who + '. Resume?';
  }
  return null;
}

function setAdmin(admin, adminEnabled, faults) {
  isAdmin = admin;
  for (const e of document.querySelectorAll('.admin-only')) e.hidden = !admin;
  document.getElementById('fault-form').hidden = !admin || !faults; // only a host that injects faults has the form
  document.getElementById('access').textContent = admin
    ? 'Admin: this browser is logged in (session cookie).'
    : !adminEnabled ? 'Read-only: this dashboard was started without an admin token; it shows, it does not act.'
    : 'Read-only. To act, open the one-time login link printed at start (or ask for a new one: '
      + 'POST /api/login-codes with the admin token).';
}

// the service's journey SLOs: how much of each error budget the period's traffic has spent
function renderBudgets(budgets) {
  const box = document.getElementById('budgets');
  box.hidden = !budgets || budgets.length === 0;
  if (box.hidden) return;
  const rows = budgets.map(b => {
    const W = 300, H = 14;
    const spent = b.spent == null ? 1.5 : b.spent; // null: bad calls without any allowed (JSON has no infinity)
    const scale = Math.max(1, spent);
    const gauge = svgEl('svg', { class: 'gauge', viewBox: `0 0 ${W} ${H}`, width: W, height: H });
    gauge.append(svgEl('rect', { x: 0, y: 0, width: W, height: H, fill: '#e6e8ee' }));
    gauge.append(svgEl('rect', { class: 'gauge-spent', x: 0, y: 0, width: (W * Math.min(spent, scale) / scale).toFixed(1),
      height: H, fill: spent >= 1 ? '#b00' : spent >= 0.75 ? '#d08000' : '#2a7a3a' }));
    gauge.append(svgEl('line', { x1: W / scale, y1: 0, x2: W / scale, y2: H, stroke: '#1d2330', 'stroke-width': 2 }));
    const what = b.latencyThresholdMs != null
      ? pct(b.objective, 1) + ' ≤ ' + b.latencyThresholdMs + ' ms' : pct(b.objective, 2) + ' available';
    const allowed = Number.isInteger(b.allowedBadCalls) ? String(b.allowedBadCalls) : b.allowedBadCalls.toFixed(1);
    return el('div', { class: 'budget', id: 'budget-' + b.name.replace(/[^A-Za-z0-9_-]/g, '_'), 'data-budget': b.name },
      el('b', {}, b.name), ' (journey ' + b.journey + ', ' + what + ' over ' + b.period + ') ',
      gauge, ' ', el('b', { class: 'budget-spent' }, b.spent == null ? 'over' : pct(b.spent, 1)), ' spent: '
        + b.badCalls + ' of ' + allowed + ' allowed bad calls (' + b.calls + ' calls since ' + time(b.from) + ')');
  });
  box.replaceChildren(el('h2', {}, 'Error budgets'), ...rows);
}

// ---------------------------------------------------------------- polling

function render(s) {
  lastState = s;
  if (s.admin !== isAdmin || document.getElementById('access').textContent === '') setAdmin(s.admin, s.adminEnabled, s.faults);
  document.getElementById('connection').textContent = 'live · updated ' + time(s.now);
  if (s.faults) {
    const f = faultOf(s);
    document.getElementById('fault-current').textContent = (f.errorRate > 0 || f.latencyMs > 0)
      ? 'injected now: ' + pct(f.errorRate) + ' errors, +' + f.latencyMs + ' ms' : 'no fault injected';
  }
  const tr = s.traffic, inst = s.instance;
  document.getElementById('instance').textContent = tr && inst ? 'traffic ' + tr.rate + '/s from ' + tr.users + ' users: '
    + tr.succeeded + ' ok, ' + tr.failed + ' failed, ' + tr.dropped + ' dropped · state store ' + inst.stateStore
    + ' · flags ' + inst.flagsLoad + (inst.demo ? ' · demo scenario' : '') + ' · up since ' + time(inst.startedAt)
    : (s.about || '');
  renderBudgets(s.budgets);
  renderFleet(s.fleet);
  for (const [key, info] of Object.entries(s.flags)) renderFlag(key, info, s.decisions);
}

// fleet mode (--redis): what every replica shares — the fleet-wide counts the decider judges, each
// instance's share of the calls, which instance decides, and the fleet store's health
function renderFleet(f) {
  const box = document.getElementById('fleet');
  box.hidden = !f;
  if (!f) return;
  const store = f.problem ? 'unhealthy: ' + f.problem : f.store;
  const head = el('div', { class: 'summary' },
    el('span', {}, 'fleet ', el('b', {}, f.service), ' · this instance ', el('b', { id: 'fleet-self' }, f.instanceId)),
    el('span', {}, 'decider ', el('b', { id: 'fleet-decider' }, f.decider || 'none yet'),
      f.deciding ? ' (this instance)' : ''),
    el('span', { id: 'fleet-store', class: f.problem || f.store !== 'reachable' ? 'error' : '' }, 'fleet store ' + store),
    el('span', { class: 'muted' }, 'pushed ' + f.pushedCalls + ' · dropped ' + f.droppedCalls + ' · not yet pushed '
      + f.unpushedCalls + ' · re-sent ' + f.duplicatePushes));
  const instances = el('table', { id: 'fleet-instances' },
    el('tr', {}, el('th', {}, 'instance'), el('th', {}, 'calls (last 1–2 min)'), el('th', {}, 'share'), el('th', {}, '')));
  for (const i of f.instances) {
    instances.append(el('tr', { 'data-instance': i.id }, el('td', {}, i.id), el('td', {}, String(i.calls)),
      el('td', {}, pct(i.share)), el('td', {}, i.decides ? 'decides' : '')));
  }
  const slis = el('table', { id: 'fleet-slis' }, el('tr', {}, el('th', {}, 'flag'), el('th', {}, 'variant'),
    el('th', {}, 'calls 5 min'), el('th', {}, 'errors 5 min'), el('th', {}, 'calls 1 h'), el('th', {}, 'errors 1 h')));
  for (const [flag, variants] of Object.entries(f.flags)) {
    for (const [variant, w] of Object.entries(variants)) {
      slis.append(el('tr', { 'data-series': flag + '/' + variant }, el('td', {}, flag), el('td', {}, variant),
        el('td', {}, String(w['5m'].calls)), el('td', {}, w['5m'].errors + ' (' + pct(w['5m'].errorRatio, 2) + ')'),
        el('td', {}, String(w['60m'].calls)), el('td', {}, w['60m'].errors + ' (' + pct(w['60m'].errorRatio, 2) + ')')));
    }
  }
  box.replaceChildren(el('h2', {}, 'Fleet'), head,
    el('h3', {}, f.fleetWide ? 'Fleet-wide SLIs (the sums the decider judges)'
      : 'Fleet-wide SLIs: not read yet (Redis unreachable or starting)'), el('div', { class: 'scroll' }, slis),
    el('h3', {}, 'Instances'), el('div', { class: 'scroll' }, instances));
}

async function poll() {
  try {
    const r = await fetch('/api/state?since=' + seq, { cache: 'no-store' });
    const s = await r.json();
    if (s.seq < seq) samples = []; // the app restarted
    samples.push(...s.samples);
    if (samples.length > MAX_SAMPLES) samples = samples.slice(samples.length - MAX_SAMPLES);
    seq = s.seq;
    render(s);
  } catch (e) {
    document.getElementById('connection').textContent = 'cannot reach the app (' + e + '); retrying';
  } finally {
    setTimeout(poll, 1000);
  }
}

async function login() {
  if (!CODE) return;
  try {
    const r = await fetch('/api/session', { method: 'POST', body: 'code=' + encodeURIComponent(CODE),
      credentials: 'same-origin', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    const j = await r.json();
    message(r.ok ? 'Logged in: admin actions enabled in this browser.' : 'Login failed, read-only: ' + j.error, !r.ok);
  } catch (e) {
    message('Login failed, read-only: ' + e, true);
  }
}

// The fault of the flag chosen in the fault form (its options: every flag a fault can be injected into).
function faultOf(s) {
  const select = document.getElementById('fault-flag');
  const flags = Object.keys(s.faults || {});
  if (select.options.length !== flags.length) {
    const chosen = select.value;
    select.replaceChildren(...flags.map(k => { const o = el('option', { value: k }); o.textContent = k; return o; }));
    if (flags.includes(chosen)) select.value = chosen;
  }
  return (s.faults || {})[select.value] || s.fault;
}
function faultFlag() {
  const flag = document.getElementById('fault-flag').value;
  return flag ? '&flag=' + encodeURIComponent(flag) : '';
}

document.getElementById('fault-form').addEventListener('submit', ev => {
  ev.preventDefault();
  const errors = Number(document.getElementById('fault-errors').value) / 100;
  const latency = document.getElementById('fault-latency').value;
  admin('/api/fault', 'errorRate=' + encodeURIComponent(errors) + '&latencyMs=' + encodeURIComponent(latency)
    + faultFlag());
});
document.getElementById('fault-flag').addEventListener('change', () => { if (lastState) render(lastState); });
document.getElementById('fault-clear').addEventListener('click',
  () => admin('/api/fault', 'errorRate=0&latencyMs=0' + faultFlag()));
login().finally(poll);

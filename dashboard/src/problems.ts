/**
 * "Problems now": the alert engine's pending and firing alerts (with acknowledge and silence controls)
 * and the threshold checks no alert rule watches, one line each, critical first; severity shown by icon
 * and word, not colour alone. Below them, the recently resolved alerts. Kiosk mode shows no controls.
 */
import * as api from './api.js';
import type { AlertHistoryEvent, Problem, Severity } from './api-contract.js';
import { $, h } from './dom.js';
import { dateTime, dbm, ms, pct, time } from './format.js';
import { t, tk, type Key } from './i18n.js';
import { openSite } from './sites.js';

let last: Problem[] = [];
let history: AlertHistoryEvent[] | null = null;
let kiosk = false;
const DURATIONS = ['1h', '4h', '24h'] as const;
type Duration = (typeof DURATIONS)[number];

const SEV_ICON: Record<Severity, string> = { critical: '✖', warning: '▲', info: '●' };
const sevLabel = (s: string) => {
  const k = s === 'critical' || s === 'warning' || s === 'info' ? s : 'warning';
  return `${SEV_ICON[k]} ${t(k)}`;
};

function message(p: Problem): string {
  const site = p.site_name ?? p.site ?? '';
  switch (p.kind) {
    case 'uplink_saturated':
      return t('p_uplink_saturated', { subject: p.detail[1] ?? p.subject, dir: tk(p.detail[0] ?? ''), value: pct(p.value), threshold: pct(p.threshold) });
    case 'optical_low':
    case 'optical_high':
      return t(p.kind === 'optical_low' ? 'p_optical_low' : 'p_optical_high', { subject: p.subject, detail: tk(p.detail[0] ?? ''), value: dbm(p.value), threshold: dbm(p.threshold), site });
    case 'site_degraded':
      return t('p_site_degraded', { site, detail: p.detail.map((r) => tk(`reason_${r}`)).join(', ') });
    case 'server':
      return t('p_server', { subject: p.subject, detail: p.detail.map((w) => tk(w)).join(', ') });
    default:
      return tk(`p_${p.kind}`, { site, subject: p.subject, detail: p.detail.join(' ') });
  }
}

/** How each rule kind's value reads (ratios, seconds of RTT, dBm, seconds of uptime). */
const VALUE: Record<string, (v: number) => string> = {
  uplink_utilization: (v) => pct(v, 1),
  ping_loss: (v) => pct(v),
  ping_latency: (v) => ms(v * 1000),
  optical_rx_low: dbm,
  optical_rx_drop: dbm,
  host_cpu: (v) => pct(v),
  host_memory: (v) => pct(v),
  host_disk: (v) => pct(v),
  agent_restarted: (v) => duration(v * 1000),
};

const TRANSLATED = new Set([...Object.keys(VALUE), 'interface_down', 'site_unreachable', 'probe_failing', 'config_reload_failed']);

/** An alert's text: netmon's default summary of its rule kind in the page's language; an operator's own summary as written. */
function alertText(p: Problem): string {
  const a = p.alert!;
  const kind = a.rule_kind;
  if (!a.default_summary || !kind || !TRANSLATED.has(kind)) return a.summary || p.subject;
  const l = a.labels;
  return tk(`a_${kind}`, {
    subject: p.subject,
    dir: tk(l.direction ?? ''),
    site: p.site_name ?? l.site ?? '',
    target: l.target ?? '',
    if_name: l.if_name ?? l.if_index ?? '',
    disk: l.mountpoint ?? l.storage ?? '',
    probe: l.probe ?? '',
    value: p.value === null ? '–' : (VALUE[kind]?.(p.value) ?? String(p.value)),
  });
}

/** 45 s, 12 min, 3 h 5 min, 2 d 4 h. */
export function duration(spanMs: number): string {
  const s = Math.max(0, Math.round(spanMs / 1000));
  if (s < 60) return t('d_s', { n: s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('d_min', { n: m });
  const hrs = Math.floor(m / 60);
  if (hrs < 24) return t('d_h', { h: hrs, m: m % 60 });
  return t('d_d', { d: Math.floor(hrs / 24), h: hrs % 24 });
}

const serverNow = () => Date.now() + api.clockOffset;

function savedUser(): string {
  try {
    return localStorage.getItem('netmon.user') ?? '';
  } catch {
    return '';
  }
}
function saveUser(name: string): void {
  try {
    localStorage.setItem('netmon.user', name);
  } catch {
    /* private mode */
  }
}

/** Run an alert action, then show the new state at once (not at the next live refresh). */
async function act(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    console.info('netmon: alert action failed:', (e as Error).message);
  }
  await refreshProblems().catch(() => undefined);
}

function openDialog(mode: 'ack' | 'silence', p: Problem, dur: Duration = '1h'): void {
  const a = p.alert!;
  const dlg = $<HTMLDialogElement>('#alert-dialog');
  const by = h('input', { type: 'text', id: 'alert-by', name: 'by', required: true, maxlength: 200, autocomplete: 'name', value: savedUser() });
  const comment = h('input', { type: 'text', id: 'alert-comment', name: 'comment', maxlength: 1000 });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-action': `confirm-${mode}` }, t(mode === 'ack' ? 'ack' : 'silence'));
  const form = h(
    'form',
    { method: 'dialog', class: 'alert-form' },
    h('h3', { id: 'alert-dialog-title' }, t(mode === 'ack' ? 'ack_title' : 'silence_title')),
    h('p', { class: `alert-target sev-${p.severity}` }, h('span', { class: 'sev' }, sevLabel(p.severity)), ' ', h('strong', {}, a.alertname), ' ', alertText(p)),
    mode === 'ack'
      ? h('p', { class: 'muted small' }, t('ack_help'))
      : [
          h('p', { class: 'muted small' }, t('silence_help')),
          h('ul', { class: 'matchers' }, ...Object.entries(a.labels).map(([k, v]) => h('li', {}, h('code', {}, `${k}="${v}"`)))),
          h(
            'fieldset',
            { class: 'durations' },
            h('legend', {}, t('duration')),
            ...DURATIONS.map((d) => h('label', {}, h('input', { type: 'radio', name: 'duration', value: d, checked: d === dur }), ' ', t(`dur_${d}` as Key))),
          ),
        ],
    h('label', { for: 'alert-by' }, t('who')),
    by,
    h('label', { for: 'alert-comment' }, t('comment')),
    comment,
    error,
    h('div', { class: 'form-buttons' }, submit, h('button', { type: 'button', 'data-action': 'cancel', onclick: () => dlg.close() }, t('cancel'))),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const who = by.value.trim();
    if (!who) return by.focus();
    saveUser(who);
    submit.disabled = true;
    const text = comment.value.trim();
    const chosen = (form.querySelector<HTMLInputElement>('input[name="duration"]:checked')?.value ?? dur) as Duration;
    const call = mode === 'ack' ? api.acknowledge(a.fingerprint, who, text) : api.silence(a.labels, chosen, who, text || t('silence_default_comment'));
    call.then(
      () => {
        dlg.close();
        void refreshProblems().catch(() => undefined);
      },
      (err: Error) => {
        submit.disabled = false;
        error.textContent = t('action_failed', { msg: err.message });
        error.hidden = false;
      },
    );
  });
  dlg.replaceChildren(form);
  dlg.showModal();
  (by.value ? comment : by).focus();
}

function actions(p: Problem): HTMLElement {
  const a = p.alert!;
  const silenced = a.silenced_by.length > 0;
  return h(
    'div',
    { class: 'alert-actions', role: 'group' },
    a.acknowledged
      ? h('button', { type: 'button', 'data-action': 'unack', onclick: () => void act(() => api.unacknowledge(a.fingerprint)) }, t('unack'))
      : h('button', { type: 'button', 'data-action': 'ack', onclick: () => openDialog('ack', p) }, `✔ ${t('ack')}`),
    silenced
      ? h('button', { type: 'button', 'data-action': 'unsilence', onclick: () => void act(() => Promise.all(a.silenced_by.map((id) => api.expireSilence(id)))) }, t('unsilence'))
      : h(
          'span',
          { class: 'silence-group' },
          h('span', { class: 'muted' }, `${t('silence')}:`),
          ...DURATIONS.map((d) =>
            h('button', { type: 'button', 'data-action': 'silence', 'data-duration': d, title: t('silence_for', { d: t(`dur_${d}` as Key) }), onclick: () => openDialog('silence', p, d) }, t(`dur_${d}` as Key)),
          ),
        ),
  );
}

function alertItem(p: Problem): HTMLElement {
  const a = p.alert!;
  const since = a.state === 'firing' ? (a.starts_at ?? a.active_since) : a.active_since;
  const silenced = a.silenced_by.length > 0;
  const where = [p.site_name, a.labels.target && a.labels.target !== p.site_name ? a.labels.target : null].filter(Boolean).join(' · ');
  return h(
    'li',
    {
      class: `problem alert sev-${p.severity} state-${a.state}${a.acknowledged ? ' acked' : ''}${silenced ? ' silenced' : ''}`,
      'data-kind': 'alert',
      'data-source': 'alert',
      'data-fingerprint': a.fingerprint,
      'data-alertname': a.alertname,
      'data-state': a.state,
      'data-acknowledged': String(a.acknowledged !== null),
      'data-silenced': String(silenced),
    },
    h('span', { class: 'sev' }, sevLabel(p.severity)),
    h(
      'div',
      { class: 'problem-body' },
      h(
        'div',
        { class: 'problem-title' },
        h('span', { class: `alert-state ${a.state}`, title: a.state === 'pending' ? t('alert_pending_title') : null }, t(a.state === 'firing' ? 'alert_firing' : 'alert_pending')),
        h('strong', { class: 'alertname' }, a.alertname),
        p.site ? h('button', { type: 'button', class: 'link summary', title: a.summary || null, onclick: () => void openSite(p.site!) }, alertText(p)) : h('span', { class: 'summary' }, alertText(p)),
      ),
      h('div', { class: 'problem-meta muted' }, [where, t('alert_since', { time: time(since), dur: duration(serverNow() - since) })].filter(Boolean).join(' · ')),
      a.acknowledged
        ? h('div', { class: 'ack-note' }, `✔ ${t('alert_acked', { by: a.acknowledged.by, at: time(a.acknowledged.at) })}${a.acknowledged.comment ? `: ${a.acknowledged.comment}` : ''}`)
        : null,
      silenced ? h('div', { class: 'silence-note' }, `⊘ ${t('alert_silenced', { until: dateTime(a.silenced_until) })}`) : null,
      kiosk ? null : actions(p),
    ),
  );
}

function thresholdItem(p: Problem): HTMLElement {
  return h(
    'li',
    { class: `problem sev-${p.severity}`, 'data-kind': p.kind, 'data-source': 'threshold' },
    h('span', { class: 'sev' }, sevLabel(p.severity)),
    p.site ? h('button', { type: 'button', class: 'link', onclick: () => void openSite(p.site!) }, message(p)) : h('span', {}, message(p)),
    h('span', { class: 'when muted' }, time(p.ts)),
  );
}

export function renderProblems(list: Problem[] = last): void {
  last = list;
  const root = $('#problems-list');
  // Silenced alerts are listed (muted) but do not count as needing attention.
  const open = list.filter((p) => !p.alert?.silenced_by.length).length;
  $('#problems-count').textContent = String(open);
  $('#problems').dataset.count = String(open);
  if (list.length === 0) root.replaceChildren(h('li', { class: 'none' }, `✔ ${t('no_problems')}`));
  else root.replaceChildren(...list.map((p) => (p.alert ? alertItem(p) : thresholdItem(p))));
  renderHistory();
}

function renderHistory(): void {
  const body = document.getElementById('alert-history-body');
  if (!body || history === null) return;
  const resolved = history.filter((e) => e.event === 'resolved').slice(0, 20);
  if (resolved.length === 0) return void body.replaceChildren(h('p', { class: 'muted' }, t('history_none')));
  body.replaceChildren(
    h(
      'table',
      { class: 'history' },
      h('thead', {}, h('tr', {}, h('th', {}, t('h_resolved')), h('th', {}, t('severity')), h('th', {}, t('h_alert')), h('th', { class: 'num' }, t('h_lasted')))),
      h(
        'tbody',
        {},
        ...resolved.map((e) => {
          // The firing that this resolution ends: the newest firing event of the alert before it.
          const fired = history!.find((x) => x.fingerprint === e.fingerprint && x.event === 'firing' && x.ts <= e.ts);
          return h(
            'tr',
            { class: `sev-${e.severity}`, 'data-fingerprint': e.fingerprint },
            h('td', {}, dateTime(e.ts)),
            h('td', { class: 'sev' }, sevLabel(e.severity)),
            h('td', {}, h('strong', {}, e.rule), ' ', e.summary),
            h('td', { class: 'num' }, fired ? duration(e.ts - fired.ts) : '–'),
          );
        }),
      ),
    ),
  );
}

async function refreshHistory(): Promise<void> {
  history = (await api.alertHistory(['firing', 'resolved'], 500)).events;
  renderHistory();
}

export function initProblems(opts: { kiosk: boolean }): void {
  kiosk = opts.kiosk;
  const details = $<HTMLDetailsElement>('#alert-history');
  if (kiosk) {
    details.hidden = true;
    return;
  }
  details.addEventListener('toggle', () => {
    if (details.open) void refreshHistory().catch((e: Error) => console.info('netmon: alert history:', e.message));
  });
}

export async function refreshProblems(): Promise<void> {
  const [p] = await Promise.all([api.problems(), !kiosk && $<HTMLDetailsElement>('#alert-history').open ? refreshHistory() : null]);
  renderProblems(p.problems);
}

// The dashboard: a key form, then panels that each ask the analytics API one question. The API
// filters every answer by the key's organization, so the page shows only what that key may see.
import { ApiError, StaleAnswer, forgetKey, getJson, useKey, whenUnauthorized } from './api.js';
import * as charts from './charts.js';
import { byId, count, el, majorUnits, money, percent, replaceRows, setFigure, setStatus, shorten } from './dom.js';

// ---- panels ------------------------------------------------------------------------------------

/**
 * One panel's request at a time: a newer request wins, an older answer arriving late is dropped,
 * and the status line says loading, ready or the problem's detail.
 */
class Panel {
  constructor(statusId, clear) {
    this.status = byId(statusId);
    this.clear = clear;
    this.ticket = 0;
  }

  async run(load, render) {
    const ticket = ++this.ticket;
    setStatus(this.status, 'loading', 'Loading…');
    try {
      const answer = await load();
      if (ticket !== this.ticket) {
        return;
      }
      render(answer);
      setStatus(this.status, 'ready', '');
    } catch (e) {
      // A 401 already took the page back to the key form; a stale answer belongs to an old key.
      if (ticket !== this.ticket || e instanceof StaleAnswer || (e instanceof ApiError && e.status === 401)) {
        return;
      }
      this.clear();
      setStatus(this.status, 'error', describe(e));
      if (!(e instanceof ApiError)) {
        console.error(e);
      }
    }
  }

  reset() {
    this.ticket++;
    this.clear();
    setStatus(this.status, 'idle', '');
  }
}

function describe(e) {
  if (e instanceof ApiError) {
    const where = e.parameter ? ' (parameter ' + e.parameter + ')' : '';
    return (e.status ? e.status + ' ' : '') + e.title + ': ' + e.detail + where;
  }
  return 'The page failed: ' + e.message;
}

function value(id) {
  return byId(id).value.trim();
}

function range() {
  return { from: value('range-from'), to: value('range-to') };
}

function countRow(testId, key, n, label) {
  return el('tr', { 'data-testid': testId, dataset: { key, count: n } },
      el('td', {}, label === undefined ? key : label), el('td', { class: 'n' }, count(n)));
}

// ---- event trends ------------------------------------------------------------------------------

/** A bucket key in the bucket's own zone, cut to what the interval needs. */
function bucketLabel(key, interval) {
  switch (interval) {
    case 'hour': return key.slice(0, 16).replace('T', ' ');
    case 'month': return key.slice(0, 7);
    default: return key.slice(0, 10);
  }
}

const trends = new Panel('trends-status', () => {
  setFigure(byId('trends-total'), null);
  replaceRows(byId('trends-rows'), []);
  charts.clear(byId('trends-chart'));
});

function loadTrends() {
  const interval = byId('trends-interval').value;
  const params = Object.assign({ interval, timeZone: value('trends-timezone'), eventType: value('trends-event-type') },
      range());
  return trends.run(() => getJson('/events/trends', params), answer => {
    const buckets = answer.buckets || [];
    const total = buckets.reduce((sum, b) => sum + b.count, 0);
    setFigure(byId('trends-total'), total, count(total));
    replaceRows(byId('trends-rows'), buckets.map(b => countRow('trends-row', b.key, b.count)));
    charts.draw(byId('trends-chart'), {
      grid: { left: 48, right: 16, top: 24, bottom: 56 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: buckets.map(b => bucketLabel(b.key, answer.interval)) },
      yAxis: { type: 'value', minInterval: 1, name: 'events' },
      series: [{ name: 'events per ' + answer.interval + ' (' + answer.timeZone + ')', type: 'bar',
        data: buckets.map(b => b.count) }],
    });
  });
}

// ---- event statistics --------------------------------------------------------------------------

const STAT_TABLES = [
  ['stats-hour-rows', 'stats-hour-chart'],
  ['stats-org-rows', 'stats-org-chart'],
  ['stats-user-rows', 'stats-user-chart'],
];

const stats = new Panel('stats-status', () => {
  setFigure(byId('stats-total'), null);
  for (const [rows, chart] of STAT_TABLES) {
    replaceRows(byId(rows), []);
    charts.clear(byId(chart));
  }
});

function termRows(testId, terms) {
  const rows = (terms.buckets || []).map(b => countRow(testId, b.key, b.count));
  if (terms.other > 0) {
    rows.push(countRow(testId + '-other', '', terms.other, 'all others'));
  }
  return rows;
}

function loadStats() {
  const params = Object.assign({ eventType: value('stats-event-type') }, range());
  return stats.run(() => getJson('/events/stats', params), answer => {
    setFigure(byId('stats-total'), answer.total, count(answer.total));
    const hours = answer.by_hour || [];
    replaceRows(byId('stats-hour-rows'), hours.map(b => countRow('stats-hour-row', b.key, b.count,
        bucketLabel(b.key, 'hour'))));
    charts.draw(byId('stats-hour-chart'), {
      grid: { left: 40, right: 12, top: 16, bottom: 40 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ name: answer.eventType, type: 'line', step: 'start', data: hours.map(b => [b.key, b.count]) }],
    });
    const orgs = answer.by_organization || { buckets: [] };
    replaceRows(byId('stats-org-rows'), termRows('stats-org-row', orgs));
    charts.bars(byId('stats-org-chart'), orgs.buckets.map(b => b.key), orgs.buckets.map(b => b.count), 'events');
    const users = answer.by_user || { buckets: [] };
    replaceRows(byId('stats-user-rows'), termRows('stats-user-row', users));
    charts.bars(byId('stats-user-chart'), users.buckets.map(b => b.key), users.buckets.map(b => b.count), 'events');
  });
}

// ---- payment statistics ------------------------------------------------------------------------

const paystats = new Panel('paystats-status', () => {
  for (const id of ['paystats-total', 'paystats-failure-rate', 'paystats-refund-rate']) {
    setFigure(byId(id), null);
  }
  replaceRows(byId('paystats-rows'), []);
  charts.clear(byId('paystats-chart'));
});

function loadPaymentStats() {
  return paystats.run(() => getJson('/payments/stats', range()), answer => {
    setFigure(byId('paystats-total'), answer.total, count(answer.total));
    setFigure(byId('paystats-failure-rate'), answer.failure_rate, percent(answer.failure_rate));
    setFigure(byId('paystats-refund-rate'), answer.refund_rate, percent(answer.refund_rate));
    const rows = [];
    const currencies = [];
    for (const status of answer.by_status || []) {
      for (const c of status.by_currency || []) {
        if (!currencies.includes(c.currency)) {
          currencies.push(c.currency);
        }
        rows.push(el('tr', { 'data-testid': 'paystats-row',
          dataset: { status: status.status, currency: c.currency, count: c.count, sum: c.sum } },
        el('td', {}, status.status), el('td', {}, c.currency), el('td', { class: 'n' }, count(c.count)),
        el('td', { class: 'n' }, money(c.sum, c.currency))));
      }
    }
    replaceRows(byId('paystats-rows'), rows);
    currencies.sort();
    // Sums per currency, one bar per status: amounts of different currencies are never added.
    charts.draw(byId('paystats-chart'), {
      grid: { left: 64, right: 16, top: 32, bottom: 32 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'category', data: currencies },
      yAxis: { type: 'value', name: 'amount' },
      series: (answer.by_status || []).map(status => ({
        name: status.status,
        type: 'bar',
        data: currencies.map(currency => {
          const c = (status.by_currency || []).find(x => x.currency === currency);
          return c ? majorUnits(c.sum, currency) : 0;
        }),
      })),
    });
  });
}

// ---- cursor-paged lists ------------------------------------------------------------------------

/**
 * A list walked page by page with the API's cursor: the first page sends the filters, every next
 * page only the cursor (which carries them) and the size.
 */
class PagedList {
  constructor(prefix, path, itemsName, renderRow) {
    this.prefix = prefix;
    this.path = path;
    this.itemsName = itemsName;
    this.renderRow = renderRow;
    this.next = null;
    this.pageNumber = 0;
    this.panel = new Panel(prefix === 'payments' ? 'payments-status-line' : prefix + '-status', () => this.clear());
    byId(prefix + '-next').addEventListener('click', () => this.load(null));
    byId(prefix + '-first').addEventListener('click', () => this.load(this.filters));
  }

  clear() {
    this.next = null;
    this.pageNumber = 0;
    setFigure(byId(this.prefix + '-total'), null);
    byId(this.prefix + '-page').textContent = '–';
    replaceRows(byId(this.prefix + '-rows'), []);
    byId(this.prefix + '-next').disabled = true;
    byId(this.prefix + '-first').disabled = true;
  }

  /** filters: the first page with these; null: the page after the one shown. */
  load(filters) {
    const size = byId(this.prefix + '-size').value;
    const first = filters !== null;
    if (first) {
      this.filters = filters;
    }
    const params = first ? Object.assign({}, filters, { size }) : { cursor: this.next, size };
    return this.panel.run(() => getJson(this.path, params), answer => {
      this.pageNumber = first ? 1 : this.pageNumber + 1;
      this.next = answer.next || null;
      const relation = answer.totalRelation === 'gte' ? '≥ ' : '';
      setFigure(byId(this.prefix + '-total'), answer.total, relation + count(answer.total));
      byId(this.prefix + '-page').textContent = String(this.pageNumber);
      replaceRows(byId(this.prefix + '-rows'), (answer[this.itemsName] || []).map(this.renderRow));
      byId(this.prefix + '-next').disabled = this.next === null;
      byId(this.prefix + '-first').disabled = this.pageNumber <= 1;
    });
  }
}

function openButton(id, type, testId) {
  return el('button', { type: 'button', class: 'link', 'data-testid': testId,
    onclick: () => showHistory(id, type) }, id);
}

const payments = new PagedList('payments', '/payments', 'payments', p => el('tr',
    { 'data-testid': 'payment-row', dataset: { paymentId: p.paymentId, status: p.status, amount: p.amount,
      currency: p.currency } },
    el('td', {}, openButton(p.paymentId, 'Payment', 'payment-open')),
    el('td', {}, p.status || ''),
    el('td', { class: 'n' }, money(p.amount, p.currency)),
    el('td', {}, p.organizationId || ''),
    el('td', {}, p.userId || ''),
    el('td', {}, p.processedAt || ''),
    el('td', { class: 'n' }, p.refundAmount ? money(p.refundAmount, p.currency) : ''),
    el('td', {}, p.error || '')));

function loadPayments() {
  return payments.load({
    status: byId('payments-status').value,
    currency: value('payments-currency').toUpperCase(),
    organizationId: value('payments-organization'),
    from: value('payments-from'),
    to: value('payments-to'),
  });
}

function dataSummary(data) {
  return shorten(JSON.stringify(data || {}), 160);
}

const search = new PagedList('search', '/events', 'events', e => el('tr',
    { 'data-testid': 'event-row', dataset: { eventId: e.eventId, aggregateId: e.aggregateId } },
    el('td', {}, e.timestamp),
    el('td', {}, e.eventType),
    el('td', {}, openButton(e.aggregateId, e.aggregateType, 'event-open'), ' ', el('span', { class: 'muted' }, e.aggregateType)),
    el('td', { class: 'n' }, e.version),
    el('td', {}, (e.metadata || {}).organizationId || ''),
    el('td', {}, (e.metadata || {}).userId || ''),
    el('td', { class: 'payload' }, dataSummary(e.eventData))));

function loadSearch() {
  return search.load({ q: value('search-q'), eventType: value('search-event-type') });
}

// ---- one aggregate's history -------------------------------------------------------------------

let shownHistory = null;

const historyPanel = new Panel('history-status', () => {
  shownHistory = null;
  replaceRows(byId('history-timeline'), []);
  charts.clear(byId('history-chart'));
  stateView.reset();
});

const stateView = new Panel('history-state-status', () => {
  byId('history-state-title').textContent = 'State';
  delete byId('history-state-title').dataset.asOf;
  delete byId('history-state-title').dataset.version;
  replaceRows(byId('history-state'), []);
});

function historyPath(id) {
  return '/aggregates/' + encodeURIComponent(id) + '/events';
}

function showHistory(id, type) {
  byId('history-id').value = id;
  byId('history-type').value = type === 'Payment' || type === 'Workflow' ? type : '';
  byId('history').scrollIntoView({ behavior: 'instant', block: 'start' });
  return loadHistory();
}

function loadHistory() {
  const id = value('history-id');
  const type = byId('history-type').value;
  stateView.reset();
  return historyPanel.run(() => getJson(historyPath(id), { aggregateType: type }), answer => {
    shownHistory = answer;
    const events = answer.events || [];
    replaceRows(byId('history-timeline'), events.map(e => el('li',
        { 'data-testid': 'history-event', dataset: { version: e.version, timestamp: e.timestamp, eventType: e.eventType } },
        el('span', { class: 'version' }, 'v' + e.version),
        el('strong', {}, e.eventType),
        el('time', { datetime: e.timestamp }, e.timestamp),
        el('span', { class: 'payload' }, dataSummary(e.eventData)),
        el('button', { type: 'button', 'data-testid': 'history-asof', onclick: () => loadStateAsOf(e.timestamp) },
            'State as of this event'))));
    const types = [...new Set(events.map(e => e.eventType))];
    charts.draw(byId('history-chart'), {
      grid: { left: 140, right: 24, top: 16, bottom: 32 },
      tooltip: { trigger: 'item', formatter: p => charts.escape('v' + p.data[2] + ' ' + p.data[1] + ' at ' + p.data[0]) },
      xAxis: { type: 'time' },
      yAxis: { type: 'category', data: types },
      series: [{ type: 'line', symbolSize: 14, data: events.map(e => [e.timestamp, e.eventType, e.version]) }],
    });
    charts.onClick(byId('history-chart'), p => loadStateAsOf(p.data[0]));
    renderState(answer, null);
  });
}

function loadStateAsOf(timestamp) {
  const shown = shownHistory;
  if (!shown) {
    return Promise.resolve();
  }
  return stateView.run(
      () => getJson(historyPath(shown.aggregateId), { asOf: timestamp, aggregateType: shown.aggregateType }),
      answer => renderState(answer, timestamp));
}

function renderState(answer, asOf) {
  const title = byId('history-state-title');
  title.textContent = asOf === null ? 'Current state (version ' + answer.version + ')'
    : 'State as of ' + asOf + ' (version ' + answer.version + ')';
  title.dataset.version = answer.version;
  if (asOf === null) {
    delete title.dataset.asOf;
  } else {
    title.dataset.asOf = asOf;
  }
  for (const item of byId('history-timeline').children) {
    const version = Number(item.dataset.version);
    item.classList.toggle('later', version > answer.version);
    item.classList.toggle('current', version === answer.version);
  }
  const rows = [];
  if (answer.state) {
    for (const [field, v] of Object.entries(answer.state)) {
      const text = v === null ? '' : (typeof v === 'object' ? JSON.stringify(v) : String(v));
      rows.push(el('tr', { 'data-testid': 'state-field', dataset: { field, value: text } },
          el('th', {}, field), el('td', {}, text)));
    }
  } else {
    rows.push(el('tr', {}, el('td', { class: 'muted' }, answer.stateError || 'no state for this aggregate type')));
  }
  replaceRows(byId('history-state'), rows);
}

// ---- the key -----------------------------------------------------------------------------------

const PANELS = [trends, stats, paystats, payments.panel, search.panel, historyPanel];

function loadAll() {
  loadTrends();
  loadStats();
  loadPaymentStats();
  loadPayments();
  loadSearch();
}

function showLogin(state, message) {
  PANELS.forEach(p => p.reset());
  document.querySelectorAll('main form').forEach(f => f.reset());
  byId('dashboard').hidden = true;
  byId('logout').hidden = true;
  byId('login').hidden = false;
  setStatus(byId('login-status'), state, message);
  byId('api-key').focus();
}

function showDashboard() {
  byId('login').hidden = true;
  byId('dashboard').hidden = false;
  byId('logout').hidden = false;
  setStatus(byId('login-status'), 'idle', '');
}

whenUnauthorized(error => showLogin('error',
    'The API refused the key (401: ' + error.detail + '). Enter a valid key.'));

byId('login-form').addEventListener('submit', async event => {
  event.preventDefault();
  const input = byId('api-key');
  const key = input.value.trim();
  // Out of the field at once: nothing on the page holds the key but api.js.
  input.value = '';
  if (!key) {
    return;
  }
  useKey(key);
  setStatus(byId('login-status'), 'loading', 'Checking the key…');
  try {
    await getJson('/events', { size: 1 });
  } catch (e) {
    if (!(e instanceof StaleAnswer) && !(e instanceof ApiError && e.status === 401)) {
      forgetKey();
      setStatus(byId('login-status'), 'error', describe(e));
    }
    return;
  }
  showDashboard();
  loadAll();
});

byId('logout').addEventListener('click', () => {
  forgetKey();
  showLogin('idle', 'The key is forgotten.');
});

function submitTo(formId, load) {
  byId(formId).addEventListener('submit', event => {
    event.preventDefault();
    load();
  });
}

submitTo('range-form', () => {
  loadTrends();
  loadStats();
  loadPaymentStats();
});
submitTo('trends-form', loadTrends);
submitTo('stats-form', loadStats);
submitTo('payments-form', loadPayments);
submitTo('search-form', loadSearch);
submitTo('history-form', loadHistory);
byId('trends-interval').addEventListener('change', loadTrends);
byId('payments-status').addEventListener('change', loadPayments);

const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
byId('time-zones').replaceChildren(...['UTC', ...zones].map(z => el('option', { value: z })));

document.body.dataset.ready = 'true';

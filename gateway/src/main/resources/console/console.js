/*
 * Winch console: plain JavaScript, no build step, no library. Everything it shows comes from the admin API
 * (/api/v1), called with the admin token the operator typed in. The token lives in this tab's sessionStorage and
 * travels only as the Authorization header: never in a URL, a cookie or the console's own output.
 *
 * Every value from the API reaches the page through text nodes or setAttribute (see h()), never parsed as markup, so a
 * receiver named <script> shows as text. The Content-Security-Policy (script-src 'self') is the second wall.
 */
'use strict';

(function () {
  const TOKEN_KEY = 'winch.adminToken';
  const API = new URL('../api/v1', document.baseURI).pathname;
  const STATUSES = ['accepted', 'applied', 'noop', 'skipped', 'failed', 'duplicate'];
  const POLL_MS = 3000;

  const main = document.getElementById('main');
  const statusLine = document.getElementById('status');
  const logoutButton = document.getElementById('logout');

  /** The receiver just created (or given a new token): its token is shown on the next page once, then forgotten. */
  let justCreated = null;
  /** Work of the page on screen (timers, streams) to stop when another page is shown. */
  let cleanups = [];
  let generation = 0;
  /** A message for the page shown next (a save that moves to the list), which clears the previous one. */
  let nextStatus = null;

  // ---- DOM helpers -------------------------------------------------------------------------------------------

  /** An element; attributes by setAttribute, children as nodes or text. Never parses markup. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) {
        continue;
      }
      if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else if (key === 'class') {
        el.className = value;
      } else if (key === 'value') {
        el.value = value;
      } else if (key === 'checked') {
        el.checked = true;
      } else {
        el.setAttribute(key, value === true ? '' : String(value));
      }
    }
    add(el, children);
    return el;
  }

  function add(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) {
        continue;
      }
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function say(text) {
    statusLine.textContent = text;
  }

  function show(title, ...children) {
    document.title = title + ' · Winch console';
    main.replaceChildren(...children.flat(Infinity).filter(c => c));
  }

  function heading(text) {
    return h('h1', { tabindex: '-1' }, text);
  }

  function notice(kind, ...children) {
    return h('div', { class: 'notice ' + kind, role: kind === 'error' ? 'alert' : null }, ...children);
  }

  function badge(status) {
    const known = STATUSES.includes(status) ? status : 'accepted';
    return h('span', { class: 'badge status-' + known, 'data-status': status || '' }, status || 'unknown');
  }

  function time(iso) {
    if (!iso) {
      return h('span', { class: 'muted' }, '–');
    }
    const date = new Date(iso);
    return h('time', { datetime: iso, title: iso }, isNaN(date) ? iso : date.toLocaleString());
  }

  function shortId(id) {
    return id && id.length > 13 ? id.slice(0, 8) + '…' : id;
  }

  function eventLink(id) {
    return h('a', { href: '#/events/' + encodeURIComponent(id), title: id, class: 'mono', 'data-event-id': id },
      shortId(id));
  }

  function cell(label, ...children) {
    return h('td', { 'data-label': label }, ...children);
  }

  function table(columns, rows, attrs) {
    return h('table', Object.assign({ class: 'cards' }, attrs || {}),
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows));
  }

  function facts(pairs) {
    return h('dl', { class: 'facts' }, pairs.filter(p => p).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
  }

  /** A modal question; resolves true when confirmed. Keyboard: Tab between the buttons, Escape cancels. */
  function confirmDialog(question, confirmLabel) {
    return new Promise(resolve => {
      const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
      const ok = h('button', { type: 'button', class: 'danger', 'data-confirm': '' }, confirmLabel);
      const title = h('h2', { id: 'dialog-title' }, question);
      const dialog = h('dialog', { 'aria-labelledby': 'dialog-title' }, title, h('div', { class: 'actions' }, ok, cancel));
      const done = value => {
        dialog.close();
        dialog.remove();
        resolve(value);
      };
      ok.addEventListener('click', () => done(true));
      cancel.addEventListener('click', () => done(false));
      dialog.addEventListener('cancel', event => {
        event.preventDefault();
        done(false);
      });
      document.body.append(dialog);
      dialog.showModal();
      cancel.focus();
    });
  }

  async function copy(text, field) {
    try {
      await navigator.clipboard.writeText(text);
      say('Copied to the clipboard.');
      return;
    } catch (e) {
      // Clipboard API refused (permissions, not a secure context): select the text and use the older command.
    }
    if (field) {
      field.focus();
      field.select();
      if (document.execCommand && document.execCommand('copy')) {
        say('Copied to the clipboard.');
        return;
      }
    }
    say('The browser did not allow copying: the text is selected, press Ctrl+C (or ⌘C).');
  }

  function copyRow(id, label, text) {
    const field = h('input', { type: 'text', id: id, readonly: true, value: text, spellcheck: 'false', class: 'mono' });
    return [
      h('label', { for: id }, label),
      h('div', { class: 'copy-row' }, field,
        h('button', { type: 'button', class: 'secondary', 'aria-label': 'Copy ' + label, onclick: () => copy(text, field) },
          'Copy'))
    ];
  }

  function snippet(id, label, text) {
    const pre = h('pre', { id: id, tabindex: '0', 'aria-label': label }, text);
    return [
      h('h3', {}, label),
      pre,
      h('button', { type: 'button', class: 'secondary', 'aria-label': 'Copy ' + label, onclick: () => copy(text, null) },
        'Copy')
    ];
  }

  // ---- the admin API -----------------------------------------------------------------------------------------

  class ApiError extends Error {
    constructor(status, body, retryAfter) {
      super((body && body.message) || ('HTTP ' + status));
      this.status = status;
      this.body = body || {};
      this.retryAfter = retryAfter;
    }

    /** Field errors, in either spelling the API uses. */
    get fieldErrors() {
      return this.body.validationErrors || this.body.errors || [];
    }

    /** The gateway does not serve this endpoint (an older gateway than the console). */
    get notServed() {
      return this.status === 405 || this.status === 501
        || (this.status === 404 && this.body.message === 'no such endpoint');
    }
  }

  class Unauthorized extends Error {
  }

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function api(method, path, body, signal) {
    const headers = { 'Accept': 'application/json' };
    if (token()) {
      headers['Authorization'] = 'Bearer ' + token();
    }
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response;
    try {
      response = await fetch(API + path, {
        method: method, headers: headers, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer',
        body: body === undefined ? undefined : JSON.stringify(body), signal: signal
      });
    } catch (e) {
      if (e.name === 'AbortError') {
        throw e;
      }
      throw new ApiError(0, { message: 'the gateway cannot be reached' });
    }
    if (response.status === 401) {
      throw new Unauthorized();
    }
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (e) {
        data = { message: text };
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, data, response.headers.get('Retry-After'));
    }
    return data;
  }

  /** What to show for a failed call; the login form for a 401 is handled by the router. */
  function failure(err, what) {
    if (err instanceof ApiError && err.notServed) {
      return notice('unavailable', h('strong', {}, 'Not available: '),
        what + ' is not served by this gateway yet (the admin API answered ' + err.status + ').');
    }
    if (err instanceof ApiError && err.status === 503) {
      return notice('error', h('strong', {}, 'Unavailable: '), err.message
        + (err.retryAfter ? ' (retry in ' + err.retryAfter + ' s)' : ''));
    }
    if (err instanceof ApiError && err.status === 403) {
      return notice('error', h('strong', {}, 'Forbidden: '), err.message);
    }
    return notice('error', h('strong', {}, 'Error: '), err.message || String(err));
  }

  // ---- routing -----------------------------------------------------------------------------------------------

  const routes = [
    [/^#\/receivers\/new$/, () => receiverForm(null)],
    [/^#\/receivers\/([^/?]+)\/edit$/, m => receiverForm(decodeURIComponent(m[1]))],
    [/^#\/receivers\/?$/, () => receiversPage()],
    [/^#\/deliveries(?:\?(.*))?$/, m => deliveriesPage(new URLSearchParams(m[1] || ''))],
    [/^#\/events\/([^/?]+)$/, m => eventPage(decodeURIComponent(m[1]))],
    [/^#\/deadletters\/?$/, () => deadLettersPage()],
    [/^#\/deadletters\/([^/?]+)$/, m => deadLetterTopicPage(decodeURIComponent(m[1]))],
    [/^#\/health$/, () => healthPage()]
  ];

  function stopPage() {
    cleanups.forEach(stop => stop());
    cleanups = [];
    generation++;
  }

  function onLeave(stop) {
    cleanups.push(stop);
  }

  async function route() {
    const hash = location.hash || '#/receivers';
    if (!hash.startsWith('#/')) {
      return; // an in-page anchor such as the skip link
    }
    stopPage();
    say(nextStatus || '');
    nextStatus = null;
    const section = hash.split(/[/?]/)[1];
    document.querySelectorAll('.top nav a').forEach(a => {
      if (a.getAttribute('href') === '#/' + section) {
        a.setAttribute('aria-current', 'page');
      } else {
        a.removeAttribute('aria-current');
      }
    });
    logoutButton.hidden = !token();
    const match = routes.map(([re, page]) => [hash.match(re), page]).find(([m]) => m);
    const mine = generation;
    try {
      if (!match) {
        show('Not found', heading('Not found'), notice('error', 'The console has no page at ' + hash + '.'));
      } else {
        await match[1](match[0]);
      }
      if (mine === generation) {
        const h1 = main.querySelector('h1');
        if (h1 && !main.contains(document.activeElement)) {
          h1.focus();
        }
      }
    } catch (err) {
      if (mine !== generation) {
        return;
      }
      if (err instanceof Unauthorized) {
        loginForm();
      } else {
        show('Error', heading('Something went wrong'), failure(err, 'This page'));
      }
    }
  }

  /** Whether the page that started at generation g is still the one on screen. */
  function current(g) {
    return g === generation;
  }

  // ---- login -------------------------------------------------------------------------------------------------

  function loginForm() {
    stopPage();
    const refused = !!token();
    sessionStorage.removeItem(TOKEN_KEY);
    logoutButton.hidden = true;
    const input = h('input', {
      type: 'password', id: 'login-token', name: 'token', required: true, autocomplete: 'current-password',
      'aria-describedby': 'login-hint' + (refused ? ' login-error' : ''), 'aria-invalid': refused ? 'true' : null
    });
    const form = h('form', { id: 'login-form', novalidate: true },
      h('label', { for: 'login-token' }, 'Admin token'),
      input,
      h('p', { class: 'hint', id: 'login-hint' },
        'The gateway\'s WINCH_ADMIN_TOKEN. It is kept in this browser tab only and sent as the Authorization header.'),
      refused ? h('p', { class: 'field-error', id: 'login-error' }, 'The gateway refused this token.') : null,
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Sign in')));
    form.addEventListener('submit', event => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value) {
        input.focus();
        return;
      }
      sessionStorage.setItem(TOKEN_KEY, value);
      route();
    });
    show('Sign in', heading('Sign in'), form);
    input.focus();
  }

  logoutButton.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    justCreated = null;
    say('Signed out.');
    loginForm();
  });

  // ---- receivers ---------------------------------------------------------------------------------------------

  function selectorText(map) {
    return Object.entries(map || {}).map(([k, v]) => k + '=' + v).join(', ');
  }

  function targetOf(r) {
    switch (r.kind) {
      case 'scaleService': {
        const s = r.scaleService || {};
        const what = s.workload || selectorText(s.selector);
        return (s.namespace || '?') + '/' + what + ' · ' + (s.action || '') + ' ' + s.amount + ' (' + s.min + '–' + s.max + ')';
      }
      case 'scaleHost': {
        const s = r.scaleHost || {};
        return 'hosts ' + selectorText(s.hostSelector) + ' · ' + (s.action || '') + ' ' + s.amount + ' (' + s.min + '–' + s.max + ')';
      }
      case 'serviceUpgrade': {
        const s = r.serviceUpgrade || {};
        return selectorText(s.serviceSelector) + (s.namespaces && s.namespaces.length ? ' in ' + s.namespaces.join(', ') : '')
          + (s.tag ? ' · tag ' + s.tag : '') + (s.tagPolicy ? ' · ' + s.tagPolicy : '');
      }
      case 'redeploy': {
        const s = r.redeploy || {};
        const part = v => v || '(from URL)';
        return part(s.namespace) + '/' + part(s.workload) + ' container ' + part(s.container);
      }
      default:
        return '';
    }
  }

  function authOf(r) {
    const a = r.auth || {};
    const parts = [];
    if (a.token) parts.push('token');
    if (a.hmac) parts.push('HMAC signature');
    if (a.allowedCidrs && a.allowedCidrs.length) parts.push('from ' + a.allowedCidrs.join(', '));
    if (a.triggerRule) parts.push('trigger rule');
    return parts.length ? parts.join(' + ') : 'none';
  }

  async function receiversPage() {
    const g = generation;
    const data = await api('GET', '/receivers');
    if (!current(g)) return;
    const created = justCreated;
    justCreated = null;
    const items = (data.items || []).slice().sort((a, b) => a.id.localeCompare(b.id));
    const rows = items.map(r => {
      const fromFile = r.origin === 'file';
      const last = r.lastDelivery;
      return h('tr', { 'data-receiver-id': r.id },
        cell('Receiver', h('strong', { class: 'receiver-name' }, r.name || r.id), h('br'),
          h('span', { class: 'mono muted receiver-id' }, r.id)),
        cell('Kind', r.kind),
        cell('Target', h('span', { class: 'wrap' }, targetOf(r))),
        cell('Authentication', authOf(r)),
        cell('Last delivery', last
          ? [badge(last.status), ' ', time(last.at), ' ', eventLink(last.eventId)]
          : h('span', { class: 'muted' }, 'none yet')),
        cell('Actions', h('div', { class: 'actions' },
          fromFile ? h('span', { class: 'muted' }, 'from the receivers file')
            : [h('a', { class: 'button secondary', href: '#/receivers/' + encodeURIComponent(r.id) + '/edit',
              'aria-label': 'Edit ' + r.id }, 'Edit'),
            h('button', { type: 'button', class: 'danger', 'aria-label': 'Delete ' + r.id,
              onclick: () => deleteReceiver(r) }, 'Delete')],
          h('a', { href: '#/deliveries?receiver=' + encodeURIComponent(r.id), 'aria-label': 'Deliveries of ' + r.id },
            'Deliveries'))));
    });
    show('Receivers',
      heading('Receivers'),
      created ? createdPanel(created) : null,
      h('div', { class: 'toolbar' }, h('a', { class: 'button', href: '#/receivers/new' }, 'New receiver')),
      items.length ? table(['Receiver', 'Kind', 'Target', 'Authentication', 'Last delivery', 'Actions'], rows,
        { id: 'receivers' }) : h('p', {}, 'No receivers yet.'));
  }

  async function deleteReceiver(r) {
    if (!await confirmDialog('Delete receiver ' + r.id + '? Its trigger URL stops working at once.', 'Delete')) {
      return;
    }
    try {
      await api('DELETE', '/receivers/' + encodeURIComponent(r.id));
      await route();
      say('Receiver ' + r.id + ' deleted.');
    } catch (err) {
      if (err instanceof Unauthorized) {
        loginForm();
      } else {
        say('Could not delete ' + r.id + ': ' + err.message);
      }
    }
  }

  /** The trigger URL with its token, once, and what to paste where. */
  function createdPanel(r) {
    const url = r.triggerUrlWithToken;
    const parts = [h('h2', {}, 'Receiver ' + r.id + (r.updated ? ' has a new token' : ' created'))];
    if (!url) {
      parts.push(h('p', {}, 'Trigger URL: ', h('code', {}, r.triggerUrl),
        '. No token was generated: requests prove themselves with the HMAC signature or their address.'));
      return h('section', { class: 'created', 'aria-labelledby': 'created-title' }, parts);
    }
    const registryUrl = format => {
      if (r.kind === 'redeploy') {
        const s = r.redeploy || {};
        let extra = '';
        if (!s.namespace) extra += '&ns=NAMESPACE';
        if (!s.workload) extra += '&workload=deployment/NAME';
        if (!s.container) extra += '&container=CONTAINER';
        if (!s.repoType) extra += '&repo_type=' + format;
        return url + extra;
      }
      return url;
    };
    const alertmanager = [
      'receivers:',
      '  - name: winch-' + r.id,
      '    webhook_configs:',
      '      - url: \'' + url + '\'',
      '        send_resolved: ' + (r.kind === 'scaleService' || r.kind === 'scaleHost' ? 'true' : 'false')
    ].join('\n');
    const curl = r.kind === 'scaleService' || r.kind === 'scaleHost'
      ? 'curl -i -X POST \'' + url + '\''
      : 'curl -i -X POST \'' + registryUrl('dockerhub') + '\' \\\n  -H \'Content-Type: application/json\' \\\n'
        + '  -d \'{"push_data":{"tag":"latest"},"repository":{"repo_name":"ORG/IMAGE"}}\'';
    parts[0].id = 'created-title';
    parts.push(
      h('p', {}, h('strong', {}, 'Copy the trigger URL now: '),
        'its token is shown this once. The gateway keeps only a hash of it.'),
      copyRow('trigger-url', 'Trigger URL with token', url),
      h('h3', {}, 'Where to paste it'),
      snippet('snippet-alertmanager', 'Alertmanager webhook_configs entry', alertmanager),
      snippet('snippet-registries', 'Docker Hub, Harbor and Aliyun ACR webhook URLs',
        ['Docker Hub: ' + registryUrl('dockerhub'), 'Harbor:     ' + registryUrl('harbor'),
          'Aliyun ACR: ' + registryUrl('aliyun')].join('\n')),
      snippet('snippet-curl', 'curl', curl));
    if (r.kind === 'redeploy') {
      parts.push(h('p', { class: 'hint' }, 'Upper-case placeholders are what the receiver leaves to the URL.'));
    }
    return h('section', { class: 'created', 'aria-labelledby': 'created-title' }, parts);
  }

  // The receiver form: each input's data-path is the API's field path, so a 400's errors land next to the field.
  const KINDS = {
    scaleService: 'Scale a Deployment or StatefulSet',
    scaleHost: 'Scale a group of hosts',
    serviceUpgrade: 'Upgrade workloads matching a selector',
    redeploy: 'Redeploy one container on a push'
  };

  function field(path, label, opts) {
    opts = opts || {};
    const id = 'f-' + path.replace(/[^A-Za-z0-9]/g, '-');
    let control;
    if (opts.options) {
      control = h('select', { id: id, name: path, 'data-path': path },
        opts.options.map(([value, text]) => h('option', { value: value, selected: opts.value === value ? true : null }, text)));
    } else if (opts.checkbox) {
      return h('div', { class: 'field' },
        h('label', { class: 'inline', for: id },
          h('input', { type: 'checkbox', id: id, name: path, 'data-path': path, checked: !!opts.value }), label),
        h('p', { class: 'field-error', id: id + '-error', hidden: true }));
    } else if (opts.multiline) {
      control = h('textarea', { id: id, name: path, 'data-path': path, rows: 3 });
      control.value = opts.value == null ? '' : opts.value;
    } else {
      control = h('input', {
        type: opts.secret ? 'password' : 'text', id: id, name: path, 'data-path': path, autocomplete: 'off',
        spellcheck: 'false', inputmode: opts.numeric ? 'decimal' : null, value: opts.value == null ? '' : String(opts.value),
        readonly: opts.readonly ? true : null
      });
    }
    const hintId = opts.hint ? id + '-hint' : null;
    if (hintId) control.setAttribute('aria-describedby', hintId);
    return h('div', { class: 'field' },
      h('label', { for: id }, label),
      control,
      opts.hint ? h('p', { class: 'hint', id: hintId }, opts.hint) : null,
      h('p', { class: 'field-error', id: id + '-error', hidden: true }));
  }

  function kindSection(kind, r) {
    const s = (r && r[kind]) || {};
    const p = kind + '.';
    const num = (name, label, hint) => field(p + name, label, { numeric: true, value: s[name], hint: hint });
    const text = (name, label, hint) => field(p + name, label, { value: s[name], hint: hint });
    const map = (name, label, hint) => field(p + name, label, { value: selectorText(s[name]), hint: hint });
    const choice = (name, label, options) => field(p + name, label, { options: options, value: s[name] == null ? '' : String(s[name]) });
    const bool = (name, label) => field(p + name, label, { checkbox: true, value: s[name] });
    const resolved = choice('onResolved', 'When the alert resolves', [['', 'default (ignore)'], ['ignore', 'ignore'], ['up', 'scale up'], ['down', 'scale down']]);
    const action = choice('action', 'Action', [['up', 'up'], ['down', 'down']]);
    const rollout = [
      text('tagPolicy', 'Tag policy', 'exact, semver:major|minor|patch, glob:..., regexp:...'),
      num('rolloutTimeoutSeconds', 'Rollout timeout (s)'),
      bool('pinDigest', 'Pin the pushed digest'),
      bool('rollbackOnFailure', 'Roll back when the rollout fails')
    ];
    let fields;
    switch (kind) {
      case 'scaleService':
        fields = [text('namespace', 'Namespace'),
          text('workload', 'Workload', 'deployment/NAME or statefulset/NAME'),
          map('selector', 'Or a label selector', 'key=value, key=value'),
          action, num('amount', 'Amount'), num('min', 'Minimum replicas'), num('max', 'Maximum replicas'),
          num('cooldownSeconds', 'Cooldown (s)'), resolved];
        break;
      case 'scaleHost':
        fields = [map('hostSelector', 'Host selector', 'key=value, key=value'), action, num('amount', 'Amount'),
          num('min', 'Minimum hosts'), num('max', 'Maximum hosts'),
          choice('deleteOption', 'Remove first', [['', 'default'], ['mostRecent', 'most recent'], ['leastRecent', 'least recent']]),
          resolved];
        break;
      case 'serviceUpgrade':
        fields = [map('serviceSelector', 'Workload selector', 'key=value, key=value'),
          field(p + 'namespaces', 'Namespaces', { value: (s.namespaces || []).join(', '), hint: 'comma-separated; empty: all' }),
          text('tag', 'Tag', 'followed under the exact policy'),
          choice('payloadFormat', 'Registry', [['', 'default'], ['dockerhub', 'Docker Hub'], ['harbor', 'Harbor'], ['aliyun', 'Aliyun ACR'], ['quay', 'Quay'], ['registry', 'Docker registry'], ['custom', 'custom']]),
          num('batchSize', 'Batch size'), num('intervalSeconds', 'Interval between batches (s)'),
          choice('startFirst', 'Start new pods first', [['', 'keep the workload\'s strategy'], ['true', 'yes'], ['false', 'no']])
        ].concat(rollout);
        break;
      case 'redeploy':
        fields = [text('namespace', 'Namespace', 'empty: the trigger URL\'s ns'),
          text('workload', 'Workload', 'deployment/NAME; empty: the trigger URL\'s workload'),
          text('container', 'Container', 'empty: the trigger URL\'s container'),
          choice('repoType', 'Registry', [['', 'from the trigger URL (default Docker Hub)'], ['dockerhub', 'Docker Hub'], ['harbor', 'Harbor'], ['aliyun', 'Aliyun ACR'], ['quay', 'Quay'], ['registry', 'Docker registry'], ['custom', 'custom']])
        ].concat(rollout);
        break;
      default:
        fields = [];
    }
    return h('fieldset', { 'data-kind': kind }, h('legend', {}, KINDS[kind]), h('div', { class: 'grid' }, fields));
  }

  async function receiverForm(id) {
    const g = generation;
    const existing = id ? await api('GET', '/receivers/' + encodeURIComponent(id)) : null;
    if (!current(g)) return;
    const r = existing || { kind: 'scaleService' };
    const notifyText = (r.notify || []).map(n => n.channel + (n.outcomes && n.outcomes.length ? ': ' + n.outcomes.join(', ') : '')).join('\n');
    const kindField = field('kind', 'Kind', { options: Object.entries(KINDS), value: r.kind });
    const kindSelect = kindField.querySelector('select');
    if (existing) {
      kindSelect.disabled = true;
    }
    const section = h('div', { id: 'kind-section' }, kindSection(r.kind, existing));
    kindSelect.addEventListener('change', () => section.replaceChildren(kindSection(kindSelect.value, null)));
    const summary = h('div', { id: 'form-errors', tabindex: '-1' });
    const form = h('form', { id: 'receiver-form', novalidate: true },
      summary,
      h('fieldset', {}, h('legend', {}, 'Receiver'),
        h('div', { class: 'grid' },
          field('id', 'Id', { value: r.id, readonly: !!existing, hint: existing ? 'cannot change' : 'letters, digits, . _ -; empty: generated' }),
          field('name', 'Name', { value: r.name }),
          kindField)),
      section,
      h('fieldset', {}, h('legend', {}, 'Authentication and limits'),
        h('div', { class: 'grid' },
          field('token', existing ? 'New token' : 'Token', { secret: true, hint: existing ? 'empty: keep the current token' : 'at least 8 characters; empty: generated' }),
          field('hmacSecret', existing ? 'New HMAC secret' : 'HMAC secret', { secret: true, hint: 'signs the body (X-Hub-Signature-256); empty: ' + (existing ? 'keep' : 'none') }),
          field('allowedCidrs', 'Allowed senders', { value: ((r.auth || {}).allowedCidrs || []).join(', '), hint: 'CIDR blocks, comma-separated; empty: anywhere' }),
          field('rateLimit.perSecond', 'Rate limit (requests/s)', { numeric: true, value: (r.rateLimit || {}).perSecond }),
          field('rateLimit.burst', 'Burst', { numeric: true, value: (r.rateLimit || {}).burst }))),
      h('fieldset', {}, h('legend', {}, 'Notifications'),
        field('notify', 'Notify channels', { multiline: true, value: notifyText, hint: 'one channel a line, optionally with outcomes: ops-mail: FAILED, APPLIED' })),
      h('div', { class: 'actions' },
        h('button', { type: 'submit' }, existing ? 'Save' : 'Create receiver'),
        h('a', { class: 'button secondary', href: '#/receivers' }, 'Cancel')));
    form.addEventListener('submit', async event => {
      event.preventDefault();
      clearErrors(form, summary);
      const built = formBody(form, !!existing);
      if (built.errors.length) {
        showErrors(form, summary, built.errors);
        return;
      }
      const submit = form.querySelector('button[type=submit]');
      submit.disabled = true;
      try {
        const saved = existing
          ? await api('PUT', '/receivers/' + encodeURIComponent(existing.id), built.body)
          : await api('POST', '/receivers', built.body);
        if (!current(g)) return;
        if (saved.triggerUrlWithToken || !existing) {
          justCreated = Object.assign({ updated: !!existing }, saved);
        }
        nextStatus = existing ? 'Receiver ' + saved.id + ' saved.' : 'Receiver ' + saved.id + ' created.';
        location.hash = '#/receivers';
      } catch (err) {
        if (err instanceof Unauthorized) {
          loginForm();
          return;
        }
        if (err instanceof ApiError && err.fieldErrors.length) {
          showErrors(form, summary, err.fieldErrors, err.message);
        } else {
          summary.replaceChildren(failure(err, 'Saving a receiver'));
          summary.focus();
        }
      } finally {
        submit.disabled = false;
      }
    });
    show(existing ? 'Edit ' + existing.id : 'New receiver', heading(existing ? 'Edit receiver ' + existing.id : 'New receiver'), form);
  }

  function parseMap(text, path, errors) {
    const map = {};
    for (const part of text.split(',').map(s => s.trim()).filter(s => s)) {
      const eq = part.indexOf('=');
      if (eq <= 0) {
        errors.push({ field: path, message: 'write key=value pairs separated by commas' });
        return undefined;
      }
      map[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    return Object.keys(map).length ? map : undefined;
  }

  function parseNotify(text, errors) {
    const routes = [];
    for (const line of text.split('\n').map(s => s.trim()).filter(s => s)) {
      const colon = line.indexOf(':');
      const channel = (colon < 0 ? line : line.slice(0, colon)).trim();
      const outcomes = colon < 0 ? [] : line.slice(colon + 1).split(',').map(s => s.trim()).filter(s => s);
      routes.push(outcomes.length ? { channel: channel, outcomes: outcomes } : { channel: channel });
    }
    return routes.length ? routes : undefined;
  }

  function setPath(obj, path, value) {
    const keys = path.split('.');
    let at = obj;
    keys.slice(0, -1).forEach(k => {
      at[k] = at[k] || {};
      at = at[k];
    });
    at[keys[keys.length - 1]] = value;
  }

  /** The JSON the API takes, from the form: empty fields are left out, numbers sent as numbers. */
  function formBody(form, editing) {
    const body = {};
    const errors = [];
    form.querySelectorAll('[data-path]').forEach(control => {
      const path = control.dataset.path;
      if (editing && (path === 'id')) {
        return;
      }
      let value;
      if (control.type === 'checkbox') {
        value = control.checked ? true : undefined;
      } else {
        const text = control.value.trim();
        if (text === '') {
          return;
        }
        if (path === 'notify') {
          value = parseNotify(text, errors);
        } else if (/(^|\.)(selector|hostSelector|serviceSelector)$/.test(path)) {
          value = parseMap(text, path, errors);
        } else if (path === 'allowedCidrs' || path.endsWith('.namespaces')) {
          value = text.split(',').map(s => s.trim()).filter(s => s);
        } else if (control.getAttribute('inputmode') === 'decimal') {
          value = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
        } else if (path.endsWith('.startFirst')) {
          value = text === 'true';
        } else {
          value = text;
        }
      }
      if (value !== undefined) {
        setPath(body, path, value);
      }
    });
    const kind = body.kind || (form.querySelector('[data-path=kind]') || {}).value;
    body.kind = kind;
    if (!body[kind]) {
      body[kind] = {};
    }
    return { body: body, errors: errors };
  }

  function clearErrors(form, summary) {
    summary.replaceChildren();
    form.querySelectorAll('.field-error').forEach(p => {
      p.textContent = '';
      p.hidden = true;
    });
    form.querySelectorAll('[aria-invalid]').forEach(c => {
      c.removeAttribute('aria-invalid');
      const described = (c.getAttribute('aria-describedby') || '').split(' ').filter(x => x && !x.endsWith('-error'));
      if (described.length) c.setAttribute('aria-describedby', described.join(' '));
      else c.removeAttribute('aria-describedby');
    });
  }

  /** The control an API field path belongs to: exact, else the nearest enclosing path (notify[1].channel → notify). */
  function controlFor(form, path) {
    let p = path;
    while (p) {
      const control = form.querySelector('[data-path="' + CSS.escape(p) + '"]');
      if (control) {
        return control;
      }
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut > 0 ? p.slice(0, cut) : '';
    }
    return null;
  }

  function showErrors(form, summary, errors, message) {
    const list = h('ul', {});
    let first = null;
    errors.forEach(e => {
      const control = controlFor(form, e.field);
      const text = (control && control.dataset.path !== e.field ? e.field + ': ' : '') + e.message;
      if (control) {
        const p = document.getElementById(control.id + '-error');
        p.hidden = false;
        p.textContent = p.textContent ? p.textContent + '; ' + text : text;
        p.setAttribute('data-field', e.field);
        control.setAttribute('aria-invalid', 'true');
        const described = (control.getAttribute('aria-describedby') || '').split(' ').filter(x => x);
        if (!described.includes(p.id)) described.push(p.id);
        control.setAttribute('aria-describedby', described.join(' '));
        first = first || control;
        list.append(h('li', {}, h('a', { href: '#' + control.id, onclick: ev => { ev.preventDefault(); control.focus(); } }, e.field), ' ' + e.message));
      } else {
        list.append(h('li', {}, h('code', {}, e.field), ' ' + e.message));
      }
    });
    summary.replaceChildren(notice('error', h('strong', {}, (message || 'The receiver is not valid') + ':'), list));
    (first || summary).focus();
  }

  // ---- deliveries --------------------------------------------------------------------------------------------

  function matches(item, filter) {
    return (!filter.receiver || item.receiver === filter.receiver)
      && (!filter.status || item.status === filter.status)
      && (!filter.target || item.target === filter.target);
  }

  function deliveryRow(item) {
    return h('tr', { 'data-event-id': item.eventId, 'data-status': item.status },
      cell('Accepted', time(item.acceptedAt)),
      cell('Event', eventLink(item.eventId)),
      cell('Receiver', item.receiver ? h('a', { href: '#/deliveries?receiver=' + encodeURIComponent(item.receiver) }, item.receiver) : '–'),
      cell('Target', h('span', { class: 'mono' }, item.target || '–')),
      cell('Status', badge(item.status)),
      cell('Reason', h('span', { class: 'reason' }, item.reason || '')),
      cell('Folded with', folded(item.foldedInto, item.eventId)),
      cell('Rollout stage', item.rolloutStage || ''));
  }

  /** The other events one scale write was made for (the scaler folds requests for one target), as short links. */
  function folded(ids, self) {
    const others = (Array.isArray(ids) ? ids : ids ? [ids] : []).filter(id => id !== self);
    if (!others.length) {
      return '';
    }
    return h('span', { class: 'folded' }, others.map((id, i) => [i ? ', ' : '', eventLink(id)]));
  }

  async function deliveriesPage(params) {
    const g = generation;
    const filter = {
      receiver: params.get('receiver') || '', status: params.get('status') || '', target: params.get('target') || ''
    };
    let receivers = [];
    try {
      receivers = ((await api('GET', '/receivers')).items || []).map(r => r.id).sort();
    } catch (err) {
      if (err instanceof Unauthorized) throw err;
    }
    if (!current(g)) return;
    if (filter.receiver && !receivers.includes(filter.receiver)) receivers.push(filter.receiver);
    const form = h('form', { id: 'delivery-filter', class: 'grid', role: 'search', 'aria-label': 'Filter deliveries' },
      field('receiver', 'Receiver', { options: [['', 'any']].concat(receivers.map(id => [id, id])), value: filter.receiver }),
      field('status', 'Outcome', { options: [['', 'any']].concat(STATUSES.map(s => [s, s])), value: filter.status }),
      field('target', 'Target', { value: filter.target, hint: 'namespace/kind/name' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Filter'),
        h('a', { class: 'button secondary', href: '#/deliveries' }, 'Clear')));
    form.addEventListener('submit', event => {
      event.preventDefault();
      const q = new URLSearchParams();
      ['receiver', 'status', 'target'].forEach(name => {
        const v = form.querySelector('[name=' + name + ']').value.trim();
        if (v) q.set(name, v);
      });
      location.hash = '#/deliveries' + (q.toString() ? '?' + q : '');
    });
    const live = h('p', { class: 'live', id: 'live' }, 'Connecting…');
    const body = h('tbody', {});
    const list = h('table', { class: 'cards', id: 'deliveries' },
      h('thead', {}, h('tr', {}, ['Accepted', 'Event', 'Receiver', 'Target', 'Status', 'Reason', 'Folded with', 'Rollout stage']
        .map(c => h('th', { scope: 'col' }, c)))), body);
    const empty = h('p', { id: 'deliveries-empty' }, 'No deliveries match.');
    const holder = h('div', {});
    show('Deliveries', heading('Deliveries'), form, live, holder);

    const query = new URLSearchParams({ limit: '100' });
    Object.entries(filter).forEach(([k, v]) => v && query.set(k, v));
    const render = items => {
      body.replaceChildren(...items.map(deliveryRow));
      holder.replaceChildren(items.length ? list : empty);
    };
    const load = async () => {
      const data = await api('GET', '/events?' + query);
      if (current(g)) render(data.items || []);
    };
    try {
      await load();
    } catch (err) {
      if (err instanceof Unauthorized) throw err;
      live.textContent = '';
      holder.replaceChildren(failure(err, 'The list of deliveries (GET /api/v1/events)'));
      return;
    }
    if (!current(g)) return;
    startLive(g, live, load, item => {
      if (!matches(item, filter)) return;
      const old = body.querySelector('tr[data-event-id="' + CSS.escape(item.eventId) + '"]');
      const row = deliveryRow(item);
      if (old) old.replaceWith(row);
      else body.prepend(row);
      holder.replaceChildren(list);
    });
  }

  /**
   * New deliveries without a reload: the server-sent events of GET /api/v1/events/stream, read through fetch (an
   * EventSource cannot send the Authorization header); when the stream is not served or breaks, polling.
   */
  function startLive(g, live, reload, onDelivery) {
    const controller = new AbortController();
    let timer = null;
    onLeave(() => {
      controller.abort();
      if (timer) clearInterval(timer);
    });
    const poll = () => {
      if (!current(g)) return;
      live.textContent = 'Live: refreshing every ' + POLL_MS / 1000 + ' s.';
      timer = setInterval(() => reload().catch(err => {
        if (err instanceof Unauthorized) {
          loginForm();
        } else {
          live.textContent = 'Live: the last refresh failed (' + err.message + '); retrying.';
        }
      }), POLL_MS);
    };
    const headers = { 'Accept': 'text/event-stream' };
    if (token()) headers['Authorization'] = 'Bearer ' + token();
    fetch(API + '/events/stream', { headers: headers, credentials: 'omit', cache: 'no-store', signal: controller.signal })
      .then(async response => {
        const type = response.headers.get('Content-Type') || '';
        if (!response.ok || !type.startsWith('text/event-stream') || !response.body) {
          poll();
          return;
        }
        live.textContent = 'Live: new deliveries appear as they happen.';
        // Catch up with what happened between the first load and the stream's start.
        reload().catch(() => {});
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end;
          while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
            let name = 'message';
            const data = [];
            frame.split(/\r?\n/).forEach(line => {
              if (line.startsWith('event:')) name = line.slice(6).trim();
              else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
            });
            if (name === 'delivery' && data.length && current(g)) {
              try {
                onDelivery(JSON.parse(data.join('\n')));
              } catch (e) {
                // a frame that is not JSON: ignore it, the next poll or frame corrects the view
              }
            }
          }
        }
        if (current(g)) poll();
      })
      .catch(err => {
        if (err.name !== 'AbortError' && current(g)) poll();
      });
  }

  // ---- one event ---------------------------------------------------------------------------------------------

  async function eventPage(id) {
    const g = generation;
    const render = e => {
      const request = e.request;
      const timeline = [h('li', {}, time(e.acceptedAt), ' ', h('strong', {}, 'accepted'), ' by the gateway',
        e.receiver ? [' for receiver ', h('a', { href: '#/deliveries?receiver=' + encodeURIComponent(e.receiver) }, e.receiver)] : '')];
      (e.results || []).forEach(r => timeline.push(h('li', { 'data-outcome': r.outcome },
        time(r.finishedAt || r.startedAt), ' ', badge(String(r.outcome || '').toLowerCase()), ' ',
        h('span', {}, r.worker || 'worker'), ': ', h('span', { class: 'reason' }, r.reason || ''),
        r.details && Object.keys(r.details).length
          ? facts(Object.entries(r.details).map(([k, v]) => [k, String(v)])) : null)));
      show('Event ' + shortId(e.eventId),
        heading('Event ' + e.eventId),
        facts([
          ['Status', badge(e.status)],
          ['Type', e.type],
          ['Receiver', e.receiver || '–'],
          ['Target', h('span', { class: 'mono' }, e.target || '–')],
          ['Accepted', time(e.acceptedAt)],
          e.reason ? ['Reason', e.reason] : null,
          e.foldedInto && e.foldedInto.length ? ['Folded with', folded(e.foldedInto, e.eventId)] : null,
          e.rolloutStage ? ['Rollout stage', e.rolloutStage] : null
        ]),
        h('h2', {}, 'Timeline'),
        h('ol', { class: 'timeline', id: 'timeline' }, timeline),
        h('h2', {}, 'Request'),
        request
          ? facts([['From', request.remoteAddress || '–'], ['User agent', request.userAgent || '–'],
            ['Content type', request.contentType || '–'],
            ['Content length', request.contentLength == null ? '–' : String(request.contentLength)],
            ['Authenticated by', request.authMethod || '–']])
          : h('p', { class: 'muted', id: 'no-request' }, 'The gateway did not give the request\'s metadata for this event.'),
        h('p', { class: 'hint' }, 'Tokens, signatures and the body are never kept.'));
    };
    let e;
    try {
      e = await api('GET', '/events/' + encodeURIComponent(id));
    } catch (err) {
      if (err instanceof Unauthorized) throw err;
      if (!current(g)) return;
      show('Event', heading('Event ' + id), failure(err, 'The event view'));
      return;
    }
    if (!current(g)) return;
    render(e);
    // Results may keep coming (an upgrade reports its apply, then its rollout): look again while the page is open.
    const timer = setInterval(async () => {
      try {
        const next = await api('GET', '/events/' + encodeURIComponent(id));
        if (current(g) && JSON.stringify(next) !== JSON.stringify(e)) {
          e = next;
          render(e);
        }
      } catch (err) {
        if (err instanceof Unauthorized) loginForm();
      }
    }, POLL_MS);
    onLeave(() => clearInterval(timer));
  }

  // ---- dead letters ------------------------------------------------------------------------------------------

  async function deadLettersPage() {
    const g = generation;
    let data;
    try {
      data = await api('GET', '/deadletters');
    } catch (err) {
      if (err instanceof Unauthorized) throw err;
      if (!current(g)) return;
      show('Dead letters', heading('Dead letters'), failure(err, 'The list of dead-letter topics (GET /api/v1/deadletters)'));
      return;
    }
    if (!current(g)) return;
    const items = data.items || [];
    show('Dead letters', heading('Dead letters'),
      h('p', {}, 'Records a service could not process after its retries, per dead-letter topic.'),
      items.length
        ? table(['Topic', 'Records', ''], items.map(t => h('tr', { 'data-topic': t.topic },
          cell('Topic', h('span', { class: 'mono' }, t.topic)),
          cell('Records', String(t.records)),
          cell('Open', h('a', { href: '#/deadletters/' + encodeURIComponent(t.topic), 'aria-label': 'Open ' + t.topic }, 'Open')))),
        { id: 'dlq-topics' })
        : h('p', {}, 'No dead-letter topics.'));
  }

  async function deadLetterTopicPage(topic) {
    const g = generation;
    let data;
    try {
      data = await api('GET', '/deadletters/' + encodeURIComponent(topic) + '?limit=50');
    } catch (err) {
      if (err instanceof Unauthorized) throw err;
      if (!current(g)) return;
      show('Dead letters', heading('Dead letters of ' + topic), failure(err, 'Reading a dead-letter topic'));
      return;
    }
    if (!current(g)) return;
    const records = (data.items || []).map(rec => {
      const headers = rec.headers || {};
      const outcome = h('p', { class: 'redrive-outcome', role: 'status' });
      const button = h('button', { type: 'button', class: 'redrive',
        'aria-label': 'Redrive partition ' + rec.partition + ' offset ' + rec.offset }, 'Redrive');
      button.addEventListener('click', () => redrive(topic, rec, button, outcome));
      return h('article', { class: 'record', 'data-partition': rec.partition, 'data-offset': rec.offset },
        h('h2', {}, 'Partition ' + rec.partition + ', offset ' + rec.offset),
        facts([
          ['Reason', h('span', { class: 'dlq-reason' }, headers.winch_dlq_reason || '–')],
          ['Written', time(rec.timestamp)],
          ['Event', rec.eventId ? eventLink(rec.eventId) : '–'],
          ['Type', rec.type || '–'],
          ['Key', h('span', { class: 'mono' }, rec.key == null ? '–' : rec.key)]
        ]),
        h('details', {},
          h('summary', {}, 'Headers and value'),
          table(['Header', 'Value'], Object.entries(headers).sort().map(([k, v]) =>
            h('tr', {}, cell('Header', h('span', { class: 'mono' }, k)), cell('Value', h('span', { class: 'mono' }, String(v)))))),
          h('pre', { class: 'dlq-value' }, rec.value == null ? '' : rec.value),
          rec.valueTruncated ? h('p', { class: 'hint' }, 'The value is cut at 64 KiB.') : null),
        h('div', { class: 'actions' }, button),
        outcome);
    });
    show('Dead letters of ' + topic, heading('Dead letters of ' + topic),
      h('p', {}, h('a', { href: '#/deadletters' }, 'All dead-letter topics')),
      records.length ? records : h('p', {}, 'No records.'));
  }

  async function redrive(topic, rec, button, outcome) {
    const back = (rec.headers || {}).winch_dlq_topic || 'its original topic';
    if (!await confirmDialog('Publish partition ' + rec.partition + ', offset ' + rec.offset + ' again to ' + back + '?', 'Redrive')) {
      return;
    }
    button.disabled = true;
    try {
      const result = await api('POST', '/deadletters/' + encodeURIComponent(topic) + '/redrive',
        { partition: rec.partition, offset: rec.offset });
      const done = (result.redriven || [])[0];
      const refused = (result.refused || [])[0];
      outcome.textContent = done ? 'Redriven to ' + done.topic + '.' : 'Refused: ' + (refused ? refused.reason : 'no answer');
      outcome.className = 'redrive-outcome notice ' + (done ? '' : 'error');
    } catch (err) {
      if (err instanceof Unauthorized) {
        loginForm();
        return;
      }
      outcome.replaceChildren(failure(err, 'Redrive'));
    } finally {
      button.disabled = false;
    }
  }

  // ---- health ------------------------------------------------------------------------------------------------

  async function healthPage() {
    const g = generation;
    const holder = h('div', {});
    show('Health', heading('Health'),
      h('p', {}, 'What the gateway sees of each service through Kafka: its consumer group, members and lag.'), holder);
    const load = async () => {
      let data;
      try {
        data = await api('GET', '/health/services');
      } catch (err) {
        if (err instanceof Unauthorized) throw err;
        if (current(g)) holder.replaceChildren(failure(err, 'Service health (GET /api/v1/health/services)'));
        return false;
      }
      if (!current(g)) return false;
      const services = data.services || [];
      const dead = data.deadLetters || [];
      holder.replaceChildren(
        h('h2', {}, 'Services'),
        services.length ? table(['Consumer group', 'Topics', 'Members', 'Lag', 'State', 'Ready'],
          services.map(s => {
            const ready = s.members > 0 && s.state === 'Stable';
            return h('tr', { 'data-group': s.group },
              cell('Consumer group', h('span', { class: 'mono' }, s.group)),
              cell('Topics', (s.topics || []).join(', ')),
              cell('Members', String(s.members)),
              cell('Lag', String(s.lag)),
              cell('State', s.state || '–'),
              cell('Ready', ready ? (s.lag > 0 ? 'yes, catching up' : 'yes') : 'no'));
          }), { id: 'services' }) : h('p', {}, 'No service consumer groups found.'),
        h('h2', {}, 'Dead letters'),
        dead.length ? table(['Topic', 'Records'], dead.map(d => h('tr', { 'data-topic': d.topic },
          cell('Topic', h('a', { href: '#/deadletters/' + encodeURIComponent(d.topic) }, d.topic)),
          cell('Records', String(d.records)))), { id: 'health-deadletters' }) : h('p', {}, 'No dead-letter topics.'));
      return true;
    };
    if (await load() && current(g)) {
      const timer = setInterval(() => load().catch(err => {
        if (err instanceof Unauthorized) loginForm();
      }), 5000);
      onLeave(() => clearInterval(timer));
    }
  }

  window.addEventListener('hashchange', route);
  route();
}());

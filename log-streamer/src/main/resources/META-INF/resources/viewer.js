// Flow log viewer: task list with live status, one task's log over the WebSocket, follow on/off, node and text
// filters (client-side, so changing them never reconnects), and reconnection that resumes after the last token
// received (the server answers `after=<token>` with exactly the lines after it: no gap, no duplicate).
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const state = {
    token: null, task: null, socket: null, lastToken: null, retry: 0, timer: null, nodes: new Set(),
  };

  // The token comes from the #token= fragment (never sent to a server) or the paste field; it is kept in this tab's
  // sessionStorage and removed from the address bar so it does not end up in history or screenshots.
  function initToken() {
    const match = /(?:^|[#&])token=([^&]+)/.exec(location.hash);
    if (match) {
      sessionStorage.setItem('flow-token', decodeURIComponent(match[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    state.token = sessionStorage.getItem('flow-token');
    $('auth').addEventListener('submit', (e) => {
      e.preventDefault();
      const value = $('token').value.trim();
      if (value) {
        sessionStorage.setItem('flow-token', value);
        state.token = value;
        $('token').value = '';
        refreshTasks();
        if (state.task && !state.socket) connect(); // e.g. after the old token expired
      }
    });
  }

  // ---- tasks: polled, so statuses stay live without another socket
  async function refreshTasks() {
    if (!state.token) {
      $('tasks-error').textContent = 'paste a token to see your tasks';
      return;
    }
    try {
      const response = await fetch('/v1/logs/tasks', { headers: { Authorization: 'Bearer ' + state.token } });
      if (!response.ok) {
        $('tasks-error').textContent = 'task list: HTTP ' + response.status;
        return;
      }
      $('tasks-error').textContent = '';
      renderTasks(await response.json());
    } catch (e) {
      $('tasks-error').textContent = 'task list unreachable; retrying';
    }
  }

  function renderTasks(tasks) {
    const body = $('tasks').tBodies[0];
    const rows = new Map([...body.rows].map((row) => [row.dataset.task, row]));
    tasks.forEach((task, index) => {
      let row = rows.get(task.task_id);
      if (!row) {
        row = body.insertRow();
        row.dataset.task = task.task_id;
        for (let i = 0; i < 4; i++) row.insertCell();
        row.cells[0].className = 'task-id';
        row.cells[0].textContent = task.task_id;
        row.addEventListener('click', () => select(task.task_id));
      }
      row.cells[1].textContent = task.status;
      row.cells[1].className = 'status status-' + task.status;
      row.cells[2].textContent = task.project;
      row.cells[3].textContent = task.num_instances;
      row.dataset.nodes = task.num_instances;
      row.classList.toggle('selected', task.task_id === state.task);
      if (body.rows[index] !== row) body.insertBefore(row, body.rows[index] || null);
      if (task.task_id === state.task) ensureNodes(task.num_instances);
    });
  }

  // ---- one task's log
  function select(taskId) {
    disconnect();
    state.task = taskId;
    state.lastToken = null;
    state.nodes = new Set();
    $('log').replaceChildren();
    $('log').dataset.lastToken = '';
    $('notice').textContent = '';
    $('current').textContent = taskId;
    $('node').replaceChildren(new Option('all', 'all'));
    [...$('tasks').tBodies[0].rows].forEach((row) => {
      row.classList.toggle('selected', row.dataset.task === taskId);
      if (row.dataset.task === taskId) ensureNodes(Number(row.dataset.nodes || 0));
    });
    connect();
  }

  function connect() {
    if (!state.task || !state.token) return;
    const follow = $('follow').checked;
    // batch: a frame carries every line that is ready (a JSON array), far fewer frames when lines come fast
    const params = new URLSearchParams({ follow: String(follow), batch: 'true' });
    if (state.lastToken !== null) {
      params.set('after', state.lastToken); // resume exactly after the last line shown
    } else {
      params.set('tail', $('tail').value || '200');
    }
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // A browser's WebSocket cannot set headers, and a token in the URL would land in access logs and history: it
    // travels as a subprotocol instead (the server answers with `flow.v1`, never echoing the token).
    const socket = new WebSocket(`${scheme}//${location.host}/v1/tasks/${encodeURIComponent(state.task)}/logs?${params}`,
      ['flow.v1', 'bearer.' + state.token]);
    state.socket = socket;
    setConn('connecting');
    socket.onopen = () => {
      state.retry = 0;
      setConn(follow ? 'live' : 'loading');
    };
    socket.onmessage = (event) => {
      const data = JSON.parse(event.data);
      (Array.isArray(data) ? data : [data]).forEach((message) => {
        if (message.type === 'end') socket.ended = true;
        onMessage(message);
      });
    };
    socket.onclose = (event) => {
      if (state.socket !== socket) return; // we closed it on purpose (new task, follow off)
      state.socket = null;
      if (!follow && event.code === 1000) {
        setConn('paused');
        return;
      }
      if (event.code === 1008) { // policy violation: the token expired; retrying with it would fail again
        setConn('token expired');
        $('notice').textContent = 'your token expired: paste a fresh one to go on';
        return;
      }
      if (socket.ended && event.code === 1000) {
        setConn('ended'); // the task ended and every line was sent: nothing to reconnect for
        return;
      }
      // network loss, server restart, a replica going away: come back after the last token
      const delay = Math.min(5000, 250 * 2 ** state.retry++);
      setConn('reconnecting');
      state.timer = setTimeout(connect, delay);
    };
  }

  function disconnect() {
    clearTimeout(state.timer);
    const socket = state.socket;
    state.socket = null;
    if (socket) socket.close(1000);
  }

  function onMessage(message) {
    if (message.type === 'status') {
      $('notice').textContent = message.message;
      return;
    }
    if (message.type === 'end') {
      // the last message of a followed task: it ended and all its lines are above
      appendNote(`(task ${message.status}${message.reason ? ': ' + message.reason : ''}; end of log)`);
      return;
    }
    if (message.type === 'gap') {
      // the server dropped its live buffer for us and continues from storage right after this token
      appendNote(`(fell behind: ${message.dropped} buffered lines re-read from storage)`);
      return;
    }
    if (state.lastToken !== null && BigInt(message.token) <= BigInt(state.lastToken)) return; // already shown
    $('notice').textContent = '';
    state.lastToken = message.token;
    $('log').dataset.lastToken = message.token;
    ensureNodes(message.node + 1);
    const line = document.createElement('div');
    line.className = 'line ' + message.stream;
    line.dataset.node = message.node;
    line.dataset.seq = message.seq;
    line.dataset.token = message.token;
    line.dataset.text = message.text;
    line.innerHTML = `<span class="node">[node ${message.node}]</span> <span class="ts">${escape(message.ts)}</span> `
      + `<span class="text"></span>`;
    applyFilters(line);
    const log = $('log');
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.appendChild(line);
    if ($('follow').checked && atBottom) log.scrollTop = log.scrollHeight;
  }

  function appendNote(text) {
    const note = document.createElement('div');
    note.className = 'gap';
    note.textContent = text;
    $('log').appendChild(note);
  }

  function ensureNodes(count) {
    for (let node = 0; node < count; node++) {
      if (!state.nodes.has(node)) {
        state.nodes.add(node);
        $('node').appendChild(new Option('node ' + node, String(node)));
      }
    }
  }

  // ---- filters: hide what does not match, highlight what does
  function applyFilters(line) {
    const node = $('node').value;
    const needle = $('filter').value;
    const text = line.dataset.text;
    const nodeOk = node === 'all' || line.dataset.node === node;
    const textOk = !needle || text.toLowerCase().includes(needle.toLowerCase());
    line.classList.toggle('hidden', !(nodeOk && textOk));
    line.querySelector('.text').innerHTML = highlight(text, needle);
  }

  function highlight(text, needle) {
    if (!needle) return escape(text);
    const lower = text.toLowerCase();
    const target = needle.toLowerCase();
    let out = '';
    let at = 0;
    for (let i = lower.indexOf(target); i >= 0; i = lower.indexOf(target, at)) {
      out += escape(text.slice(at, i)) + '<mark>' + escape(text.slice(i, i + needle.length)) + '</mark>';
      at = i + needle.length;
    }
    return out + escape(text.slice(at));
  }

  function escape(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }

  function setConn(text) {
    $('conn').textContent = text;
    $('conn').dataset.state = text;
  }

  $('node').addEventListener('change', () => document.querySelectorAll('#log .line').forEach(applyFilters));
  $('filter').addEventListener('input', () => document.querySelectorAll('#log .line').forEach(applyFilters));
  $('follow').addEventListener('change', () => {
    if (!state.task) return;
    disconnect();
    if ($('follow').checked) {
      connect(); // resumes after the last token: whatever was published meanwhile arrives, once
    } else {
      setConn('paused');
    }
  });

  initToken();
  refreshTasks();
  setInterval(refreshTasks, 2000);
})();

import Report

/// The dashboard page: one self-contained document (its script and styles inline, the report's style sheet
/// included for the task sections). It opens `/events` and redraws from the events; the task shown follows the
/// first running task until the reader picks one.
enum DashboardPage {
    static let html = """
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Strata — live sweep</title><style>\(HTMLReport.styleSheet)\(style)</style></head><body>
        <header class="live"><h1>Sweep <span id="sweep">…</span></h1>
        <span id="conn" class="conn off">connecting</span></header>
        <section id="progress-box"><div class="bar"><div id="bar-done"></div><div id="bar-failed"></div></div>
        <p id="progress">waiting for the coordinator…</p><p id="stall" class="reason" hidden></p></section>
        <section><h2>Workers</h2><table id="workers"><thead><tr><th>worker</th><th>host</th><th>slots</th>
        <th>state</th><th>last heard</th><th>done</th><th>failed</th><th>running</th></tr></thead><tbody></tbody>
        </table></section>
        <section><h2>Failures</h2><div id="failures"><p class="missing">none</p></div></section>
        <section><h2>Tasks</h2><table id="tasks"><thead><tr><th>#</th><th>task</th><th>state</th><th>attempts</th>
        <th>worker</th></tr></thead><tbody></tbody></table></section>
        <section id="task-panel"><p class="missing">No task running yet.</p></section>
        <footer>Strata live dashboard: updates arrive by server-sent events; <a id="metrics" href="metrics">metrics</a>.
        </footer>
        <script>\(script)</script></body></html>
        """

    static let style = """
        header.live{display:flex;align-items:baseline;gap:1em}.conn{font-size:.8em;padding:.1em .5em;border-radius:.6em}
        .conn.on{background:#d4edda}.conn.off{background:#f8d7da}
        .bar{display:flex;height:14px;background:#eee;border-radius:7px;overflow:hidden;max-width:640px}
        #bar-done{background:#59a14f}#bar-failed{background:#e15759}
        #tasks tbody tr{cursor:pointer}#tasks tbody tr.picked{background:#fff3cd}
        table{border-collapse:collapse}td,th{padding:.15em .6em;text-align:left}
        """

    static let script = #"""
        const token = new URLSearchParams(location.search).get('token');
        const q = token ? 'token=' + encodeURIComponent(token) : '';
        document.getElementById('metrics').href = 'metrics' + (q ? '?' + q : '');
        const $ = id => document.getElementById(id);
        const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
        const dur = s => s == null ? '–' : s < 90 ? Math.round(s) + ' s' : s < 5400 ? Math.round(s / 60) + ' min'
          : (s / 3600).toFixed(1) + ' h';
        let shown = null, picked = false, source = null, tasks = [];
        function connect() {
          if (source) source.close();
          const params = [q, shown ? 'task=' + encodeURIComponent(shown) : ''].filter(x => x).join('&');
          source = new EventSource('events' + (params ? '?' + params : ''));
          source.onopen = () => { $('conn').textContent = 'live'; $('conn').className = 'conn on'; };
          source.onerror = () => { $('conn').textContent = 'reconnecting'; $('conn').className = 'conn off'; };
          source.addEventListener('status', e => status(JSON.parse(e.data)));
          source.addEventListener('tasks', e => table(JSON.parse(e.data)));
          source.addEventListener('task', e => { $('task-panel').innerHTML = e.data; });
        }
        function show(id, byReader) {
          if (byReader) picked = true;
          if (id === shown) return;
          shown = id;
          for (const tr of document.querySelectorAll('#tasks tbody tr')) tr.classList.toggle('picked', tr.dataset.task === id);
          connect();
        }
        function status(s) {
          if (!s) return;
          $('sweep').textContent = s.sweep;
          const total = Math.max(s.total, 1);
          $('bar-done').style.width = (100 * s.done / total) + '%';
          $('bar-failed').style.width = (100 * s.failed / total) + '%';
          $('progress').textContent = `${s.done + s.failed} of ${s.total} tasks finished (${s.done} done, ${s.failed} `
            + `failed, ${s.leased} running, ${s.queued} queued) · ${s.tasks_per_s.toFixed(3)} tasks/s · ETA `
            + `${dur(s.eta_s)} · ${s.events} events stored · up ${dur(s.uptime_s)}`;
          $('progress').dataset.done = s.done; $('progress').dataset.finished = s.done + s.failed;
          $('stall').hidden = !s.stalled;
          if (s.stalled) $('stall').textContent = 'Stalled: ' + s.stalled.reason;
          $('workers').tBodies[0].innerHTML = s.workers.map(w => `<tr><td>${esc(w.id)}</td><td>${esc(w.host)}</td>`
            + `<td>${w.slots}</td><td>${esc(w.state)}</td><td>${w.last_seen_ms == null ? '–' : w.last_seen_ms + ' ms'}</td>`
            + `<td>${w.done}</td><td>${w.failed}</td><td>${w.running.map(r => `${esc(r.label || r.task)} (epoch `
            + `${r.epoch ?? '–'}/${r.epochs})`).join('<br>')}</td></tr>`).join('');
        }
        function table(rows) {
          tasks = rows;
          $('tasks').tBodies[0].innerHTML = rows.map(t => `<tr data-task="${esc(t.id)}"`
            + `${t.id === shown ? ' class="picked"' : ''}><td>${t.ord + 1}</td><td>${esc(t.label || t.id)}</td>`
            + `<td><span class="pill ${esc(t.state)}">${esc(t.state)}</span></td><td>${t.attempts}</td>`
            + `<td>${esc(t.worker)}</td></tr>`).join('');
          const failed = rows.filter(t => t.state === 'failed');
          $('failures').innerHTML = failed.length ? '<ul>' + failed.map(t => `<li><b>${esc(t.label || t.id)}</b>: `
            + `${esc(t.reason || 'no reason given')}</li>`).join('') + '</ul>' : '<p class="missing">none</p>';
          if (!picked) {
            const running = rows.find(t => t.state === 'leased') || (shown ? null : rows.find(t => t.state !== 'queued'));
            if (running) show(running.id, false);
          }
        }
        $('tasks').addEventListener('click', e => { const tr = e.target.closest('tr[data-task]'); if (tr) show(tr.dataset.task, true); });
        connect();
        """#
}

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
        <div id="claims-panel"><p class="missing">The claims table appears when tasks finish.</p></div>
        <section><h2>Tasks</h2><p class="filters"><label>filter <input id="filter" type="search"
        placeholder="arch=vit optimizer=sgd"></label> <label>group by <select id="group"><option value="">nothing
        </option></select></label> <span id="shown"></span></p>
        <table id="tasks"><thead><tr><th>#</th><th>task</th><th>state</th><th>attempts</th>
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
        #tasks tbody tr.group td{background:#f4f4f4;font-weight:600;cursor:default}.filters{font-size:.9em}
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
          source.addEventListener('claims', e => { $('claims-panel').innerHTML = e.data; });
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
        // Grid values from a task's label (`arch=vit width=64 seed=0`), for filtering and grouping.
        const gridOf = t => Object.fromEntries((t.label || '').split(' ').filter(p => p.includes('='))
          .map(p => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
        function row(t) {
          return `<tr data-task="${esc(t.id)}"${t.id === shown ? ' class="picked"' : ''}><td>${t.ord + 1}</td>`
            + `<td>${esc(t.label || t.id)}</td><td><span class="pill ${esc(t.state)}">${esc(t.state)}</span></td>`
            + `<td>${t.attempts}</td><td>${esc(t.worker)}</td></tr>`;
        }
        function table(rows) {
          tasks = rows;
          const keys = [...new Set(rows.flatMap(t => Object.keys(gridOf(t))))];
          const select = $('group');
          if (select.options.length - 1 !== keys.length) {
            const chosen = select.value;
            select.innerHTML = '<option value="">nothing</option>'
              + keys.map(k => `<option${k === chosen ? ' selected' : ''}>${esc(k)}</option>`).join('');
          }
          // The filter: every space-separated term must appear in the label (`arch=vit`, `sgd`).
          const terms = $('filter').value.trim().split(/\s+/).filter(x => x);
          const kept = rows.filter(t => terms.every(term => (t.label || t.id).includes(term)));
          $('shown').textContent = terms.length ? `${kept.length} of ${rows.length} tasks` : '';
          const by = select.value;
          let html = '';
          if (by) {
            const groups = new Map();
            for (const t of kept) { const v = gridOf(t)[by] ?? '–'; if (!groups.has(v)) groups.set(v, []); groups.get(v).push(t); }
            for (const [value, members] of groups) {
              const counts = {};
              for (const t of members) counts[t.state] = (counts[t.state] || 0) + 1;
              html += `<tr class="group" data-group="${esc(value)}"><td colspan="5">${esc(by)}=${esc(value)}: `
                + Object.entries(counts).map(([s, n]) => `${n} ${esc(s)}`).join(', ') + '</td></tr>'
                + members.map(row).join('');
            }
          } else {
            html = kept.map(row).join('');
          }
          $('tasks').tBodies[0].innerHTML = html;
          const failed = rows.filter(t => t.state === 'failed');
          $('failures').innerHTML = failed.length ? '<ul>' + failed.map(t => `<li><b>${esc(t.label || t.id)}</b>: `
            + `${esc(t.reason || 'no reason given')}</li>`).join('') + '</ul>' : '<p class="missing">none</p>';
          if (!picked) {
            const running = rows.find(t => t.state === 'leased') || (shown ? null : rows.find(t => t.state !== 'queued'));
            if (running) show(running.id, false);
          }
        }
        $('filter').addEventListener('input', () => table(tasks));
        $('group').addEventListener('change', () => table(tasks));
        $('tasks').addEventListener('click', e => { const tr = e.target.closest('tr[data-task]'); if (tr) show(tr.dataset.task, true); });
        connect();
        """#
}

// The console page's only assets, bundled: a stylesheet and a small script (no framework, no CDN, works offline).
export const CONSOLE_CSS = `
:root{--fg:#1d2330;--mut:#5d6675;--bg:#f6f7f9;--card:#fff;--line:#dde1e7;--ok:#1a7f37;--bad:#c62828;--warn:#9a6700;--info:#0b5cad}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{display:flex;align-items:center;gap:20px;padding:10px 20px;background:#18202e;color:#fff}
header h1{font-size:16px;margin:0;font-weight:600}header nav a{color:#c9d3e3;text-decoration:none;margin-right:14px}
header nav a.on{color:#fff;border-bottom:2px solid #6ea8fe}header .auth{margin-left:auto;display:flex;gap:6px;align-items:center}
header input{width:220px;padding:4px 6px;border-radius:4px;border:1px solid #56627a;background:#243047;color:#fff}
main{padding:18px 20px;max-width:1280px}h2{font-size:18px;margin:4px 0 14px}h3{font-size:15px;margin:18px 0 8px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px;min-width:170px}
.card .v{font-size:24px;font-weight:600}.card .k{color:var(--mut);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;width:100%;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{background:#eef1f5;font-weight:600;font-size:12px;color:var(--mut)}
tr:last-child td{border-bottom:0}a{color:var(--info)}code,pre{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}
pre{white-space:pre-wrap;background:#f1f3f6;border-radius:6px;padding:8px;margin:6px 0;max-height:240px;overflow:auto}
.b{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#e8ebf0;color:var(--mut)}
.b.delivered{background:#dcf3e3;color:var(--ok)}.b.dead-letter,.b.failed{background:#fde2e1;color:var(--bad)}.b.retrying,.b.queued{background:#fff3cd;color:var(--warn)}
.b.silenced,.b.suppressed,.b.purged{background:#e3ecfa;color:var(--info)}.b.active{background:#dcf3e3;color:var(--ok)}.b.expired{background:#eceff3}
.tx{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin-bottom:12px}
.tx>.h{display:flex;gap:10px;align-items:baseline}.mut{color:var(--mut)}.n{border-left:3px solid var(--line);margin:10px 0 4px;padding-left:12px}
button{font:inherit;padding:4px 12px;border-radius:5px;border:1px solid #9aa4b5;background:#fff;cursor:pointer}button.danger{border-color:var(--bad);color:var(--bad)}
button.primary{background:#1f6feb;border-color:#1f6feb;color:#fff}#status{margin:0 0 12px;min-height:20px;font-weight:600}#status.err{color:var(--bad)}#status.ok{color:var(--ok)}
form.silence{display:grid;grid-template-columns:repeat(4,minmax(140px,1fr));gap:8px 12px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin-bottom:16px}
form.silence label{display:flex;flex-direction:column;font-size:12px;color:var(--mut);gap:3px}form.silence input{padding:5px 6px;border:1px solid var(--line);border-radius:4px;font:inherit;color:var(--fg)}
form.silence .wide{grid-column:span 3}form.filter{display:flex;gap:10px;align-items:end;margin-bottom:14px}form.filter label{display:flex;flex-direction:column;font-size:12px;color:var(--mut);gap:3px}form.filter input{padding:4px 6px;border:1px solid var(--line);border-radius:4px;font:inherit}td.actions{white-space:nowrap}form.silence .row{display:flex;align-items:end;gap:10px}.empty{color:var(--mut);padding:14px;background:var(--card);border:1px dashed var(--line);border-radius:8px}
`;

export const CONSOLE_JS = `(() => {
  const KEY = "rollouts-notifier-token";
  const input = document.getElementById("token");
  const status = document.getElementById("status");
  if (input) {
    input.value = sessionStorage.getItem(KEY) || "";
    input.addEventListener("change", () => sessionStorage.setItem(KEY, input.value.trim()));
  }
  const say = (text, ok) => { status.textContent = text; status.className = ok ? "ok" : "err"; };
  async function call(method, url, body) {
    const headers = { accept: "application/json" };
    const token = (input && input.value.trim()) || sessionStorage.getItem(KEY) || "";
    if (token) headers.authorization = "Bearer " + token;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let json = {};
    try { json = await res.json(); } catch {}
    if (!res.ok) { say(res.status + " " + (json.error || res.statusText), false); return undefined; }
    return json;
  }
  const done = (text) => { say(text, true); setTimeout(() => location.reload(), 700); };
  document.addEventListener("click", async (e) => {
    const b = e.target.closest("[data-action]");
    if (!b) return;
    const id = b.dataset.id ? encodeURIComponent(b.dataset.id) : "";
    const a = b.dataset.action;
    if (a === "retry") { const r = await call("POST", "/api/v1/deadletters/" + id + "/retry"); if (r) done("retried by " + r.by); }
    if (a === "purge-one" && confirm("Purge this dead letter? It will not be delivered.")) { const r = await call("DELETE", "/api/v1/deadletters/" + id); if (r) done("purged by " + r.by); }
    if (a === "purge-shown" && confirm("Purge the " + b.dataset.count + " dead letter(s) shown? They will not be delivered.")) { const q = b.dataset.filter; const r = await call("DELETE", "/api/v1/deadletters" + (q ? "?" + q : "")); if (r) done(r.purged + " purged by " + r.by); }
    if (a === "expire") { const r = await call("POST", "/api/v1/silences/" + id + "/expire"); if (r) done("silence " + r.id + " expired"); }
  });
  const form = document.querySelector("form.silence");
  if (form) form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const matchers = {};
    for (const k of ["namespace", "rollout", "trigger", "service", "recipient"]) { const v = String(f.get(k) || "").trim(); if (v) matchers[k] = v; }
    const labels = String(f.get("labels") || "").split(",").map((s) => s.trim()).filter(Boolean);
    if (labels.length) matchers.labels = Object.fromEntries(labels.map((l) => { const i = l.indexOf("="); return [l.slice(0, i), l.slice(i + 1)]; }));
    const r = await call("POST", "/api/v1/silences", { matchers, duration: String(f.get("duration") || ""), comment: String(f.get("comment") || ""), summary: f.get("summary") === "on" });
    if (r) done("silence " + r.id + " created by " + r.createdBy);
  });
})();
`;

// fakescope web page: submits a job, streams its progress and results (server-sent events), and
// inserts each report as rendered by the server's templates (the same ones as the HTML report).
"use strict";
const $ = (id) => document.getElementById(id);
const CLS = {"likely real": "real", "uncertain": "unsure", "likely synthetic": "fake", "error": "error"};
let chosen = [];
let currentJob = null;

function apiKey() {
  const field = $("key");
  if (!field) return "";
  if (field.value) sessionStorage.setItem("fakescope-key", field.value);
  return field.value || sessionStorage.getItem("fakescope-key") || "";
}

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const key = apiKey();
  if (key) h["X-API-Key"] = key;
  return h;
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = headers(opts.headers);
  const res = await fetch(path, opts);
  if (!res.ok) {
    let detail = res.statusText;
    try { detail = (await res.json()).detail || detail; } catch (e) { /* not JSON */ }
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return res;
}

function randomKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function esc(s) { const d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }

// Insert server-rendered HTML; with an API key, pictures are fetched with the key as blobs.
function insertHtml(container, html) {
  const tpl = document.createElement("template");
  tpl.innerHTML = html;
  const key = apiKey();
  tpl.content.querySelectorAll("img").forEach((img) => {
    const src = img.getAttribute("src") || "";
    if (key && src.startsWith("api/")) {
      img.removeAttribute("src");
      api(src).then((r) => r.blob()).then((b) => { img.src = URL.createObjectURL(b); }).catch(() => {});
    }
  });
  container.append(tpl.content);
}

function setFiles(list) {
  chosen = Array.from(list);
  $("chosen").textContent = chosen.map((f) => f.name).join(", ");
}

function setStatus(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error-text" : "muted";
}

async function streamJob(job) {
  const res = await api(job.events + "?html=true", {headers: {Accept: "text/event-stream"}});
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const {value, done} = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, {stream: true});
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = (block.match(/^event: (.*)$/m) || [])[1];
      const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "{}");
      if (event === "result") insertHtml($("list"), data.html);
      if (event === "progress") {
        $("progress").max = Math.max(1, data.total);
        $("progress").value = data.done;
        setStatus(`${data.done} of ${data.total} file(s) analysed` + (data.failed ? `, ${data.failed} could not be analysed` : ""));
      }
      if (event === "end") return data;
    }
  }
  return {status: "done"};
}

async function scan() {
  const form = new FormData();
  chosen.forEach((f) => form.append("files", f));
  const text = $("text").value;
  if (text.trim()) form.append("text", text);
  if (!chosen.length && !text.trim()) { setStatus("Choose a file or paste a text first.", true); return; }
  $("go").disabled = true;
  $("list").innerHTML = "";
  $("results").hidden = false;
  $("download").hidden = true;
  $("progress").hidden = false;
  $("progress").value = 0;
  setStatus("Uploading…");
  try {
    const res = await api("api/jobs", {method: "POST", body: form, headers: {"Idempotency-Key": randomKey()}});
    const job = await res.json();
    currentJob = job.id;
    window.history.replaceState(null, "", `?job=${job.id}`);  // a reload shows these results
    setStatus(`0 of ${job.total} file(s) analysed`);
    await follow(job);
  } catch (err) {
    setStatus("Error: " + err.message, true);
  } finally {
    $("go").disabled = false;
    $("progress").hidden = true;
  }
}

async function follow(job) {
  const end = await streamJob(job);
  if (end.status === "interrupted") setStatus(end.error || "the job was interrupted", true);
  if (end.status === "gone") setStatus("no such job (it may have been deleted)", true);
  $("download").hidden = end.status === "gone";
  history();
}

async function reopen(id) {
  if (!/^[0-9a-f]{32}$/.test(id)) return;
  currentJob = id;
  $("results").hidden = false;
  $("progress").hidden = false;
  try { await follow({id, events: `api/jobs/${id}/events`}); }
  catch (err) { setStatus("Error: " + err.message, true); }
  finally { $("progress").hidden = true; }
}

async function download(event) {
  event.preventDefault();
  if (!currentJob) return;
  const res = await api(`api/jobs/${currentJob}/report.html`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement("a");
  a.href = url;
  a.download = `fakescope-${currentJob.slice(0, 8)}.html`;
  document.body.append(a);
  a.click();
  a.remove();
}

async function showScan(id) {
  try {
    const res = await api(`api/scans/${id}/html`);
    $("list").innerHTML = "";
    insertHtml($("list"), await res.text());
    $("results").hidden = false;
    $("download").hidden = true;
    $("results").scrollIntoView({behavior: "smooth"});
  } catch (err) { setStatus("Error: " + err.message, true); }
}

async function history() {
  const body = $("history");
  try {
    const scans = (await (await api("api/scans?limit=20")).json()).scans;
    body.innerHTML = scans.map((s) => `<tr data-id="${s.id}"><td>${s.id}</td><td>${esc(s.filename)}</td>
      <td>${esc(s.modality || "")}</td><td><span class="badge ${CLS[s.verdict] || "abstain"}">${esc(s.verdict)}</span></td>
      <td class="score">${s.score == null ? "–" : s.score.toFixed(2)}</td>
      <td class="muted">${esc(new Date(s.created).toLocaleString())}</td></tr>`).join("")
      || `<tr><td colspan="6" class="muted">nothing scanned yet</td></tr>`;
  } catch (err) {
    body.innerHTML = `<tr><td colspan="6" class="muted">${esc(err.message)}</td></tr>`;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("files").addEventListener("change", (e) => setFiles(e.target.files));
  const drop = $("drop");
  ["dragenter", "dragover"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((ev) => drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (e) => setFiles(e.dataTransfer.files));
  $("go").addEventListener("click", scan);
  $("download").addEventListener("click", download);
  $("history").addEventListener("click", (e) => { const row = e.target.closest("tr[data-id]"); if (row) showScan(row.dataset.id); });
  const key = $("key");
  if (key) {
    key.value = sessionStorage.getItem("fakescope-key") || "";
    key.addEventListener("change", () => { apiKey(); history(); });
  }
  history();
  const job = new URLSearchParams(window.location.search).get("job");
  if (job) reopen(job);
});

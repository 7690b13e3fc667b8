// Guardian web chat. Every string from the server becomes a text node (textContent, never any
// HTML parsing), so nothing a system or a person wrote can turn into markup or script.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const store = window.sessionStorage;
const $ = (id) => document.getElementById(id);

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
  return node;
}

function randomId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "").slice(0, 16);
  return Math.random().toString(36).slice(2, 18);
}

// The token arrives once in the address's fragment (never sent to a server), then lives in
// this tab's session storage only.
function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match) {
    store.setItem("guardian.token", decodeURIComponent(match[1]));
    history.replaceState(null, "", window.location.pathname);
  }
}

function headers(accept) {
  const result = { "Content-Type": "application/json", "Accept": accept };
  const token = store.getItem("guardian.token");
  if (token) result["Authorization"] = "Bearer " + token;
  return result;
}

function thread() {
  let id = store.getItem("guardian.thread");
  if (!id) { id = randomId(); store.setItem("guardian.thread", id); }
  return id;
}

function scrollDown() { const log = $("log"); log.scrollTop = log.scrollHeight; }

function say(role, text) {
  const node = el("div", { class: "msg " + role }, text ? el("p", { text }) : null);
  $("log").append(node);
  scrollDown();
  return node;
}

// ------------------------------------------------------------------ rendering the answer

function table(data) {
  const head = el("tr", {}, ...data.columns.map((c) => el("th", { text: c.label, class: c.numeric ? "num" : "" })));
  const rows = data.rows.map((row) => el("tr", {}, ...row.map((cell, i) =>
    el("td", { text: cell, class: data.columns[i] && data.columns[i].numeric ? "num" : "" }))));
  const node = el("table", {}, data.title ? el("caption", { text: data.title }) : null,
                  el("thead", {}, head), el("tbody", {}, ...rows));
  if (!data.more) return node;
  return el("div", {}, node, el("p", { class: "muted", text: "…and " + data.more + " more." }));
}

function chart(data) {
  const width = 520, height = 170, pad = 28;
  const low = Math.min(0, data.y_min), high = data.y_max > low ? data.y_max : low + 1;
  const xs = [...new Set(data.series.flatMap((s) => s.points.map((p) => p.x)))].sort();
  const x = (value) => pad + (xs.length > 1 ? xs.indexOf(value) * (width - 2 * pad) / (xs.length - 1) : 0);
  const y = (value) => height - pad - (value - low) * (height - 2 * pad) / (high - low);
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img" });
  const label = svg("title"); label.textContent = data.title; picture.append(label);
  picture.append(svg("line", { x1: pad, y1: height - pad, x2: width - pad, y2: height - pad, stroke: "#dfe3ea" }));
  const colours = ["#2457d6", "#d6572a", "#1e7a3c", "#8a3ad6"];
  data.series.forEach((series, index) => {
    const colour = colours[index % colours.length];
    if (data.kind === "bar") {
      const step = (width - 2 * pad) / Math.max(xs.length, 1);
      for (const point of series.points) {
        const bar = svg("rect", { x: x(point.x) - step / 3, y: y(point.y), width: step * 2 / 3,
                                  height: Math.max(y(low) - y(point.y), 0), fill: colour });
        const tip = svg("title"); tip.textContent = point.x + ": " + point.label; bar.append(tip);
        picture.append(bar);
      }
    } else {
      const path = series.points.map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(" ");
      picture.append(svg("polyline", { points: path, fill: "none", stroke: colour, "stroke-width": 2 }));
      for (const point of series.points) {
        const dot = svg("circle", { cx: x(point.x), cy: y(point.y), r: 2.5, fill: colour });
        const tip = svg("title"); tip.textContent = series.name + " " + point.x + ": " + point.label; dot.append(tip);
        picture.append(dot);
      }
    }
  });
  const text = (content, attrs) => { const t = svg("text", { "font-size": 10, fill: "#6a7383", ...attrs }); t.textContent = content; return t; };
  picture.append(text(data.y_max_label, { x: 2, y: pad - 6 }));
  picture.append(text(low === data.y_min ? data.y_min_label : "0", { x: 2, y: height - pad - 4 }));
  if (xs.length) {
    picture.append(text(xs[0], { x: pad, y: height - 8 }));
    picture.append(text(xs[xs.length - 1], { x: width - pad, y: height - 8, "text-anchor": "end" }));
  }
  const legend = data.series.length > 1 ? el("div", { class: "muted", text: data.series.map((s) => s.name).join(" · ") }) : null;
  return el("figure", { class: "chart" }, el("div", { class: "title", text: data.title }), picture, legend);
}

function quote(data) {
  const trimmed = data.trimmed ? " (last lines; " + data.trimmed + " earlier lines not shown)" : "";
  const label = el("div", { class: "label", text: data.label + " — quoted from " + (data.kind === "runbook" ? "a runbook" : "the system") + ", untrusted" + trimmed });
  return el("blockquote", { class: "quote " + data.kind }, label, el("pre", { text: data.text }));
}

async function decide(box, approval, decision) {
  const buttons = box.querySelectorAll("button");
  buttons.forEach((b) => { b.disabled = true; });
  const result = box.querySelector(".result");
  result.className = "result";
  result.textContent = (decision === "approve" ? "Approving" : "Denying") + "…";
  let response;
  try {
    response = await fetch("/api/approvals/" + encodeURIComponent(approval.id) + "/" + decision,
                           { method: "POST", headers: headers("application/json"), body: "{}" });
  } catch (error) {
    result.textContent = "Could not reach Guardian: " + error;
    buttons.forEach((b) => { b.disabled = false; });
    return;
  }
  const body = await response.json().catch(() => ({ detail: "HTTP " + response.status }));
  if (response.ok) {
    result.classList.add("done");
    result.textContent = "";
    result.append(renderAnswer(body.web, true));
    return;
  }
  result.classList.add("refused");
  result.textContent = body.detail || ("HTTP " + response.status);
  if (response.status === 403) buttons.forEach((b) => { b.disabled = false; });  // someone else may still decide
}

function approvalBox(approval) {
  const box = el("div", { class: "approval", "data-approval-id": approval.id },
                 el("div", { text: "Approval needed (" + approval.id + "): " + approval.summary }));
  const decisions = approval.decisions.length ? approval.decisions : ["approve", "deny"];
  const buttons = el("div", { class: "buttons" });
  for (const decision of decisions) {
    const button = el("button", { type: "button", class: decision, text: decision === "approve" ? "Approve" : "Deny" });
    button.addEventListener("click", () => decide(box, approval, decision));
    buttons.append(button);
  }
  box.append(buttons, el("div", { class: "result" }));
  return box;
}

function renderAnswer(view, nested) {
  const part = el("div", { class: "answer", "data-skill": view.skill });
  if (view.lead) part.append(el("p", { class: "lead", text: view.lead }));
  for (const text of view.paragraphs) part.append(el("p", { text }));
  if (view.choices.length) {
    part.append(el("ol", { class: "choices" }, ...view.choices.map((c) => el("li", { text: c.label + " (" + c.skill + ")" }))));
  }
  for (const q of view.quotes) part.append(quote(q));
  for (const t of view.tables) part.append(table(t));
  for (const c of view.charts) part.append(chart(c));
  for (const note of view.notes) part.append(el("p", { class: "note", text: note }));
  if (view.approval) part.append(approvalBox(view.approval));
  if (!nested) {
    const cites = view.citations.map((c) => c.title + " (" + c.source + ")");
    part.append(el("div", { class: "context", text: (cites.length ? "Sources: " + cites.join("; ") + " · " : "") + "skill " + view.skill }));
  }
  return part;
}

// ------------------------------------------------------------------ asking, streamed

function* frames(buffer) {
  let index;
  while ((index = buffer.text.indexOf("\n\n")) >= 0) {
    const raw = buffer.text.slice(0, index);
    buffer.text = buffer.text.slice(index + 2);
    let event = "message", data = "";
    for (const line of raw.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trim();
    }
    if (data) yield [event, JSON.parse(data)];
  }
}

async function ask(text) {
  say("you", text);
  const reply = say("bot");
  reply.classList.add("pending");
  const progress = el("div", { class: "progress-lines" });
  reply.append(progress);
  let response;
  try {
    response = await fetch("/api/chat", { method: "POST", headers: headers("text/event-stream"),
                                          body: JSON.stringify({ text, thread: thread() }) });
  } catch (error) {
    reply.classList.add("error"); reply.append(el("p", { text: "Could not reach Guardian: " + error })); return;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    reply.classList.add("error");
    reply.append(el("p", { text: body.detail || ("HTTP " + response.status) }));
    if (response.status === 401 || response.status === 404) $("token-form").hidden = false;
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const buffer = { text: "" };
  let turn = null, finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer.text += decoder.decode(value, { stream: true });
      for (const [event, data] of frames(buffer)) {
        if (event === "accepted") {
          $("who").textContent = "as " + data.user;
          turn = data.correlation_id;
          reply.setAttribute("data-correlation-id", turn);
          awaitResumed(turn);  // until it is answered here, or by the process that comes back
        } else if (event === "progress") progress.append(el("div", { class: "progress", text: data.text }));
        else if (event === "answer") { progress.remove(); reply.append(renderAnswer(data.web, false)); }
        else if (event === "error") { reply.classList.add("error"); reply.append(el("p", { text: data.detail })); }
        if (event === "answer" || event === "error") { finished = true; answeredHere(turn); }
        scrollDown();
      }
    }
  } catch (error) {
    // the connection broke: the server went away mid-answer
  }
  reply.classList.remove("pending");
  if (!finished) interrupted(reply, turn);
}

// ------------------------------------------------------------------ answers a restart interrupted
// When the server dies mid-answer the stream breaks; the process that comes back finishes the
// turn and keeps the answer (GET /api/chat/resumed). When only the stream broke (a reload, a
// dropped connection) the server that stayed up keeps the answer, or that the turn failed, the
// same way, so the page stops waiting as soon as the turn ends. The page asks for it, with backoff while
// the server is down, and shows each answer once (by its key), in the question's own reply when
// it is still on screen. What it waits for and has shown lives in this tab's session storage,
// so a reload keeps waiting and shows nothing twice.

const RESUMED_POLL_MS = 3000, RESUMED_RETRY_MS = 1000, RESUMED_MAX_RETRY_MS = 15000;
const RESUMED_WAIT_MS = 20 * 60 * 1000;  // past the server's resume max age (15 minutes by default)
const RESUMED_SHOWN_KEPT = 200;
const resumedPoll = { timer: null, retry: RESUMED_RETRY_MS, running: false, reached: false };

function resumedState() {
  let state = {};
  try { state = JSON.parse(store.getItem("guardian.resumed") || "{}") || {}; } catch (error) { state = {}; }
  return { cursor: state.cursor || "", shown: state.shown || [], pending: state.pending || {} };
}

function saveResumed(state) {
  state.shown = state.shown.slice(-RESUMED_SHOWN_KEPT);
  store.setItem("guardian.resumed", JSON.stringify(state));
}

function awaitResumed(turn) {
  const state = resumedState();
  state.pending[turn] = Date.now();
  saveResumed(state);
}

function answeredHere(turn) {
  if (!turn) return;
  const state = resumedState();
  delete state.pending[turn];
  state.shown.push(turn);  // a copy the server kept in case this stream had broken is not shown again
  saveResumed(state);
}

function waiting(state) {
  const now = Date.now();
  for (const [turn, since] of Object.entries(state.pending)) {
    if (now - since > RESUMED_WAIT_MS) delete state.pending[turn];
  }
  return Object.keys(state.pending).length > 0;
}

function interrupted(reply, turn) {
  if (!turn) awaitResumed("unknown-" + randomId());  // broke before it was accepted: still look
  reply.classList.add("interrupted");
  reply.append(el("p", { class: "note interrupted-note",
                         text: "The connection to Guardian broke before the answer came (a restart?). " +
                               "The answer will appear here once Guardian is back; no need to ask again." }));
  scrollDown();
  pollResumed(RESUMED_RETRY_MS);
}

function showResumed(item, state) {
  if (state.shown.includes(item.key) || state.shown.includes(item.correlation_id) ||
      document.querySelector('[data-resumed-key="' + CSS.escape(item.key) + '"]')) return;
  state.shown.push(item.key);
  delete state.pending[item.correlation_id];
  const answer = renderAnswer(item.web, false);
  answer.setAttribute("data-resumed-key", item.key);
  const asked = document.querySelector('.msg.bot[data-correlation-id="' + CSS.escape(item.correlation_id) + '"]');
  if (asked && !asked.querySelector(":scope > .answer")) {
    asked.querySelectorAll(".progress-lines, .interrupted-note").forEach((node) => node.remove());
    asked.classList.remove("interrupted", "pending");
    asked.classList.add("resumed");
    asked.append(answer);
  } else {
    $("log").append(el("div", { class: "msg bot resumed", "data-correlation-id": item.correlation_id }, answer));
  }
  scrollDown();
}

function pollResumed(delay) {
  clearTimeout(resumedPoll.timer);
  resumedPoll.timer = setTimeout(checkResumed, delay);
}

async function checkResumed() {
  if (resumedPoll.running) return;
  resumedPoll.running = true;
  let next = null;
  try { next = await askResumed(); } finally { resumedPoll.running = false; }
  if (next !== null) pollResumed(next);
}

// One look; the delay before the next (null: stop). Backs off while the server does not answer.
async function askResumed() {
  const state = resumedState();
  const query = "?thread=" + encodeURIComponent(thread()) + (state.cursor ? "&since=" + encodeURIComponent(state.cursor) : "");
  let response;
  try {
    response = await fetch("/api/chat/resumed" + query, { headers: headers("application/json") });
  } catch (error) {
    response = null;  // the server is not back yet
  }
  if (response && [400, 401, 403, 404].includes(response.status)) return null;  // no token, or the chat is off
  if (!response || !response.ok) {
    resumedPoll.retry = Math.min(resumedPoll.retry * 2, RESUMED_MAX_RETRY_MS);
    return waiting(state) || !resumedPoll.reached ? resumedPoll.retry : null;
  }
  resumedPoll.reached = true;
  resumedPoll.retry = RESUMED_RETRY_MS;
  const body = await response.json();
  const fresh = resumedState();  // an answer may have arrived on its own stream meanwhile
  for (const item of body.answers) showResumed(item, fresh);
  if (body.cursor) fresh.cursor = body.cursor;
  const more = waiting(fresh);
  saveResumed(fresh);
  return more ? RESUMED_POLL_MS : null;
}

// ------------------------------------------------------------------ incident briefs, as they arrive

const INCIDENT_POLL_MS = 3000;
const incidentState = { cursor: "", shown: new Map(), stopped: false };

function showIncident(item) {
  if (incidentState.shown.get(item.incident_id) === item.updated_at) return;  // already showing this version
  incidentState.shown.set(item.incident_id, item.updated_at);
  const box = el("div", { class: "msg incident", "data-incident-id": item.incident_id, "data-status": item.status },
                 el("div", { class: "incident-head", text: "Incident " + item.incident_id + " · " + item.status }),
                 renderAnswer(item.web, false));
  const old = document.querySelector('.incident[data-incident-id="' + CSS.escape(item.incident_id) + '"]');
  if (old) old.replaceWith(box);
  else { $("log").append(box); scrollDown(); }
}

async function pollIncidents() {
  if (incidentState.stopped) return;
  const query = incidentState.cursor ? "?since=" + encodeURIComponent(incidentState.cursor) : "";
  try {
    const response = await fetch("/api/incidents" + query, { headers: headers("application/json") });
    // disabled, refused, or no token yet: asked again only once a token is given
    if ([401, 403, 404].includes(response.status)) { incidentState.stopped = true; return; }
    if (response.ok) {
      const body = await response.json();
      for (const item of body.incidents) showIncident(item);
      if (body.cursor) incidentState.cursor = body.cursor;
    }
  } catch (error) {
    // the server restarting: try again at the next tick
  }
  setTimeout(pollIncidents, INCIDENT_POLL_MS);
}

function start() {
  takeTokenFromAddress();
  pollIncidents();
  if (store.getItem("guardian.thread")) pollResumed(0);  // a conversation this tab remembers: anything finished since?
  $("ask").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("question"), button = $("send");
    const text = input.value.trim();
    if (!text) return;
    input.value = ""; button.disabled = true;
    try { await ask(text); } finally { button.disabled = false; input.focus(); }
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    store.setItem("guardian.token", $("token").value.trim());
    $("token").value = ""; $("token-form").hidden = true;
    if (incidentState.stopped) { incidentState.stopped = false; pollIncidents(); }
    if (store.getItem("guardian.thread")) pollResumed(0);
    $("question").focus();
  });
  $("change-token").addEventListener("click", () => {  // another person at this screen, another token
    $("token-form").hidden = !$("token-form").hidden;
    if (!$("token-form").hidden) $("token").focus();
  });
  $("question").focus();
}

document.addEventListener("DOMContentLoaded", start);

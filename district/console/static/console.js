// The district dispatch live screen: no build step, no framework. Data only ever goes in through
// textContent (never innerHTML), so nothing a station sends can run here.
"use strict";

const $ = (id) => document.getElementById(id);
let board = null;
let me = null;
let clockOffsetMs = 0; // server time minus this browser's time
let hidden = new Map(); // incident id -> unacknowledged count when the dispatcher chose "Show the board"
let shownIncident = null;
let live = null;
let refreshing = false;
let refreshAgain = false;
const audio = new Audio("/alarm.wav");
audio.loop = true;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, options = {}) {
  const init = { credentials: "same-origin", ...options };
  if (options.json !== undefined) {
    init.method = init.method || "POST";
    init.headers = { "Content-Type": "application/json" };
    init.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, init);
  let body = {};
  try { body = await response.json(); } catch (e) { body = {}; }
  // 403: this browser's session is not a dispatcher's (district staff signed in here, in another tab, at
  // /district/: one cookie per browser). Ask for a dispatcher again, with the reason; retrying shows nothing.
  if (response.status === 401 || response.status === 403) {
    // Signed out under a dispatcher who was watching (the session ended, or this browser signed in to the district
    // pages): the form says loudly that alarms no longer reach this screen; it was a quiet form like the morning's.
    showSignIn(!$("app").hidden);
    if (response.status === 403) $("signin-error").textContent = body.error || "";
    throw new Error(body.error || "sign in");
  }
  if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
  return body;
}

// --- sign-in ---------------------------------------------------------------------------------------------
const TITLE = document.title;

function showSignIn(dropped = false) {
  if (live) { live.close(); live = null; }
  stopSound();
  if (dropped) {
    $("signin-dropped").hidden = false;
    document.title = "SIGNED OUT — no alarms shown · " + TITLE;
  }
  $("app").hidden = true;
  $("alarm").hidden = true;
  $("signin").hidden = false;
  ($("username").value ? $("password") : $("username")).focus();  // signed out mid-shift: the name is still there
}

async function signIn(event) {
  event.preventDefault();
  $("signin-error").textContent = "";
  try {
    const response = await fetch("/api/v1/session", {
      method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("username").value, password: $("password").value }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || "could not sign in");
    $("password").value = "";
    await start();
  } catch (e) {
    $("signin-error").textContent = e.message;
  }
}

async function signOut() {
  await fetch("/api/v1/session", { method: "DELETE", credentials: "same-origin" });
  showSignIn();
}

async function start() {
  try {
    me = await api("/api/v1/me");
  } catch (e) {
    $("signin-error").textContent = e.message;  // e.g. district staff: refused the live screen (403)
    return;
  }
  $("signin").hidden = true;
  $("signin-dropped").hidden = true;
  document.title = TITLE;
  $("app").hidden = false;
  $("who").textContent = `Signed in: ${me.username}`;
  $("console-name").textContent = `console ${me.console}`;
  connectLive();
  await refresh();
}

// --- live updates ------------------------------------------------------------------------------------------
function connectLive() {
  if (live) live.close();
  live = new EventSource("/api/v1/live");
  live.addEventListener("change", () => { setLink(true); refresh(); });
  live.onopen = () => setLink(true);
  live.onerror = () => {
    setLink(false);
    // EventSource retries by itself; if the session ended, the next board fetch sends us to sign-in.
    refresh();
  };
}

function setLink(ok) {
  $("link").textContent = ok ? "live" : "RECONNECTING";
  $("link").className = "link " + (ok ? "ok" : "down");
}

async function refresh() {
  if (refreshing) { refreshAgain = true; return; }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      board = await api("/api/v1/board");
      clockOffsetMs = Date.parse(board.server_time) - Date.now();
      render();
      renderHistory((await api("/api/v1/history?limit=60")).entries);
    } while (refreshAgain);
  } catch (e) {
    setLink(false);
  } finally {
    refreshing = false;
  }
}

// --- rendering ---------------------------------------------------------------------------------------------
const nowMs = () => Date.now() + clockOffsetMs;
const timeText = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "");
// "1 visitor", "3 visitors": a count in words, never "visitor(s)".
const count = (n, one, many) => `${n} ${n === 1 ? one : many}`;
// A roster's check-in time: the time for today; the day too when it was earlier (a visit nobody checked out
// stays on the desk's roster: the dispatcher must see that it is not from today).
function sinceText(iso) {
  if (!iso) return "";
  const at = new Date(iso);
  const today = new Date(nowMs()).toDateString() === at.toDateString();
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return today ? time : `${at.toLocaleDateString([], { weekday: "short", month: "short", day: "numeric" })} ${time}`;
}
const beforeToday = (iso) => Boolean(iso) && new Date(iso).toDateString() !== new Date(nowMs()).toDateString();
const label = (action) => (action || "").replace("_", " ");

function kindTag(status) {
  if (status === "Exercise") return el("span", { class: "tag drill" }, "DRILL");
  if (status === "Test") return el("span", { class: "tag test" }, "TEST");
  return null;
}

function unacked(incident) {
  return incident.messages.filter((m) => !m.acked_by);
}

function render() {
  const incidents = board.incidents;
  const open = incidents.filter((i) => !i.cleared_at);
  $("open-count").textContent = `${open.length} open`;
  const list = $("incidents");
  list.replaceChildren();
  for (const incident of incidents) {
    const first = incident.messages[0] || {};
    const waiting = unacked(incident).length;
    const card = el("article", {
      class: `incident ${incident.cleared_at ? "" : "open"} ${waiting ? "unacked" : ""}`,
      "data-incident": incident.id,
    });
    card.style.borderLeftColor = `var(--${incident.action}, var(--NORMAL))`;
    card.append(el("div", { class: "head" },
      el("span", { class: "action" }, label(incident.action)),
      kindTag(incident.status),
      incident.cleared_at ? el("span", { class: "tag cleared" }, `ALL CLEAR ${timeText(incident.cleared_at)}`) : null,
      el("span", {}, first.place || incident.school),
      el("span", { class: "muted" }, `${count(incident.messages.length, "message", "messages")}, opened ${timeText(incident.opened_at)}`),
      waiting ? el("button", { class: "small", "data-ack": incident.id }, `Acknowledge (${waiting})`) : null,
    ));
    for (const m of incident.messages) {
      const who = m.staff ? ` by ${m.staff}` : "";
      const ack = m.acked_by ? ` — acknowledged by ${m.acked_by} at ${timeText(m.acked_at)}` : " — NOT ACKNOWLEDGED";
      card.append(el("div", { class: `msg ${m.acked_by ? "" : "unacked"}` },
        `${timeText(m.received_at)} ${m.msg_type === "Cancel" ? "ALL CLEAR requested" : m.msg_type} ` +
        `${label(m.action)} from ${m.station || m.station_id}${who}${m.note ? ": " + m.note : ""}${ack}`,
        m.location_mismatch && Object.keys(m.location_mismatch).length
          ? el("span", { class: "tag mismatch" }, "LOCATION CLAIM DIFFERS FROM ENROLMENT") : null));
    }
    list.append(card);
  }
  if (!incidents.length) list.append(el("p", { class: "muted" }, "No alerts in the last 24 hours."));
  for (const button of list.querySelectorAll("button[data-ack]")) {
    button.addEventListener("click", () => acknowledge(Number(button.dataset.ack)));
  }
  renderStations();
  renderStates();
  renderAlarm();
}

function renderStations() {
  const ul = $("stations");
  ul.replaceChildren();
  let offline = 0;
  for (const s of board.stations) {
    if (!s.online) offline += 1;
    ul.append(el("li", { class: s.online ? "" : "offline", "data-station": s.station_id },
      el("span", { class: `dot ${s.online ? "on" : "off"}` }),
      el("span", {}, `${s.school} — ${s.name}${s.room ? ", " + s.room : ""}`,
        el("br"), el("span", { class: "muted" },
          s.online ? `online, ${s.onsite} on site` : `OFFLINE${s.last_seen ? " since " + timeText(s.last_seen) : " (never seen)"}`))));
  }
  $("station-count").textContent = `${board.stations.length - offline} online, ${offline} offline`;
  const schools = [...new Set(board.stations.map((s) => s.school))].sort();
  const box = $("state-schools");
  const checked = new Set([...box.querySelectorAll("input:checked")].map((i) => i.value));
  box.replaceChildren(el("legend", {}, "Schools"));
  for (const school of schools) {
    const input = el("input", { type: "checkbox", value: school });
    input.checked = checked.has(school);
    box.append(el("label", { class: "inline" }, input, school));
  }
}

function renderStates() {
  const ul = $("states");
  ul.replaceChildren();
  for (const s of board.states) {
    ul.append(el("li", {}, el("strong", {}, `${s.school}: ${s.state}`), s.exercise ? " (drill)" : "",
      el("span", { class: "muted" }, ` by ${s.set_by} at ${timeText(s.set_at)}${s.note ? " — " + s.note : ""}`)));
  }
}

// The history in a dispatcher's words. The log's kinds and fields (state_pushed, exercise=false …) are the
// trail's: each line keeps them in its tooltip and data-kind; a kind not known here is said as its words.
const stationText = (id) => {
  const s = board && board.stations.find((x) => x.station_id === id);
  return s ? `${s.school} — ${s.name}` : id ? `station ${id}` : "a station";
};
const messageWord = (d) => (d.msg_type === "Cancel" ? "ALL CLEAR" : d.msg_type === "Update" ? "update" : "alert");
const statusWord = (status) => ({ Exercise: " (drill)", Test: " (daily test)" })[status] || "";
const claimed = (d) => Object.entries(d).map(([k, v]) => `${k.replace(/_/g, " ")} ${v}`).join(", ");
const HISTORY_WORDS = {
  station_enrolled: (e, d) => `Desk enrolled: ${d.school} — ${d.station}${d.room ? ", " + d.room : ""}`,
  station_revoked: (e) => `Desk's credential revoked: ${stationText(e.station_id)}`,
  station_online: (e) => `${stationText(e.station_id)} online`,
  station_offline: (e) => `${stationText(e.station_id)} OFFLINE (no heartbeat)`,
  cross_origin_refused: (e, d) =>
    `Refused ${count(d.count, "request", "requests")} sent by a page at ${d.origin}, not this console's own ` +
    `(${Object.keys(d.paths || {}).join(", ")})`,
  dispatcher_added: (e) => `Dispatcher added: ${e.actor}`,
  dispatcher_removed: (e, d) => `Sign-in removed: ${e.actor}${d.sessions_ended ? " (signed out)" : ""}`,
  password_changed: (e, d) => `New password for ${e.actor}${d.sessions_ended ? " (signed out)" : ""}`,
  signed_in: (e, d) => `${e.actor} signed in${d.source ? " from " + d.source : ""}`,
  signed_out: (e) => `${e.actor} signed out`,
  sign_in_failed: (e, d) =>
    `Failed sign-in${d.count > 1 ? "s (" + d.count + ")" : ""}${e.actor ? " as " + e.actor : ""}` +
    `${d.source ? " from " + d.source : ""}${d.throttled ? " — slowed down" : ""}`,
  incident_opened: (e, d) => `Incident ${d.incident} opened by ${stationText(e.station_id)}`,
  incident_cleared: (e, d) => `Incident ${d.incident} closed${e.actor ? " by " + e.actor : ""}`,
  alert_received: (e, d) =>
    `${label(d.action)} ${messageWord(d)}${statusWord(d.status)} received from ${stationText(e.station_id)}`,
  alert_acknowledged: (e) => `${e.actor} acknowledged an alert from ${stationText(e.station_id)}`,
  alert_escalated: (e, d) =>
    `ESCALATED: an alert from ${stationText(e.station_id)} not acknowledged after ${d.after_s} s`,
  alert_rejected: (e, d) => `Refused a message from ${stationText(e.station_id)}: ${d.reason}`,
  location_mismatch: (e, d) =>
    `${stationText(e.station_id)} claimed another location (${claimed(d)}): the enrolled one is shown`,
  alert_forwarded: (e, d) => `Alert forwarded to ${d.url}`,
  forward_failed: (e, d) => `Forwarding to ${d.url} failed (retrying): ${d.error}`,
  state_pushed: (e, d) =>
    `${e.actor} set ${d.school} to ${d.state}${d.exercise ? " (drill)" : ""}${d.note ? ": " + d.note : ""}`,
  clearer_added: (e, d) => `All-clear code made for ${e.actor} (${d.role}${d.school ? ", " + d.school : ""})`,
  clearer_revoked: () => "An all-clear code was revoked",
};

function historyText(e) {
  const d = e.detail || {};
  const words = HISTORY_WORDS[e.kind];
  if (words) return words(e, d);
  const said = (e.kind || "").replace(/_/g, " ");
  return `${said.charAt(0).toUpperCase()}${said.slice(1)}${e.actor ? ": " + e.actor : ""}`;
}

function renderHistory(entries) {
  const ol = $("history");
  ol.replaceChildren();
  for (const e of entries) {
    const detail = Object.entries(e.detail || {}).map(([k, v]) => `${k}=${v}`).join(" ");
    ol.append(el("li", { "data-kind": e.kind, title: `${e.kind}${e.actor ? " " + e.actor : ""} ${detail}` },
      `${timeText(e.at)} ${historyText(e)}`));
  }
}

// The alarm shows the most urgent incident waiting for an Ack: real before drills, oldest first. Daily
// tests (every school, every day) never take the screen or sound: they wait in the list with a TEST tag.
function alarmCandidates() {
  const rank = { Actual: 0, Exercise: 1 };
  return board.incidents
    .filter((i) => i.status !== "Test" && unacked(i).length)
    .sort((a, b) => (rank[a.status] - rank[b.status]) ||
      (Date.parse(unacked(a)[0].received_at) - Date.parse(unacked(b)[0].received_at)));
}

function renderAlarm() {
  const waiting = alarmCandidates();
  const visible = waiting.filter((i) => hidden.get(i.id) !== unacked(i).length);
  if (waiting.length) playSound(); else stopSound();
  const banner = $("banner");
  banner.hidden = !(waiting.length && !visible.length);
  banner.textContent = `${count(waiting.length, "alert", "alerts")} NOT ACKNOWLEDGED — click to show`;
  if (!visible.length) { $("alarm").hidden = true; shownIncident = null; return; }
  const incident = visible[0];
  shownIncident = incident;
  const messages = incident.messages;
  const latest = messages[messages.length - 1];
  const first = messages[0];
  const alarm = $("alarm");
  alarm.hidden = false;
  alarm.style.backgroundColor = `var(--${incident.action}, var(--LOCKDOWN))`;
  alarm.classList.toggle("drill", incident.status === "Exercise");
  alarm.classList.toggle("test", incident.status === "Test");
  alarm.dataset.incident = incident.id;
  $("alarm-kind").textContent = incident.status === "Exercise" ? "DRILL — EXERCISE, NOT REAL"
    : incident.status === "Test" ? "TEST — DISREGARD" : "REAL ALERT";
  const cancel = messages.find((m) => m.msg_type === "Cancel" && !m.acked_by);
  $("alarm-action").textContent = cancel ? `ALL CLEAR — ${label(incident.action)}` : label(incident.action);
  $("alarm-directive").textContent = cancel ? "The school asks to end the response. Acknowledge to confirm." : latest.directive;
  $("alarm-place").textContent = latest.place;
  const facts = $("alarm-facts");
  facts.replaceChildren();
  const fact = (name, value) => { if (value) facts.append(el("dt", {}, name), el("dd", {}, value)); };
  fact("School", latest.school);
  fact("Address", latest.address);
  fact("Building", latest.building);
  fact("Floor", latest.floor);
  fact("Room", latest.room);
  fact("Station", latest.station);
  fact("Pressed by", latest.staff);
  fact("Phone", latest.phone);
  fact("Location", latest.location);
  fact("Hazard", latest.hazard);
  fact("Note", latest.note);
  fact("Received", `${timeText(first.received_at)} (console ${first.received_by})`);
  // The place above is the one enrolled for this station; a message that claimed another is flagged.
  const claimed = messages.filter((m) => m.location_mismatch && Object.keys(m.location_mismatch).length);
  for (const m of claimed) {
    const said = Object.entries(m.location_mismatch).map(([k, v]) => `${k}: ${v}`).join("; ");
    facts.append(el("dt", { class: "mismatch" }, "CLAIMED OTHER LOCATION"),
      el("dd", { class: "mismatch" }, `${said} — not used; the enrolled location is shown`));
  }
  const roster = messages.slice().reverse().find((m) => m.roster && m.roster.length) || { roster: [] };
  const old = roster.roster.filter((r) => beforeToday(r.time_in)).length;
  $("alarm-roster-title").textContent = `On site (${count(roster.roster.length, "visitor", "visitors")}`
    + (old ? `; ${old} checked in before today and may have left)` : ")");
  const body = $("alarm-roster");
  body.replaceChildren();
  for (const r of roster.roster) {
    body.append(el("tr", {}, el("td", {}, r.name), el("td", {}, r.category), el("td", {}, r.destination),
      el("td", beforeToday(r.time_in) ? { class: "stale" } : {}, sinceText(r.time_in))));
  }
  const presses = $("alarm-presses");
  presses.replaceChildren();
  if (messages.length > 1) {
    for (const m of messages) {
      presses.append(el("li", {}, `${timeText(m.received_at)} ${m.msg_type} ${label(m.action)} from ${m.station}` +
        (m.staff ? ` (${m.staff})` : "") + (m.acked_by ? ` — acknowledged by ${m.acked_by}` : "")));
    }
  }
  $("alarm-more").textContent = visible.length > 1 ? `+ ${count(visible.length - 1, "more alert", "more alerts")} waiting` : "";
  tick();
}

function tick() {
  $("clock").textContent = new Date(nowMs()).toLocaleTimeString();
  if (!shownIncident) return;
  const waiting = unacked(shownIncident);
  if (!waiting.length) return;
  const seconds = Math.max(0, Math.floor((nowMs() - Date.parse(waiting[0].received_at)) / 1000));
  $("alarm-elapsed").textContent = `waiting ${seconds} s`;
  const escalated = seconds >= (board.escalate_after ?? 30) || waiting.some((m) => m.escalated_at);
  $("alarm").classList.toggle("escalated", escalated);
  $("alarm-escalated").hidden = !escalated;
  $("alarm-escalated").textContent = `ESCALATED — NOT ACKNOWLEDGED FOR ${seconds} s`;
}

async function acknowledge(incidentId) {
  try {
    await api(`/api/v1/incidents/${incidentId}/ack`, { json: {} });
  } catch (e) {
    alert(`Acknowledgement failed: ${e.message}`);
  }
  await refresh();
}

function playSound() {
  if (!audio.paused) return;
  audio.play().then(() => { $("sound-button").hidden = true; }).catch(() => { $("sound-button").hidden = false; });
}

function stopSound() {
  audio.pause();
  audio.currentTime = 0;
}

async function pushState(event) {
  event.preventDefault();
  const schools = [...$("state-schools").querySelectorAll("input:checked")].map((i) => i.value);
  try {
    const result = await api("/api/v1/states", { json: {
      schools, state: $("state-choice").value, note: $("state-note").value, exercise: $("state-exercise").checked,
    } });
    $("state-result").textContent = `Sent to ${count(result.stations, "station", "stations")}.`;
  } catch (e) {
    $("state-result").textContent = e.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("ack-button").addEventListener("click", () => shownIncident && acknowledge(shownIncident.id));
  $("hide-button").addEventListener("click", () => {
    if (shownIncident) hidden.set(shownIncident.id, unacked(shownIncident).length);
    renderAlarm();
  });
  $("banner").addEventListener("click", () => { hidden = new Map(); renderAlarm(); });
  $("sound-button").addEventListener("click", () => { stopSound(); playSound(); });
  $("state-form").addEventListener("submit", pushState);
  setInterval(tick, 1000);
  setInterval(() => { if (me && !$("app").hidden) refresh(); }, 10000);
  fetch("/api/v1/me", { credentials: "same-origin" }).then((r) => (r.ok ? start() : showSignIn()));
});

// The district views: schools and desks, on site, visits, list management, list changes.
// Every value from the server is put in with textContent (never as HTML).
"use strict";

const $ = (id) => document.getElementById(id);

async function api(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  let body = {};
  try { body = await response.json(); } catch (e) { body = {}; }
  if (!response.ok) {
    const error = new Error(body.error || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (className) td.className = className;
  row.appendChild(td);
  return td;
}

function fill(tbody, items, render) {
  tbody.replaceChildren();
  for (const item of items) {
    const tr = document.createElement("tr");
    render(tr, item);
    tbody.appendChild(tr);
  }
  if (!items.length) {
    const tr = document.createElement("tr");
    const td = cell(tr, "Nothing to show.", "muted");
    td.colSpan = 8;
    tbody.appendChild(tr);
  }
}

function local(iso, withDay) {
  if (!iso) return "";
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return withDay ? `${d.toLocaleDateString()} ${time}` : time;
}

// A form's result line: what happened, or (problem) why nothing did, in the colour of a problem.
function say(id, text, problem = false) {
  $(id).textContent = text;
  $(id).classList.toggle("problem", problem);
}

function showError(error) {
  if (error && error.status === 401) { showSignIn(); return; }
  $("error").textContent = error ? error.message : "";
}

// A table shows the answer to the last request made for it. An earlier answer that arrives later (the
// tab's first load overtaking a search, a school clicked after another) is dropped, never drawn over it.
const asked = {};
function ask(table) {
  const mine = (asked[table] = (asked[table] || 0) + 1);
  return () => asked[table] === mine;
}

// --- tabs --------------------------------------------------------------------------------------------
const loaders = {};
function showTab(name) {
  for (const button of document.querySelectorAll(".tab")) button.classList.toggle("active", button.dataset.tab === name);
  for (const body of document.querySelectorAll(".tab-body")) body.hidden = body.id !== `tab-${name}`;
  $("error").textContent = "";
  if (loaders[name]) loaders[name]().catch(showError);
}

// --- schools, desks, on site --------------------------------------------------------------------------
loaders.schools = async () => {
  const { schools } = await api("/api/v1/district/schools");
  const rows = [];
  for (const school of schools) for (const desk of school.desks) rows.push({ school, desk });
  // Desks on a release that does not take the school's shared bars (a hub from before says nothing of it).
  const older = $("schools-older");
  older.replaceChildren();
  for (const school of schools) {
    for (const words of school.older || []) {
      const li = document.createElement("li");
      li.textContent = `${school.school}: ${words}`;
      older.appendChild(li);
    }
  }
  older.hidden = !older.children.length;
  fill($("schools"), rows, (tr, { school, desk }) => {
    tr.className = "pick";
    cell(tr, school.school);
    cell(tr, school.onsite);
    cell(tr, desk.station);
    cell(tr, desk.online ? "online" : "OFFLINE", desk.online ? "online" : "offline");
    cell(tr, local(desk.last_push_at, true));
    cell(tr, local(desk.last_pull_at, true));
    if (desk.older) cell(tr, "OLDER: does not get the school's shared bars; update it, or revoke it if the PC is gone", "offline");
    else cell(tr, desk.takes === null || desk.takes === undefined ? "not synced since the hub's upgrade" : "up to date");
    tr.addEventListener("click", () => loadOnsite(school.school).catch(showError));
  });
  if (schools.length) await loadOnsite(schools[0].school);
};

async function loadOnsite(school) {
  const latest = ask("onsite");
  const { visits } = await api(`/api/v1/district/onsite?school=${encodeURIComponent(school)}`);
  if (!latest()) return;
  $("onsite-title").textContent = `On site now at ${school} (${visits.length})`;
  fill($("onsite"), visits, (tr, v) => {
    for (const text of [local(v.checked_in_at), v.name, v.category, v.purpose, v.host, v.badge_code, v.station]) cell(tr, text);
  });
}

// --- visits -------------------------------------------------------------------------------------------
loaders.visits = async () => {
  // The day in the zone the page shows times in (the browser's), not the hub machine's (servers run on UTC).
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  const params = new URLSearchParams({ q: $("visit-q").value, date: $("visit-date").value, school: $("visit-school").value, tz });
  const latest = ask("visits");
  const { visits } = await api(`/api/v1/district/visits?${params}`);
  if (!latest()) return;
  fill($("visits"), visits, (tr, v) => {
    for (const text of [v.school, local(v.checked_in_at, true), local(v.checked_out_at), v.name, v.purpose, v.host, v.station]) cell(tr, text);
  });
};

// --- lists --------------------------------------------------------------------------------------------
loaders.lists = async () => {
  const index = await api("/api/v1/district/lists");
  const ahead = $("lists-ahead");
  ahead.hidden = !index.desks_ahead;
  ahead.textContent = index.desks_ahead
    ? `Desks hold newer lists (version ${index.desks_ahead}) than this hub (version ${index.version}): this hub `
      + "was restored from an older copy, and every desk keeps its newer lists until you act. Enter again what "
      + "changed in the lists since the backup, then run \"frontdesk district barred recover\" once on the hub."
    : "";
  fill($("lists"), index.lists, (tr, x) => {
    for (const text of [x.source, x.kind, x.entries.toLocaleString(), local(x.updated_at, true)]) cell(tr, text);
  });
  await loadEntries();
};

async function loadEntries() {
  const latest = ask("entries");
  const { entries } = await api(`/api/v1/district/lists/entries?q=${encodeURIComponent($("entry-q").value)}`);
  if (!latest()) return;
  const today = new Date().toISOString().slice(0, 10);
  fill($("entries"), entries, (tr, e) => {
    const ended = e.valid_until && e.valid_until < today;
    const name = [e.first_name, e.middle_name, e.last_name].filter(Boolean).join(" ");
    for (const text of [e.id, e.source, e.kind]) cell(tr, text);
    cell(tr, name, ended ? "expired" : "");
    cell(tr, e.dob || "");
    cell(tr, e.valid_until || "");
    const td = cell(tr, "");
    if (!ended) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "small";
      button.textContent = "Expire";
      button.addEventListener("click", async () => {
        // One click ended a bar at every desk: ask first, naming the person (Cancel, the safe answer, by Esc).
        const born = e.dob ? `, born ${e.dob}` : "";
        const sure = window.confirm(
          `End the entry for ${name} (${e.kind}${born}) on ${e.source} from today?\n\n` +
          "Every desk of the district takes it at its next sync: from then on this person is no longer flagged " +
          "at check-in, at the kiosk or when a student is released to them.");
        if (!sure) {
          say("entries-result", `Nothing changed: ${name} stays on ${e.source}.`);
          return;
        }
        try {
          await api(`/api/v1/district/lists/entries/${e.id}/expire`, {
            method: "POST", headers: { "Content-Type": "application/json" }, body: "{}",
          });
          say("entries-result", `${name} is no longer flagged from today (${e.source}); desks take it at their next sync.`);
          await loaders.lists();
        } catch (error) { showError(error); }
      });
      td.appendChild(button);
    }
  });
}

async function addEntry(event) {
  event.preventDefault();
  const body = {
    source: $("add-source").value, first_name: $("add-first").value, last_name: $("add-last").value,
    dob: $("add-dob").value, kind: $("add-kind").value, reason: $("add-reason").value,
    sex: $("add-sex").value, id_state: $("add-id-state").value, id_last4: $("add-id-last4").value,
  };
  try {
    const added = await api("/api/v1/district/lists/entries", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    say("add-result", `Added #${added.id} to ${added.source}; desks take it on their next sync.`);
    for (const id of ["add-first", "add-last", "add-dob", "add-reason", "add-sex", "add-id-state", "add-id-last4"]) {
      $(id).value = "";
    }
    await loaders.lists();
  } catch (error) {
    say("add-result", error.message, true);
  }
}

async function importFile(event) {
  event.preventDefault();
  const file = $("import-file").files[0];
  if (!file) return;
  const params = new URLSearchParams({ source: $("import-source").value, kind: $("import-kind").value });
  if ($("import-replace").checked) params.set("replace", "1");
  if ($("import-allow-shrink").checked) params.set("allow_shrink", "1");
  params.set("name", file.name);
  const progress = $("import-progress");
  progress.hidden = false;
  progress.value = 0;
  say("import-result", "Sending the file…");
  try {
    let job = await api(`/api/v1/district/lists/import?${params}`, {
      method: "POST", headers: { "Content-Type": "text/csv" }, body: file,
    });
    while (job.state === "running") {
      progress.value = job.fraction;
      say("import-result", `${job.rows.toLocaleString()} rows read…`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      job = await api(`/api/v1/district/lists/imports/${job.id}`);
    }
    progress.value = 1;
    say("import-result", job.state === "done"
      ? `Imported ${job.added.toLocaleString()} entries into ${job.source}` + (job.replaced ? `, replacing ${job.replaced.toLocaleString()}.` : ".")
        + (job.kept ? ` Kept ${job.kept.toLocaleString()} added to the list while it ran: check whether they still apply.` : "")
      : job.code === "shrink_replace"
        ? `Nothing was imported: this file would remove more than half of the entries of ${job.source} at once. `
          + "If it was cut short (a download or an export that stopped part way), everyone after the cut would "
          + 'screen clear at every desk. If the list is meant to be this much shorter, tick "Much shorter on '
          + 'purpose" and import again.'
        : `Nothing was imported: ${job.error}`, job.state !== "done");
    await loaders.lists();
  } catch (error) {
    say("import-result", error.message, true);
  }
}

// --- the trail ----------------------------------------------------------------------------------------
loaders.trail = async () => {
  const { trail } = await api("/api/v1/district/lists/trail");
  fill($("trail"), trail, (tr, t) => {
    const detail = Object.entries(t.detail).map(([k, v]) => `${k}: ${v}`).join(", ");
    for (const text of [local(t.at, true), t.actor, t.action, t.source, t.entry_id ?? "", detail]) cell(tr, text);
  });
};

// --- district settings ------------------------------------------------------------------------------
let role = "";

loaders.settings = async () => {
  const { settings } = await api("/api/v1/district/settings");
  showSettings(settings);
};

function showSettings(settings) {
  const admin = role === "administrator";
  $("setting-form").hidden = !admin;
  $("settings-readonly").hidden = admin;
  fill($("settings"), settings, (tr, x) => {
    cell(tr, x.key);
    cell(tr, typeof x.value === "string" ? x.value : JSON.stringify(x.value));
    cell(tr, x.school || "every school");
    cell(tr, x.locked ? "locked" : "");
    cell(tr, x.set_by);
    cell(tr, local(x.set_at, true));
    const td = cell(tr, "");
    if (admin) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "small";
      button.textContent = "Unset";
      button.addEventListener("click", async () => {
        // One click changed every desk (a district default) or a school's: ask first (Cancel, the safe answer, by Esc).
        const where = x.school ? `for ${x.school}` : "the district default, for every school";
        const then = x.school ? "the district default applies there again" : "each desk's own value or the built-in default applies again";
        const sure = window.confirm(
          `Remove ${x.key} = ${typeof x.value === "string" ? x.value : JSON.stringify(x.value)} (${where})?\n\n` +
          `Desks take it at their next sync: ${then}.`);
        if (!sure) {
          say("setting-result", `Nothing changed: ${x.key} stays ${x.school ? `for ${x.school}` : "the district default"}.`);
          return;
        }
        try {
          const answer = await api("/api/v1/district/settings/unset", {
            method: "POST", headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ key: x.key, school: x.school }),
          });
          say("setting-result", `${x.key} removed${x.school ? ` for ${x.school}` : " (district default)"}.`);
          showSettings(answer.settings);
        } catch (error) { showError(error); }
      });
      td.appendChild(button);
    }
  });
}

async function setSetting(event) {
  event.preventDefault();
  const body = {
    key: $("setting-key").value, value: $("setting-value").value, school: $("setting-school").value,
    locked: $("setting-lock").checked,
  };
  try {
    const answer = await api("/api/v1/district/settings", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const where = body.school ? `for ${body.school}` : `for every school${body.locked ? " (locked)" : ""}`;
    say("setting-result", `${body.key} = ${body.value} ${where}; desks take it on their next sync.`);
    $("setting-key").value = $("setting-value").value = $("setting-school").value = "";
    $("setting-lock").checked = false;
    showSettings(answer.settings);
  } catch (error) {
    say("setting-result", error.message, true);
  }
}

// --- sign-in ------------------------------------------------------------------------------------------
function showSignIn() {
  $("app").hidden = true;
  $("signin").hidden = false;
}

async function start() {
  try {
    const me = await api("/api/v1/district/me");
    role = me.role;
    $("who").textContent = `${me.username} (${me.role === "administrator" ? "district administrator" : "security"})`;
    $("signin").hidden = true;
    $("app").hidden = false;
    showTab("schools");
  } catch (error) {
    showSignIn();
    if (error.status === 403) $("signin-error").textContent = error.message;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("signin-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("signin-error").textContent = "";
    try {
      await api("/api/v1/session", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ username: $("username").value, password: $("password").value }),
      });
      await start();
    } catch (error) {
      $("signin-error").textContent = error.message;
    }
  });
  $("signout").addEventListener("click", async () => {
    await api("/api/v1/session", { method: "DELETE" }).catch(() => {});
    showSignIn();
  });
  for (const button of document.querySelectorAll(".tab")) button.addEventListener("click", () => showTab(button.dataset.tab));
  $("visit-search").addEventListener("submit", (e) => { e.preventDefault(); loaders.visits().catch(showError); });
  $("entry-search").addEventListener("submit", (e) => { e.preventDefault(); loadEntries().catch(showError); });
  $("add-form").addEventListener("submit", addEntry);
  $("import-form").addEventListener("submit", importFile);
  $("setting-form").addEventListener("submit", setSetting);
  start();
});

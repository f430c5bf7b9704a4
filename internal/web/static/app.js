// Xinfang staff pages: small progressive enhancements. Every page works
// without this file; the CSP allows only scripts served from /static/.
(function () {
  "use strict";

  // Print buttons (no inline onclick under the CSP).
  document.addEventListener("click", function (ev) {
    var t = ev.target;
    if (t && t.closest && t.closest("[data-print]")) {
      ev.preventDefault();
      window.print();
    }
  });

  // Repeat check at registration: while the registrar types the ID number,
  // phone or credit code, earlier items of the same person are listed, and
  // one can be chosen as the item this one repeats.
  var box = document.getElementById("matches");
  var repeatInput = document.getElementById("repeat_of");
  if (!box || !repeatInput) {
    return;
  }
  var states = {};
  try {
    states = JSON.parse(box.getAttribute("data-states") || "{}");
  } catch (e) {
    states = {};
  }
  var inputs = document.querySelectorAll("[data-match], #petitioner-name, #locality_id, #category, #summary, #content");
  var timer = null;
  var lastQuery = "";
  var seq = 0;

  function value(kind) {
    var el = document.querySelector('[data-match="' + kind + '"]');
    return el ? el.value.replace(/\s+/g, "").toUpperCase() : "";
  }

  function field(id) {
    var e = document.getElementById(id);
    return e ? e.value.trim() : "";
  }

  // query is the draft as the repeat check reads it, or "" while there is
  // nothing to compare: no complete identifier and no summary with its
  // place and category.
  function query() {
    var id = value("id_number");
    var phone = value("phone");
    var org = value("org_code");
    // Only complete identifiers: a half-typed number matches nobody.
    var person = { name: field("petitioner-name") };
    var any = false;
    if (id.length === 18) { person.id_number = id; any = true; }
    if (/^\d{7,}$/.test(phone.replace(/-/g, ""))) { person.phone = phone; any = true; }
    if (org.length === 18) { person.org_code = org; any = true; }
    var draft = {
      petitioner: person,
      locality_id: parseInt(field("locality_id"), 10) || 0,
      category: field("category"),
      summary: field("summary"),
      content: field("content")
    };
    if (!any && !(draft.summary.length >= 4 && draft.locality_id && draft.category)) { return ""; }
    return JSON.stringify(draft);
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function dateOf(s) {
    return typeof s === "string" ? s.slice(0, 10) : "";
  }

  function choose(number, row) {
    repeatInput.value = number;
    var note = document.getElementById("repeat-note");
    if (note) { note.textContent = "已设为 " + number + " 的重复件"; }
    var rows = box.querySelectorAll("tr.chosen");
    for (var i = 0; i < rows.length; i++) { rows[i].classList.remove("chosen"); }
    if (row) { row.classList.add("chosen"); }
  }

  function show(list) {
    box.textContent = "";
    if (!list.length) {
      box.hidden = true;
      return;
    }
    box.appendChild(el("h3", "可能的重复信访（共 " + list.length + " 件，按相似程度排列）"));
    var table = el("table", null, "grid-table");
    var head = el("tr");
    ["信访件编号", "收到日期", "概况", "状态", "匹配原因", ""].forEach(function (h) { head.appendChild(el("th", h)); });
    var thead = el("thead");
    thead.appendChild(head);
    table.appendChild(thead);
    var tbody = el("tbody");
    list.forEach(function (m) {
      var p = m.petition || {};
      var tr = el("tr");
      tr.setAttribute("data-number", p.number || "");
      var a = el("a", p.number);
      a.href = "/petitions/" + encodeURIComponent(p.id);
      a.target = "_blank";
      a.rel = "noopener";
      var td = el("td", null, "num");
      td.appendChild(a);
      tr.appendChild(td);
      tr.appendChild(el("td", dateOf(p.received_at), "nowrap"));
      tr.appendChild(el("td", p.summary, "summary"));
      tr.appendChild(el("td", states[p.state] || p.state, "nowrap"));
      tr.appendChild(el("td", m.reason || (m.reasons || []).join("；")));
      var btn = el("button", "作为其重复件", "repeat-choose");
      btn.type = "button";
      btn.addEventListener("click", function () { choose(p.number, tr); });
      var tdb = el("td");
      tdb.appendChild(btn);
      tr.appendChild(tdb);
      if (repeatInput.value && repeatInput.value === p.number) { tr.classList.add("chosen"); }
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    box.appendChild(table);
    box.hidden = false;
  }

  function check() {
    var q = query();
    if (q === lastQuery) { return; }
    lastQuery = q;
    if (!q) {
      show([]);
      return;
    }
    var mine = ++seq;
    var csrf = document.querySelector('input[name="csrf_token"]');
    fetch("/api/v1/repeats/check", {
      method: "POST", credentials: "same-origin", body: q,
      headers: { "Accept": "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" }
    })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (data) {
        if (mine !== seq) { return; } // a newer query is on its way
        var list = Array.isArray(data) ? data : (data && (data.matches || data.items || data.data)) || [];
        show(list);
      })
      .catch(function () { /* the check is an aid; registration works without it */ });
  }

  for (var i = 0; i < inputs.length; i++) {
    ["input", "change"].forEach(function (evName) {
      inputs[i].addEventListener(evName, function () {
        clearTimeout(timer);
        timer = setTimeout(check, 400);
      });
    });
  }
  check();
})();

// Unit pickers, the first error, and the registration form's draft.
(function () {
  "use strict";

  // Unit pickers (the unit tree, over a hundred entries): a box above each
  // narrows the options to the units whose name holds what is typed, the
  // tree's order kept, and selects the first that does.
  Array.prototype.forEach.call(document.querySelectorAll("option[data-units]"), function (blank) {
    var sel = blank.parentNode;
    if (!sel || sel.options.length < 8) {
      return;
    }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.placeholder = "输入名称筛选单位";
    box.setAttribute("aria-label", "筛选单位");
    if (sel.id) {
      box.id = sel.id + "-filter";
    }
    sel.parentNode.insertBefore(box, sel);
    box.addEventListener("input", function () {
      var q = box.value.replace(/\s+/g, "");
      var first = null;
      Array.prototype.forEach.call(sel.options, function (o) {
        var hit = q === "" || o.value === "" || o.text.replace(/\s+/g, "").indexOf(q) >= 0;
        o.hidden = !hit;
        if (hit && o.value !== "" && !first) {
          first = o;
        }
      });
      var cur = sel.options[sel.selectedIndex];
      if (q !== "" && first && (!cur || cur.value === "" || cur.hidden)) {
        sel.value = first.value;
        sel.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  // A form sent back with errors: to the first field in error.
  var bad = document.querySelector("form .f.bad, .field-error, [aria-invalid=true]");
  if (bad) {
    var input = bad.matches("input, select, textarea") ? bad : bad.querySelector("input, select, textarea");
    bad.scrollIntoView({ block: "center" });
    if (input) {
      input.focus({ preventScroll: true });
    }
  }

  // The registration form's draft, kept in this tab's sessionStorage as it
  // is typed, for the user typing it: when the session ends before it is
  // sent, the form comes back filled after the next login (files cannot
  // be kept and must be chosen again). It goes when the item is
  // registered or the user logs out; another user never sees it.
  var user = document.body.getAttribute("data-user") || "";
  var store = null;
  try {
    store = window.sessionStorage;
  } catch (e) {
    store = null;
  }
  if (!store) {
    return;
  }
  var done = document.querySelector("[data-draft-done]");
  if (done) {
    store.removeItem("xinfang-draft:" + done.getAttribute("data-draft-done"));
  }
  document.addEventListener("submit", function (ev) {
    if (ev.target && ev.target.getAttribute("action") === "/logout") {
      Object.keys(store).forEach(function (k) {
        if (k.indexOf("xinfang-draft:") === 0) {
          store.removeItem(k);
        }
      });
    }
  });
  var form = document.querySelector("form[data-draft]");
  if (!form || !user) {
    return;
  }
  var key = "xinfang-draft:" + form.getAttribute("data-draft");
  function kept(el) {
    return el.name && el.type !== "file" && el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
  }
  function save() {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el)) {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        fields.push([el.name, el.value, el.checked]);
      } else {
        fields.push([el.name, el.value]);
      }
    });
    store.setItem(key, JSON.stringify({ user: user, fields: fields }));
  }
  var draft = null;
  try {
    draft = JSON.parse(store.getItem(key) || "null");
  } catch (e) {
    draft = null;
  }
  if (draft && draft.user !== user) {
    store.removeItem(key);
    draft = null;
  }
  if (draft && form.hasAttribute("data-fresh")) {
    var byName = {};
    draft.fields.forEach(function (f) {
      (byName[f[0]] = byName[f[0]] || []).push(f);
    });
    Array.prototype.forEach.call(form.elements, function (el) {
      var list = byName[el.name];
      if (!kept(el) || !list) {
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        list.forEach(function (f) {
          if (f[1] === el.value) {
            el.checked = !!f[2];
          }
        });
      } else {
        el.value = list.shift()[1];
      }
    });
    var note = document.createElement("p");
    note.className = "notice";
    note.id = "draft-restored";
    note.textContent = "已恢复上次未提交的登记内容，请核对；附件需重新选择。";
    form.insertBefore(note, form.firstChild);
  }
  form.addEventListener("input", save);
  form.addEventListener("change", save);
})();

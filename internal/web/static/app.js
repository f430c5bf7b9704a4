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

  // Unit pickers: a filter box before each (type part of a name, the list
  // keeps the matching units and the first is chosen). Without script the
  // list is an ordinary select, in the tree's order.
  document.querySelectorAll("option[data-unit-picker]").forEach(function (blank) {
    var sel = blank.parentElement;
    if (!sel || sel.options.length < 8 || sel.previousElementSibling && sel.previousElementSibling.classList.contains("unit-filter")) {
      return;
    }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "unit-filter";
    box.placeholder = "输入单位名称筛选";
    box.setAttribute("aria-label", "筛选单位");
    if (sel.id) {
      box.id = sel.id + "-filter";
    } else if (sel.name) {
      box.id = sel.name + "-filter";
    }
    sel.parentNode.insertBefore(box, sel);
    box.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        sel.focus();
      }
    });
    box.addEventListener("input", function () {
      var q = box.value.replace(/\s+/g, "");
      var first = null;
      Array.prototype.forEach.call(sel.options, function (o) {
        if (o === blank) {
          return;
        }
        var hit = q === "" || o.textContent.replace(/[\s\u3000]+/g, "").indexOf(q) >= 0;
        o.hidden = !hit;
        if (hit && !first) {
          first = o;
        }
      });
      var cur = sel.options[sel.selectedIndex];
      if (q !== "" && first && (!cur || cur.hidden || cur === blank)) {
        sel.value = first.value;
        sel.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  });

  // A page that comes back with errors scrolls to the first field in
  // error and puts the cursor there.
  var bad = document.querySelector(".f.bad, .field-error, [aria-invalid=true]");
  if (bad) {
    bad.scrollIntoView({ block: "center" });
    var focus = bad.matches("input, select, textarea") ? bad : bad.querySelector("input, select, textarea");
    if (focus) {
      focus.focus({ preventScroll: true });
    }
  }

  // Registration draft: the form is kept in this tab's sessionStorage while
  // it is filled, so that a session that ends meanwhile (the post then
  // lands on the login page) loses nothing: after signing in the form is
  // filled again. The draft goes when the item is registered, on 退出, and
  // with the tab. Files cannot be kept; the notice says so.
  var DRAFT = "xinfang.register.draft";
  var store = null;
  try {
    store = window.sessionStorage;
  } catch (e) {
    store = null;
  }
  if (store) {
    var regForm = document.getElementById("register-form");
    var saved = store.getItem(DRAFT);
    if (document.getElementById("created-number") || document.body.getAttribute("data-page") === "created") {
      store.removeItem(DRAFT);
      saved = null;
    }
    var logout = document.getElementById("logout");
    if (logout) {
      logout.addEventListener("click", function () { store.removeItem(DRAFT); });
    }
    if (regForm) {
      var fields = function () {
        return regForm.querySelectorAll("input[name], select[name], textarea[name]");
      };
      var keep = function () {
        var data = {};
        fields().forEach(function (el) {
          if (el.type === "file" || el.type === "hidden" || el.type === "password") {
            return;
          }
          if (el.type === "checkbox" || el.type === "radio") {
            if (el.checked) {
              (data[el.name] = data[el.name] || []).push(el.value);
            }
            return;
          }
          data[el.name] = el.value;
        });
        store.setItem(DRAFT, JSON.stringify(data));
      };
      // A fresh form (no value typed, no error shown) takes the draft.
      var summary = regForm.querySelector('[name="summary"]');
      var fresh = !document.querySelector(".alert") && summary && summary.value === "";
      if (saved && fresh) {
        var data = {};
        try {
          data = JSON.parse(saved) || {};
        } catch (e) {
          data = {};
        }
        fields().forEach(function (el) {
          if (!(el.name in data) || el.type === "file" || el.type === "hidden") {
            return;
          }
          if (el.type === "checkbox" || el.type === "radio") {
            el.checked = data[el.name].indexOf(el.value) >= 0;
          } else {
            el.value = data[el.name];
          }
        });
        var note = document.createElement("p");
        note.className = "notice";
        note.id = "draft-restored";
        note.textContent = "已恢复上次未提交的登记内容（登录已过期时填写的）；附件需重新选择。";
        regForm.insertBefore(note, regForm.firstChild);
      }
      regForm.addEventListener("input", keep);
      regForm.addEventListener("change", keep);
    } else if (saved && !document.getElementById("login-form")) {
      // Signed in again elsewhere: point back to the kept form.
      var main = document.getElementById("main");
      if (main) {
        var back = document.createElement("p");
        back.className = "notice";
        back.id = "draft-waiting";
        back.appendChild(document.createTextNode("有一份未提交的信访登记。"));
        var link = document.createElement("a");
        link.href = "/petitions/new";
        link.textContent = "继续登记";
        back.appendChild(link);
        main.insertBefore(back, main.firstChild);
      }
    }
  }

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

/* The dashboard's only script: sort and filter the unit table, copy the 催报 text. ES5, no network. */
(function () {
  "use strict";

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function setupTable(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.querySelectorAll("tr.unit"));
    var emptyRow = document.getElementById("no-match");
    var counter = document.getElementById("unit-count");
    var search = document.getElementById("unit-search");
    var buttons = document.querySelectorAll("[data-filter]");
    var state = { filter: "all", text: "" };

    function matches(tr) {
      var f = state.filter;
      var okStatus = f === "all" || tr.getAttribute("data-status") === f ||
        (f === "updated" && tr.getAttribute("data-updated") === "1");
      var q = state.text;
      return okStatus && (!q || tr.getAttribute("data-search").toLowerCase().indexOf(q) !== -1);
    }

    function apply() {
      var shown = 0;
      each(rows, function (tr) {
        tr.hidden = !matches(tr);
        if (!tr.hidden) { shown += 1; }
      });
      counter.textContent = "显示 " + shown + " / " + rows.length + " 个单位";
      if (emptyRow) { emptyRow.hidden = shown !== 0 || rows.length === 0; }
    }

    each(buttons, function (btn) {
      btn.addEventListener("click", function () {
        state.filter = btn.getAttribute("data-filter");
        each(buttons, function (b) { b.setAttribute("aria-pressed", b === btn ? "true" : "false"); });
        apply();
      });
    });
    if (search) {
      search.addEventListener("input", function () {
        state.text = search.value.replace(/^\s+|\s+$/g, "").toLowerCase();
        apply();
      });
    }

    function value(tr, col, numeric) {
      var v = tr.cells[col].getAttribute("data-v") || "";
      return numeric ? parseFloat(v) || 0 : v;
    }

    function sortBy(th) {
      var col = th.cellIndex;
      var numeric = th.getAttribute("data-sort") === "num";
      var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
      each(table.tHead.querySelectorAll("th[data-sort]"), function (h) { h.setAttribute("aria-sort", "none"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var va = value(a, col, numeric), vb = value(b, col, numeric);
        var c = numeric ? va - vb : String(va).localeCompare(String(vb), "zh-CN");
        if (c === 0) { c = value(a, 0, true) - value(b, 0, true); return c; }
        return c * dir;
      });
      var frag = document.createDocumentFragment();
      each(rows, function (tr) { frag.appendChild(tr); });
      tbody.insertBefore(frag, emptyRow || null);
    }

    each(table.tHead.querySelectorAll("th[data-sort]"), function (th) {
      var btn = th.querySelector("button") || th;
      btn.addEventListener("click", function () { sortBy(th); });
    });
    apply();
  }

  function setupCopy(button, area) {
    var label = button.textContent;
    function say(text) {
      button.textContent = text;
      window.setTimeout(function () { button.textContent = label; }, 2500);
    }
    function fallback() {
      area.focus();
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      say(ok ? "已复制" : "请按 Ctrl+C 复制");
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(area.value).then(function () { say("已复制"); }, fallback);
      } else {
        fallback();
      }
    });
  }

  function openTarget(id) {
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; }
  }

  document.addEventListener("click", function (event) {
    var a = event.target;
    while (a && a.tagName !== "A") { a = a.parentNode; }
    var ref = a && a.getAttribute("href");
    if (ref && ref.charAt(0) === "#") { openTarget(ref.slice(1)); }
  });
  openTarget(window.location.hash.slice(1));

  var table = document.getElementById("unit-table");
  if (table) { setupTable(table); }
  var copy = document.getElementById("copy-reminder");
  var area = document.getElementById("reminder-text");
  if (copy && area) { setupCopy(copy, area); }
}());

// The review page: one card per field a review item names; a person accepts the reading or types
// the right value; the decisions are kept in this browser's storage and saved as a corrections
// file (schema/corrections.schema.json) for `pipeline apply OUT FILE`. Every text from a form is
// set as textContent, never as markup: a cell may say anything.
(function () {
  "use strict";
  const DATA = window.REVIEW || { run: {}, forms: [], cards: [] };
  const FLAG_KINDS = ["uncertain", "warning", "inferred", "incomplete"];
  const STORE = "formpipe-review:" + (DATA.run.key || DATA.run.out || "");
  const $ = (id) => document.getElementById(id);
  const cards = DATA.cards.map((c, i) => Object.assign({ index: i, key: c.form_id + "|" + c.field }, c));
  const formsById = new Map(DATA.forms.map((f, i) => [f.form_id, Object.assign({ number: i + 1 }, f)]));

  // decisions: card key → {leaves: {field: value}, note}
  let decisions = {};
  try { decisions = JSON.parse(localStorage.getItem(STORE) || "{}") || {}; } catch (e) { decisions = {}; }
  const persist = () => { try { localStorage.setItem(STORE, JSON.stringify(decisions)); } catch (e) { /* private mode */ } };

  const kinds = Array.from(new Set(cards.flatMap((c) => c.kinds))).sort(
    (a, b) => (FLAG_KINDS.indexOf(a) < 0) - (FLAG_KINDS.indexOf(b) < 0) || a.localeCompare(b));
  const shownKinds = new Set(kinds.filter((k) => FLAG_KINDS.includes(k)));
  let formFilter = "";
  let hideDecided = false;
  let visible = [];
  let at = 0;
  let pageShown = false;

  const text = (v) => (v === null || v === undefined ? "" : String(v));
  const show = (v) => (v === null || v === undefined ? "∅ (blank)" : String(v));
  const leafDecided = (card, leaf) => card.key in decisions ? leaf.field in decisions[card.key].leaves : leaf.decided;
  const decided = (card) => (card.key in decisions) ||
    (card.leaves.length > 0 && card.leaves.every((l) => l.decided));

  function refilter(keepKey) {
    visible = cards.filter((c) => c.kinds.some((k) => shownKinds.has(k)) &&
      (!formFilter || c.form_id === formFilter) && !(hideDecided && decided(c) && c.key !== keepKey));
    const i = visible.findIndex((c) => c.key === keepKey);
    at = i >= 0 ? i : Math.min(at, Math.max(visible.length - 1, 0));
    render();
  }

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    for (const child of children || []) node.append(child);
    return node;
  }

  function renderSide() {
    const list = $("forms");
    list.replaceChildren();
    for (const form of formsById.values()) {
      const mine = cards.filter((c) => c.form_id === form.form_id && c.kinds.some((k) => shownKinds.has(k)));
      const done = mine.filter(decided).length;
      const li = el("li", { title: (form.file || "") + " · " + form.form_id }, [
        el("span", { textContent: form.number + ". " + (form.name || form.form_id) }),
        el("span", { className: "count", textContent: done + "/" + mine.length })]);
      li.dataset.form = form.form_id;
      if (mine.length && done === mine.length) li.classList.add("done");
      if (form.form_id === formFilter || (visible[at] && visible[at].form_id === form.form_id)) li.classList.add("current");
      li.addEventListener("click", () => jumpToForm(form.form_id));
      list.append(li);
    }
    const all = cards.filter((c) => c.kinds.some((k) => shownKinds.has(k)) && (!formFilter || c.form_id === formFilter));
    const done = all.filter(decided).length;
    $("bar").style.width = (all.length ? (100 * done) / all.length : 100) + "%";
    $("progress-text").textContent = done + " / " + all.length + " decided";
  }

  function render() {
    renderSide();
    const card = visible[at];
    $("empty").hidden = !!card;
    $("card").hidden = !card;
    if (!card) return;
    const form = formsById.get(card.form_id) || {};
    $("card").classList.toggle("decided", decided(card));
    $("card").dataset.key = card.key;
    $("position").textContent = (at + 1) + " of " + visible.length + " ·";
    $("form-name").textContent = (form.name || "") + " (" + card.form_id + ")";
    $("field").textContent = card.field;
    $("label").textContent = card.label;
    const badges = card.kinds.map((k) => el("span", { className: "badge " + k, textContent: k }));
    if (card.confidence !== null && card.confidence !== undefined)
      badges.push(el("span", { className: "badge", textContent: "confidence " + card.confidence.toFixed(3) }));
    if (decided(card)) badges.push(el("span", { className: "badge decided", textContent: "decided" }));
    $("badges").replaceChildren(...badges);
    renderPictures(card);
    renderEditor(card);
    $("reasons").replaceChildren(...card.reasons.map((r) => el("li", {}, [
      el("span", { className: "kind", textContent: r.kind }), r.reason +
        (r.before !== null && r.before !== undefined && r.kind === "repair" ? " (was: " + show(r.before) + ")" : "")])));
  }

  function renderPictures(card) {
    const crop = $("crop"), row = $("row-crop"), none = $("no-picture");
    crop.hidden = !card.crop; row.hidden = !card.row_crop;
    if (card.crop) crop.src = card.crop; else crop.removeAttribute("src");
    if (card.row_crop) row.src = card.row_crop; else row.removeAttribute("src");
    none.hidden = !!card.crop;
    none.textContent = card.preview ? "No place on the page is recorded for this field (blank, or derived from " +
      "other fields): look for it on the page (v)." : "No picture: the source file was not found, or it is " +
      "not a page (a text, Word or Excel file).";
    $("page-view").hidden = !(pageShown || (!card.crop && card.preview));
    if (card.preview) {
      $("page-image").src = card.preview;
      const box = $("box");
      box.hidden = !card.bbox;
      if (card.bbox && card.page_size) {
        const [w, h] = card.page_size, [x0, y0, x1, y1] = card.bbox;
        Object.assign(box.style, { left: (100 * x0) / w + "%", top: (100 * y0) / h + "%",
          width: (100 * (x1 - x0)) / w + "%", height: (100 * (y1 - y0)) / h + "%" });
      }
    } else {
      $("page-view").hidden = true;
    }
  }

  function renderEditor(card) {
    const mine = decisions[card.key];
    const rows = card.leaves.map((leaf, i) => {
      const now = mine && leaf.field in mine.leaves ? mine.leaves[leaf.field] : elsewhere(card, leaf.field, leaf.value);
      const input = el("input", { type: "text", value: text(now), name: leaf.field });
      input.dataset.field = leaf.field;
      input.dataset.index = i;
      input.addEventListener("focus", () => input.select());
      input.addEventListener("input", () => input.classList.toggle("changed", input.value !== text(leaf.value)));
      input.classList.toggle("changed", text(now) !== text(leaf.value));
      const read = leaf.reading !== leaf.value ? show(leaf.reading) + " → " + show(leaf.value) : show(leaf.reading);
      return el("tr", {}, [el("td", { className: "label", textContent: leaf.label }),
        el("td", { className: "reading", textContent: read }), el("td", {}, [input])]);
    });
    if (!card.leaves.length)
      rows.push(el("tr", {}, [el("td", { colSpan: 3, textContent: "This concerns more than a few fields: " +
        "check them on the page and correct them in their own cards; accept to mark it seen." })]));
    $("leaves").replaceChildren(...rows);
    $("note").value = mine ? mine.note || "" : "";
    $("alternatives").replaceChildren(...(card.alternatives.length ? [el("span", { textContent: "other readings: " })] : []),
      ...card.alternatives.map(([alt, score], i) => {
        const b = el("button", { type: "button", textContent: (i + 1) + ": " + alt + " (" + Number(score).toFixed(2) + ")" });
        b.addEventListener("click", () => takeAlternative(i));
        return b;
      }));
    $("edit").disabled = $("apply-edit").disabled = !card.leaves.length;
  }

  // a field two cards show (its row's and its own) decided in the other one: that value
  function elsewhere(card, field, fallback) {
    for (const other of cards) {
      const theirs = other.key !== card.key && other.form_id === card.form_id && decisions[other.key];
      if (theirs && field in theirs.leaves) return theirs.leaves[field];
    }
    return fallback;
  }

  function inputs() { return Array.from($("leaves").querySelectorAll("input")); }

  function decide(card, leaves) {
    decisions[card.key] = { leaves, note: $("note").value.trim() };
    persist();
  }

  function accept() {
    const card = visible[at];
    if (!card) return;
    decide(card, Object.fromEntries(card.leaves.map((l) => {
      const mine = decisions[card.key];
      return [l.field, mine && l.field in mine.leaves ? mine.leaves[l.field] : elsewhere(card, l.field, l.value)];
    })));
    advance(card);
  }

  function keepEdits() {
    const card = visible[at];
    if (!card || !card.leaves.length) return;
    const leaves = {};
    inputs().forEach((input, i) => {
      const leaf = card.leaves[i];
      // the boxes hold text; text equal to the value's keeps the typed value (95 stays a number)
      leaves[leaf.field] = input.value === text(leaf.value) ? leaf.value : input.value;
    });
    decide(card, leaves);
    document.activeElement.blur();
    advance(card);
  }

  function advance(card) {
    // on to the next undecided card after this one (refiltering may drop decided ones)
    const next = visible.slice(at + 1).find((c) => !decided(c));
    refilter(card.key);
    const target = next ? visible.findIndex((c) => c.key === next.key) : -1;
    go(target >= 0 ? target : at + 1);
  }

  function undo() {
    const card = visible[at];
    if (!card) return;
    delete decisions[card.key];
    persist();
    render();
  }

  function edit() {
    const first = inputs()[0];
    if (first) { first.focus(); first.select(); }
  }

  function takeAlternative(i) {
    const card = visible[at];
    if (!card || !card.alternatives[i] || !card.leaves.length) return;
    const target = inputs().includes(document.activeElement) ? document.activeElement : inputs()[0];
    target.value = card.alternatives[i][0];
    target.dispatchEvent(new Event("input"));
    target.focus();
  }

  function go(i) {
    if (!visible.length) return render();
    at = Math.max(0, Math.min(i, visible.length - 1));
    render();
    window.scrollTo(0, 0);
  }

  function jumpToForm(formId) {
    const i = visible.findIndex((c) => c.form_id === formId && !decided(c));
    const j = i >= 0 ? i : visible.findIndex((c) => c.form_id === formId);
    if (j >= 0) go(j);
    else { formFilter = formId; $("form-select").value = formId; refilter(null); }
  }

  function stepForm(direction) {
    const ids = Array.from(formsById.keys()).filter((id) => visible.some((c) => c.form_id === id));
    const current = visible[at] ? ids.indexOf(visible[at].form_id) : -1;
    const target = ids[current + direction];
    if (target) jumpToForm(target);
  }

  function corrections() {
    const out = [];
    for (const card of cards) {
      const mine = decisions[card.key];
      if (!mine) continue;
      for (const [field, value] of Object.entries(mine.leaves)) {
        const item = { form_id: card.form_id, field, value: value === undefined ? null : value };
        if (mine.note) item.note = mine.note;
        out.push(item);
      }
    }
    return { schema_version: "1", corrections: out };
  }

  function save() {
    const data = corrections();
    const json = JSON.stringify(data, null, 1) + "\n";
    const url = URL.createObjectURL(new Blob([json], { type: "application/json" }));
    const a = el("a", { href: url, download: "corrections.json" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    $("saved").hidden = false;
    $("saved-text").textContent = data.corrections.length + " decision(s) saved as corrections.json. Apply them: " +
      "pipeline apply " + (DATA.run.out || "OUT") + " corrections.json";
    $("saved-json").value = json;
  }

  function onKey(event) {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement ||
      event.target instanceof HTMLSelectElement;
    if (typing) {
      if (event.key === "Escape") { event.target.blur(); event.preventDefault(); }
      if (event.key === "Enter" && event.target instanceof HTMLSelectElement) { event.target.blur(); }
      if (/^[1-5]$/.test(event.key) && event.altKey) { takeAlternative(Number(event.key) - 1); event.preventDefault(); }
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const actions = {
      j: () => go(at + 1), ArrowDown: () => go(at + 1), k: () => go(at - 1), ArrowUp: () => go(at - 1),
      n: () => { const i = visible.findIndex((c, n) => n > at && !decided(c)); if (i >= 0) go(i); },
      a: accept, e: edit, u: undo, s: save, Enter: accept,
      v: () => { pageShown = !pageShown; render(); },
      g: () => $("form-select").focus(), "]": () => stepForm(1), "[": () => stepForm(-1),
      "?": () => { $("help").hidden = !$("help").hidden; },
    };
    if (/^[1-5]$/.test(event.key)) { takeAlternative(Number(event.key) - 1); event.preventDefault(); return; }
    const action = actions[event.key];
    if (action) { action(); event.preventDefault(); }
  }

  function init() {
    $("run").textContent = (DATA.run.out || "") + " · made " + (DATA.run.made || "");
    for (const kind of kinds) {
      const box = el("input", { type: "checkbox", checked: shownKinds.has(kind), value: kind });
      box.addEventListener("change", () => { box.checked ? shownKinds.add(kind) : shownKinds.delete(kind); refilter(null); });
      const n = cards.filter((c) => c.kinds.includes(kind)).length;
      $("kinds").append(el("label", {}, [box, " " + kind + " (" + n + ")"]));
    }
    for (const form of formsById.values())
      $("form-select").append(el("option", { value: form.form_id, textContent: form.number + ". " + (form.name || form.form_id) }));
    $("form-select").addEventListener("change", (e) => { formFilter = e.target.value; refilter(null); go(0); });
    $("hide-decided").addEventListener("change", (e) => { hideDecided = e.target.checked; refilter(visible[at] && visible[at].key); });
    $("editor").addEventListener("submit", (e) => { e.preventDefault(); keepEdits(); });
    $("accept").addEventListener("click", accept);
    $("edit").addEventListener("click", edit);
    $("undo").addEventListener("click", undo);
    $("prev").addEventListener("click", () => go(at - 1));
    $("next").addEventListener("click", () => go(at + 1));
    $("toggle-page").addEventListener("click", () => { pageShown = !pageShown; render(); });
    $("save").addEventListener("click", save);
    $("help-button").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });
    document.addEventListener("keydown", onKey);
    refilter(null);
    go(Math.max(0, visible.findIndex((c) => !decided(c))));
  }

  init();
})();

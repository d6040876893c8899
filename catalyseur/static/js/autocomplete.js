/* Territory autocomplete (ARIA 1.2 combobox) and the project-territory picker.
 * Progressive enhancement: without JavaScript the search form submits to the results
 * page and the picker is a plain textarea of codes. No inline script (CSP). */
(function () {
  "use strict";

  var LEVEL_LABELS = {
    region: "Région", departement: "Département", epci: "EPCI", commune: "Commune", project: "Territoire de projet"
  };
  var counter = 0;

  function territoryUrl(item) {
    return "/territoires/" + encodeURIComponent(item.level) + "/" + encodeURIComponent(item.code) + "/";
  }

  function formatPopulation(n) {
    return n === null || n === undefined ? "" : " · " + n.toLocaleString("fr-FR") + " hab.";
  }

  /* Attach a listbox of suggestions to an input; onChoose(item) is called on selection. */
  function Combobox(input, options) {
    counter += 1;
    var listId = "autocomplete-list-" + counter;
    var statusId = "autocomplete-status-" + counter;
    var wrapper = document.createElement("div");
    wrapper.className = "autocomplete";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "autocomplete-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions de territoires");
    list.hidden = true;
    wrapper.appendChild(list);
    var status = document.createElement("p");
    status.id = statusId;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var nodes = list.children;
      for (var i = 0; i < nodes.length; i++) {
        nodes[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && nodes[index]) {
        input.setAttribute("aria-activedescendant", nodes[index].id);
        nodes[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item) { return; }
      close();
      options.onChoose(item);
    }

    function render(results) {
      items = results;
      list.textContent = "";
      results.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("span");
        name.textContent = item.name;
        var meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = (LEVEL_LABELS[item.level] || item.level) + " · " + item.code + formatPopulation(item.population);
        li.appendChild(name);
        li.appendChild(meta);
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      status.textContent = results.length ? results.length + " suggestion(s), flèches haut et bas pour choisir" : "Aucune suggestion";
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < 2) { render([]); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var params = new URLSearchParams({ q: text, limit: "10" });
      (options.levels || []).forEach(function (level) { params.append("level", level); });
      fetch(options.api + "?" + params.toString(), { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(render)
        .catch(function (error) { if (error.name !== "AbortError") { render([]); } });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        if (list.hidden) { fetchSuggestions(); return; }
        event.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          choose(active);
        } else if (options.enterChoosesFirst && input.value.trim()) {
          // In the picker, Enter never submits the form half-typed: it picks the first suggestion, if any.
          event.preventDefault();
          if (items.length && !list.hidden) { choose(0); }
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  /* The search boxes: choosing a suggestion opens the territory page. */
  function enhanceSearchBoxes() {
    document.querySelectorAll('input[data-autocomplete="navigate"]').forEach(function (input) {
      Combobox(input, {
        api: input.dataset.api,
        onChoose: function (item) { window.location.assign(territoryUrl(item)); }
      });
    });
  }

  /* A territory field: choosing a suggestion writes its level/code into the field. */
  function enhanceTerritoryFields() {
    document.querySelectorAll('input[data-autocomplete="fill"]').forEach(function (input) {
      Combobox(input, {
        api: input.dataset.api || "/api/territories",
        onChoose: function (item) { input.value = item.level + "/" + item.code; }
      });
    });
  }

  /* The project-territory picker: chips over the textarea of level:code tokens. */
  function enhancePicker(textarea) {
    var field = textarea.closest(".field");
    var api = textarea.dataset.api;
    var labels = {};
    var initial = document.getElementById("picker-labels");
    if (initial) {
      try { labels = JSON.parse(initial.textContent) || {}; } catch (e) { labels = {}; }
    }
    var tokens = textarea.value.split(/[\s,;]+/).filter(Boolean);

    var label = document.createElement("label");
    label.setAttribute("for", textarea.id + "-picker");
    label.textContent = "Ajouter une commune, un EPCI, un département ou une région";
    var input = document.createElement("input");
    input.type = "search";
    input.id = textarea.id + "-picker";
    input.autocomplete = "off";
    input.setAttribute("aria-describedby", textarea.id + "_helptext");
    var chips = document.createElement("ul");
    chips.className = "picker-chips";
    chips.setAttribute("aria-label", "Territoires choisis");
    var empty = document.createElement("p");
    empty.className = "picker-empty";
    empty.textContent = "Aucun territoire choisi pour l'instant.";
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");

    textarea.hidden = true;
    var oldLabel = field.querySelector('label[for="' + textarea.id + '"]');
    if (oldLabel) { oldLabel.removeAttribute("for"); oldLabel.id = textarea.id + "-legend"; }
    textarea.parentNode.insertBefore(label, textarea);
    textarea.parentNode.insertBefore(input, textarea);
    textarea.parentNode.insertBefore(chips, textarea);
    textarea.parentNode.insertBefore(empty, textarea);
    textarea.parentNode.insertBefore(live, textarea);

    function sync() {
      textarea.value = tokens.join("\n");
      chips.textContent = "";
      tokens.forEach(function (token, index) {
        var li = document.createElement("li");
        var text = document.createElement("span");
        text.textContent = labels[token] || token;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Retirer " + (labels[token] || token));
        remove.addEventListener("click", function () {
          tokens.splice(index, 1);
          live.textContent = (labels[token] || token) + " retiré";
          sync();
          input.focus();
        });
        li.appendChild(text);
        li.appendChild(remove);
        chips.appendChild(li);
      });
      empty.hidden = tokens.length > 0;
    }

    Combobox(input, {
      api: api,
      levels: ["commune", "epci", "departement", "region"],
      enterChoosesFirst: true,
      onChoose: function (item) {
        var token = item.level + ":" + item.code;
        labels[token] = item.name + " (" + (LEVEL_LABELS[item.level] || item.level) + (item.level === "commune" ? ", " + item.code : "") + ")";
        if (tokens.indexOf(token) === -1) { tokens.push(token); }
        live.textContent = labels[token] + " ajouté";
        input.value = "";
        sync();
      }
    });
    sync();
  }

  function enhanceConfirmForms() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhanceSearchBoxes();
    enhanceTerritoryFields();
    document.querySelectorAll("textarea[data-territory-picker]").forEach(enhancePicker);
    enhanceConfirmForms();
  });
})();

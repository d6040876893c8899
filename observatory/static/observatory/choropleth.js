/* Observatoire : choropleth maps (the portrait's "Carte" section and /observatoire/carte/).
 *
 * Progressive enhancement. Without this file the form submits and the server renders the
 * legend and the data table (name, value, class). With it, the territories are drawn with
 * Leaflet from the data endpoint (GeoJSON; the URL is in the map's data-url, no inline
 * script: CSP), coloured by their quantile class, blanks hatched; the legend, the table and
 * the URL follow the form without reloading the page.
 *
 * Keyboard: the territories are one stop in the Tab order (roving tabindex, alphabetical
 * order as in the table); the arrow keys move from one to the next, Home and End to the first
 * and the last. The focused territory shows its tooltip (name, value, class), the same one
 * the pointer shows, and its label is read by screen readers.
 */
(function () {
  "use strict";

  // The same colours as .choropleth-c1 … .choropleth-c5 in choropleth.css.
  var PALETTE = { 1: "#ffffcc", 2: "#a1dab4", 3: "#41b6c4", 4: "#2c7fb8", 5: "#253494" };
  var HATCH_ID = "choropleth-hatch";
  var BLANK_FILL = "url(#" + HATCH_ID + ")";
  var FRANCE = [[41.3, -5.2], [51.1, 9.6]];
  var FORM_FIELDS = ["indicateur", "niveau", "departement"];
  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>' +
    " · contours IGN – ADMIN EXPRESS, Etalab";
  var SVG_NS = "http://www.w3.org/2000/svg";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function swatch(colour) {
    var mark = element("span", "choropleth-swatch " + (colour ? "choropleth-c" + colour : "choropleth-blank"));
    mark.setAttribute("aria-hidden", "true");
    return mark;
  }

  function plural(n, one, many) {
    return n.toLocaleString("fr-FR") + " " + (n > 1 ? many : one);
  }

  function withUnit(text, unit, blank) {
    return blank || !unit ? text : text + " " + unit;
  }

  /* "Gironde : 14,2 % ; classe 3 sur 5 (plus de 13,1 à 15,0)" */
  function describe(p, unit) {
    var blank = p.value === null;
    var text = p.name + " : " + withUnit(p.value_text, unit, blank);
    if (!blank) { text += " ; " + p.class_label; }
    if (!blank && p.coverage !== null && p.coverage < 0.995) {
      text += " ; population couverte " + Math.round(100 * p.coverage) + " %";
    }
    return text;
  }

  function tooltipContent(p, unit, isDemo) {
    var box = element("div", "choropleth-tooltip");
    box.appendChild(element("strong", null, p.name));
    box.appendChild(element("span", null, withUnit(p.value_text, unit, p.value === null)));
    box.appendChild(element("br"));
    box.appendChild(element("span", null, p.value === null ? "secret statistique ou non diffusé" : p.class_label));
    if (isDemo) {
      box.appendChild(element("br"));
      box.appendChild(element("span", "badge badge-demo", "données de démonstration"));
    }
    return box;
  }

  /* --- One map, its form, legend and table ------------------------------------------- */

  function Choropleth(root) {
    var self = this;
    this.root = root;
    this.form = root.querySelector("[data-choropleth-form]");
    this.status = root.querySelector("[data-choropleth-status]");
    this.container = root.querySelector("[data-choropleth-map]");
    this.legend = root.querySelector("[data-choropleth-legend]");
    this.table = root.querySelector("[data-choropleth-table]");
    this.source = root.querySelector("[data-choropleth-source]");
    this.keys = root.querySelector("[data-choropleth-keys]");
    this.items = [];
    this.layer = null;
    this.controller = null;

    this.container.textContent = "";
    this.container.setAttribute("role", "region");
    this.container.setAttribute("aria-label", "Carte (le tableau qui suit donne les mêmes valeurs)");
    // No fades: a closed tooltip goes at once (and less motion).
    var map = L.map(this.container, { zoomControl: false, minZoom: 2, maxZoom: 13, scrollWheelZoom: false, fadeAnimation: false,
      zoomSnap: 0.25 });
    this.map = map;
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION, referrerPolicy: "strict-origin-when-cross-origin" }).addTo(map);
    map.fitBounds(FRANCE);
    if (this.keys) { this.keys.hidden = false; }

    if (this.form) {
      this.toggleDepartement();
      this.form.addEventListener("change", function () { self.toggleDepartement(); self.apply(); });
      this.form.addEventListener("submit", function (event) { event.preventDefault(); self.apply(); });
    }
    this.load(this.container.dataset.url, false);
  }

  Choropleth.prototype.say = function (text, isError) {
    if (!this.status) { return; }
    this.status.textContent = text;
    this.status.classList.toggle("is-error", Boolean(isError));
  };

  Choropleth.prototype.field = function (name) {
    return this.form ? this.form.elements.namedItem(name) : null;
  };

  /* The département is asked only for a map of communes. */
  Choropleth.prototype.toggleDepartement = function () {
    var box = this.root.querySelector("[data-choropleth-departement]");
    var level = this.field("niveau");
    if (box && level) { box.hidden = level.value !== "commune"; }
  };

  Choropleth.prototype.formParams = function () {
    var params = new URLSearchParams();
    var self = this;
    FORM_FIELDS.forEach(function (name) {
      var input = self.field(name);
      if (!input || !input.value) { return; }
      if (name === "departement" && self.field("niveau") && self.field("niveau").value !== "commune") { return; }
      params.set(name, input.value);
    });
    return params;
  };

  Choropleth.prototype.apply = function () {
    var params = this.formParams();
    var data = new URLSearchParams(params);
    if (this.root.dataset.territoire) { data.set("territoire", this.root.dataset.territoire); }
    // The page's URL says what is shown (shareable), its other parameters kept.
    var page = new URLSearchParams(window.location.search);
    FORM_FIELDS.concat(["annee"]).forEach(function (name) { page.delete(name); });
    params.forEach(function (value, name) { page.set(name, value); });
    var query = page.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + "#carte");
    this.load(this.root.dataset.endpoint + "?" + data.toString(), true);
  };

  Choropleth.prototype.load = function (url, announce) {
    var self = this;
    if (this.controller) { this.controller.abort(); }
    this.controller = new AbortController();
    this.container.dataset.state = "loading";
    if (announce) { this.say("Chargement de la carte…"); }
    fetch(url, { signal: this.controller.signal, headers: { Accept: "application/geo+json, application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) { self.fail(answer.body); return; }
        self.draw(answer.body, url);
        if (announce) { self.say(self.summary(answer.body)); }
      })
      .catch(function (error) {
        if (error.name === "AbortError") { return; }
        self.container.dataset.state = "error";
        self.say("La carte n'a pas pu être chargée : utilisez le bouton « Afficher la carte ».", true);
      });
  };

  Choropleth.prototype.summary = function (data) {
    var text = data.title + " : " + plural(data.count, "territoire", "territoires");
    if (data.blank.count) { text += ", dont " + data.blank.count.toLocaleString("fr-FR") + " non publié" + (data.blank.count > 1 ? "s" : ""); }
    return text + (data.is_demo ? " (données de démonstration)." : ".");
  };

  /* A 400: the reasons, field by field; the previous map is taken away. */
  Choropleth.prototype.fail = function (body) {
    var messages = (body && body.errors ? body.errors : []).map(function (e) { return e.message; });
    this.clear();
    [this.legend, this.table, this.source].forEach(function (node) { if (node) { node.hidden = true; } });
    this.container.dataset.state = "error";
    this.say(messages.length ? messages.join(" ") : "Carte impossible avec ces choix.", true);
  };

  Choropleth.prototype.clear = function () {
    if (this.layer) { this.map.removeLayer(this.layer); }
    this.layer = null;
    this.tooltipOf = null;
    this.items = [];
  };

  Choropleth.prototype.draw = function (data, url) {
    var self = this;
    var unit = data.indicator.unit;
    var points = data.shape === "point";
    this.clear();
    this.items = [];
    var drawable = data.features.filter(function (f) { return f.geometry; });
    this.layer = L.geoJSON(drawable, {
      style: function (f) {
        return {
          color: "#3d4650", weight: points ? 1.5 : 0.8, opacity: 1, fillOpacity: 0.85,
          fillColor: f.properties.colour ? PALETTE[f.properties.colour] : BLANK_FILL
        };
      },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 9 }); },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(tooltipContent(f.properties, unit, data.is_demo), { direction: "top", opacity: 1 });
        self.items.push({ layer: layer, properties: f.properties });
      }
    }).addTo(this.map);
    // One tooltip at a time, whether opened by the pointer or by the keyboard.
    this.layer.on("tooltipopen", function (event) {
      var source = event.tooltip._source;
      if (self.tooltipOf && self.tooltipOf !== source && self.tooltipOf.isTooltipOpen()) { self.tooltipOf.closeTooltip(); }
      self.tooltipOf = source;
    });
    this.addHatch();
    this.makeFocusable(data);
    this.fit(data);
    this.container.setAttribute("aria-label", "Carte : " + data.title + " (le tableau qui suit donne les mêmes valeurs)");
    this.renderLegend(data);
    this.renderTable(data);
    this.renderSource(data, url);
    this.container.dataset.count = String(data.count);
    this.container.dataset.state = "ready";
  };

  /* The hatching of blanks, once, in the SVG that holds the shapes. */
  Choropleth.prototype.addHatch = function () {
    var first = this.items.length ? this.items[0].layer.getElement() : null;
    var svg = first ? first.ownerSVGElement : null;
    if (!svg || svg.querySelector("#" + HATCH_ID)) { return; }
    var defs = document.createElementNS(SVG_NS, "defs");
    var pattern = document.createElementNS(SVG_NS, "pattern");
    pattern.setAttribute("id", HATCH_ID);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "6");
    pattern.setAttribute("height", "6");
    pattern.setAttribute("patternTransform", "rotate(45)");
    var ground = document.createElementNS(SVG_NS, "rect");
    ground.setAttribute("width", "6");
    ground.setAttribute("height", "6");
    ground.setAttribute("fill", "#e8eaec");
    var line = document.createElementNS(SVG_NS, "rect");
    line.setAttribute("width", "2");
    line.setAttribute("height", "6");
    line.setAttribute("fill", "#6b7178");
    pattern.appendChild(ground);
    pattern.appendChild(line);
    defs.appendChild(pattern);
    svg.insertBefore(defs, svg.firstChild);
  };

  Choropleth.prototype.makeFocusable = function (data) {
    var self = this;
    var unit = data.indicator.unit;
    this.items.forEach(function (item, index) {
      var node = item.layer.getElement();
      item.node = node;
      node.classList.add("choropleth-feature");
      node.setAttribute("role", "img");
      node.setAttribute("aria-label", describe(item.properties, unit) + (data.is_demo ? " (données de démonstration)" : ""));
      node.setAttribute("tabindex", index === 0 ? "0" : "-1");
      node.dataset.code = item.properties.code;
      node.addEventListener("focus", function () { self.current(index); });
      node.addEventListener("keydown", function (event) { self.onKey(event, index); });
    });
    var svg = this.items.length ? this.items[0].node.ownerSVGElement : null;
    if (svg) {
      svg.setAttribute("role", "group");
      svg.setAttribute("aria-label", "Territoires de la carte, par ordre alphabétique : flèches pour passer de l'un à l'autre");
    }
  };

  Choropleth.prototype.current = function (index) {
    var item = this.items[index];
    this.items.forEach(function (other, i) { other.node.setAttribute("tabindex", i === index ? "0" : "-1"); });
    // A territory outside the view (overseas, on a map of France): bring it in.
    var bounds = item.layer.getBounds ? item.layer.getBounds() : L.latLngBounds([item.layer.getLatLng()]);
    if (!this.map.getBounds().intersects(bounds)) {
      this.map.fitBounds(bounds, { maxZoom: Math.max(this.map.getZoom(), 7), animate: false });
    }
    item.layer.openTooltip();
  };

  Choropleth.prototype.onKey = function (event, index) {
    var count = this.items.length;
    var next = null;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") { next = (index + 1) % count; }
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") { next = (index - 1 + count) % count; }
    else if (event.key === "Home") { next = 0; }
    else if (event.key === "End") { next = count - 1; }
    else if (event.key === "Escape") { this.items[index].layer.closeTooltip(); return; }
    if (next === null) { return; }
    event.preventDefault();
    event.stopPropagation();
    this.items[index].layer.closeTooltip();
    this.items[next].node.focus();
  };

  Choropleth.prototype.fit = function (data) {
    if (!this.layer || !this.items.length) { this.map.fitBounds(FRANCE, { animate: false }); return; }
    // A map of France: fitted to the metropolitan territories; overseas ones come into view
    // when focused, and are in the table.
    var metro = data.parent.level === "france" && !data.departement
      ? this.items.filter(function (item) { return item.properties.zone === "metro"; }) : [];
    var bounds = metro.length ? L.featureGroup(metro.map(function (item) { return item.layer; })).getBounds() : this.layer.getBounds();
    this.map.fitBounds(bounds, { padding: [12, 12], maxZoom: 11, animate: false });
  };

  Choropleth.prototype.renderLegend = function (data) {
    if (!this.legend) { return; }
    var unit = data.indicator.unit;
    this.legend.hidden = false;
    this.legend.textContent = "";
    this.legend.appendChild(element("p", "choropleth-legend-title")).appendChild(element("strong", null, data.title));
    var list = element("ul", "choropleth-legend-list");
    list.setAttribute("aria-label", "Légende : classes de valeurs (" + data.classes.length + " classes par quantiles)");
    data.classes.forEach(function (c) {
      var li = element("li");
      li.appendChild(swatch(c.colour));
      li.appendChild(document.createTextNode(withUnit(c.label, unit, false) + " "));
      li.appendChild(element("span", "meta", "(" + c.count.toLocaleString("fr-FR") + ")"));
      list.appendChild(li);
    });
    var blank = element("li");
    blank.appendChild(swatch(null));
    blank.appendChild(document.createTextNode(data.blank.label + " "));
    blank.appendChild(element("span", "meta", "(" + data.blank.count.toLocaleString("fr-FR") + ")"));
    list.appendChild(blank);
    this.legend.appendChild(list);
    if (data.is_demo) {
      this.legend.appendChild(element("p")).appendChild(element("span", "badge badge-demo", data.demo_label));
    }
  };

  Choropleth.prototype.renderTable = function (data) {
    if (!this.table) { return; }
    var unit = data.indicator.unit;
    this.table.hidden = false;
    this.table.textContent = "";
    var table = this.table.appendChild(element("table", "data-table choropleth-table"));
    table.appendChild(element("caption", null, data.title + (data.is_demo ? " — " + data.demo_label : "")));
    var head = table.appendChild(element("thead")).appendChild(element("tr"));
    ["Territoire", "Code", "Valeur" + (unit ? " (" + unit + ")" : ""), "Classe"].forEach(function (title) {
      head.appendChild(element("th", null, title)).setAttribute("scope", "col");
    });
    var body = table.appendChild(element("tbody"));
    data.features.forEach(function (f) {
      var p = f.properties;
      var row = body.appendChild(element("tr"));
      var name = row.appendChild(element("th"));
      name.setAttribute("scope", "row");
      var link = name.appendChild(element("a", null, p.name));
      link.href = p.url;
      row.appendChild(element("td", null, p.code));
      var value = row.appendChild(element("td", null, p.value_text));
      if (p.value !== null && p.coverage !== null && p.coverage < 0.995) {
        value.appendChild(document.createTextNode(" "));
        value.appendChild(element("span", "meta", "(population couverte " + Math.round(100 * p.coverage) + " %)"));
      }
      var klass = row.appendChild(element("td"));
      klass.appendChild(swatch(p.colour));
      klass.appendChild(document.createTextNode(p.class_label));
    });
  };

  Choropleth.prototype.renderSource = function (data, url) {
    if (!this.source) { return; }
    this.source.hidden = false;
    this.source.textContent = data.source + " Classes : quantiles des territoires qui ont une valeur ; « non publié » : " +
      "secret statistique ou valeur non diffusée, jamais comptée comme zéro. ";
    if (data.without_shape.length) {
      this.source.appendChild(document.createTextNode("Sans contour ni point sur la carte (dans le tableau) : " +
        data.without_shape.join(", ") + ". "));
    }
    var link = this.source.appendChild(element("a", null, "Données de la carte (GeoJSON)"));
    link.href = url;
  };

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.L || !window.fetch || !window.URLSearchParams) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("[data-choropleth]"), function (root) {
      if (root.querySelector("[data-choropleth-map]")) { new Choropleth(root); }
    });
  });
})();

/* Carte des acteurs : a Leaflet map fed by /api/map (the server groups the matches into
 * clusters; single points that overlap are grouped again by leaflet.markercluster), the
 * list of the same results beside it and the code to embed the map, all kept in step
 * with the filters and the URL. Progressive enhancement: without this file the form
 * submits and the server renders the list. No inline script or style (CSP): what the page
 * knows comes from data-* attributes, the rest from the API. */
(function () {
  "use strict";

  // Page parameter → API parameter.
  var API_NAMES = { nature: "kind", metier: "metier", domaine: "domain", type: "type", territoire: "territory", afficher: "layer" };
  var LAYER_WORDS = {
    organisations: ["organisation", "organisations"],
    catalyseurs: ["catalyseur", "catalyseurs"],
    pratiques: ["pratique", "pratiques"]
  };
  var ALL_LAYERS = ["organisations", "catalyseurs", "pratiques"];
  var FRANCE = [[41.3, -5.2], [51.1, 9.6]];
  var COMMUNE_ZOOM = 13;
  var TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">les contributeurs d’OpenStreetMap</a>';

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function plural(n, words) {
    return n.toLocaleString("fr-FR") + " " + (n > 1 ? words[1] : words[0]);
  }

  function parseBounds(text) {
    var v = (text || "").split(",").map(Number);
    if (v.length !== 4 || v.some(isNaN)) { return null; }
    return { west: v[0], south: v[1], east: v[2], north: v[3] };
  }

  /* The page's query string as the API wants it (page number left out). */
  function apiParams(query) {
    var page = new URLSearchParams(query);
    var out = new URLSearchParams();
    page.forEach(function (value, name) {
      if (API_NAMES[name] && value) { out.append(API_NAMES[name], value); }
    });
    return out;
  }

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function composition(counts) {
    return ALL_LAYERS.filter(function (layer) { return counts && counts[layer]; })
      .map(function (layer) { return plural(counts[layer], LAYER_WORDS[layer]); }).join(", ");
  }

  function precisionText(p) {
    if (p.precision === "commune") {
      return "Point placé au centre de la commune" + (p.commune ? " (" + p.commune.name + ")" : "") + " : l'adresse n'est pas localisée.";
    }
    if (p.precision === "adresse") {
      return "Point placé à l'adresse" + (p.commune ? ", " + p.commune.name : "") + ".";
    }
    return "";
  }

  /* --- The map ------------------------------------------------------------------------- */

  function ActorsMap(container, options) {
    var self = this;
    this.container = container;
    this.api = container.dataset.api;
    this.embedded = container.dataset.embedded === "true";
    this.query = container.dataset.query || "";
    this.invalid = container.dataset.invalid === "true";
    this.message = options.message;
    this.controller = null;

    container.textContent = "";
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", "Carte des acteurs : la liste présente les mêmes résultats");

    var map = L.map(container, { zoomControl: false, minZoom: 2, maxZoom: 19 });
    this.map = map;
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    L.tileLayer(TILES, { maxZoom: 19, attribution: ATTRIBUTION, referrerPolicy: "strict-origin-when-cross-origin" }).addTo(map);

    this.clusters = L.layerGroup().addTo(map);
    this.points = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 36,
      iconCreateFunction: function (group) { return self.groupIcon(group.getChildCount()); }
    }).addTo(map);

    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", "Fermer"); close.setAttribute("title", "Fermer"); }
    });
    map.on("moveend", function () { self.refresh(); });
    this.fit(parseBounds(container.dataset.bounds));
  }

  ActorsMap.prototype.fit = function (bounds) {
    if (!bounds) {
      this.map.fitBounds(FRANCE);
    } else if (bounds.west === bounds.east && bounds.south === bounds.north) {
      this.map.setView([bounds.south, bounds.west], COMMUNE_ZOOM);
    } else {
      this.map.fitBounds([[bounds.south, bounds.west], [bounds.north, bounds.east]], { padding: [20, 20], maxZoom: COMMUNE_ZOOM });
    }
  };

  ActorsMap.prototype.setFilters = function (query, invalid, bounds, territoryChanged) {
    this.query = query;
    this.invalid = invalid;
    if (territoryChanged) {
      this.fit(bounds);  // moveend follows, and with it the refresh
      return;
    }
    this.refresh();
  };

  ActorsMap.prototype.refresh = function () {
    var self = this;
    if (this.controller) { this.controller.abort(); }
    if (this.invalid) {
      this.clusters.clearLayers();
      this.points.clearLayers();
      this.say("");
      return;
    }
    var b = this.map.getBounds();
    var params = apiParams(this.query);
    params.set("bbox", [
      clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)
    ].map(function (v) { return v.toFixed(5); }).join(","));
    params.set("zoom", String(Math.round(this.map.getZoom())));
    this.controller = new AbortController();
    fetch(this.api + "?" + params.toString(), { signal: this.controller.signal, headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (collection) { self.draw(collection); })
      .catch(function (error) {
        if (error.name !== "AbortError") { self.say("La carte n'a pas pu être mise à jour. La liste reste à jour."); }
      });
  };

  ActorsMap.prototype.say = function (text) {
    if (this.message) { this.message.textContent = text; }
  };

  ActorsMap.prototype.draw = function (collection) {
    var self = this;
    var markers = [];
    this.clusters.clearLayers();
    this.points.clearLayers();
    collection.features.forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var where = [c[1], c[0]];
      if (feature.properties.cluster) {
        self.clusters.addLayer(self.clusterMarker(feature, where));
      } else {
        markers.push(self.pointMarker(feature.properties, where));
      }
    });
    this.points.addLayers(markers);
    var total = collection.total || 0;
    this.say(total ? plural(total, ["résultat", "résultats"]) + " dans la zone affichée." : "Aucun résultat dans la zone affichée.");
    this.container.dataset.total = String(total);
    this.container.dataset.mode = collection.mode;
    this.container.dataset.zoom = String(collection.zoom);
  };

  ActorsMap.prototype.groupIcon = function (count) {
    var size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 48 : 56;
    var html = element("span", "map-cluster-inner");
    html.appendChild(element("span", null, count.toLocaleString("fr-FR"))).setAttribute("aria-hidden", "true");
    html.appendChild(element("span", "visually-hidden", plural(count, ["résultat", "résultats"]) + " très proches : afficher le détail"));
    return L.divIcon({ html: html, className: "map-cluster map-cluster-near", iconSize: [size, size] });
  };

  ActorsMap.prototype.clusterMarker = function (feature, where) {
    var self = this;
    var p = feature.properties;
    var count = p.count;
    var size = count < 10 ? 34 : count < 100 ? 40 : count < 1000 ? 48 : 56;
    var html = element("span", "map-cluster-inner");
    html.appendChild(element("span", null, count.toLocaleString("fr-FR"))).setAttribute("aria-hidden", "true");
    html.appendChild(element("span", "visually-hidden", "Regroupement de " + composition(p.counts) + " : zoomer dessus"));
    var marker = L.marker(where, {
      icon: L.divIcon({ html: html, className: "map-cluster", iconSize: [size, size] }),
      keyboard: true,
      title: composition(p.counts)
    });
    marker.on("click", function () { self.openCluster(feature, marker); });
    marker.on("keypress", function (event) {
      if (event.originalEvent.key === "Enter") { self.openCluster(feature, marker); }
    });
    return marker;
  };

  ActorsMap.prototype.openCluster = function (feature, marker) {
    var box = feature.bbox;
    var samePlace = box[0] === box[2] && box[1] === box[3];
    if (!samePlace && this.map.getZoom() < this.map.getMaxZoom()) {
      this.map.fitBounds([[box[1], box[0]], [box[3], box[2]]], { padding: [30, 30], maxZoom: this.map.getMaxZoom() });
      return;
    }
    // Too many at one point (a commune's centre): the list of that commune says what they are.
    var p = feature.properties;
    var content = element("div", "map-popup");
    content.appendChild(element("p", "map-popup-name", composition(p.counts) + " au même endroit"));
    if (p.commune) {
      content.appendChild(element("p", null, "Points placés au centre de la commune (" + p.commune.name + ")."));
      var params = new URLSearchParams(this.query);
      params.set("territoire", p.commune.territory);
      params.delete("page");
      var link = element("a", null, "Voir la liste de " + p.commune.name);
      link.href = this.container.dataset.pageUrl + "?" + params.toString();
      if (this.embedded) { link.target = "_blank"; link.rel = "noopener"; }
      content.appendChild(element("p")).appendChild(link);
    }
    marker.bindPopup(content).openPopup();
  };

  ActorsMap.prototype.pointMarker = function (p, where) {
    var approx = p.precision === "commune";
    var html = element("span", "visually-hidden", p.layer_label + " : " + p.name + (approx ? " (point placé au centre de la commune)" : ""));
    var marker = L.marker(where, {
      icon: L.divIcon({
        html: html,
        className: "map-point map-point-" + p.layer + (approx ? " is-approx" : ""),
        iconSize: [20, 20]
      }),
      keyboard: true,
      title: p.name
    });
    var self = this;
    marker.bindPopup(function () { return self.popup(p); });
    return marker;
  };

  ActorsMap.prototype.popup = function (p) {
    var content = element("div", "map-popup");
    content.appendChild(element("p", "map-popup-layer", p.layer_label + (p.kind_label ? " · " + p.kind_label : "")));
    var name = content.appendChild(element("p", "map-popup-name"));
    var link = name.appendChild(element("a", null, p.name));
    link.href = p.url;
    if (this.embedded) { link.target = "_blank"; link.rel = "noopener"; }
    var where = precisionText(p);
    if (where) { content.appendChild(element("p", "map-popup-precision", where)); }
    if (p.is_demo) {
      content.appendChild(element("p")).appendChild(element("span", "badge badge-demo", "donnée de démonstration"));
    }
    return content;
  };

  /* --- The page: filters, list, URL and embed code ----------------------------------- */

  function pageQuery(form) {
    var params = new URLSearchParams();
    var layers = [];
    new FormData(form).forEach(function (value, name) {
      value = String(value).trim();
      if (!value || name === "page") { return; }
      if (name === "afficher") { layers.push(value); } else { params.append(name, value); }
    });
    if (layers.length && layers.length < ALL_LAYERS.length) {
      layers.forEach(function (layer) { params.append("afficher", layer); });
    }
    return params.toString();
  }

  function Page(form, actorsMap) {
    this.form = form;
    this.actorsMap = actorsMap;
    this.listUrl = actorsMap ? actorsMap.container.dataset.listUrl : form.dataset.listUrl;
    this.status = document.getElementById("map-status");
    this.embedCode = document.getElementById("embed-code");
    this.shown = pageQuery(form);
    this.territory = this.territoryValue();
    this.controller = null;
    var self = this;

    form.addEventListener("submit", function (event) { event.preventDefault(); self.apply(); });
    form.addEventListener("change", function () { self.apply(); });
    // A territory chosen in the autocomplete fires no event: look right after the choice
    // (a click on a suggestion, or Enter on the field).
    var afterChoice = function () { setTimeout(function () { self.apply(); }, 0); };
    form.addEventListener("mousedown", function (event) {
      if (event.target.closest && event.target.closest(".autocomplete-list")) { afterChoice(); }
    });
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.name === "territoire") { afterChoice(); }
    });
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("#map-results .pagination a") : null;
      if (!link) { return; }
      event.preventDefault();
      var query = link.search.replace(/^\?/, "");
      history.pushState(null, "", window.location.pathname + (query ? "?" + query : ""));
      self.loadList(query, { focus: true });
    });
    window.addEventListener("popstate", function () { window.location.reload(); });
    this.enhanceEmbedBox();
  }

  Page.prototype.territoryValue = function () {
    var input = this.form.elements.namedItem("territoire");
    return input ? input.value.trim() : "";
  };

  Page.prototype.apply = function () {
    var query = pageQuery(this.form);
    if (query === this.shown) { return; }
    this.shown = query;
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    var territoryChanged = this.territoryValue() !== this.territory;
    this.territory = this.territoryValue();
    this.loadList(query, { territoryChanged: territoryChanged });
    this.updateEmbed(query);
  };

  Page.prototype.loadList = function (query, options) {
    var self = this;
    if (this.controller) { this.controller.abort(); }
    this.controller = new AbortController();
    fetch(this.listUrl + (query ? "?" + query : ""), { signal: this.controller.signal, headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("map-results");
        var current = document.getElementById("map-results");
        if (!fresh || !current) { return; }
        current.replaceWith(document.importNode(fresh, true));
        var heading = document.getElementById("map-results-title");
        if (self.status && heading) { self.status.textContent = heading.textContent; }
        if (options.focus && heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
        if (self.actorsMap && !options.focus) {
          // The canonical filters (a territory typed by name comes back as niveau/code).
          self.actorsMap.setFilters(fresh.dataset.query || "", fresh.dataset.invalid === "true",
            parseBounds(fresh.dataset.bounds), options.territoryChanged);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && self.status) {
          self.status.textContent = "La liste n'a pas pu être mise à jour : utilisez le bouton « Filtrer ».";
        }
      });
  };

  Page.prototype.updateEmbed = function (query) {
    if (!this.embedCode) { return; }
    var src = this.embedCode.dataset.embedBase + (query ? "?" + query : "");
    this.embedCode.value = '<iframe src="' + src.replace(/&/g, "&amp;").replace(/"/g, "&quot;") +
      '" title="Carte des acteurs (Catalyseur)" width="100%" height="520" loading="lazy"></iframe>';
  };

  Page.prototype.enhanceEmbedBox = function () {
    var code = this.embedCode;
    var button = document.getElementById("embed-copy");
    var done = document.getElementById("embed-copied");
    if (!code || !button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var said = function () { if (done) { done.textContent = "Code copié."; } };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.value).then(said, function () { code.select(); });
      } else {
        code.select();
        if (document.execCommand && document.execCommand("copy")) { said(); }
      }
    });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("actors-map");
    var actorsMap = null;
    if (container && window.L && L.markerClusterGroup) {
      actorsMap = new ActorsMap(container, { message: document.getElementById("map-message") });
    }
    var form = document.getElementById("map-filters");
    if (form && actorsMap) { new Page(form, actorsMap); }
  });
})();

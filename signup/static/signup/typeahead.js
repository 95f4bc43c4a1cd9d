// Type-ahead for the commune search: the form works without JavaScript; with it, results
// appear while typing, from GET /api/v1/municipalities/?search=.
(function () {
  "use strict";
  var form = document.querySelector("form[data-typeahead]");
  if (!form) { return; }
  var input = form.querySelector("input[name=q]");
  var results = document.getElementById("search-results");
  var applyUrl = form.getAttribute("data-apply-url");
  var timer = null;
  var lang = document.documentElement.lang || "de";
  var texts = lang === "de"
    ? { taken: "bereits auf Kommunal oder beantragt", choose: "Auswählen", none: "Keine Gemeinde des amtlichen Verzeichnisses passt." }
    : { taken: "already on Kommunal or applied", choose: "Choose", none: "No municipality of the official directory matches." };

  function render(items) {
    results.textContent = "";
    if (!items.length) {
      var p = document.createElement("p");
      p.textContent = texts.none;
      results.appendChild(p);
      return;
    }
    var list = document.createElement("ul");
    list.className = "card-list municipality-results";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "card";
      var name = document.createElement("strong");
      name.textContent = item.name;
      li.appendChild(name);
      li.appendChild(document.createTextNode(" (" + item.ags + ") – " + item.district + ", " + item.land + " "));
      if (item.taken) {
        var span = document.createElement("span");
        span.className = "taken";
        span.textContent = texts.taken;
        li.appendChild(span);
      } else {
        var a = document.createElement("a");
        a.className = "button";
        a.href = applyUrl.replace("00000000", item.ags);
        a.textContent = texts.choose;
        li.appendChild(a);
      }
      list.appendChild(li);
    });
    results.appendChild(list);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    var query = input.value.trim();
    if (query.length < 2) { return; }
    timer = setTimeout(function () {
      fetch(form.getAttribute("data-typeahead") + "?search=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(render)
        .catch(function () { /* the search button still works */ });
    }, 200);
  });
})();

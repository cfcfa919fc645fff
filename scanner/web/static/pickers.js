/* Pickers for the profile forms: search kinds of work (CPV) and places by words, and add the
   choice to the plain field as "words (code)". The fields work without this script: the
   server reads words and codes typed in them. */
(function () {
  "use strict";
  var DELAY = 200;

  function lastItems(value) {
    return value.split(";").map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function setup(input) {
    var kind = input.getAttribute("data-picker");
    var field = input.closest(".field");
    var id = input.id + "-search";
    var wrap = document.createElement("div");
    wrap.className = "picker";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = kind === "cpv" ? "Search kinds of work by words" : "Search places by name";
    var search = document.createElement("input");
    search.type = "search";
    search.id = id;
    search.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "hint";
    status.setAttribute("role", "status");
    var list = document.createElement("ul");
    list.className = "picker-results";
    wrap.appendChild(label);
    wrap.appendChild(search);
    wrap.appendChild(status);
    wrap.appendChild(list);
    field.appendChild(wrap);
    var timer = null;

    function show(data) {
      list.textContent = "";
      if (!data.results.length) {
        status.textContent = data.query ? "Nothing found for \u201c" + data.query + "\u201d." : "";
        return;
      }
      status.textContent = data.results.length + " found; choose one to add it.";
      data.results.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = "Add " + item.shown;
        button.addEventListener("click", function () {
          var items = lastItems(input.value);
          if (items.indexOf(item.shown) < 0) items.push(item.shown);
          input.value = items.join("; ");
          status.textContent = "Added " + item.shown + ".";
          list.textContent = "";
          search.value = "";
          search.focus();
        });
        li.appendChild(button);
        list.appendChild(li);
      });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (q.length < 2) { list.textContent = ""; status.textContent = ""; return; }
      timer = setTimeout(function () {
        var url = "/reference/" + kind + "?q=" + encodeURIComponent(q) +
          "&lang=" + encodeURIComponent((navigator.language || "en").slice(0, 2));
        fetch(url, { credentials: "same-origin" })
          .then(function (r) { return r.json(); })
          .then(show)
          .catch(function () { status.textContent = "Search is unavailable; type words or codes in the field above."; });
      }, DELAY);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // Enter picks, it does not submit
    });
  }

  function busy(form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[data-busy]");
      if (button) {
        button.textContent = button.getAttribute("data-busy");
        button.setAttribute("aria-disabled", "true");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-picker]"), setup);
    Array.prototype.forEach.call(document.querySelectorAll("form"), busy);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  });
})();

// Our only script besides vendored htmx. The CSP allows scripts from 'self' only, so
// nothing inline: this file wires htmx to Litestar's CSRF check and focuses a refused form.
// The CSRF cookie is HttpOnly, so the page carries the token in <meta name="csrf-token">.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["x-csrftoken"] = meta.content;
  }
});

// A refused form says so where it is: its error list (the summary at the top of a form page,
// or a follow-up's far down the workbench) is focused, which also scrolls it into view and
// lets a screen reader read it; the summary's links lead on to each field.
document.addEventListener("DOMContentLoaded", function () {
  var refused = document.querySelector('[role="alert"][tabindex="-1"][data-focus]');
  if (refused) {
    refused.focus();
  }
});

// A button that says what it will do by a box of its form ("Skicka förslaget till värden" or
// "… till deltagaren först") follows the box as it is ticked; the page sets it as sent.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("button[data-label-by]").forEach(function (button) {
    var box = button.form && button.form.elements.namedItem(button.dataset.labelBy);
    if (!box || box.type !== "checkbox") {
      return;
    }
    box.addEventListener("change", function () {
      button.textContent = box.checked ? button.dataset.labelOn : button.dataset.labelOff;
    });
  });
});

// A wide table scrolls inside its own box (.table-wrap); on a phone nothing showed that the
// columns went on. A box whose table is wider than it says so above it (site.css).
function markWideTables() {
  document.querySelectorAll(".table-wrap").forEach(function (box) {
    box.classList.toggle("scrolls", box.scrollWidth > box.clientWidth + 1);
  });
}
document.addEventListener("DOMContentLoaded", markWideTables);
window.addEventListener("resize", markWideTables);

// A notice of what was just done ("Sparat.") comes in the address (?klart=…). Once shown, it
// is taken out of the address, so that a reload, a bookmark or a shared link does not say it
// again; the rest of the address (a search, a fragment) stays.
document.addEventListener("DOMContentLoaded", function () {
  var notice = document.querySelector(".notice[data-params]");
  if (!notice || !window.history.replaceState) {
    return;
  }
  var url = new URL(window.location.href);
  notice.dataset.params.split(" ").forEach(function (name) {
    url.searchParams.delete(name);
  });
  window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
});

// The language switch leads back to the page it stands on (`tillbaka`, written when the page
// was sent). The public search's filters change the address in place (htmx's hx-push-url):
// the switch follows, so that a language chosen after filtering keeps the hits' filters.
document.addEventListener("htmx:pushedIntoHistory", function () {
  document.querySelectorAll('form.language input[name="tillbaka"]').forEach(function (back) {
    back.value = window.location.pathname + window.location.search;
  });
});

// A form that keeps what was typed across a change of language (the application form,
// `data-keeps-language` naming its field): the switch posts that form with the language
// chosen, instead of leaving the page, and the page comes back in the new language with the
// text as typed. Nothing typed goes into an address or the browser's storage.
document.addEventListener("submit", function (event) {
  var switcher = event.target;
  if (!switcher.matches || !switcher.matches("form.language")) return;
  var keeper = document.querySelector("form[data-keeps-language]");
  if (!keeper) return;
  event.preventDefault();
  if (keeper.dataset.switching) return; // a double click posts once
  keeper.dataset.switching = "1";
  var chosen = document.createElement("input");
  chosen.type = "hidden";
  chosen.name = keeper.getAttribute("data-keeps-language");
  chosen.value = switcher.querySelector("select[name=sprak]").value;
  keeper.appendChild(chosen);
  keeper.submit();
});

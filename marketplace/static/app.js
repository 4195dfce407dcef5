// Our only script besides vendored htmx. The CSP allows scripts from 'self' only, so
// nothing inline: this file wires htmx to Litestar's CSRF check, and nothing more.
// The CSRF cookie is HttpOnly, so the page carries the token in <meta name="csrf-token">.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["x-csrftoken"] = meta.content;
  }
});

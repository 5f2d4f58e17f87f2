// /docs: Swagger UI from the copy this server serves (web/pages/static/vendor/swagger-ui, pinned in
// package.json), reading this server's own OpenAPI document. A file, not an inline script:
// the page's Content-Security-Policy runs only our own scripts. No validator badge: it would
// send the document to validator.swagger.io.
/* global SwaggerUIBundle */
window.addEventListener("DOMContentLoaded", () => {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
  });
});

// /docs: Swagger UI (swagger-ui-dist, vendored by `npm run build`) over this
// server's /openapi.json. A module runs after the deferred bundle, so
// SwaggerUIBundle is defined here.
window.ui = window.SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  tryItOutEnabled: false,
  defaultModelsExpandDepth: 0,
  // The document is this server's own: no validator badge calling elsewhere.
  validatorUrl: null,
});

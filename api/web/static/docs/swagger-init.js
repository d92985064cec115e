// Swagger UI for ringi's /openapi.json (vendored: swagger-ui-dist 5.35.0, Apache-2.0; no CDN on LGWAN).
window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
});

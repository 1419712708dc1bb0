// Light behaviour over server-rendered pages; without this script every page still works.
"use strict";

// Dates in the reader's time zone: tell the server once, by cookie, and redraw once.
(function followTimeZone() {
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) { return; }
  const shown = document.documentElement.dataset.tz;
  // The zone passed the check above, so it is a valid cookie value as it is.
  document.cookie = "ecoute_tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
  if (shown !== zone && !sessionStorage.getItem("ecoute-tz-reloaded")) {
    sessionStorage.setItem("ecoute-tz-reloaded", "1");
    window.location.reload();
  }
})();

// The filter form: a relative period and dates contradict each other, the last touched wins.
function wireFilters(root) {
  const form = root.querySelector("#filters");
  if (!form || form.dataset.wired) { return; }
  form.dataset.wired = "1";
  const period = form.elements.namedItem("period");
  const dates = form.querySelectorAll('input[type="date"]');
  if (period) {
    period.addEventListener("change", () => { dates.forEach((input) => { input.value = ""; }); });
    dates.forEach((input) => {
      input.addEventListener("change", () => { if (input.value) { period.value = "all"; } });
    });
  }
  // Leave empty filters out of the address, so a view's URL is short enough to share.
  form.addEventListener("submit", () => {
    Array.from(form.elements).forEach((field) => {
      if (field.name && field.value === "") { field.disabled = true; }
    });
  });
}
wireFilters(document);
document.body.addEventListener("htmx:afterSettle", () => wireFilters(document));
window.addEventListener("pageshow", () => {
  document.querySelectorAll("#filters [disabled]").forEach((field) => { field.disabled = false; });
});
// htmx sends empty fields too; drop them from the request and the pushed URL.
document.body.addEventListener("htmx:configRequest", (event) => {
  const params = event.detail.parameters;
  if (params && typeof params.forEach === "function" && typeof params.delete === "function") {
    const empty = [];
    params.forEach((value, key) => { if (value === "") { empty.push(key); } });
    empty.forEach((key) => params.delete(key));
  }
});

// The live counter: server-sent events from the mentions_stored hook.
(function listenLive() {
  const url = document.body.dataset.liveUrl;
  if (!url || typeof EventSource === "undefined") { return; }
  const lang = document.documentElement.lang;
  const format = new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB");
  let stored = null;
  const source = new EventSource(url);
  source.addEventListener("count", (event) => {
    let data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    document.querySelectorAll("[data-live]").forEach((el) => {
      const value = data[el.dataset.live];
      if (typeof value === "number") { el.textContent = format.format(value); }
    });
    // New mentions: lists that follow the stream refresh themselves (hx-trigger="stored").
    if (stored !== null && data.stored > stored) {
      document.body.dispatchEvent(new CustomEvent("stored"));
    }
    stored = data.stored;
  });
  window.addEventListener("pagehide", () => source.close());
})();

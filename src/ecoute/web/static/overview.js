// Small comforts for the filter form; without this script it works the same.
"use strict";

const form = document.getElementById("filters");
if (form) {
  const period = form.elements.namedItem("period");
  const dates = form.querySelectorAll('input[type="date"]');
  // A relative period and dates contradict each other: the last one touched wins.
  period.addEventListener("change", () => {
    dates.forEach((input) => { input.value = ""; });
  });
  dates.forEach((input) => {
    input.addEventListener("change", () => {
      if (input.value) {
        period.value = "all";
      }
    });
  });
  // Leave empty filters out of the address, so a view's URL is short enough to share.
  form.addEventListener("submit", () => {
    Array.from(form.elements).forEach((field) => {
      if (field.name && field.value === "") {
        field.disabled = true;
      }
    });
  });
  // Coming back with the Back button must show the fields enabled again.
  window.addEventListener("pageshow", () => {
    Array.from(form.elements).forEach((field) => { field.disabled = false; });
  });
}

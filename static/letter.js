// The personalisation meter, live while the supporter types (the page works without this: "Show how it reads").
(function () {
  "use strict";
  var form = document.querySelector("form[data-meter-url]");
  if (!form || !window.fetch) { return; }
  var body = form.querySelector("textarea[name=body]");
  var meter = document.getElementById("personalised");
  var text = document.getElementById("personalised-text");
  var template = text.textContent.replace(/\d+(?=\s*%)/, "{n}");
  var timer = null;
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var data = new FormData();
      data.append("body", body.value);
      data.append("lang", form.querySelector("input[name=lang]").value);
      data.append("csrf_token", form.querySelector("input[name=csrf_token]").value);
      fetch(form.dataset.meterUrl, { method: "POST", body: data, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (!result) { return; }
          meter.value = result.personalised;
          text.textContent = template.replace("{n}", result.personalised);
        })
        .catch(function () {});
    }, 400);
  });
})();

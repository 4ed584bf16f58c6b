// Small extras on the supporter's pages; each page works without them (the server keeps drafts, "Show how it
// reads" renders the preview, links and forms are plain).
(function () {
  "use strict";
  var PLACEHOLDER = /\{([a-z_]+)\}/g;
  var storage = null;
  try { storage = window.sessionStorage; } catch (e) { storage = null; }

  // The same filling as the server's (outreach/campaigns/letters.py): known placeholders only, in one pass; a line
  // that held only placeholders that came out empty disappears.
  function fill(text, values) {
    return text.split("\n").map(function (line) {
      var filled = line.replace(PLACEHOLDER, function (whole, name) {
        return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
      });
      var onlyPlaceholders = line.trim() && !line.replace(PLACEHOLDER, "").trim();
      return (!filled.trim() && onlyPlaceholders) ? null : filled;
    }).filter(function (line) { return line !== null; }).join("\n");
  }

  function names(text) {
    var found = {};
    text.replace(PLACEHOLDER, function (whole, name) { found[name] = true; return whole; });
    return found;
  }

  function shares(a, b) {
    return Object.keys(a).some(function (name) { return b[name]; });
  }

  // The whole letter from what was typed: the locked lines around it, as the server puts them back.
  function assemble(data, typed) {
    var own = names(typed);
    var text = typed;
    if (data.head && !shares(names(data.head), own)) { text = data.head + data.headGap + text; }
    if (data.tail && !shares(names(data.tail), own)) { text = text + data.tailGap + data.tail; }
    return text;
  }

  function letterPage(form) {
    var body = form.querySelector("textarea[name=body]");
    var subject = form.querySelector("input[name=subject]");
    var nameField = form.querySelector("input[name=name]");
    var place = form.querySelector("input[name=place]");
    var fields = ["subject", "body", "name", "email", "place"].map(function (name) {
      return form.querySelector("[name=" + name + "]");
    }).filter(Boolean);
    var key = "outreach-letter:" + form.dataset.draftKey;

    // Back button, a closed tab restored, a link followed by mistake: what was typed comes back from this tab's
    // storage, unless the page already shows typed text (the server's draft, or the browser's own restore).
    var untouched = fields.every(function (field) { return field.value === field.defaultValue; });
    if (storage && untouched && !document.getElementById("error-summary")) {
      try {
        var saved = JSON.parse(storage.getItem(key) || "null");
        if (saved) {
          fields.forEach(function (field) {
            if (typeof saved[field.name] === "string") { field.value = saved[field.name]; }
          });
        }
      } catch (e) { /* nothing saved, or unreadable: the page as the server sent it */ }
    }
    function save() {
      if (!storage) { return; }
      var values = {};
      fields.forEach(function (field) { values[field.name] = field.value; });
      try { storage.setItem(key, JSON.stringify(values)); } catch (e) { /* storage full or off */ }
    }

    var data = form.dataset;
    var previews = Array.prototype.slice.call(document.querySelectorAll("details.preview"));
    var tail = document.querySelector("#letter-tail .locked-text");
    function render() {
      var name = nameField.value.trim().replace(/\s+/g, " ") || data.yourName;
      var city = place.value.trim().replace(/\s+/g, " ");
      var text = assemble(data, body.value.replace(/\r\n?/g, "\n").trim());
      previews.forEach(function (details) {
        var values = {
          salutation: details.dataset.salutation,
          mp_name: details.dataset.mpName,
          mp_party: details.dataset.mpParty,
          supporter_name: name,
          supporter_city: city,
          campaign_title: data.campaignTitle
        };
        details.querySelector(".preview-subject").textContent = fill(subject.value, values);
        details.querySelector(".letter-text").textContent = fill(text, values);
      });
      if (tail) { tail.textContent = fill(data.tail, { supporter_name: name, supporter_city: city }); }
    }
    if (previews.length && window.matchMedia && window.matchMedia("(min-width: 48rem)").matches) {
      previews[0].open = true;  // on a wide screen the first recipient's letter reads beside the form
    }

    var meter = document.getElementById("personalised");
    var meterText = document.getElementById("personalised-text");
    // The number beside its percent sign, which some languages write first ("%25" in Turkish).
    var template = meterText ? meterText.textContent.replace(/\d+(?=\s*%)|(?<=%\s*)\d+/, "{n}") : "";
    var timer = null;
    function measure() {
      if (!window.fetch || !meter) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var payload = new FormData();
        payload.append("body", body.value);
        payload.append("lang", form.querySelector("input[name=lang]").value);
        var csrf = form.querySelector("input[name=csrf_token]");
        if (csrf) { payload.append("csrf_token", csrf.value); }
        fetch(form.dataset.meterUrl, { method: "POST", body: payload, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : null; })
          .then(function (result) {
            if (!result) { return; }
            meter.value = result.personalised;
            meterText.textContent = template.replace("{n}", result.personalised);
            var warning = document.getElementById("language-warning");
            if (warning && typeof result.language_warning === "string") {
              warning.textContent = result.language_warning;  // the server's gentle note on the language, or none
              warning.hidden = !result.language_warning;
            }
          })
          .catch(function () {});
      }, 400);
    }

    form.addEventListener("input", function (event) {
      save();
      render();
      if (event.target === body) { measure(); }
    });
    render();
    save();
  }

  function focusFirst() {
    var target = document.getElementById("error-summary") || document.getElementById("language-question");
    if (target) { target.focus(); }
  }

  function donePage() {
    var copy = document.querySelector("[data-copy]");
    if (copy && navigator.clipboard) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var input = document.getElementById(copy.dataset.copy);
        navigator.clipboard.writeText(input.value).then(function () {
          document.getElementById("copy-status").textContent = copy.dataset.copied;
        }, function () { input.select(); });
      });
    }
    var share = document.querySelector("[data-share-url]");
    if (share && navigator.share) {
      share.parentNode.hidden = false;
      share.addEventListener("click", function () {
        navigator.share({ title: share.dataset.shareTitle, text: share.dataset.shareText, url: share.dataset.shareUrl })
          .catch(function () {});
      });
    }
  }

  function sentPage() {
    var sent = document.querySelector("[data-letter-sent]");
    if (!sent || !storage) { return; }
    // The letter is on the server now: the tab's copy goes, so that the next letter starts afresh.
    var prefix = "outreach-letter:" + sent.dataset.letterSent + ":";
    for (var i = storage.length - 1; i >= 0; i--) {
      var name = storage.key(i);
      if (name && name.indexOf(prefix) === 0) { storage.removeItem(name); }
    }
  }

  var form = document.querySelector("form#letter");
  if (form) { letterPage(form); }
  window.addEventListener("load", focusFirst);  // earlier, the browser may still move focus as the page loads
  donePage();
  sentPage();
})();

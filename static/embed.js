// On a partner's page: fit each Outreach campaign frame (iframe[data-outreach-embed]) to the height its card
// reports. Only messages from that frame's own window and origin are believed.
(function () {
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (!data || data.outreachEmbed !== "height" || typeof data.height !== "number") return;
    var frames = document.querySelectorAll("iframe[data-outreach-embed]");
    for (var i = 0; i < frames.length; i++) {
      var frame = frames[i];
      if (frame.contentWindow !== event.source) continue;
      if (new URL(frame.src, document.baseURI).origin !== event.origin) return;
      frame.style.height = Math.max(120, Math.min(Math.ceil(data.height), 4000)) + "px";
      return;
    }
  });
})();

// Inside the campaign's frame on a partner's page: tell the partner's page (and only its listed origin) how tall
// the card is, so its optional sizing script can fit the frame. Without that script nothing changes.
(function () {
  var origin = document.body.getAttribute("data-parent-origin");
  if (!origin || window.parent === window) return;
  function post() {
    window.parent.postMessage({ outreachEmbed: "height", height: document.documentElement.scrollHeight }, origin);
  }
  post();
  window.addEventListener("load", post);
  if (window.ResizeObserver) new ResizeObserver(post).observe(document.body);
})();

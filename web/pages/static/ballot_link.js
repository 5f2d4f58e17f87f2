// The public ballot page: the result notice's QR code opens it with the street office's
// trust file in the fragment (#gongzhi-trust=…, never sent to the server); the link to the
// verification page carries that fragment on, so the check there uses the printed trust.

const link = document.getElementById("verify-link");
if (link && new URLSearchParams(location.hash.slice(1)).has("gongzhi-trust")) {
  link.href = link.getAttribute("href").split("#")[0] + location.hash;
}

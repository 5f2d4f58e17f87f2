// The large-text switch (工业和信息化部 适老化: larger type on request) in the header of the
// owner's pages and the public pages: one choice, remembered on this device under one key,
// so a size chosen on the owner's pages holds on the public ones and back. Applied as soon as
// the module runs; a page without the button still takes the remembered size.

const KEY = "gongzhi:large-text";

export function textSize() {
  const button = document.getElementById("text-size");
  const apply = (large) => {
    document.documentElement.classList.toggle("large", large);
    if (!button) return;
    button.setAttribute("aria-pressed", String(large));
    button.textContent = large ? button.dataset.on : button.dataset.off;
  };
  let large = false;
  try {
    large = localStorage.getItem(KEY) === "1";
  } catch {
    /* storage refused: the normal size */
  }
  apply(large);
  button?.addEventListener("click", () => {
    large = !large;
    try {
      localStorage.setItem(KEY, large ? "1" : "0");
    } catch {
      /* not remembered, still applied */
    }
    apply(large);
  });
}

textSize();

// Reading a QR code from the camera or from a photo: the one reader of the pages (the
// verification page /verify, the voting card page, a proxy's code on the ballot page).
// The browser's own BarcodeDetector where it reads QR codes (Android's Chrome, Safari, …);
// elsewhere jsQR, vendored from npm (web/pages/static/vendor/jsqr, pinned in package.json) and
// loaded only then, so a phone with a detector never downloads it. jsQR is a classic script
// (it sets globalThis.jsQR); adding it as a <script src> of our own origin keeps the CSP.

const JSQR_URL = "/static/vendor/jsqr/jsQR.js";
// A phone photo is large; both decoders read a printed QR code well at about 1200 px across,
// and jsQR's time grows with the pixels.
const MAX_SIDE = 1200;
const FRAME_MS = 200; // between two looks at the camera: fast enough, and leaves the CPU free

let detector; // undefined: not asked yet; null: the browser has none for QR codes
let jsqrLoading = null;
let canvas = null;

/** The browser's BarcodeDetector for QR codes, or null where there is none. */
async function nativeDetector() {
  if (detector !== undefined) return detector;
  detector = null;
  try {
    const Detector = globalThis.BarcodeDetector;
    if (Detector && (await Detector.getSupportedFormats()).includes("qr_code")) {
      detector = new Detector({ formats: ["qr_code"] });
    }
  } catch {
    detector = null; // a detector that cannot start is no detector: jsQR reads instead
  }
  return detector;
}

/** jsQR, added to the page the first time it is needed. */
function loadJsQR() {
  if (globalThis.jsQR) return Promise.resolve(globalThis.jsQR);
  jsqrLoading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = JSQR_URL;
    script.onload = () => resolve(globalThis.jsQR);
    script.onerror = () => {
      jsqrLoading = null; // a later try may load it (the connection came back)
      reject(new Error("jsQR"));
    };
    document.head.append(script);
  });
  return jsqrLoading;
}

/** Have the decoder ready before a scan (a camera takes a moment to open): jsQR is fetched
 * now only where the browser has no detector of its own. */
export async function prepare() {
  if (!(await nativeDetector())) await loadJsQR();
}

/** The text of the first QR code in `source` (a <video> or an ImageBitmap), or null. */
async function decode(source, width, height) {
  const native = await nativeDetector();
  if (native) {
    const [code] = await native.detect(source);
    return code ? code.rawValue : null;
  }
  const jsQR = await loadJsQR();
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const [w, h] = [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
  canvas ??= document.createElement("canvas");
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, w, h);
  return jsQR(ctx.getImageData(0, 0, w, h).data, w, h)?.data ?? null;
}

/** The text of the QR code in an image file (a photo of the notice, a screenshot), or null
 * when there is none the decoder can read. Throws only when the file is not an image. */
export async function readPhoto(file) {
  const image = await createImageBitmap(file);
  try {
    return await decode(image, image.width, image.height);
  } finally {
    image.close();
  }
}

/** The camera on `video`: `start()` asks for it (the back camera of a phone) and calls
 * `onText(text)` with each QR code's text until that returns true; `stop()` ends it and
 * frees the camera. `start` throws when there is no camera or permission was refused. */
export function cameraScanner(video, onText) {
  let stream = null;
  let timer = 0;
  let run = 0; // which start() a look belongs to: a stopped one's pending look ends itself

  function stop() {
    run += 1;
    clearTimeout(timer);
    timer = 0;
    for (const track of stream?.getTracks() ?? []) track.stop();
    stream = null;
    video.srcObject = null;
  }

  async function look(mine) {
    let text = null;
    try {
      if (video.videoWidth) text = await decode(video, video.videoWidth, video.videoHeight);
    } catch {
      text = null; // a frame that cannot be read: the next one may be
    }
    if (mine !== run) return;
    if (text !== null && onText(text)) stop();
    else timer = setTimeout(look, FRAME_MS, mine);
  }

  async function start() {
    stop();
    const mine = run;
    if (!navigator.mediaDevices?.getUserMedia) throw new Error("getUserMedia");
    const got = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment", width: { ideal: 1280 } },
      audio: false,
    });
    if (mine !== run) {
      for (const track of got.getTracks()) track.stop(); // stopped while the browser asked
      return;
    }
    stream = got;
    video.srcObject = got;
    await video.play();
    timer = setTimeout(look, 0, mine);
  }

  return { start, stop };
}

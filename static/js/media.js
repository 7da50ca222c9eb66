// Kiln media: paints each image's placeholder until it loads, with no inline styles (CSP).
// The <img> carries data-color (dominant colour) and data-blurhash; we paint the colour at
// once, then a 32×32 decoded blurhash as a stretched background, and clear both on load.
(function () {
  "use strict";
  var CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

  function d83(text) {
    var value = 0;
    for (var i = 0; i < text.length; i++) {
      var digit = CHARS.indexOf(text[i]);
      if (digit < 0) return NaN;
      value = value * 83 + digit;
    }
    return value;
  }
  function toLinear(v) {
    v /= 255;
    return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  }
  function toSrgb(v) {
    v = Math.max(0, Math.min(1, v));
    return v <= 0.0031308 ? Math.round(v * 12.92 * 255 + 0.5) : Math.round((1.055 * Math.pow(v, 1 / 2.4) - 0.055) * 255 + 0.5);
  }
  function signPow(v, e) {
    return (v < 0 ? -1 : 1) * Math.pow(Math.abs(v), e);
  }

  function decode(hash, width, height) {
    if (!hash || hash.length < 6) return null;
    var size = d83(hash[0]);
    var ny = Math.floor(size / 9) + 1;
    var nx = (size % 9) + 1;
    if (hash.length !== 4 + 2 * nx * ny) return null;
    var maxAc = (d83(hash[1]) + 1) / 166;
    var dc = d83(hash.substring(2, 6));
    var colours = [[toLinear(dc >> 16), toLinear((dc >> 8) & 255), toLinear(dc & 255)]];
    for (var n = 1; n < nx * ny; n++) {
      var v = d83(hash.substring(4 + n * 2, 6 + n * 2));
      colours.push([
        signPow((Math.floor(v / 361) - 9) / 9, 2) * maxAc,
        signPow(((Math.floor(v / 19) % 19) - 9) / 9, 2) * maxAc,
        signPow(((v % 19) - 9) / 9, 2) * maxAc,
      ]);
    }
    var pixels = new Uint8ClampedArray(width * height * 4);
    for (var y = 0; y < height; y++) {
      for (var x = 0; x < width; x++) {
        var r = 0, g = 0, b = 0;
        for (var j = 0; j < ny; j++) {
          for (var i = 0; i < nx; i++) {
            var basis = Math.cos((Math.PI * x * i) / width) * Math.cos((Math.PI * y * j) / height);
            var c = colours[i + j * nx];
            r += c[0] * basis;
            g += c[1] * basis;
            b += c[2] * basis;
          }
        }
        var k = 4 * (x + y * width);
        pixels[k] = toSrgb(r);
        pixels[k + 1] = toSrgb(g);
        pixels[k + 2] = toSrgb(b);
        pixels[k + 3] = 255;
      }
    }
    return pixels;
  }

  var cache = {};
  function blurhashUrl(hash) {
    if (hash in cache) return cache[hash];
    var pixels = decode(hash, 32, 32);
    var url = null;
    if (pixels) {
      var canvas = document.createElement("canvas");
      canvas.width = 32;
      canvas.height = 32;
      var context = canvas.getContext("2d");
      if (context) {
        var image = context.createImageData(32, 32);
        image.data.set(pixels);
        context.putImageData(image, 0, 0);
        url = canvas.toDataURL();
      }
    }
    cache[hash] = url;
    return url;
  }

  var COLOUR = /^#[0-9a-f]{6}$/i;
  function paint(el) {
    if (el.dataset.kilnPainted) return;
    el.dataset.kilnPainted = "1";
    var colour = el.dataset.color;
    if (el.tagName !== "IMG") {
      if (colour && COLOUR.test(colour)) el.style.backgroundColor = colour;
      return;
    }
    if (el.complete && el.naturalWidth) return;
    if (colour && COLOUR.test(colour)) el.style.backgroundColor = colour;
    var url = blurhashUrl(el.dataset.blurhash);
    if (url) {
      el.style.backgroundImage = "url(" + url + ")";
      el.style.backgroundSize = "100% 100%";
    }
    var clear = function () {
      el.style.backgroundImage = "";
      el.style.backgroundColor = "";
    };
    el.addEventListener("load", clear, { once: true });
  }

  function scan(root) {
    var scope = root && root.querySelectorAll ? root : document;
    scope.querySelectorAll("img.kiln-img[data-color], .kiln-picture-pending[data-color]").forEach(paint);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  document.addEventListener("htmx:load", function (event) { scan(event.detail && event.detail.elt); });
  window.kilnMedia = { scan: scan, decodeBlurhash: decode };
})();

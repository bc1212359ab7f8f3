// Loaded with `node --import` before a site audit that has no --canonical-origin option
// (@vercel/agent-readability): requests to the production origins named in ORIGIN_MAP
// ("https://example.com=http://127.0.0.1:8000,...") go to the local server instead, so the
// audit reads the local build exactly as it would read the deployed site. Nothing else
// changes: other URLs are fetched as they are (and fail, for want of a network).
const pairs = (process.env.ORIGIN_MAP || "")
  .split(",")
  .filter(Boolean)
  .map((pair) => pair.split("="));
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const href = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  let mapped = href;
  for (const [from, to] of pairs) {
    if (href === from || href.startsWith(from + "/")) {
      mapped = to + href.slice(from.length);
      break;
    }
  }
  if (mapped === href) return realFetch(input, init);
  return realFetch(typeof input === "string" || input instanceof URL ? mapped : new Request(mapped, input), init);
};

// Reads files of an npm package, from its tarball (gzip + ustar/pax) or an unpacked
// directory, without running anything. Shared by the extractors beside this file.
"use strict";

const fs = require("fs");
const path = require("path");
const zlib = require("zlib");

// `{relative path: text}` for every file below the package root that `wanted` accepts.
function readFiles(loc, wanted) {
  const files = {};
  if (fs.statSync(loc).isDirectory()) {
    const walk = (dir) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else {
          const rel = path.relative(loc, full).split(path.sep).join("/");
          if (wanted(rel)) files[rel] = fs.readFileSync(full, "utf8");
        }
      }
    };
    walk(loc);
    return files;
  }
  const tar = zlib.gunzipSync(fs.readFileSync(loc));
  let offset = 0;
  let paxPath = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, len) => header.subarray(start, start + len).toString("utf8").replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12).trim() || "0", 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    const name = paxPath || (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    paxPath = null;
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === "x") {
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"));
      if (match) paxPath = match[1];
    } else if (type === "0" || type === "") {
      // Entries sit below one top folder (`package/`).
      const rel = name.split("/").slice(1).join("/");
      if (wanted(rel)) files[rel] = body.toString("utf8");
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}

module.exports = { readFiles };

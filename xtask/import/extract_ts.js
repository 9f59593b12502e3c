#!/usr/bin/env node
// Reads the facts of the `@larksuiteoapi/node-sdk` package without running it.
//
// Usage: node extract_ts.js <typescript module dir> <package .tgz or directory>
//
// `lib/index.js` and `types/index.d.ts` are parsed with the pinned TypeScript compiler
// API (installed by `npm ci` from package-lock.json beside this file); nothing of the
// package is executed. Prints one JSON document: endpoints keyed by their official
// api-explorer id with verb, path, upload/download kinds and the wire types of their
// payload and answer, and the p2 (IHandles) and p1 (IOtherEventHandles) events.
// Comments are read for facts only: the api-explorer links, the official title (the first
// line of prose) and whether the platform no longer recommends the call, with the pages it
// points to instead. No description prose is kept.
"use strict";

const fs = require("fs");
const path = require("path");
const { readFiles } = require("./package_files");

const [tsDir, location] = process.argv.slice(2);
if (!tsDir || !location) {
  console.error("usage: node extract_ts.js <typescript module dir> <package .tgz or directory>");
  process.exit(2);
}
const ts = require(path.resolve(tsDir));

const WANTED = ["lib/index.js", "types/index.d.ts"];

// The two files, from an npm tarball or an unpacked directory.
function readPackage(loc) {
  return readFiles(loc, (rel) => WANTED.includes(rel));
}

// The official id from an api-explorer link in the comments before `node`.
function explorerLink(text, node) {
  const comments = text.slice(node.getFullStart(), node.getStart());
  const match = /https:\/\/open\.feishu\.cn\/api-explorer\?from=op_doc_tab&[^\s}]*/.exec(comments);
  if (!match) return null;
  const query = new URLSearchParams(match[0].split("?")[1]);
  const id = ["project", "version", "resource", "apiName"].map((k) => query.get(k));
  if (id.some((v) => !v)) return null;
  return { id: id.join("/"), doc: match[0] };
}

// The JSDoc lines before `node`, without the leading `*`, links and blank lines kept apart.
function docLines(text, node) {
  const comments = text.slice(node.getFullStart(), node.getStart());
  const start = comments.lastIndexOf("/**");
  if (start < 0) return [];
  return comments
    .slice(start + 3)
    .replace(/\*\/\s*$/, "")
    .split("\n")
    .map((l) => l.replace(/^\s*\*\s?/, "").trim())
    .filter((l) => l && !l.startsWith("{@link"));
}

// Phrases with which the platform marks a call or event as historical or not recommended.
// "对比历史版本" (compared with the historical version) and the like do not match.
const DEPRECATED = /不推荐|(?:本|该|当前)接口(?:已)?(?:成为|为)历史|^@deprecated/;
const PAGE = /https:\/\/open\.feishu\.cn\/document\/[^\s)\]]+/g;

// The official title and, when the platform no longer recommends the item, the pages it
// links from that notice (the replacements, or for a legacy event its own page).
function notesOf(text, node) {
  const lines = docLines(text, node);
  const title = lines.find((l) => !l.startsWith("@")) || null;
  const line = lines.find((l) => DEPRECATED.test(l));
  // The notice runs to the end of its alert box or paragraph (`;` joins the page's lines).
  const notice = line ? line.slice(line.search(DEPRECATED)).split(/<\/md-alert>|。;;/)[0] : null;
  const deprecated = notice === null ? null : [...new Set(notice.match(PAGE) || [])];
  return { title, deprecated };
}

function propertyName(node) {
  const name = node.name;
  if (!name) return null;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return null;
}

// lib/index.js: verb, path template and upload/download kind of each endpoint.
function runtimeFacts(text) {
  const file = ts.createSourceFile("index.js", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const endpoints = {};
  const visit = (node) => {
    if (ts.isPropertyAssignment(node) && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) {
      const link = explorerLink(text, node);
      const name = propertyName(node);
      if (link && name) {
        const facts = requestFacts(node.initializer);
        // Paginated endpoints have a `<name>WithIterator` sibling (without a link).
        const iterator = node.parent.properties.some((p) => propertyName(p) === `${name}WithIterator`);
        const entry = endpoints[link.id] || (endpoints[link.id] = { doc: link.doc, iterator: false });
        entry.iterator = entry.iterator || iterator;
        if (facts && !entry.method) Object.assign(entry, facts, { name });
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return endpoints;
}

function requestFacts(fn) {
  let found = null;
  const visit = (node) => {
    if (found) return;
    if (ts.isObjectLiteralExpression(node)) {
      const props = {};
      for (const p of node.properties) {
        const n = propertyName(p);
        if (n && ts.isPropertyAssignment(p)) props[n] = p.initializer;
      }
      if (props.url && props.method && ts.isStringLiteral(props.method)) {
        const template = templateOf(props.url);
        if (template) {
          const raw = fn.getText();
          found = {
            method: props.method.text,
            url: template,
            multipart: raw.includes('"multipart/form-data"'),
            download: raw.includes('responseType: "stream"'),
          };
          return;
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(fn);
  return found;
}

// `fillApiPath(`${this.domain}/open-apis/...`, path)` -> "/open-apis/...".
function templateOf(expr) {
  if (ts.isCallExpression(expr) && expr.arguments.length > 0) expr = expr.arguments[0];
  if (ts.isTemplateExpression(expr)) {
    return expr.head.text + expr.templateSpans.map((s) => s.literal.text).join("");
  }
  if (ts.isNoSubstitutionTemplateLiteral(expr) || ts.isStringLiteral(expr)) return expr.text;
  return null;
}

// A type node as a small tree: string, number, boolean, any, file, enum, array, map, object.
function typeOf(node) {
  if (!node) return { t: "any" };
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { t: "string" };
    case ts.SyntaxKind.NumberKeyword:
      return { t: "number" };
    case ts.SyntaxKind.BooleanKeyword:
      return { t: "boolean" };
    case ts.SyntaxKind.ParenthesizedType:
      return typeOf(node.type);
    case ts.SyntaxKind.ArrayType:
      return { t: "array", of: typeOf(node.elementType) };
    case ts.SyntaxKind.TupleType: {
      const elements = node.elements.map((e) => typeOf(ts.isNamedTupleMember(e) ? e.type : e));
      const same = elements.every((e) => JSON.stringify(e) === JSON.stringify(elements[0]));
      return { t: "array", of: elements.length && same ? elements[0] : { t: "any" } };
    }
    case ts.SyntaxKind.TypeLiteral:
      return objectOf(node.members);
    case ts.SyntaxKind.LiteralType:
      return literalOf(node) ? { t: literalOf(node).base } : { t: "any" };
    case ts.SyntaxKind.UnionType:
      return unionOf(node);
    case ts.SyntaxKind.TypeReference:
      return referenceOf(node);
    default:
      return { t: "any" };
  }
}

function literalOf(node) {
  if (!ts.isLiteralTypeNode(node)) return null;
  const lit = node.literal;
  if (ts.isStringLiteral(lit)) return { base: "string", value: lit.text };
  if (ts.isNumericLiteral(lit)) return { base: "number", value: Number(lit.text) };
  if (ts.isPrefixUnaryExpression(lit) && lit.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(lit.operand)) {
    return { base: "number", value: -Number(lit.operand.text) };
  }
  return null;
}

function isNullish(node) {
  if (node.kind === ts.SyntaxKind.UndefinedKeyword) return true;
  return ts.isLiteralTypeNode(node) && node.literal.kind === ts.SyntaxKind.NullKeyword;
}

function unionOf(node) {
  const members = node.types.filter((m) => !isNullish(m));
  if (members.length === 1) return typeOf(members[0]);
  const names = members.map((m) => (ts.isTypeReferenceNode(m) ? m.typeName.getText() : null));
  if (names.includes("Buffer")) return { t: "file" };
  const literals = members.map(literalOf);
  if (literals.length && literals.every((l) => l) && literals.every((l) => l.base === literals[0].base)) {
    const values = [];
    for (const l of literals) if (!values.includes(l.value)) values.push(l.value);
    return { t: "enum", base: literals[0].base, values };
  }
  return { t: "any" };
}

function referenceOf(node) {
  const name = node.typeName.getText();
  const args = node.typeArguments || [];
  if (name === "Array" && args.length === 1) return { t: "array", of: typeOf(args[0]) };
  if (name === "Record" && args.length === 2) return { t: "map", of: typeOf(args[1]) };
  if (name === "Buffer" || name === "fs.ReadStream") return { t: "file" };
  return { t: "any" };
}

function objectOf(members) {
  const fields = [];
  for (const m of members) {
    if (!ts.isPropertySignature(m)) continue;
    const name = propertyName(m);
    if (name === null) continue;
    fields.push({ name, optional: !!m.questionToken, type: typeOf(m.type) });
  }
  return { t: "object", fields };
}

function memberType(literal, name) {
  if (!literal || !ts.isTypeLiteralNode(literal)) return null;
  const m = literal.members.find((x) => ts.isPropertySignature(x) && propertyName(x) === name);
  return m ? { optional: !!m.questionToken, type: m.type } : null;
}

// types/index.d.ts: payload and answer types of each endpoint, and the event handlers.
function declarationFacts(text) {
  const file = ts.createSourceFile("index.d.ts", text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const endpoints = {};
  const events = { v2: [], v1: [] };
  const visit = (node) => {
    if (ts.isInterfaceDeclaration(node) && (node.name.text === "IHandles" || node.name.text === "IOtherEventHandles")) {
      const list = node.name.text === "IHandles" ? events.v2 : events.v1;
      for (const m of node.members) {
        const key = propertyName(m);
        if (key === null || !ts.isPropertySignature(m) || !m.type || !ts.isFunctionTypeNode(m.type)) continue;
        const param = m.type.parameters[0];
        list.push({ key, payload: typeOf(param && param.type), ...notesOf(text, m) });
      }
      return;
    }
    if (ts.isPropertySignature(node) && node.type && ts.isFunctionTypeNode(node.type)) {
      const link = explorerLink(text, node);
      const name = propertyName(node);
      if (link && name && !name.endsWith("WithIterator") && !endpoints[link.id]) {
        endpoints[link.id] = { ...endpointTypes(node.type), ...notesOf(text, node) };
      }
      if (link) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { endpoints, events };
}

function endpointTypes(fn) {
  const payload = fn.parameters[0] && fn.parameters[0].type;
  const out = {};
  for (const part of ["data", "params", "path"]) {
    const m = memberType(payload, part);
    if (m) {
      out[part] = typeOf(m.type);
      out[`${part}_optional`] = m.optional;
    }
  }
  let answer = fn.type;
  if (answer && ts.isTypeReferenceNode(answer) && answer.typeName.getText() === "Promise" && answer.typeArguments) {
    answer = answer.typeArguments[0];
  }
  if (answer && ts.isTypeLiteralNode(answer)) {
    const data = memberType(answer, "data");
    if (data) out.response = typeOf(data.type);
    out.download = !!memberType(answer, "getReadableStream");
  }
  return out;
}

function main() {
  const files = readPackage(location);
  for (const name of WANTED) {
    if (!(name in files)) {
      console.error(`extract_ts: ${location} has no ${name}`);
      process.exit(1);
    }
  }
  const runtime = runtimeFacts(files["lib/index.js"]);
  const declared = declarationFacts(files["types/index.d.ts"]);
  const endpoints = [];
  for (const id of Object.keys(runtime).sort()) {
    const r = runtime[id];
    if (!r.method) continue;
    const d = declared.endpoints[id] || {};
    endpoints.push({
      id,
      doc: r.doc,
      name: r.name,
      method: r.method,
      url: r.url,
      multipart: r.multipart,
      download: r.download || !!d.download,
      iterator: r.iterator,
      data: d.data || null,
      data_optional: !!d.data_optional,
      params: d.params || null,
      params_optional: !!d.params_optional,
      path: d.path || null,
      response: d.response || null,
      title: d.title || null,
      deprecated: d.deprecated || null,
    });
  }
  process.stdout.write(JSON.stringify({ endpoints, events: declared.events }) + "\n");
}

main();

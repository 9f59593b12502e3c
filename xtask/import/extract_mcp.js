#!/usr/bin/env node
// Reads the request schemas of `@larksuiteoapi/lark-mcp` without running it, to check the
// catalogue's required flags against a second official description.
//
// Usage: node extract_mcp.js <typescript module dir> <package .tgz or directory>
//
// The generated tool files (`dist/mcp-tool/tools/en/gen-tools/zod/*.js`) declare each
// endpoint as `exports.X = { name: "<endpoint id>", schema: { data, params, path } }`,
// with zod builder calls for the shapes. They are parsed with the pinned TypeScript
// compiler API; nothing of the package runs and no description is kept. Prints one JSON
// document: `{ "<endpoint id>": { "data"?: shape, "params"?: shape, "path"?: shape } }`,
// where a shape is `{ "required": bool, "fields"?: {name: shape}, "items"?: shape }`.
"use strict";

const path = require("path");
const { readFiles } = require("./package_files");

const [tsDir, location] = process.argv.slice(2);
if (!tsDir || !location) {
  console.error("usage: node extract_mcp.js <typescript module dir> <package .tgz or directory>");
  process.exit(2);
}
const ts = require(path.resolve(tsDir));

const TOOLS = /^dist\/mcp-tool\/tools\/en\/gen-tools\/zod\/[^/]+\.js$/;

function key(node) {
  const name = node.name;
  if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) return name.text;
  return null;
}

function property(object, name) {
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && key(p) === name) return p.initializer;
  }
  return null;
}

// A zod builder chain, e.g. `zod_1.z.object({..}).describe("..").optional()`, as a shape.
function shape(expr) {
  let required = true;
  while (ts.isCallExpression(expr) && ts.isPropertyAccessExpression(expr.expression)) {
    const method = expr.expression.name.text;
    const target = expr.expression.expression;
    // `zod_1.z.<constructor>(..)` ends the chain.
    if (ts.isPropertyAccessExpression(target) && target.name.text === "z") {
      const out = { required };
      const arg = expr.arguments[0];
      if (method === "object" && arg && ts.isObjectLiteralExpression(arg)) {
        out.fields = {};
        for (const p of arg.properties) {
          if (ts.isPropertyAssignment(p) && key(p) !== null) out.fields[key(p)] = shape(p.initializer);
        }
      } else if (method === "array" && arg) {
        out.items = shape(arg);
      }
      return out;
    }
    if (method === "optional" || method === "default" || method === "nullish") required = false;
    expr = target;
  }
  return { required };
}

const out = {};
const files = readFiles(location, (rel) => TOOLS.test(rel));
for (const [name, text] of Object.entries(files)) {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  for (const statement of source.statements) {
    if (!ts.isExpressionStatement(statement)) continue;
    const e = statement.expression;
    if (!ts.isBinaryExpression(e) || !ts.isObjectLiteralExpression(e.right)) continue;
    const id = property(e.right, "name");
    const schema = property(e.right, "schema");
    if (!id || !ts.isStringLiteral(id) || !schema || !ts.isObjectLiteralExpression(schema)) continue;
    const tool = {};
    for (const part of ["data", "params", "path"]) {
      const value = property(schema, part);
      if (value) tool[part] = shape(value);
    }
    out[id.text] = tool;
  }
}
const sorted = Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
process.stdout.write(JSON.stringify(sorted));

#!/usr/bin/env python3
"""Reads the facts of the `lark-oapi` Python package without importing it.

Usage: extract_py.py <wheel file or directory holding lark_oapi/>

Every module is parsed with the standard library's `ast` module and never executed.
Prints one JSON document to stdout (sorted keys, so the output is byte-stable):
endpoints per service version (verb, path, token kinds, path and query parameters,
body and response models, upload and download kinds), the named models of each model
folder with their `_types` fields, the p2 events and the card callbacks. Nothing here
reads docstrings or comments: upstream prose is never copied.
"""

import ast
import json
import keyword
import os
import sys
import zipfile

TOKEN_KINDS = {"TENANT": "tenant", "USER": "user", "APP": "app"}


class Source:
    """The package's files, from a wheel (zip) or a directory, as path -> text."""

    def __init__(self, location):
        self.files = {}
        if os.path.isdir(location):
            for root, _dirs, names in os.walk(location):
                for name in names:
                    if name.endswith(".py"):
                        full = os.path.join(root, name)
                        rel = os.path.relpath(full, location).replace(os.sep, "/")
                        with open(full, encoding="utf-8") as f:
                            self.files[rel] = f.read()
        else:
            with zipfile.ZipFile(location) as wheel:
                for name in wheel.namelist():
                    if name.endswith(".py"):
                        self.files[name] = wheel.read(name).decode("utf-8")

    def tree(self, path):
        return ast.parse(self.files[path], filename=path)

    def under(self, prefix):
        return sorted(p for p in self.files if p.startswith(prefix))


def wire_name(key):
    """`from_` and `async_` are the SDK's spellings of the wire names `from`, `async`."""
    if key.endswith("_") and keyword.iskeyword(key[:-1]):
        return key[:-1]
    return key


def type_text(node):
    return ast.unparse(node)


def models_of(tree):
    """Every class with a `_types = {...}` dict: name -> [[wire, type], ...]."""
    found = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for stmt in cls.body:
            if (
                isinstance(stmt, ast.Assign)
                and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name)
                and stmt.targets[0].id == "_types"
                and isinstance(stmt.value, ast.Dict)
            ):
                fields = []
                for key, value in zip(stmt.value.keys, stmt.value.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        fields.append([wire_name(key.value), type_text(value)])
                found[cls.name] = fields
    return found


def string_value(node):
    """A string literal, possibly split over lines (`"a" "b"` or `"a" + "b"`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = string_value(node.left), string_value(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def request_facts(tree):
    """The builder of a `*Request` class: verb, uri, token kinds, parameters, body."""
    facts = {"http_method": None, "uri": None, "tokens": [], "path": [], "query": [], "body": None}
    annotations = {}
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for fn in cls.body:
            if not isinstance(fn, ast.FunctionDef):
                continue
            params = {a.arg: type_text(a.annotation) for a in fn.args.args if a.annotation is not None}
            for node in ast.walk(fn):
                if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Attribute):
                    annotations[node.target.attr] = type_text(node.annotation)
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Attribute) and target.attr == "http_method":
                        if isinstance(node.value, ast.Attribute):
                            facts["http_method"] = node.value.attr
                    elif isinstance(target, ast.Attribute) and target.attr == "uri":
                        facts["uri"] = string_value(node.value)
                    elif isinstance(target, ast.Attribute) and target.attr == "token_types":
                        kinds = []
                        if isinstance(node.value, (ast.Set, ast.List, ast.Tuple)):
                            for element in node.value.elts:
                                if isinstance(element, ast.Attribute) and element.attr in TOKEN_KINDS:
                                    kinds.append(TOKEN_KINDS[element.attr])
                        facts["tokens"] = sorted(set(kinds))
                    elif (
                        isinstance(target, ast.Subscript)
                        and isinstance(target.value, ast.Attribute)
                        and target.value.attr == "paths"
                    ):
                        name = string_value(target.slice)
                        if name is not None:
                            facts["path"].append([name, param_type(fn, params)])
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "add_query"
                    and node.args
                ):
                    name = string_value(node.args[0])
                    if name is not None:
                        facts["query"].append([name, param_type(fn, params)])
    body = annotations.get("request_body")
    if body is not None:
        facts["body"] = strip_optional(body)
    return facts


def param_type(fn, params):
    """The annotation of the builder method's own argument (after `self`)."""
    names = [a.arg for a in fn.args.args if a.arg != "self"]
    return params.get(names[0], "str") if names else "str"


def strip_optional(text):
    if text.startswith("Optional[") and text.endswith("]"):
        return text[len("Optional[") : -1]
    return text


def response_data(tree):
    """The model of `data` in a `*Response` class, or None."""
    for name, fields in models_of(tree).items():
        for wire, ty in fields:
            if wire == "data":
                return ty
    return None


def resource_methods(tree):
    """Sync methods of a resource class: name, request and response classes, kinds."""
    imports = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("model."):
            for alias in node.names:
                imports[alias.name] = node.module[len("model.") :]
        elif isinstance(node, ast.ImportFrom) and node.level == 2 and node.module and node.module.startswith("model."):
            for alias in node.names:
                imports[alias.name] = node.module[len("model.") :]
    methods = []
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef):
            continue
        for fn in cls.body:
            if not isinstance(fn, ast.FunctionDef) or fn.name.startswith("_"):
                continue
            request = next((a for a in fn.args.args if a.arg == "request"), None)
            if request is None or request.annotation is None or fn.returns is None:
                continue
            text = ast.unparse(fn)
            methods.append(
                {
                    "name": fn.name,
                    "request": type_text(request.annotation),
                    "response": type_text(fn.returns),
                    "multipart": "Files.parse_form_data" in text or "MultipartEncoder(" in text,
                    "download": "response.file = " in text,
                }
            )
    return methods, imports


def service_folders(src):
    folders = set()
    for path in src.under("lark_oapi/api/"):
        parts = path.split("/")
        if len(parts) >= 6 and parts[4] in ("resource", "model"):
            folders.add((parts[2], parts[3]))
    return sorted(folders)


def extract_service(src, service, version):
    base = f"lark_oapi/api/{service}/{version}"
    models = {}
    module_models = {}
    for path in src.under(f"{base}/model/"):
        found = models_of(src.tree(path))
        module = path.rsplit("/", 1)[1][: -len(".py")]
        module_models[module] = found
        models.update(found)
    endpoints = []
    for path in src.under(f"{base}/resource/"):
        stem = path.rsplit("/", 1)[1][: -len(".py")]
        if stem == "__init__":
            continue
        methods, imports = resource_methods(src.tree(path))
        for method in methods:
            module = imports.get(method["request"])
            request_path = f"{base}/model/{module}.py" if module else None
            if request_path not in src.files:
                continue
            facts = request_facts(src.tree(request_path))
            response_module = imports.get(method["response"])
            data = None
            if response_module and f"{base}/model/{response_module}.py" in src.files:
                data = response_data(src.tree(f"{base}/model/{response_module}.py"))
            endpoints.append(
                {
                    "resource": stem,
                    "method": method["name"],
                    "http_method": facts["http_method"],
                    "uri": facts["uri"],
                    "tokens": facts["tokens"],
                    "path": facts["path"],
                    "query": facts["query"],
                    "body": facts["body"],
                    "response": data,
                    "multipart": method["multipart"],
                    "download": method["download"],
                }
            )
    events = []
    processor = f"{base}/processor.py"
    if processor in src.files:
        for cls in src.tree(processor).body:
            if isinstance(cls, ast.ClassDef) and cls.name.endswith("Processor"):
                event_class = cls.name[: -len("Processor")]
                data = None
                for fields in module_models.values():
                    for wire, ty in fields.get(event_class, []):
                        if wire == "event":
                            data = ty
                if data is not None:
                    events.append({"class": event_class, "data": data})
    return {
        "service": service,
        "version": version,
        "endpoints": endpoints,
        "models": models,
        "events": sorted(events, key=lambda e: e["class"]),
    }


def dispatcher_keys(src):
    """`"p2.<type>"` keys of the dispatcher, by processor class."""
    keys = {}
    path = "lark_oapi/event/dispatcher_handler.py"
    if path not in src.files:
        return keys
    for node in ast.walk(src.tree(path)):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if (
                isinstance(target, ast.Subscript)
                and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name)
            ):
                key = string_value(target.slice)
                if key and key.startswith("p2."):
                    keys[node.value.func.id] = key[len("p2.") :]
    return keys


def extract_callbacks(src, keys):
    base = "lark_oapi/event/callback/model/"
    models = {}
    for path in src.under(base):
        models.update(models_of(src.tree(path)))
    items = []
    for processor, key in sorted(keys.items()):
        name = processor[: -len("Processor")]
        response = name + "Response"
        data = None
        for wire, ty in models.get(name, []):
            if wire == "event":
                data = ty
        if data is not None and response in models:
            items.append({"type": key, "data": data, "response": response})
    return {"models": models, "items": sorted(items, key=lambda i: i["type"])}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: extract_py.py <wheel or directory>")
    src = Source(sys.argv[1])
    keys = dispatcher_keys(src)
    services = []
    for service, version in service_folders(src):
        extracted = extract_service(src, service, version)
        for event in extracted["events"]:
            event["type"] = keys.get(event["class"] + "Processor")
        services.append(extracted)
    out = {"services": services, "callbacks": extract_callbacks(src, keys)}
    json.dump(out, sys.stdout, sort_keys=True, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

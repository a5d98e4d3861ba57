#!/usr/bin/env python3
# check-export-api.py — consistency checks of docs/export-api.yaml and docs/export-api.md
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Debian 12 has no OpenAPI validator package (python3-openapi-spec-validator does not
# exist there), so this checks what matters for us without the network:
#  - the YAML parses, is OpenAPI 3.0.3, and every $ref resolves inside the document;
#  - every path has operations, every operation has responses with a description, every
#    {parameter} of a path template is declared as a path parameter;
#  - every schema's "required" names are among its properties; every component is used;
#  - every ```json block of export-api.md parses, and validates against the schema it is
#    an example of (a small JSON Schema subset: type, nullable, required, properties,
#    additionalProperties, enum, minimum/maximum, minLength/maxLength, pattern, items,
#    minItems/maxItems, allOf, $ref);
#  - the example records' sha256 is the SHA-256 of their base64 data;
#  - the paths of the YAML and the endpoint headings of the Markdown are the same.
# Usage: check-export-api.py DOCS_DIR. Exit 0 ok, 1 failure, 77 skipped (no python3-yaml).
import base64
import hashlib
import json
import re
import sys

try:
    import yaml
except ImportError:
    print("python3-yaml is not installed (./dev.sh deps): skipped")
    sys.exit(77)

failures = []


def fail(msg):
    failures.append(msg)
    print("not ok:", msg)


docs = sys.argv[1] if len(sys.argv) > 1 else "docs"
spec = yaml.safe_load(open(f"{docs}/export-api.yaml", encoding="utf-8"))
md = open(f"{docs}/export-api.md", encoding="utf-8").read()


def resolve(ref):
    if not ref.startswith("#/"):
        raise KeyError(f"non-local $ref {ref}")
    node = spec
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


used = set()


def walk_refs(node, where):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                try:
                    resolve(v)
                    used.add(v)
                except (KeyError, TypeError) as e:
                    fail(f"{where}: $ref {v} does not resolve ({e})")
            else:
                walk_refs(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk_refs(v, f"{where}/{i}")


def deref(node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(node["$ref"])
    return node


# ---- The document itself ------------------------------------------------------------------

if spec.get("openapi") != "3.0.3":
    fail(f"openapi is {spec.get('openapi')!r}, not 3.0.3")
for key in ("info", "paths", "components"):
    if key not in spec:
        fail(f"no {key}")
if not spec.get("info", {}).get("title") or not spec.get("info", {}).get("version"):
    fail("info needs a title and a version")
walk_refs(spec, "#")

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
for path, item in spec.get("paths", {}).items():
    ops = [m for m in item if m in METHODS]
    if not ops:
        fail(f"{path}: no operation")
    declared = {deref(p)["name"] for p in item.get("parameters", []) if deref(p)["in"] == "path"}
    for m in ops:
        op = item[m]
        names = declared | {deref(p)["name"] for p in op.get("parameters", [])
                            if deref(p)["in"] == "path"}
        for name in re.findall(r"{([^}]+)}", path):
            if name not in names:
                fail(f"{m.upper()} {path}: path parameter {name} is not declared")
        if not op.get("operationId"):
            fail(f"{m.upper()} {path}: no operationId")
        responses = op.get("responses") or {}
        if not responses:
            fail(f"{m.upper()} {path}: no responses")
        if not any(str(c).startswith("2") for c in responses):
            fail(f"{m.upper()} {path}: no 2xx response")
        for code, resp in responses.items():
            if code != "default" and not re.fullmatch(r"[1-5][0-9][0-9]", str(code)):
                fail(f"{m.upper()} {path}: response code {code!r}")
            if not deref(resp).get("description"):
                fail(f"{m.upper()} {path} {code}: no description")


def check_required(schema, where):
    if not isinstance(schema, dict):
        return
    props = schema.get("properties", {})
    for name in schema.get("required", []):
        if name not in props:
            fail(f"{where}: required {name} is not a property")
    for name, sub in props.items():
        check_required(sub, f"{where}.{name}")
    if "items" in schema:
        check_required(schema["items"], f"{where}[]")
    for i, sub in enumerate(schema.get("allOf", [])):
        check_required(sub, f"{where}.allOf[{i}]")


for section, entries in spec.get("components", {}).items():
    for name, entry in entries.items():
        ref = f"#/components/{section}/{name}"
        if section == "schemas":
            check_required(entry, ref)
        if section != "securitySchemes" and ref not in used:
            fail(f"{ref} is never used")

if failures:
    sys.exit(1)  # the examples cannot be checked against a broken document

# ---- A JSON Schema subset for the examples ------------------------------------------------

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def validate(value, schema, where):
    schema = deref(schema)
    errors = []
    for sub in schema.get("allOf", []):
        errors += validate(value, sub, where)
    if value is None:
        if not schema.get("nullable") and "type" in schema:
            errors.append(f"{where}: null is not allowed")
        return errors
    t = schema.get("type")
    if t == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            return errors + [f"{where}: {value!r} is not an integer"]
    elif t == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return errors + [f"{where}: {value!r} is not a number"]
    elif t in TYPES and not isinstance(value, TYPES[t]):
        return errors + [f"{where}: {value!r} is not of type {t}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{where}: {value} < {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{where}: {value} > {schema['maximum']}")
    if isinstance(value, str):
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append(f"{where}: shorter than {schema['minLength']}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append(f"{where}: longer than {schema['maxLength']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: does not match {schema['pattern']}")
        if schema.get("format") == "byte":
            try:
                base64.b64decode(value, validate=True)
            except ValueError:
                errors.append(f"{where}: not base64")
        if schema.get("format") == "date-time" and not re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value):
            errors.append(f"{where}: not an RFC 3339 time")
    if isinstance(value, list):
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append(f"{where}: fewer than {schema['minItems']} items")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append(f"{where}: more than {schema['maxItems']} items")
        for i, v in enumerate(value):
            errors += validate(v, schema.get("items", {}), f"{where}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errors.append(f"{where}: {name} is missing")
        for name, v in value.items():
            if name in props:
                errors += validate(v, props[name], f"{where}.{name}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{where}: unexpected member {name}")
    return errors


# Which schema a body is an example of: the first whose validation passes, among those
# whose "shape" (required members) it has.
CANDIDATES = ["BatchRequest", "BatchResponse", "ErrorBody", "Status", "TemplatePage",
              "TemplateFull"]

blocks = re.findall(r"```json\n(.*?)```", md, re.S)
if len(blocks) < 6:
    fail(f"only {len(blocks)} JSON examples in export-api.md")
for n, text in enumerate(blocks, 1):
    try:
        body = json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"JSON example {n} does not parse: {e}")
        continue
    matched = None
    shaped = []
    for name in CANDIDATES:
        schema = deref({"$ref": f"#/components/schemas/{name}"})
        req = set(schema.get("required", []))
        for sub in schema.get("allOf", []):
            req |= set(deref(sub).get("required", []))
        if isinstance(body, dict) and req <= set(body):
            shaped.append(name)
            if not validate(body, schema, f"example {n}"):
                matched = name
                break
    if matched is None:
        tries = [validate(body, {"$ref": f"#/components/schemas/{s}"}, f"{s} example {n}")
                 for s in shaped]
        detail = "; ".join(min(tries, key=len)[:4]) if tries else "no schema has its shape"
        fail(f"JSON example {n} fits no schema ({detail})")
    else:
        print(f"ok: JSON example {n} is a valid {matched}")

    # Records in the examples carry their real digest.
    def records(node):
        if isinstance(node, dict):
            if "data" in node and "sha256" in node:
                yield node
            for v in node.values():
                yield from records(v)
        elif isinstance(node, list):
            for v in node:
                yield from records(v)

    for rec in records(body):
        if hashlib.sha256(base64.b64decode(rec["data"])).hexdigest() != rec["sha256"].lower():
            fail(f"JSON example {n}: sha256 is not the digest of data")

# ---- Markdown and YAML name the same endpoints --------------------------------------------

md_ops = set()
for method, path in re.findall(r"^### `(GET|POST|PUT|DELETE|PATCH) ([^`?]+)", md, re.M):
    md_ops.add((method.lower(), path.strip()))
yaml_ops = {(m, p) for p, item in spec.get("paths", {}).items() for m in item if m in METHODS}
for op in sorted(yaml_ops - md_ops):
    fail(f"{op[0].upper()} {op[1]} is in the YAML but has no section in the Markdown")
for op in sorted(md_ops - yaml_ops):
    fail(f"{op[0].upper()} {op[1]} is in the Markdown but not in the YAML")

print(f"{len(yaml_ops)} operations, {len(blocks)} JSON examples, {len(used)} $refs checked")
sys.exit(1 if failures else 0)

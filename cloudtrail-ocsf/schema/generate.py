#!/usr/bin/env python3
"""Resolves the OCSF schema sources of one release into the compact form the validator embeds.

Usage: generate.py SCHEMA_DIR VERSION > VERSION.json
(SCHEMA_DIR is a checkout of github.com/ocsf/ocsf-schema at the release branch; see README.md.)

Resolution follows the OCSF schema compiler for what validation needs:
- a class merges its `extends` chain (base_event -> category class -> class), attribute by attribute;
- `$include` merges the attributes of includes/ and profiles/ files; attributes from a profile are
  annotated with that profile unless the including class or object sets `"profile": null`;
- objects merge their `extends` chain the same way (`_entity`, `endpoint`, `object`, ...);
- each attribute is the dictionary entry overlaid with the class or object entry; enums are merged;
- the datetime profile adds `<name>_dt` (datetime_t) beside every timestamp_t attribute;
- constraints (`at_least_one`, `just_one`) come from the nearest definition in the chain;
- `observable.type_id` is enumerated from every type, attribute and object marked `observable`, as the
  compiler does (ids whose source has no caption get none, so their `type` is not checked).
Only the three CloudTrail classes, Detection Finding (2004, for the findings of cloudtrail-detect) and the
objects they reach are written; descriptions are dropped.
"""
import json
import os
import sys

CLASSES = ["api_activity", "authentication", "account_change", "detection_finding"]


def load(path):
    with open(path) as handle:
        return json.load(handle)


def merge_attribute(base, over):
    merged = dict(base)
    for key, value in over.items():
        if key == "enum" and isinstance(value, dict) and isinstance(merged.get("enum"), dict):
            enum = dict(merged["enum"])
            for id_, item in value.items():
                enum[id_] = {**enum.get(id_, {}), **item}
            merged["enum"] = enum
        else:
            merged[key] = value
    return merged


class Schema:
    def __init__(self, root):
        self.root = root
        self.dictionary = load(os.path.join(root, "dictionary.json"))
        self.types = self.dictionary["types"]["attributes"]
        self.attributes = self.dictionary["attributes"]
        self.categories = load(os.path.join(root, "categories.json"))["attributes"]
        self.objects = {}
        for name in os.listdir(os.path.join(root, "objects")):
            if name.endswith(".json"):
                item = load(os.path.join(root, "objects", name))
                self.objects[item["name"]] = item
        self.events = {}
        for folder, _, files in os.walk(os.path.join(root, "events")):
            for name in files:
                if name.endswith(".json"):
                    item = load(os.path.join(folder, name))
                    self.events[item["name"]] = item

    def included(self, attributes):
        """The attributes of a definition with its `$include`s merged in (the definition's own win)."""
        result = {}
        for path in attributes.get("$include", []):
            item = load(os.path.join(self.root, path))
            profile = item["name"] if item.get("meta") == "profile" else None
            for name, attr in self.included(item.get("attributes", {})).items():
                attr = dict(attr)
                if profile and "profile" not in attr:
                    attr["profile"] = profile
                result[name] = merge_attribute(result.get(name, {}), attr)
        for name, attr in attributes.items():
            if name != "$include":
                result[name] = merge_attribute(result.get(name, {}), attr)
        return result

    def chain(self, table, name):
        item = table.get(name)
        if item is None:
            return [], {}
        parent = item.get("extends")
        attributes, constraints = self.chain(table, parent) if parent else ([], {})
        merged = dict(attributes and attributes[0] or {})
        for attr_name, attr in self.included(item.get("attributes", {})).items():
            merged[attr_name] = merge_attribute(merged.get(attr_name, {}), attr)
        if "constraints" in item:
            constraints = item["constraints"]
        return [merged], constraints

    def resolve_attributes(self, raw):
        resolved = {}
        for name, attr in raw.items():
            entry = merge_attribute(self.attributes.get(name, {}), attr)
            out = {"requirement": entry.get("requirement", "optional")}
            kind = entry.get("type", "string_t")
            if kind.endswith("_t"):
                out["type"] = kind
            else:
                out["type"] = "object_t"
                out["object"] = kind
            if entry.get("is_array"):
                out["array"] = True
            if entry.get("profile"):
                out["profile"] = entry["profile"]
            if entry.get("sibling"):
                out["sibling"] = entry["sibling"]
            if isinstance(entry.get("enum"), dict):
                out["enum"] = {id_: item.get("caption", id_) for id_, item in entry["enum"].items()}
            if "@deprecated" in entry:
                out["deprecated"] = True
            resolved[name] = out
            if out["type"] == "timestamp_t" and not out.get("array"):
                resolved.setdefault(
                    name + "_dt",
                    {"requirement": "optional", "type": "datetime_t", "profile": "datetime"},
                )
        return resolved

    def observable_types(self):
        found = {}
        for item in self.types.values():
            if "observable" in item:
                found[str(item["observable"])] = item.get("caption")
        for item in self.attributes.values():
            if "observable" in item:
                found[str(item["observable"])] = item.get("caption")
        for item in self.objects.values():
            if "observable" in item:
                found[str(item["observable"])] = item.get("caption")
            for attr in item.get("attributes", {}).values():
                if isinstance(attr, dict) and "observable" in attr:
                    found.setdefault(str(attr["observable"]), attr.get("caption"))
        return found

    def resolve(self):
        classes = {}
        pending = []
        for name in CLASSES:
            chain, constraints = self.chain(self.events, name)
            item = self.events[name]
            category = None
            walk = item
            while walk is not None and category is None:
                category = walk.get("category") if walk.get("category") != "other" or walk is item else None
                walk = self.events.get(walk.get("extends")) if walk.get("extends") else None
            category_uid = self.categories[category]["uid"]
            uid = category_uid * 1000 + item["uid"]
            attributes = self.resolve_attributes(chain[0])
            attributes["class_uid"]["enum"] = {str(uid): item["caption"]}
            attributes["category_uid"]["enum"] = {
                str(category_uid): self.categories[category]["caption"]
            }
            classes[str(uid)] = {
                "name": name,
                "caption": item["caption"],
                "attributes": attributes,
                "constraints": constraints,
            }
            pending += [a["object"] for a in attributes.values() if "object" in a]
        objects = {}
        while pending:
            name = pending.pop()
            if name in objects or name == "object":
                continue
            chain, constraints = self.chain(self.objects, name)
            if not chain:
                raise SystemExit(f"unknown object {name}")
            attributes = self.resolve_attributes(chain[0])
            objects[name] = {"attributes": attributes, "constraints": constraints}
            pending += [a["object"] for a in attributes.values() if "object" in a]
        if "observable" in objects:
            type_id = objects["observable"]["attributes"]["type_id"]
            type_id["enum"] = {**type_id.get("enum", {}), **self.observable_types()}
        types = {}
        for name, item in self.types.items():
            out = {"base": item.get("type", name)}
            for key in ("max_len", "regex", "range", "values"):
                if key in item:
                    out[key] = item[key]
            types[name] = out
        return {"classes": classes, "objects": dict(sorted(objects.items())), "types": types}


def main():
    root, version = sys.argv[1], sys.argv[2]
    resolved = Schema(root).resolve()
    resolved = {"version": version, **resolved}
    json.dump(resolved, sys.stdout, indent=None, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Validates an OSCAL 1.0.6 JSON document against NIST's official JSON Schema.

Usage: validate.py SCHEMA.json DOCUMENT.json
Prints each error (up to 10) and "errors: N"; exits 1 when N > 0.

The schemas' token pattern uses \\p{L}, which Python's re module lacks, so
the "pattern" keyword is checked with the regex module (Debian's
python3-regex), as ../shared/reference/oscal/SOURCES.md describes.
"""
import json
import sys

import regex
from jsonschema import Draft7Validator, ValidationError, validators


def _pattern(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})


def main() -> int:
    schema_path, doc_path = sys.argv[1], sys.argv[2]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    with open(doc_path, encoding="utf-8") as f:
        doc = json.load(f)
    errors = sorted(OscalValidator(schema).iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors[:10]:
        print("/".join(str(p) for p in e.absolute_path) or "(root)", ":", e.message[:300])
    print(f"errors: {len(errors)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

# vchain-gen's NDJSON and vchain-parse's output validate against
# schemas/event.schema.json with a real validator (python3-jsonschema).
set -eu
py=/usr/bin/python3
$py -c 'import jsonschema' 2>/dev/null || { echo "skipped: python3-jsonschema not installed (make deps)"; exit 77; }
"$BIN/vchain-gen" --seed 5 --events 20000 > "$TMP/gen.ndjson"
"$BIN/vchain-parse" "$TOP/tests/vchain-parse/normalize.in" > "$TMP/parsed.ndjson"
$py - "$TOP/schemas/event.schema.json" "$TMP/gen.ndjson" "$TMP/parsed.ndjson" <<'PY'
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema, format_checker=FormatChecker())
bad = 0
for path in sys.argv[2:]:
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        for e in v.iter_errors(json.loads(line)):
            bad += 1
            if bad <= 5:
                print(f"{path}:{n}: {e.message}")
print(f"{bad} schema errors")
sys.exit(1 if bad else 0)
PY

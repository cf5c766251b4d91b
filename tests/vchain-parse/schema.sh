# What vchain-parse makes of every input format validates against
# schemas/event.schema.json with a real validator (python3-jsonschema):
# the real access logs and tweets of ../shared/data, and generated CSV.
set -eu
py=/usr/bin/python3
$py -c 'import jsonschema' 2>/dev/null || { echo "skipped: python3-jsonschema not installed (make deps)"; exit 77; }
"$BIN/vchain-gen" --seed 9 --events 5000 --format csv | "$BIN/vchain-parse" > "$TMP/csv.ndjson"
printf 'created_at,customer_id,event_type,total,currency,extra\n2024-01-01 10:00,u1,Purchase Completed,12.50,eur,x\n' |
	"$BIN/vchain-parse" > "$TMP/csv2.ndjson"
files="$TMP/csv.ndjson $TMP/csv2.ndjson"
for f in access-logs/apache_logs access-logs/basjes-hackers-access.log \
	 twitter-v1.1-python-twitter/tweets-v1.1.ndjson twitter-v2-twarc/edited.jsonl; do
	[ -f "$DATA/$f" ] || continue
	out="$TMP/$(basename "$f").out"
	"$BIN/vchain-parse" --keep-bots --keep-assets --keep-errors --rejects /dev/null "$DATA/$f" > "$out" 2>/dev/null
	files="$files $out"
done
$py - "$TOP/schemas/event.schema.json" $files <<'PY'
import json, sys
from jsonschema import Draft202012Validator, FormatChecker
v = Draft202012Validator(json.load(open(sys.argv[1])), format_checker=FormatChecker())
bad = n = 0
for path in sys.argv[2:]:
    for i, line in enumerate(open(path, encoding="utf-8"), 1):
        n += 1
        for e in v.iter_errors(json.loads(line)):
            bad += 1
            if bad <= 5:
                print(f"{path}:{i}: {e.message}")
print(f"{n} events, {bad} schema errors")
sys.exit(1 if bad or n < 5000 else 0)
PY

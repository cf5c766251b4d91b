# --from-paths on ChannelAttribution's data (../shared/data/channelattribution):
# the published 3-path example must come out exactly (removal effects
# 0.5/1/1, conversions 0.2/0.4/0.4, value 200/400/400, SOURCE.md); on
# Data.csv the sums SOURCE.md states, the exact Markov solution (ref.py
# solves the chain in Fractions), the rule-based models path by path, and
# Shapley by the coalition formula; Shapley against a brute force over all
# orderings on small path sets; order 2 against ref.py.
set -eu
D=../../../shared/data/channelattribution
[ -f "$D/Data.csv" ] || { echo "../shared/data/channelattribution is absent"; exit 77; }
A="$BIN/vchain-attribute"
$RUN "$A" --from-paths "$D/toy-markov-3paths.csv" -m markov --summary |
	jq -c '[.channel, .removal_effect, .conversions, .value]' | sort > "$TMP/got"
jq -c '.removal_effect as $r | .attributed_conversions as $c | .attributed_value as $v
	| $r | keys[] | [., $r[.], $c[.], $v[.]]' "$D/toy-markov-3paths.expected.json" | sort > "$TMP/want"
cmp "$TMP/want" "$TMP/got" || { diff "$TMP/want" "$TMP/got"; exit 1; }
# the heuristics of the same input, by hand (SOURCE.md): first C1, last C3, linear a third each
$RUN "$A" --from-paths "$D/toy-markov-3paths.csv" -m first,last,linear |
	jq -r '[.model, .channel, .conversions] | @tsv' > "$TMP/got"
printf 'first\tC1\t1\nfirst\tC2\t0\nfirst\tC3\t0\nlast\tC3\t1\nlast\tC1\t0\nlast\tC2\t0\nlinear\tC1\t0.333333334\nlinear\tC2\t0.333333333\nlinear\tC3\t0.333333333\n' |
	cmp - "$TMP/got"

# Data.csv: every model's conversions add up to 19785 and values to the total, to the last digit
$RUN "$A" --from-paths "$D/Data.csv" --stats > "$TMP/sum" 2> "$TMP/stats"
grep -q '5408 paths, 12 channels; 19785 conversions, 68602 journeys without' "$TMP/stats" || { cat "$TMP/stats"; exit 1; }
[ "$(jq -r .model "$TMP/sum" | uniq | tr '\n' ' ')" = "first last last_non_direct linear position markov shapley " ]
[ "$(jq -r .channel "$TMP/sum" | sort -u | tr '\n' ' ')" = "alpha beta delta epsilon eta gamma iota kappa lambda mi theta zeta " ]
total=$(awk -F';' 'NR > 1 { print $3 }' "$D/Data.csv" | python3 -c 'import sys, decimal; print(sum(decimal.Decimal(l) for l in sys.stdin))')
case $total in 74802.97*) ;; *) echo "value total $total"; exit 1 ;; esac
# sum exactly: conversions in billionths, values as decimals
jq -r '[.model, (.conversions | tostring), (.value | tostring)] | @tsv' "$TMP/sum" > /dev/null
python3 - "$TMP/sum" "$total" <<'PY'
import json, sys
from decimal import Decimal
want = Decimal(sys.argv[2])
by = {}
for line in open(sys.argv[1]):
    r = json.loads(line, parse_float=Decimal)
    c, v = by.setdefault(r["model"], [Decimal(0), Decimal(0)]), Decimal(r["value"])
    c[0] += Decimal(r["conversions"]); c[1] += v
for m, (c, v) in by.items():
    assert c == 19785, (m, c)
    assert v == want, (m, v, want)
PY
# Markov: the removal effects of the exact solution, to 11 significant digits
python3 ref.py paths "$D/Data.csv" --markov 1 --heuristic --shapley-sets > "$TMP/ref"
python3 - "$TMP/sum" "$TMP/ref" <<'PY'
import json, sys
from decimal import Decimal
got = [json.loads(l, parse_float=Decimal) for l in open(sys.argv[1])]
ref = [json.loads(l) for l in open(sys.argv[2])]
markov, heur, shap = ref
re = {r["channel"]: float(r["removal_effect"]) for r in got if r["model"] == "markov"}
assert set(re) == set(markov["re"]), re
for c, x in markov["re"].items():
    assert abs(re[c] - x) <= 1e-11 * x, (c, re[c], x)
# rule-based models, path by path: the same billionths as ref.py's exact split; the same values to
# 15 significant digits (Data.csv's values carry up to 17 decimals, beyond a long double's 19 digits
# once multiplied out: the parts still add up exactly, checked above)
for m, chans in heur.items():
    g = {r["channel"]: (str(r["conversions"]), str(r["value"])) for r in got if r["model"] == m}
    for c, (u, v) in chans.items():
        assert Decimal(g[c][0]) == Decimal(u), (m, c, g[c], u)
        assert abs(Decimal(g[c][1]) - Decimal(v)) <= Decimal("1e-15") * abs(Decimal(v)), (m, c, g[c], v)
# Shapley: shares within a billionth of a conversion of the exact ones
tot = sum(shap.values())
for r in got:
    if r["model"] == "shapley":
        want = 19785 * shap[r["channel"]] / tot
        assert abs(float(r["conversions"]) - want) < 2e-9 * 19785, (r, want)
PY

# Shapley by brute force over all orderings, on path sets of 3 to 6 channels
i=0
for n in 3 4 5 6; do
	i=$((i + 1))
	awk -v n=$n -v seed=$i 'BEGIN {
		srand(seed); print "path,total_conversions,total_conversion_value,total_null"
		for (k = 0; k < 40; k++) {
			len = 1 + int(rand() * 4); p = ""
			for (j = 0; j < len; j++) p = p (j ? " > " : "") "ch" int(rand() * n)
			printf "%s,%d,%d.%02d,%d\n", p, int(rand() * 5), int(rand() * 90), int(rand() * 100), int(rand() * 20)
		}
	}' > "$TMP/small.csv"
	$RUN "$A" --from-paths "$TMP/small.csv" -m shapley,markov > "$TMP/got"
	python3 ref.py paths "$TMP/small.csv" --shapley --markov 2 > "$TMP/ref"
	$RUN "$A" --from-paths "$TMP/small.csv" -m markov --order 2 > "$TMP/got2"
	python3 - "$TMP/got" "$TMP/ref" "$TMP/got2" <<'PY'
import json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
shap, markov2 = [json.loads(l) for l in open(sys.argv[2])]
total = sum(r["conversions"] for r in got if r["model"] == "shapley")
s = sum(shap.values())
for r in got:
    if r["model"] == "shapley":
        assert r["conversions"] >= 0
        assert abs(r["conversions"] - total * shap[r["channel"]] / s) < 2e-9 * max(1, total), (r, shap)
for r in (json.loads(l) for l in open(sys.argv[3])):
    x = markov2["re"][r["channel"]]
    assert abs(r["removal_effect"] - x) <= 1e-11 * max(x, 1e-300) or x < 1e-12 and r["removal_effect"] == 0, (r, x)
PY
done

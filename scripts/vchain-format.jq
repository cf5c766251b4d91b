# vchain-format.jq - numbers as people read them: thousands separated,
# percentages, money with its currency (vchain-report's pages and charts)
def dash: "–";
def commas:	# an integer's digits in threes
	tostring | if test("^-") then "-" + (ltrimstr("-") | commas) else
		explode | reverse | [_nwise(3) | reverse | implode] | reverse | join(",") end;
def fixed($k):	# k digits after the point, thousands separated
	if . == null then dash else
		(. * pow(10; $k) | round) as $m
		| ($m | fabs) as $a
		| ($a / pow(10; $k) | floor) as $i
		| (if $m < 0 then "-" else "" end) + ($i | commas)
		  + (if $k > 0 then "." + (($a - $i * pow(10; $k)) | tostring | ("0" * ($k - length)) + .) else "" end)
	end;
def digits_for($x):	# at least two significant digits for |x| < 1
	if $x == 0 or ($x | fabs) >= 1 then 2 else
		[(-($x | fabs | log10) | ceil) + 1, 2] | max | [., 10] | min end;
def num: if . == null then dash elif fabs >= 100 then fixed(0) else fixed(digits_for(.)) end;
def int: if . == null then dash else fixed(0) end;
def count: if . == null then dash elif . == floor then fixed(0) else fixed(2) end;	# whole, or a split one
def pct:	# a fraction as a percentage
	if . == null then dash else (. * 100) as $p
		| if ($p | fabs) >= 0.1 or $p == 0 then ($p | fixed(1)) + "%" else ($p | fixed(digits_for($p))) + "%" end end;
def money($cur): if . == null then dash else fixed(2) + (if $cur then " " + $cur else "" end) end;
def hours: if . == null then dash else fixed(1) + " h" end;
def times: if . == null then dash else num + "×" end;


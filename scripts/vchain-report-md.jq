# vchain-report-md.jq - the report's model (vchain-report.jq) as Markdown,
# the charts as the SVG files beside it
def cell: tostring | gsub("\\|"; "\\|") | gsub("\n"; " ");
def mdtable:
	"**\(.caption)**", "",
	"| " + (.head | map(cell) | join(" | ")) + " |",
	"|" + (.align | map(if . == "r" then "---:" else ":---" end) | join("|")) + "|",
	(.rows[] | "| " + (map(cell) | join(" | ")) + " |"),
	"";
"# \(.title)", "",
"From: \(.inputs | cell)", "",
"| " + (.headline | map(.label) | join(" | ")) + " |",
"|" + (.headline | map("---:") | join("|")) + "|",
"| " + (.headline | map(.value | cell) | join(" | ")) + " |",
"",
(.sections[] |
	"## \(.title)", "",
	.sentence, "",
	(if .chart then "![\(.title)](\(.chart).svg)", "" else empty end),
	(.tables[] | mdtable))

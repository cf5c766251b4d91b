# --encoding: a CSV written by Python in Latin-1, CP1252 and UTF-16 (with
# its BOM; and gzipped) reads as the same events as its UTF-8 original; the
# Latin-1 file without the option is a bad record at line 2 whose message
# names the option; a byte not in the encoding, a file cut inside a UTF-16
# character, and an unknown encoding are errors.
set -eu
P="$BIN/vchain-parse"
command -v python3 > /dev/null || { echo "python3 is not installed"; exit 77; }
python3 - "$TMP" <<'X'
import sys
d = sys.argv[1]
text = ("ts,user_id,type,platform,Notes\n"
        "2024-01-01T00:00:00Z,José,view,web,café crème\n"
        "2024-01-02T00:00:00Z,Zoë,purchase,web,Straße ½\n")
open(d + "/utf8.csv", "w", encoding="utf-8").write(text)
open(d + "/latin1.csv", "w", encoding="latin-1").write(text)
open(d + "/cp1252.csv", "w", encoding="cp1252").write(text.replace("½", "€"))
open(d + "/utf8-euro.csv", "w", encoding="utf-8").write(text.replace("½", "€"))
open(d + "/utf16.csv", "w", encoding="utf-16").write(text)
open(d + "/cut16.csv", "wb").write(text.encode("utf-16")[:-1])
open(d + "/bad1252.csv", "wb").write(text.encode("cp1252") + b"\x81\n")
X
$RUN "$P" "$TMP/utf8.csv" > "$TMP/want"
$RUN "$P" "$TMP/utf8-euro.csv" > "$TMP/want-euro"
$RUN "$P" --encoding latin1 "$TMP/latin1.csv" | cmp "$TMP/want" -
$RUN "$P" --encoding cp1252 "$TMP/cp1252.csv" | cmp "$TMP/want-euro" -
$RUN "$P" --encoding utf-16 "$TMP/utf16.csv" | cmp "$TMP/want" -
gzip -c "$TMP/utf16.csv" > "$TMP/utf16.csv.gz"
$RUN "$P" --encoding utf-16 "$TMP/utf16.csv.gz" | cmp "$TMP/want" -
grep -q 'José' "$TMP/want"
! $RUN "$P" "$TMP/latin1.csv" > /dev/null 2> "$TMP/err"
grep -q 'latin1.csv:2: not valid UTF-8 (written in another encoding? --encoding' "$TMP/err" || { cat "$TMP/err"; exit 1; }
! $RUN "$P" --encoding cp1252 "$TMP/bad1252.csv" > /dev/null 2> "$TMP/err"
grep -q 'not in the input.s encoding' "$TMP/err" || { cat "$TMP/err"; exit 1; }
! $RUN "$P" --encoding utf-16 "$TMP/cut16.csv" > /dev/null 2> "$TMP/err"
grep -q 'ends inside a character' "$TMP/err" || { cat "$TMP/err"; exit 1; }
! $RUN "$P" --encoding klingon "$TMP/utf8.csv" 2> "$TMP/err"
grep -q "is not an encoding iconv knows" "$TMP/err"

#!/usr/bin/env bash
# The register import benchmark: a centre's export of 100,000 rows (about
# 74,000 units: ownership, co-owners by shares, mortgages, a few seizures)
# imported into a fresh SQLite database by `onetrip register-import`, with
# its wall time and peak memory, beside this machine's ceiling in the same
# run: `dd` reading the file, and the sqlite3 shell's raw `.import` of the
# same rows into one table (no checks, no indexes).
#   bash scripts/bench-register.sh [rows]     # default 100000
#   ONETRIP_BIN=target/debug/onetrip bash scripts/bench-register.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
BIN=${ONETRIP_BIN:-target/release/onetrip}
[ -x "$BIN" ] || { echo "no $BIN: build it first (scripts/run.sh --build-only)" >&2; exit 1; }
command -v sqlite3 >/dev/null || { source scripts/env.sh; apt_install sqlite3; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$ROWS" "$WORK/register.csv" <<'PY'
import sys, random
rows, path = int(sys.argv[1]), sys.argv[2]
random.seed(20)
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
def rid(i):
    body = "330203%04d%02d%02d%03d" % (1950 + i % 50, 1 + i % 12, 1 + i % 28, i % 1000)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
banks = ["91350100M000100Y43"]
out = open(path, "w", encoding="utf-8")
out.write("不动产单元号,坐落,面积,用途,项目,幢号,登记类型,权利人,证件号码,份额,债权数额,证书号,登簿日期,义务人,备注\n")
n = u = 0
while n < rows:
    u += 1
    unit = "330203%03d%03dGB%05dF%04d%04d" % (1 + u // 90000, 1, 1 + u // 100, 1 + (u // 10) % 9999, 1 + u % 9999)
    addr = "明州市海曙区望京路 %d 号 %d 幢 %d 室" % (1 + u // 1000, 1 + u // 100 % 30, 101 + u % 100)
    cert = "浙(2019)明州市不动产权第%07d号" % u
    head = "%s,%s,%.2f,住宅,望京府,%d," % (unit, addr, 60 + u % 90, 1 + u // 100 % 30)
    if u % 7 == 0:
        out.write(head + "所有权,业主%d甲,%s,60,,%s,2019-06-30,,\n" % (u, rid(2 * u), cert))
        out.write(head + "所有权,业主%d乙,%s,40,,%s,2019-06-30,,\n" % (u, rid(2 * u + 1), cert)); n += 2
    else:
        out.write(head + "所有权,业主%d,%s,,,%s,2019-06-30,,\n" % (u, rid(2 * u), cert)); n += 1
    if u % 5 == 0 and n < rows:
        out.write(head + "抵押,明州银行,%s,,%d,浙(2020)明州市不动产证明第%07d号,2020-01-15,业主%d,\n" % (banks[0], 500000 + u, u, u)); n += 1
    if u % 997 == 0 and n < rows:
        out.write(head + "查封,明州市海曙区人民法院,,,,,2021-03-01,,(2021)浙0203执%d号\n" % u); n += 1
PY
SIZE=$(stat -c %s "$WORK/register.csv")
echo "file: $ROWS rows, $((SIZE / 1024 / 1024)) MB"
t0=$(date +%s.%N); dd if="$WORK/register.csv" of=/dev/null bs=1M status=none; t1=$(date +%s.%N)
printf 'ceiling dd read:              %6.2f s\n' "$(echo "$t1 - $t0" | bc -l)"
t0=$(date +%s.%N)
sqlite3 "$WORK/raw.db" ".mode csv" ".import $WORK/register.csv raw" >/dev/null
t1=$(date +%s.%N)
RAW=$(echo "$t1 - $t0" | bc -l)
printf 'ceiling sqlite3 raw .import:  %6.2f s\n' "$RAW"
mkdir -p "$WORK/data"
export ONETRIP_DATA_DIR="$WORK/data" RUST_LOG=warn
/usr/bin/time -f '%e %M' -o "$WORK/time" "$BIN" register-import "$WORK/register.csv" | tail -3
read -r SECS KB < "$WORK/time"
printf 'onetrip register-import:      %6.2f s  (%.1f× the raw import), peak memory %d MB\n' \
  "$SECS" "$(echo "$SECS / $RAW" | bc -l)" "$((KB / 1024))"
/usr/bin/time -f '%e %M' -o "$WORK/time2" "$BIN" register-import "$WORK/register.csv" | tail -1
read -r SECS2 KB2 < "$WORK/time2"
printf 'the same file again:          %6.2f s, peak memory %d MB (nothing written)\n' "$SECS2" "$((KB2 / 1024))"

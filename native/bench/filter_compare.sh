#!/bin/sh
# The filter cost of several engines measured side by side in one run: the
# same bench source (filter_bench.cpp) built against each git revision named
# and against the working tree ("."), run in turn ROUNDS times pinned to one
# CPU, so load from elsewhere falls on all of them alike. Prints, per case and
# engine, the median, min and max over the rounds of each run's median.
#   native/bench/filter_compare.sh [REV|. ...]        (default: c23edb2 .)
#   ROUNDS=7 CPU=1 ITERS=300000 RUNS=5 native/bench/filter_compare.sh c23edb2 main .
# c23edb2 is the last filter before the pcap-filter compiler.
set -eu
native=$(cd "$(dirname "$0")/.." && pwd)
rounds=${ROUNDS:-7} cpu=${CPU:-1} iters=${ITERS:-300000} runs=${RUNS:-5}
[ $# -gt 0 ] || set -- c23edb2 .
work=${TMPDIR:-/tmp}/filter-compare
mkdir -p "$work"

# A revision's engine as an archive (the bench links only what it uses),
# built once per commit; the bench itself is built each time.
build_rev() {
  commit=$(git -C "$native" rev-parse --short "$1^{commit}")
  dir=$work/$commit
  if [ ! -f "$dir/libengine.a" ]; then
    rm -rf "$dir" && mkdir -p "$dir/obj"
    git -C "$native/.." archive "$commit" native | tar -x -C "$dir"
    (cd "$dir/native" && find engine -name '*.cpp' | sort | xargs -P "$(nproc)" -I{} sh -c \
      'g++ -std=c++20 -pthread -Iengine -O3 -w -c "$1" -o "$2/obj/$(echo "$1" | tr / _).o"' _ {} "$dir")
    ar rcs "$dir/libengine.a" "$dir"/obj/*.o
  fi
  g++ -std=c++20 -pthread -O3 -I"$dir/native/engine" -o "$dir/filter-bench" "$native/bench/filter_bench.cpp" "$dir/libengine.a"
  echo "$dir/filter-bench"
}

bins=""
for rev in "$@"; do
  if [ "$rev" = . ]; then
    make -s -C "$native" bench-filter >&2
    bins="$bins $native/test/build/filter-bench"
  else
    bins="$bins $(build_rev "$rev")"
  fi
done

echo "rounds $rounds, cpu $cpu, $iters iterations x $runs runs a case; load: $(cut -d' ' -f1-3 /proc/loadavg)"
results=$work/results.$$
: > "$results"
r=0
while [ "$r" -lt "$rounds" ]; do
  n=0
  for b in $bins; do
    n=$((n + 1))
    taskset -c "$cpu" "$b" "$iters" "$runs" | sed -n "s|^\(.*[^ ]\)  *\([0-9.]*\) ns/packet.*|$n\t\1\t\2|p" >> "$results"
  done
  r=$((r + 1))
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
n=0
for rev in "$@"; do n=$((n + 1)); echo "engine $n: $rev"; done
# case, then per engine: median (min-max) of the rounds' medians.
sort -t "$(printf '\t')" -k2,2 -k1,1n -k3,3g "$results" | awk -F'\t' -v engines=$# '
  { key = $2 "\t" $1; v[key, ++c[key]] = $3; if (!(($2) in seen)) { seen[$2] = 1; order[++nc] = $2 } }
  END {
    for (i = 1; i <= nc; i++) {
      line = sprintf("%-54s", order[i])
      for (e = 1; e <= engines; e++) {
        k = order[i] "\t" e; m = c[k]
        line = line (m ? sprintf("  %5.2f (%.2f-%.2f)", v[k, int((m + 1) / 2)], v[k, 1], v[k, m]) : "  refused         ")
      }
      print line
    }
  }'
rm -f "$results"

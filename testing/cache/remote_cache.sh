#!/bin/bash
# A real HTTP build cache for Bazel on loopback (Debian's nginx with WebDAV PUT), and the check that a second, clean
# output base gets every cacheable action of //:images from it (README, "Developing XTOS"; a step of ./xt test).
# usage: remote_cache.sh start DIR        start nginx as this user, root DIR/cache, on a free 127.0.0.1 port; prints
#                                         the cache URL (nginx's pid is in DIR/nginx.pid)
#        remote_cache.sh stop DIR         stop that nginx (by its pid)
#        remote_cache.sh build URL        build //:images against the cache in a fresh, temporary output base
#        remote_cache.sh check URL BIN    the same, then assert: every action that ran was a remote cache hit, and the
#                                         images are byte-identical to those in BIN (the first build's bazel-bin)
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
IMAGES=(xtos-amd64.img xtos-i686.img xtos-amd64.iso xtos-i686.iso)

start() {
    local dir=$1 port
    mkdir -p "$dir/cache" "$dir/tmp"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # Run as root (CI containers), the workers would drop to "nobody" and could not write the cache: keep them as
    # this user. As a normal user nginx cannot switch users and the directive is left out.
    local user=""
    [ "$(id -u)" -ne 0 ] || user="user $(id -un) $(id -gn);"
    cat >"$dir/nginx.conf" <<CONF
$user
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 256; }
http {
    access_log $dir/access.log;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    client_max_body_size 1g;
    server {
        listen 127.0.0.1:$port;
        root $dir/cache;
        location / {
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw;
        }
    }
}
CONF
    /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" ||
        { echo "remote_cache: error: nginx did not start (see $dir/error.log)" >&2; return 1; }
    local waited=0
    until (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
        sleep 0.1
        waited=$((waited + 1))
        [ "$waited" -lt 50 ] || { echo "remote_cache: error: nginx is not listening on $port" >&2; return 1; }
    done
    echo "http://127.0.0.1:$port"
}

stop() {
    local dir=$1
    [ -s "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
}

# Builds //:images in a fresh output base against the cache; the build's output goes to $log.
build_fresh() {
    local url=$1 base=$2 log=$3
    bazel --output_base="$base" build //:images --remote_cache="$url" --symlink_prefix=/ \
        --execution_log_json_file="$base.exec.json" >"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
}

# Prints the first outputs of the actions in an execution log that ran without a remote cache hit.
print_misses() {
    python3 - "$1" <<'PY'
import json, sys
text, decoder, position, misses = open(sys.argv[1]).read(), json.JSONDecoder(), 0, []
while position < len(text):
    while position < len(text) and text[position].isspace():
        position += 1
    if position == len(text):
        break
    spawn, position = decoder.raw_decode(text, position)
    if spawn.get("remotable", True) and not spawn.get("remoteCacheHit", False):
        outputs = spawn.get("listedOutputs") or ["?"]
        misses.append("%s (%s)" % (outputs[0], spawn.get("mnemonic", "?")))
print("remote_cache: %d actions ran without a cache hit, e.g.:" % len(misses))
for miss in misses[:12]:
    print("  " + miss)
PY
}

discard() {
    local base=$1
    bazel --output_base="$base" shutdown >/dev/null 2>&1 || true
    chmod -R u+w "$base" 2>/dev/null || true
    rm -rf "$base"
}

build() {
    local url=$1 base log
    base=$(mktemp -d "${TMPDIR:-/tmp}/xtos-cache-base.XXXXXX")
    log="$base.log"
    local status=0
    build_fresh "$url" "$base" "$log" || status=$?
    grep -E '^INFO: [0-9]+ processes' "$log" | tail -1
    discard "$base"
    rm -f "$log" "$base.exec.json"
    return "$status"
}

check() {
    local url=$1 bin=$2 base log status=0
    base=$(mktemp -d "${TMPDIR:-/tmp}/xtos-cache-base.XXXXXX")
    log="$base.log"
    local start=$SECONDS
    build_fresh "$url" "$base" "$log" || status=$?
    local summary failures=()
    summary=$(grep -E '^INFO: [0-9]+ processes' "$log" | tail -1)
    [ "$status" = 0 ] || failures+=("the build against the cache failed")
    # "N processes: M remote cache hit, K internal." Internal actions (symlinks, writes) never run a process;
    # every other one must have come from the cache: none ran locally (linux-sandbox, local, worker).
    local hits others
    hits=$(sed -n 's/.* \([0-9]*\) remote cache hit.*/\1/p' <<<"$summary")
    others=$(sed -e 's/^INFO: [0-9]* processes: *//' -e 's/\.$//' <<<"$summary" | tr ',' '\n' |
        grep -vE '^ *[0-9]+ (remote cache hit|internal) *$' | sed 's/^ *//' | paste -sd, || true)
    [ -n "$summary" ] || failures+=("no process summary in the build output")
    [ "${hits:-0}" -gt 0 ] || failures+=("no remote cache hits: $summary")
    [ -z "$others" ] || failures+=("actions that were not remote cache hits: $others ($summary)")
    local fresh_bin
    fresh_bin=$(bazel --output_base="$base" info bazel-bin 2>/dev/null || true)
    for image in "${IMAGES[@]}"; do
        cmp -s "$bin/$image" "$fresh_bin/$image" ||
            failures+=("$image from the cache differs from the first build's (or is missing)")
    done
    discard "$base"
    if [ ${#failures[@]} -gt 0 ]; then
        printf 'remote_cache: FAIL: %s\n' "${failures[@]}"
        tail -n 15 "$log"
        [ ! -s "$base.exec.json" ] || print_misses "$base.exec.json" || true
        rm -f "$log" "$base.exec.json"
        return 1
    fi
    rm -f "$log" "$base.exec.json"
    echo "remote_cache: PASS: a clean output base built //:images from the cache in $((SECONDS - start)) s:" \
        "${summary#INFO: }; ${#IMAGES[@]} images byte-identical"
}

command=$1
shift
case "$command" in
    start | stop | build | check) "$command" "$@" ;;
    *) echo "usage: remote_cache.sh start DIR | stop DIR | build URL | check URL BIN" >&2; exit 2 ;;
esac

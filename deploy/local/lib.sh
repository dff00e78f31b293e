# Shared by deploy/local/run and deploy/local/test (sourced, not run): the
# Debian packages, the build, the private PostgreSQL and Redis, the tokens file.
# Every function stops the script (set -e) on failure with a message.

RF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RF_PGCTL="$RF_ROOT/deploy/local/pgctl"

# Everything the build, the local run and the tests need, from Debian 12.
RF_PACKAGES=(
    build-essential cmake pkg-config git
    libgrpc-dev grpc-proto protobuf-compiler libprotobuf-dev protobuf-c-compiler libprotobuf-c-dev
    libpq-dev postgresql postgresql-contrib
    libhiredis-dev redis-server redis-tools libssl-dev libjansson-dev libcriterion-dev
    python3 python3-grpcio python3-protobuf nghttp2-client openssl
)

rf_say() { printf '==> %s\n' "$*" >&2; }

# Installs the packages that are missing (apt-get update first); as root only.
rf_install_packages() {
    local missing=() p
    for p in "${RF_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
        return 1
    fi
    rf_say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    # The postgresql package starts the system cluster on 5432; we run our own.
    if command -v pg_lsclusters >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q online; then
        pg_lsclusters -h | awk '$4=="online"{print $1, $2}' | while read -r v c; do
            pg_ctlcluster "$v" "$c" stop || true
        done
    fi
}

# rf_build DIR [cmake options...]: configures (once) and builds into DIR.
rf_build() {
    local dir=$1; shift
    rf_say "building in $dir"
    cmake -S "$RF_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir.cmake.log" 2>&1 \
        || { cat "$dir.cmake.log" >&2; return 1; }
    cmake --build "$dir" -j "$(nproc)" >"$dir.build.log" 2>&1 \
        || { tail -60 "$dir.build.log" >&2; return 1; }
}

# rf_free_port: prints a TCP port nobody listens on now.
rf_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# rf_pg_up STATE PORT [--fast]: creates the cluster under STATE/pg once, then starts it.
rf_pg_up() {
    local state=$1 port=$2 fast=${3:-}
    if [ -f "$state/pg/port" ]; then
        [ "$(cat "$state/pg/port")" = "$port" ] || { echo "$state/pg was made for port $(cat "$state/pg/port"), not $port" >&2; return 1; }
        rf_say "starting PostgreSQL on 127.0.0.1:$port ($state/pg)"
        "$RF_PGCTL" start "$state/pg"
    else
        rf_say "creating PostgreSQL on 127.0.0.1:$port ($state/pg)"
        "$RF_PGCTL" init "$state/pg" "$port" $fast
    fi
}

rf_pg_down() { "$RF_PGCTL" stop "$1/pg" || true; }

# rf_redis_up STATE PORT: a private Redis on loopback, no persistence.
rf_redis_up() {
    local state=$1 port=$2 i
    mkdir -p "$state/redis"
    rf_say "starting Redis on 127.0.0.1:$port"
    redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
        --dir "$state/redis" --pidfile "$state/redis/redis.pid" --logfile "$state/redis/redis.log"
    for i in $(seq 50); do
        redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "Redis did not start on $port (see $state/redis/redis.log)" >&2
    return 1
}

# rf_redis_down STATE: stops the private Redis and waits until it has exited.
rf_redis_down() {
    local pidfile="$1/redis/redis.pid" pid i
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    rm -f "$pidfile"
}

# rf_tokens FILE: writes a tokens file with two subjects per role (once; kept after).
rf_tokens() {
    local file=$1 role name
    [ -f "$file" ] && return 0
    umask 077
    {
        echo "# token subject role -- bearer tokens of the local run (keep private)"
        for role in service:shop service:payments agent:alice agent:bob approver:carol approver:dave \
                    senior_approver:sam senior_approver:sue finance:erin finance:frank \
                    admin:grace admin:heidi; do
            name=${role#*:}; role=${role%%:*}
            echo "$(openssl rand -hex 24) $name $role"
        done
    } >"$file"
}

# rf_server_key FILE: writes the server's master key (32 random bytes as hex) once; kept after.
rf_server_key() {
    [ -f "$1" ] && return 0
    (umask 077 && openssl rand -hex 32 >"$1")
}

# rf_token FILE SUBJECT: prints SUBJECT's token.
rf_token() { awk -v s="$2" '$2 == s { print $1 }' "$1"; }

# rf_statement_sql LOADGEN NAME [N=TEXT...]: the statement NAME of refundsd's
# stores as a pgbench command (refunds-loadgen --print-sql --pgbench), its $N
# bound to TEXT (a pgbench variable or an SQL expression), every other $n to
# the pgbench variable :pn. Fails when the code has no such statement.
rf_statement_sql() {
    local loadgen=$1 name=$2 b binds=()
    shift 2
    for b in "$@"; do binds+=(--bind "$b"); done
    "$loadgen" --print-sql "$name" --pgbench "${binds[@]}"
}

#!/usr/bin/env bash
# Starts PostgreSQL and NATS JetStream when they are not already listening (node-svc machines run both).
set -uo pipefail

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do listening "$port" && { echo "$name is up on 127.0.0.1:$port"; return 0; }; sleep 0.5; done
  echo "$name did not come up on 127.0.0.1:$port" >&2
  return 1
}

if ! listening 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for 5432 PostgreSQL

if ! listening 4222; then
  echo "starting NATS with JetStream"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log || true
fi
wait_for 4222 NATS

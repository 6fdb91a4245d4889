#!/usr/bin/env bash
# Builds Winch and starts the whole stack on this machine: a real Kafka broker (KRaft), a sandbox Kubernetes API
# when no kubeconfig is found, and the five services. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")"
mvn -q -DskipTests package
exec java -Xmx512m -jar local/target/winch-local.jar

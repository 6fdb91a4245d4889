#!/bin/sh
# An exec provider as an operator would write one, for the host service's tests. $1: a directory where it keeps
# what it was given, byte for byte (stdin and each WINCH_* variable, one file each, named after the action and the
# host); $2: what it does: ok (the default), fail (exit 3) or hang (never finishes; its own and its child's pid go to
# $1/pids). It says what happened on its last line, as the README asks.
set -u
dir=$1
mode=${2:-ok}
at="$dir/$WINCH_ACTION-$WINCH_HOST_NAME"
cat > "$at.stdin"
printf '%s' "$WINCH_EVENT_ID" > "$at.event"
printf '%s' "$WINCH_GROUP" > "$at.group"
printf '%s' "${WINCH_TEMPLATE_NODE-}" > "$at.template"
case "$mode" in
  fail)
    echo "asking the cloud to $WINCH_ACTION $WINCH_HOST_NAME"
    echo "quota exceeded for instances in region eu-1"
    exit 3
    ;;
  hang)
    echo "waiting for $WINCH_HOST_NAME to boot"
    sleep 300 &
    echo "$$ $!" > "$dir/pids"
    wait
    ;;
  *)
    if [ "$WINCH_ACTION" = create ]; then
      echo "cloning ${WINCH_TEMPLATE_NODE-}"
      echo "created $WINCH_HOST_NAME (i-0abc)"
    else
      echo "deleted $WINCH_HOST_NAME"
    fi
    ;;
esac

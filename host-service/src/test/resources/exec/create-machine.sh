#!/bin/sh
# An exec provider as an operator would write one: reads the template host's description (JSON) from stdin,
# uses the WINCH_* variables, says what it did on its last line.
set -eu
description=$(cat)
template=$(printf '%s' "$description" | sed -n 's/.*"name" *: *"\([^"]*\)".*/\1/p')
echo "cloning ${template} for event ${WINCH_EVENT_ID}"
echo "machine ${WINCH_HOST_NAME} is up"
echo "created ${WINCH_HOST_NAME} from ${template} in group ${WINCH_GROUP}"
echo
echo "   "

#!/bin/sh
# Writes what it was given, byte for byte, to files: argument 1 to $2, $WINCH_GROUP to $3, stdin to $4.
printf '%s' "$1" > "$2"
printf '%s' "$WINCH_GROUP" > "$3"
cat > "$4"
echo "recorded"

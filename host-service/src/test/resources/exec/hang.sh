#!/bin/sh
# Never finishes: starts a child that sleeps and waits for it. Writes "<own pid> <child pid>" to the file $1.
echo "waiting for the machine to boot"
sleep 300 &
echo "$$ $!" > "$1"
wait

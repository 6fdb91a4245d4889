#!/bin/sh
# Writes far more than a pipe holds (about 6 MB on each of stdout and stderr) before its last line.
yes 'a line of provider output that nobody reads' | head -n 150000
yes 'a line of provider errors that nobody reads' | head -n 150000 >&2
echo "done after a lot of output"

#!/bin/sh
# Fails the way a cloud CLI does: nothing on stdout, the error on stderr, a non-zero exit code.
echo "checking quota" >&2
echo "error: quota exceeded for instances in region eu-1" >&2
exit 3

#!/usr/bin/env bash
# Prints the first python3 that has the `build` and `twine` modules (Debian's python3-build and twine
# install into /usr/bin/python3, which a pyenv python3 earlier on PATH does not see).
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import build, twine' >/dev/null 2>&1; then
    echo "$py"
    exit 0
  fi
done
echo "no python3 with the 'build' and 'twine' modules: run scripts/setup.sh (apt-get install python3-build twine)" >&2
exit 1

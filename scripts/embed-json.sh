#!/bin/sh
# scripts/embed-json.sh NAME FILE -- print a C file defining `const char NAME[]`
# holding FILE's text (used to compile the default scenario into the binary).
set -e
name=$1; file=$2
echo "/* generated from $file by scripts/embed-json.sh; do not edit */"
echo "const char $name[] ="
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/' "$file"
echo ";"

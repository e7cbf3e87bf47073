#!/usr/bin/env bash
# Generates the Python bindings from the jsii assembly (run `npx projen compile` first) and
# byte-compiles every generated module, so that an API that breaks Python fails CI.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f .jsii ]; then
  echo "check-bindings: .jsii is missing; run 'npx projen compile' first" >&2
  exit 1
fi
out=dist/bindings
rm -rf "$out"
npx jsii-pacmak --code-only --target python --outdir "$out" .
package_dir=$(find "$out/python/src" -maxdepth 1 -type d -name 'cdk8s_netpol' | head -1)
if [ -z "$package_dir" ]; then
  echo "check-bindings: jsii-pacmak wrote no cdk8s_netpol module under $out/python/src" >&2
  exit 1
fi
python3 -m compileall -q "$out/python/src"
echo "check-bindings: Python module cdk8s_netpol generated and byte-compiled ($(find "$package_dir" -name '*.py' | wc -l) files)"

# The README's Python example: valid Python, importing only names the bindings define.
readme_py=$(mktemp --suffix=.py)
awk '/^```python$/{on=1; next} /^```$/{if (on) exit} on' README.md > "$readme_py"
if [ ! -s "$readme_py" ]; then
  echo "check-bindings: README.md has no \`\`\`python example" >&2
  exit 1
fi
python3 -m py_compile "$readme_py"
python3 - "$readme_py" "$package_dir/__init__.py" <<'PY'
import ast, re, sys
example, bindings = sys.argv[1], open(sys.argv[2]).read()
defined = set(re.findall(r'^class (\w+)', bindings, re.M))
tree = ast.parse(open(example).read())
imported = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == 'cdk8s_netpol' for a in n.names]
missing = [name for name in imported if name not in defined]
if not imported or missing:
    sys.exit(f"check-bindings: the README's Python example imports {missing or 'nothing'} that cdk8s_netpol does not define")
# Keyword arguments of the constructs' calls must be props the bindings know (snake_case).
for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in imported):
    for keyword in call.keywords:
        if not re.search(rf'\b{keyword.arg}: ', bindings):
            sys.exit(f"check-bindings: the README's Python example passes {keyword.arg}= to {call.func.id}, which the bindings do not define")
# Methods called on Peer/Port and on construct instances must exist.
for attr in (n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)):
    if attr != 'synth' and not re.search(rf'def {attr}\(', bindings):
        sys.exit(f"check-bindings: the README's Python example calls .{attr}(), which the bindings do not define")
print(f"check-bindings: README's Python example uses {len(imported)} classes of cdk8s_netpol, all defined")
PY
rm -f "$readme_py"

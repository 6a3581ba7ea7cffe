"""Parse Dockerfiles with BuildKit's own parser (the PyPI `dockerfile` package wraps it)
and print one JSON object per file: the instructions, or the parse error.

Used by tests/it/init/dockerfile_oracle.rs to compare envc's parser with BuildKit's.
"""
import json
import sys

import dockerfile

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    try:
        cmds = dockerfile.parse_string(data.decode("utf-8"))
    except dockerfile.GoParseError as e:
        out.append({"file": path, "ok": False, "error": str(e)})
        continue
    out.append({
        "file": path,
        "ok": True,
        "instructions": [
            {
                "cmd": c.cmd,
                "sub_cmd": c.sub_cmd,
                "json": c.json,
                "original": c.original,
                "start_line": c.start_line,
                "end_line": c.end_line,
                "flags": list(c.flags),
                "value": list(c.value),
                "heredocs": [{"name": h.name, "content": h.content} for h in c.heredocs],
            }
            for c in cmds
        ],
    })
json.dump(out, sys.stdout)

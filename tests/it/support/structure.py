"""The structure of an emitted Dockerfile and Apptainer definition, as their real readers see it.

Usage: python3 structure.py DOCKERFILE DEF  ->  JSON on stdout.

- Dockerfile: BuildKit's own parser (PyPI `dockerfile`): every instruction with its flags,
  whether it is JSON (exec) form, and its values.
- .def: spython's parser (the sections it finds, with their line counts, and the recipe it
  builds), and Apptainer's rules from its Go parser (pkg/build/types/parser/deffile.go): a
  line whose first word starts with `%` opens a section, a line starting with `Bootstrap:`
  opens a stage, `{{ NAME }}` outside comment lines is a build-argument template.
"""
import json
import re
import sys

import dockerfile
from spython.main.parse.parsers import SingularityParser


def docker_structure(path):
    return [
        {"cmd": c.cmd, "flags": list(c.flags), "json": c.json, "value": list(c.value)}
        for c in dockerfile.parse_file(path)
    ]


COMMENT_LINE = re.compile(r"\s*[#][^!]\s*.*")
TEMPLATE = re.compile(r"{{\s*(\w+)\s*}}")


def apptainer_rules(text):
    sections = []
    for line in text.split("\n"):
        words = line.split()
        if words and words[0].startswith("%"):
            sections.append(words[0])
    stages = len(re.findall(r"(?mi)^bootstrap:", text))
    templates = []
    for m in TEMPLATE.finditer(text):
        start = text.rfind("\n", 0, m.start()) + 1
        if not COMMENT_LINE.search(text[start : m.start()]):
            templates.append(m.group(0))
    return {"sections": sections, "stages": stages, "templates": templates}


def spython_structure(path):
    seen = []
    load = SingularityParser._load_section

    def recording(self, lines, section, layer=None):
        before = len(lines)
        load(self, lines, section, layer)
        seen.append([section, before - len(lines)])

    SingularityParser._load_section = recording
    # spython knows only the docker bootstrap agents; the header is checked by the rules above.
    SingularityParser._check_bootstrap = lambda self, line: None
    recipe = SingularityParser(path).recipe
    stage = next(iter(recipe.values()))
    return {
        "sections": seen,
        "from": stage.fromHeader,
        "labels": stage.labels,
        "install": stage.install,
        "files": stage.files,
        "environ": stage.environ,
    }


def main():
    docker_path, def_path = sys.argv[1], sys.argv[2]
    out = {}
    if docker_path != "-":
        out["dockerfile"] = docker_structure(docker_path)
    if def_path != "-":
        text = open(def_path, encoding="utf-8").read()
        out["apptainer"] = apptainer_rules(text)
        out["spython"] = spython_structure(def_path)
    json.dump(out, sys.stdout)


main()

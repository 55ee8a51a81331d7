#!/usr/bin/env python3
"""Regenerate crates/genesys-wfm/tests/fixtures/purecloud_sdk.json from the official Genesys Cloud
Python SDK package (PyPI `PureCloudPlatformClientV2`, generated from the Platform API's swagger).

The fixture holds only what the crate uses: for each official model named in
crates/genesys-wfm/src/models.rs (`@sdk "Name"`) its JSON field names and swagger types, for each
official operation named in crates/genesys-wfm/src/endpoints.rs its HTTP method and
`resource_path`, and the SDK's region hosts (`PureCloudRegionHosts`). The crate's tests read the
fixture, so they need neither the network nor Python.

Usage:
    scripts/genesys_sdk_fixture.py                # pip download the newest package into a temp dir
    scripts/genesys_sdk_fixture.py path/to.whl    # use a wheel already downloaded
"""
import ast
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
CRATE = ROOT / "crates" / "genesys-wfm"
OUT = CRATE / "tests" / "fixtures" / "purecloud_sdk.json"
PKG = "PureCloudPlatformClientV2"
# Models read by hand rather than through models.rs (the error body, parsed leniently).
EXTRA_MODELS = {"ErrorBody"}


def wheel_path(argv):
    if len(argv) > 1:
        return pathlib.Path(argv[1])
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="purecloud-sdk-"))
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", PKG, "-d", str(tmp)],
        check=True,
    )
    return next(tmp.glob("*.whl"))


def dict_literal(src, name):
    """The dict assigned to `self.<name>` in a model's __init__."""
    m = re.search(r"self\.%s = (\{.*?\})" % name, src, re.S)
    return ast.literal_eval(m.group(1)) if m else {}


def main(argv):
    whl = wheel_path(argv)
    version = re.search(r"-(\d[^-]*)-py", whl.name).group(1)
    models_wanted = set(re.findall(r'@sdk "(\w+)"', (CRATE / "src" / "models.rs").read_text())) | EXTRA_MODELS
    ops_wanted = set(re.findall(r'\("(\w+)", "[A-Z]+", "/api/v2/', (CRATE / "src" / "endpoints.rs").read_text()))

    models, operations, regions = {}, {}, {}
    with zipfile.ZipFile(whl) as z:
        for name in z.namelist():
            if name.startswith(PKG + "/models/") and name.endswith(".py"):
                src = z.read(name).decode()
                m = re.search(r"^class (\w+)\(object\):", src, re.M)
                if m and m.group(1) in models_wanted:
                    types = dict_literal(src, "swagger_types")
                    amap = dict_literal(src, "attribute_map")
                    models[m.group(1)] = {amap[k]: types[k] for k in amap}
            elif name.startswith(PKG + "/apis/") and name.endswith(".py"):
                src = z.read(name).decode()
                for op, body in re.findall(r"    def (\w+)\(self.*?\):\n(.*?)(?=\n    def |\Z)", src, re.S):
                    if op in ops_wanted:
                        path = re.search(r"resource_path = '([^']+)'", body).group(1)
                        method = re.search(r"call_api\(resource_path, '(\w+)'", body).group(1)
                        operations[op] = {"method": method, "path": path}
            elif name == PKG + "/purecloud_region_hosts.py":
                src = z.read(name).decode()
                regions = dict(re.findall(r'^\s+(\w+) = "(https://[^"]+)"', src, re.M))

    missing = sorted(models_wanted - models.keys()) + sorted(ops_wanted - operations.keys())
    fixture = {
        "package": PKG,
        "version": version,
        "source": "https://pypi.org/project/PureCloudPlatformClientV2/%s/" % version,
        "regions": regions,
        "models": dict(sorted(models.items())),
        "operations": dict(sorted(operations.items())),
        "not_found": missing,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(fixture, indent=1, sort_keys=False) + "\n")
    print("wrote %s (%s %s: %d models, %d operations, %d regions; not found: %s)"
          % (OUT.relative_to(ROOT), PKG, version, len(models), len(operations), len(regions), missing or "none"))


if __name__ == "__main__":
    main(sys.argv)

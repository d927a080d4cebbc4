#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check-manifests.py ROOT - deploy/kubernetes/ and deploy/container/
checked offline, with nothing but Debian's python3-yaml: the objects parse
and are the ones expected; the DaemonSet is wired together (selector and
labels, every mount's volume, every ConfigMap key it reads, the
entrypoint's settings and commands, the readiness file and textfile
directory on both sides); the Containerfile copies what exists and runs the
entrypoint. Prints one line per check and "N passed, N failed"."""
import glob
import os
import re
import sys

import yaml

root = sys.argv[1] if len(sys.argv) > 1 else "."
passed = failed = 0


def check(what, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {what}")
    else:
        failed += 1
        print(f"FAIL {what}{': ' + detail if detail else ''}")


manifest = os.path.join(root, "deploy/kubernetes/toa-daemonset.yaml")
entry_path = os.path.join(root, "deploy/container/entrypoint.sh")
containerfile = os.path.join(root, "deploy/container/Containerfile")
entry = open(entry_path).read()

docs = [d for d in yaml.safe_load_all(open(manifest)) if d]
kinds = {d["kind"]: d for d in docs}
check("the manifest holds a Namespace, a ConfigMap and a DaemonSet",
      sorted(kinds) == ["ConfigMap", "DaemonSet", "Namespace"], str(sorted(kinds)))
ns = kinds["Namespace"]["metadata"]["name"]
cm = kinds["ConfigMap"]
ds = kinds["DaemonSet"]
check("every object has apiVersion, kind and a name",
      all(d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name") for d in docs))
check("the ConfigMap and the DaemonSet are in the Namespace",
      cm["metadata"].get("namespace") == ns and ds["metadata"].get("namespace") == ns)
check("the ConfigMap's values are strings (as Kubernetes requires)",
      all(isinstance(v, str) for v in cm["data"].values()), str(cm["data"]))
check("DaemonSet is apps/v1", ds["apiVersion"] == "apps/v1")

spec = ds["spec"]
pod = spec["template"]["spec"]
labels = spec["template"]["metadata"]["labels"]
check("the selector matches the pod's labels",
      all(labels.get(k) == v for k, v in spec["selector"]["matchLabels"].items()))
check("host network (configuration changes only from the node's netns)",
      pod.get("hostNetwork") is True)
check("a grace period for the unload on SIGTERM",
      pod.get("terminationGracePeriodSeconds", 30) >= 10)
check("tolerates every taint (every worker node)",
      {"operator": "Exists"} in pod.get("tolerations", []))

(c,) = pod["containers"]
check("privileged (insmod/rmmod)", c.get("securityContext", {}).get("privileged") is True)
commands = set(re.findall(r"^([a-z]+)\) ", entry.split("case ${1:-run} in")[-1], re.M))
check("the container's args are an entrypoint command",
      c.get("args", ["run"])[0] in commands, f"{c.get('args')} not in {sorted(commands)}")

volumes = {v["name"]: v for v in pod["volumes"]}
mounts = {m["name"]: m for m in c["volumeMounts"]}
check("every volumeMount has its volume", set(mounts) <= set(volumes),
      str(set(mounts) - set(volumes)))
check("every volume is mounted", set(volumes) <= set(mounts), str(set(volumes) - set(mounts)))
check("the node's /lib/modules and /usr/src are mounted at the same paths (DKMS, build symlink)",
      all(volumes[n].get("hostPath", {}).get("path") == mounts[n]["mountPath"] for n in mounts
          if mounts[n]["mountPath"] in ("/lib/modules", "/usr/src")) and
      {"/lib/modules", "/usr/src"} <= {m["mountPath"] for m in mounts.values()})

env = {e["name"]: e for e in c["env"]}
read = set(re.findall(r"\$\{?(TOA_[A-Z_]+)", entry))
check("every TOA_ setting in the manifest is one the entrypoint reads",
      set(env) <= read, str(set(env) - read))
refs = [e["valueFrom"]["configMapKeyRef"] for e in env.values() if "valueFrom" in e]
check("every ConfigMap key read exists",
      all(r["name"] == cm["metadata"]["name"] and r["key"] in cm["data"] for r in refs),
      str(refs))
check("every ConfigMap key is read", {r["key"] for r in refs} == set(cm["data"]),
      str(set(cm["data"]) - {r["key"] for r in refs}))
ready = env["TOA_READY_FILE"]["value"]
probe = " ".join(c["readinessProbe"]["exec"]["command"])
check("readiness: the entrypoint's ready file and toactl status", ready in probe and
      "toactl status" in probe, probe)
check("the ready file is on a mounted volume",
      any(ready.startswith(m["mountPath"] + "/") for m in mounts.values()))
textfile = env["TOA_TEXTFILE_DIR"]["value"]
check("the textfile directory is the node's, mounted",
      any(m["mountPath"] == textfile and
          volumes[n].get("hostPath", {}).get("path") == textfile for n, m in mounts.items()))
check("the module's work directory is a volume (DKMS builds there)",
      any(m["mountPath"] == "/var/lib/toa" for m in mounts.values()) and
      "TOA_WORK_DIR:-/var/lib/toa" in entry)

cf = open(containerfile).read()
copies = re.findall(r"^COPY\s+(.+)$", cf, re.M)
sources = [s for line in copies for s in line.split()[:-1]]
ctx = os.path.dirname(containerfile)
missing = [s for s in sources if not s.endswith(".deb") and not glob.glob(os.path.join(ctx, s))]
check("every COPY source is in deploy/container (the .debs come from the package build)",
      not missing, str(missing))
control = open(os.path.join(root, "debian/control")).read()
debs = [re.match(r"([a-z0-9-]+)_", s).group(1) for s in sources if s.endswith(".deb")]
check("the .debs copied are packages debian/control builds",
      all(re.search(rf"^Package: {d}$", control, re.M) for d in debs), str(debs))
ep = re.search(r'^ENTRYPOINT \["([^"]+)"\]', cf, re.M)
check("ENTRYPOINT is where entrypoint.sh is copied",
      ep and re.search(rf"^COPY entrypoint.sh {re.escape(ep.group(1))}$", cf, re.M))
check("the image's DKMS source is where the entrypoint looks",
      "/opt/toa/src" in cf and "TOA_DKMS_SOURCE:-/opt/toa/src" in entry)
check("the image's prebuilt modules are where the entrypoint looks",
      "/opt/toa/modules/" in cf and "TOA_MODULE_DIR:-/opt/toa/modules" in entry)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)

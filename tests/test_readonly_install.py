"""A read-only install without a writable cache location must import and compute (no on-disk
numba cache, a one-line warning), instead of failing on ``import cavity``."""
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import warnings
warnings.simplefilter("always")
import numba.core.caching as caching
# what a read-only install without HOME or NUMBA_CACHE_DIR looks like to numba: no locator
# accepts the package's folder (root ignores permission bits, so the test removes them all)
caching.CacheImpl._locator_classes = []
with warnings.catch_warnings(record=True) as seen:
    import numpy as np
    import cavity as cv
    import materials as mt
    st = cv.Stack((cv.Layer(mt.Constant(1.5), 100.0),), mt.Constant(1.0), mt.Constant(1.5))
    r = cv.spectrum(st, np.array([500.0, 600.0])).R
msgs = [str(w.message) for w in seen if "kernel cache" in str(w.message)]
print(len(msgs), float(r[0]) >= 0.0, cv._jit.CACHE)
"""


def _readonly_copy(tmp_path):
    dst = tmp_path / "site"
    for pkg in ("cavity", "materials"):
        shutil.copytree(ROOT / pkg, dst / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [dst, *dst.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    return dst


def test_import_without_a_cache_location_falls_back_to_no_cache(tmp_path):
    site = _readonly_copy(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMBA_CACHE_DIR")}
    env.update(PYTHONPATH=str(site), HOME=str(home), MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=tmp_path, capture_output=True, text=True,
                         timeout=600)
    try:
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.split() == ["1", "True", "False"], out.stdout + out.stderr[-2000:]
    finally:
        for path in [site, *site.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
        home.chmod(0o755)

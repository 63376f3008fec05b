#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build tests/consumers/consumer.cpp every way a user can consume coswire, and run it.

Usage: run_consumers.py [SOURCE_ROOT]

The consumers: CMake add_subdirectory, CMake find_package after `cmake --install` and after
`meson install`, CMake FetchContent from a local source archive, meson subproject through a
wrap's [provide], pkg-config after `meson install`, and the single header copied alone.
Everything is built in a temporary directory; nothing is written into the repository. Prints one
line per consumer and exits 1 when any fails. Only a missing cmake is a reason to skip: the
CMake consumers print SKIP, the others still run, and the script exits 77 (meson's SKIP) when
they all pass, so the gap stays visible in the test summary.
"""
import os
import pathlib
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
SKIP = 77
# What consumers share within one run: "dir", a temporary directory for the whole run, and the
# prefix of the meson install once it is made.
SHARED = {}
MESON_PREFIX = "meson prefix"


class Skipped(Exception):
    pass


def run(cmd, cwd=None, env=None):
    """Runs cmd; on failure raises with the command and its output."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"$ {shlex.join(str(c) for c in cmd)}\n{proc.stdout}")
    return proc.stdout


def header_version():
    """MAJOR.MINOR.PATCH from include/coswire/version.hpp, the one place the version is written."""
    text = (HERE.parent.parent / "include" / "coswire" / "version.hpp").read_text()
    return ".".join(re.search(rf"^#define COSWIRE_VERSION_{p} (\d+)$", text, re.M).group(1) for p in ("MAJOR", "MINOR", "PATCH"))


def check_app(app):
    out = run([app])
    if f"coswire {header_version()}: signature ok" not in out:
        raise RuntimeError(f"{app} printed {out!r}, expected version {header_version()} and a good signature")


def cxx():
    return os.environ.get("CXX", "g++")


def need(program):
    if shutil.which(program) is None:
        raise Skipped(f"{program} not found")


def cmake_subdirectory(root, tmp):
    need("cmake")
    build = tmp / "build"
    run(["cmake", "-S", root / "tests/consumers/cmake_subdirectory", "-B", build,
         "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", build])
    check_app(build / "app")


def find_installed_package(root, tmp, prefix):
    """Builds the find_package consumer against what is installed under `prefix`."""
    for name in ("coswireConfig.cmake", "coswireConfigVersion.cmake"):
        if not list(prefix.rglob(name)):
            raise RuntimeError(f"{name} was not installed under {prefix}")
    build = tmp / "build"
    run(["cmake", "-S", root / "tests/consumers/cmake_find_package", "-B", build,
         f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"])
    run(["cmake", "--build", build])
    check_app(build / "app")


def cmake_find_package(root, tmp):
    need("cmake")
    prefix = tmp / "prefix"
    run(["cmake", "-S", root, "-B", tmp / "coswire-build", f"-DCMAKE_INSTALL_PREFIX={prefix}"])
    run(["cmake", "--install", tmp / "coswire-build"])
    find_installed_package(root, tmp, prefix)


def meson_install(root, _tmp):
    """Installs coswire with meson (no tests, no bench) and returns the prefix. Once per run: the
    install builds the two CLIs, and two consumers read the same installed tree."""
    need("meson")
    if MESON_PREFIX not in SHARED:
        shared = pathlib.Path(SHARED["dir"])
        run(["meson", "setup", shared / "coswire-build", root, f"--prefix={shared / 'prefix'}", "-Dtests=false",
             "-Dbench=disabled"])
        run(["meson", "install", "-C", shared / "coswire-build"])
        SHARED[MESON_PREFIX] = shared / "prefix"
    return SHARED[MESON_PREFIX]


def cmake_find_package_after_meson(root, tmp):
    need("cmake")
    find_installed_package(root, tmp, meson_install(root, tmp))


def cmake_fetchcontent(root, tmp):
    need("cmake")
    # Only what CMake reads: a stray dependency of the CMake build on anything else fails here,
    # and the test does not pack the fuzz corpus on every run.
    archive = tmp / "coswire-src.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in ("CMakeLists.txt", "cmake", "include", "LICENSE"):
            tar.add(root / name, arcname=f"coswire/{name}")
    build = tmp / "build"
    run(["cmake", "-S", root / "tests/consumers/cmake_fetchcontent", "-B", build, f"-DCOSWIRE_ARCHIVE={archive}",
         "-DCMAKE_BUILD_TYPE=Release"])
    run(["cmake", "--build", build])
    check_app(build / "app")


def meson_subproject(root, tmp):
    need("meson")
    # Lay out the consumer as in the repository, then put coswire under subprojects/.
    project = tmp / "consumers/meson_subproject"
    shutil.copytree(HERE / "meson_subproject", project)
    shutil.copy2(HERE / "consumer.cpp", tmp / "consumers/consumer.cpp")
    try:
        (project / "subprojects/coswire").symlink_to(root, target_is_directory=True)
    except OSError:
        shutil.copytree(root, project / "subprojects/coswire", symlinks=True,
                        ignore=shutil.ignore_patterns(".git", "build*", "subprojects"))
    build = tmp / "build"
    run(["meson", "setup", build, project])
    run(["meson", "compile", "-C", build])
    check_app(build / "app")


def pkg_config(root, tmp):
    need("pkg-config")
    prefix = meson_install(root, tmp)
    pcs = list(prefix.rglob("coswire.pc"))
    if not pcs:
        raise RuntimeError(f"coswire.pc was not installed under {prefix}")
    env = dict(os.environ, PKG_CONFIG_PATH=str(pcs[0].parent))
    env.pop("PKG_CONFIG_LIBDIR", None)
    version = run(["pkg-config", "--modversion", "coswire"], env=env).strip()
    if version != header_version():
        raise RuntimeError(f"pkg-config --modversion coswire gave {version}, the header says {header_version()}")
    cflags = shlex.split(run(["pkg-config", "--cflags", "coswire"], env=env))
    if not any(f.startswith("-I") and str(prefix) in f for f in cflags):
        raise RuntimeError(f"pkg-config --cflags coswire gave {cflags}, no -I into {prefix}")
    app = tmp / "app"
    run([cxx(), *cflags, HERE / "consumer.cpp", "-o", app])
    check_app(app)


def single_header(root, tmp):
    # Only the one file: a stray include of <coswire/...> would fail to compile here.
    (tmp / "coswire").mkdir()
    shutil.copy2(root / "single_include/coswire/coswire.hpp", tmp / "coswire/coswire.hpp")
    app = tmp / "app"
    run([cxx(), "-std=c++20", "-Wall", "-Wextra", "-Werror", f"-I{tmp}", HERE / "consumer.cpp",
         "-o", app])
    check_app(app)


CONSUMERS = [
    ("cmake add_subdirectory", cmake_subdirectory, True),
    ("cmake find_package", cmake_find_package, True),
    ("cmake find_package after meson install", cmake_find_package_after_meson, True),
    ("cmake FetchContent", cmake_fetchcontent, True),
    ("meson subproject", meson_subproject, False),
    ("pkg-config", pkg_config, False),
    ("single header", single_header, False),
]


def main(argv):
    root = pathlib.Path(argv[1]).resolve() if len(argv) > 1 else HERE.parents[1]
    failed, skipped, passed = [], [], []
    shared = tempfile.TemporaryDirectory(prefix="coswire-consumers-")
    SHARED["dir"] = shared.name
    for name, fn, is_cmake in CONSUMERS:
        with tempfile.TemporaryDirectory(prefix="coswire-consumer-") as tmp:
            try:
                fn(root, pathlib.Path(tmp))
            except Skipped as e:
                print(f"SKIP {name}: {e}", flush=True)
                skipped.append((name, is_cmake))
                continue
            except Exception as e:  # noqa: BLE001 - report every failure, then go on
                print(f"FAIL {name}\n{e}", flush=True)
                failed.append(name)
                continue
        print(f"ok   {name}", flush=True)
        passed.append(name)
    if failed:
        print(f"{len(failed)} consumer(s) failed: {', '.join(failed)}")
        return 1
    # Only a missing cmake may skip; a missing meson or pkg-config is a failure of this machine.
    if any(not is_cmake for _, is_cmake in skipped):
        print("a non-CMake consumer was skipped: meson, pkg-config and a C++ compiler are required")
        return 1
    return SKIP if skipped else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

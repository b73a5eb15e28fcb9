# Sourced by ./test.sh and .ci/run (bash): puts first on PATH a `python3` that has the Python packages the
# integration tests use (`moto[server]`: the S3-compatible server of cloudtrail-reader's S3 tests; `duckdb`:
# the reader of cloudtrail-ocsf's interoperability tests), and its `moto_server`.
#
# The Python found on PATH is used as it is when it has both. Otherwise a virtual environment is made once
# in the cargo target directory (target/python-test-env) and the packages are installed there from PyPI
# with pip: nothing is installed into the system's or the user's Python.

python_test_packages=('moto[server]>=5,<6' 'duckdb>=1,<2')

python_has_test_packages() {
    "$1" -c 'import duckdb, moto.server' 2>/dev/null
}

if python_has_test_packages python3 && command -v moto_server >/dev/null; then
    echo "python-env: using $(command -v python3), which has moto[server] and duckdb" >&2
else
    python_test_env="$(realpath -m "${CARGO_TARGET_DIR:-target}")/python-test-env"
    if ! python_has_test_packages "$python_test_env/bin/python3"; then
        echo "python-env: installing ${python_test_packages[*]} into $python_test_env" >&2
        if ! python3 -m venv "$python_test_env"; then
            echo "python-env: python3 cannot make a virtual environment (Debian and Ubuntu: apt install python3-venv)" >&2
            return 1
        fi
        "$python_test_env/bin/python3" -m pip install --quiet --disable-pip-version-check "${python_test_packages[@]}" || {
            echo "python-env: pip could not install ${python_test_packages[*]} (is PyPI reachable?)" >&2
            return 1
        }
    fi
    export PATH="$python_test_env/bin:$PATH"
fi

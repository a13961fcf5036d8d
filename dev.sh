export PYTHONPATH=/work/wt/policy2/src
export THREADLINE_DATA_DIR=/work/wt/policy2/data
export PG_URL=postgresql://postgres@127.0.0.1:5432/tl_policy2
export PATH=/work/main/.venv/bin:$PATH
cd /work/wt/policy2

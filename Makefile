# Shortcuts; the README's two commands stay the way in.
.PHONY: test lint format bench eval ci

test:
	pytest

lint:
	ruff check .
	ruff format --check .
	mypy
	lint-imports

format:
	ruff check --fix .
	ruff format .

# Each prints its numbers beside a naive baseline measured in the same run.
bench:
	python -m bench.bench_startup
	python -m bench.bench_ingest
	python -m bench.bench_lookup
	python -m bench.bench_acks
	python -m bench.bench_slowloris
	python -m bench.bench_serve
	python -m bench.bench_digest

eval:
	python -m bench.eval_genes
	python -m bench.eval_figures

ci:
	bash .ci/run

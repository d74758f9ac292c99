"""python -m cavity.warmup compiles the common calls' kernels into numba's cache, in two processes."""
import cavity._jit
import cavity.warmup as warmup


def test_warmup_runs_both_parts_and_reports(capsys):
    dt = warmup.main([])
    assert dt > 0
    assert "compiled and cached" in capsys.readouterr().out


def test_each_part_runs_in_process():
    for part in warmup.PARTS:
        assert warmup.main(["--part", part]) == 0.0


def test_without_a_cache_it_says_so(monkeypatch, capsys):
    monkeypatch.setattr(cavity._jit, "CACHE", False)
    assert warmup.main([]) == 0.0
    assert "cannot cache" in capsys.readouterr().out
